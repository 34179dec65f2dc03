#!/bin/sh
# Checks what packaging/package.sh built (run by ./dev package-test, which
# builds first): the .deb files' contents and metadata (desk, platform,
# verify, witness), each installed into this machine with dpkg and run,
# then removed; the Windows exe's
# imports (no DLL of ours beside it), every signature, and the installer
# unpacked with 7z and its file list checked.
set -eu
cd "$(dirname "$0")/.."
dist=$(cd "${SANXIANG_DIST:-dist}" && pwd)
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^Build *= *\([0-9][0-9]*\)/\1/p' FyneApp.toml)
fails=0
ok() { printf 'ok   %s\n' "$*"; }
bad() { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
}
has() { # has FILE-LIST-FILE PATH
	grep -q " \./${2#/}\$" "$1"
}

linux() {
	desk="$dist/sanxiang-desk_${version}-${build}_amd64.deb"
	plat="$dist/sanxiang-platform_${version}-${build}_amd64.deb"
	list=$(mktemp)
	dpkg-deb -c "$desk" | awk '{print " "$NF}' >"$list"
	for p in /usr/bin/sanxiang /usr/share/applications/sanxiang-kiosk.desktop /usr/share/applications/sanxiang-window.desktop \
		/usr/share/applications/sanxiang-officer.desktop /usr/share/icons/hicolor/512x512/apps/sanxiang.png \
		/usr/lib/systemd/system/sanxiang-kiosk.service; do
		check "desk package holds $p" has "$list" "$p"
	done
	check "desk package's version is $version-$build" sh -c "[ \"\$(dpkg-deb -f '$desk' Version)\" = '$version-$build' ]"
	check "platform package's version is $version-$build" sh -c "[ \"\$(dpkg-deb -f '$plat' Version)\" = '$version-$build' ]"
	check "sanxiang-platform reports $version ($build)" sh -c "[ \"\$('$dist/linux/sanxiang-platform' -version)\" = 'sanxiang-platform $version ($build)' ]"
	check "desk package depends on libgl1" sh -c "dpkg-deb -f '$desk' Depends | grep -q libgl1"
	check "desk package recommends cage" sh -c "dpkg-deb -f '$desk' Recommends | grep -q cage"
	check "desk package recommends an audio library" sh -c "dpkg-deb -f '$desk' Recommends | grep -q 'libpulse0 | libasound2'"
	check "desk package recommends sanxiang-verify" sh -c "dpkg-deb -f '$desk' Recommends | grep -q sanxiang-verify"
	check "platform package recommends sanxiang-verify" sh -c "dpkg-deb -f '$plat' Recommends | grep -q sanxiang-verify"
	unit=$(mktemp -d)
	dpkg-deb -x "$desk" "$unit"
	check "kiosk unit runs the kiosk under cage" grep -q '^ExecStart=/usr/bin/cage -s -- /usr/bin/sanxiang kiosk$' "$unit/usr/lib/systemd/system/sanxiang-kiosk.service"
	check "kiosk unit restarts it if it dies" grep -q '^Restart=always$' "$unit/usr/lib/systemd/system/sanxiang-kiosk.service"
	check "kiosk unit sets the locale" grep -q '^Environment=LANG=zh_CN.UTF-8$' "$unit/usr/lib/systemd/system/sanxiang-kiosk.service"
	for m in kiosk window officer; do
		check "menu entry for $m is valid" sh -c "grep -q '^Exec=sanxiang $m\$' '$unit/usr/share/applications/sanxiang-$m.desktop' &&
			{ ! command -v desktop-file-validate || desktop-file-validate '$unit/usr/share/applications/sanxiang-$m.desktop'; }"
	done
	rm -rf "$unit"

	dpkg-deb -c "$plat" | awk '{print " "$NF}' >"$list"
	for p in /usr/bin/sanxiang-platform /usr/lib/systemd/system/sanxiang-platform.service /etc/sanxiang/platform.env; do
		check "platform package holds $p" has "$list" "$p"
	done
	check "platform configuration is a conffile" sh -c "dpkg-deb -I '$plat' conffiles | grep -q '^/etc/sanxiang/platform.env$'"
	check "platform configuration (it holds secrets) is 0600" sh -c "dpkg-deb -c '$plat' | grep -q '^-rw------- .* ./etc/sanxiang/platform.env$'"
	punit=$(mktemp -d)
	dpkg-deb -x "$plat" "$punit"
	check "platform unit's command line carries no setting or secret" grep -qx 'ExecStart=/usr/bin/sanxiang-platform' "$punit/usr/lib/systemd/system/sanxiang-platform.service"
	rm -rf "$punit"

	# The verifier alone, and the independent witness in its own package
	# (another body runs it, on another machine).
	ver="$dist/sanxiang-verify_${version}-${build}_amd64.deb"
	wit="$dist/sanxiang-witness_${version}-${build}_amd64.deb"
	dpkg-deb -c "$ver" | awk '{print " "$NF}' >"$list"
	check "verify package holds /usr/bin/sanxiang-verify" has "$list" /usr/bin/sanxiang-verify
	check "verify package's version is $version-$build" sh -c "[ \"\$(dpkg-deb -f '$ver' Version)\" = '$version-$build' ]"
	check "verify package depends on nothing" sh -c "[ -z \"\$(dpkg-deb -f '$ver' Depends)\" ]"
	check "sanxiang-verify is static (cgo-free)" sh -c "file '$dist/linux/sanxiang-verify' | grep -q 'statically linked'"
	check "sanxiang-verify --help runs and speaks Chinese" sh -c "'$dist/linux/sanxiang-verify' --help | grep -q '退出码'"
	check "sanxiang-verify on no bundle is exit 2" sh -c "'$dist/linux/sanxiang-verify' /nonexistent.zip; [ \$? = 2 ]"
	dpkg-deb -c "$wit" | awk '{print " "$NF}' >"$list"
	for p in /usr/bin/sanxiang-witness /usr/lib/systemd/system/sanxiang-witness.service /etc/sanxiang-witness/witness.env; do
		check "witness package holds $p" has "$list" "$p"
	done
	check "witness package's version is $version-$build" sh -c "[ \"\$(dpkg-deb -f '$wit' Version)\" = '$version-$build' ]"
	check "witness configuration is a conffile" sh -c "dpkg-deb -I '$wit' conffiles | grep -q '^/etc/sanxiang-witness/witness.env$'"
	check "sanxiang-witness is static (cgo-free)" sh -c "file '$dist/linux/sanxiang-witness' | grep -q 'statically linked'"
	wunit=$(mktemp -d)
	dpkg-deb -x "$wit" "$wunit"
	check "witness unit keeps its key and state in its own 0700 state folder" sh -c "grep -qx 'StateDirectory=sanxiang-witness' '$wunit/usr/lib/systemd/system/sanxiang-witness.service' &&
		grep -qx 'StateDirectoryMode=0700' '$wunit/usr/lib/systemd/system/sanxiang-witness.service' &&
		grep -q '^ExecStart=/usr/bin/sanxiang-witness .*--key /var/lib/sanxiang-witness/witness.key' '$wunit/usr/lib/systemd/system/sanxiang-witness.service'"
	check "witness unit reads every setting it names from witness.env" sh -c "for v in \$(grep -o '\${[A-Z_]*}' '$wunit/usr/lib/systemd/system/sanxiang-witness.service' | tr -d '\${}'); do
		grep -q \"^\$v=\" '$wunit/etc/sanxiang-witness/witness.env' || exit 1; done"
	rm -rf "$wunit"
	rm -f "$list"

	# Installed for real, run, removed.
	if [ "$(id -u)" = 0 ] && ! dpkg -s sanxiang-desk >/dev/null 2>&1; then
		check "desk package installs" dpkg -i "$desk"
		check "sanxiang version runs: $(sanxiang version 2>&1 || true)" sh -c "sanxiang version | grep -q 'sanxiang $version ($build)'"
		check "the kiosk user exists" getent passwd sanxiang-kiosk
		kiosk_session
		check "desk package removes" dpkg -r sanxiang-desk
		check "nothing of it is left in /usr/bin" test ! -e /usr/bin/sanxiang
		check "platform package installs" dpkg -i "$plat"
		tmp=$(mktemp -d)
		check "the installed sanxiang-platform reports $version ($build)" sh -c "sanxiang-platform -version | grep -qx 'sanxiang-platform $version ($build)'"
		check "sanxiang-platform runs (a one-time enrolment code)" sh -c "sanxiang-platform --db '$tmp/p.db' --new-code officer | grep -q ."
		rm -rf "$tmp"
		check "platform package removes" dpkg -r sanxiang-platform
		check "verify package installs" dpkg -i "$ver"
		check "the installed sanxiang-verify --help runs" sh -c "sanxiang-verify --help | grep -q 'sanxiang-verify'"
		check "verify package removes" dpkg -r sanxiang-verify
		check "witness package installs" dpkg -i "$wit"
		check "the witness user exists" getent passwd sanxiang-witness
		tmp=$(mktemp -d)
		sanxiang-witness --name witness.test --db "$tmp/w.db" --key "$tmp/w.key" --listen 127.0.0.1:0 >"$tmp/out" 2>&1 &
		wpid=$!
		for _ in $(seq 1 50); do grep -q '^listening ' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
		check "the installed sanxiang-witness starts and prints its vkey" grep -q '^vkey witness.test+' "$tmp/out"
		check "it made its key 0600" sh -c "[ \"\$(stat -c %a '$tmp/w.key')\" = 600 ]"
		kill "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
		rm -rf "$tmp"
		check "witness package removes" dpkg -r sanxiang-witness
	else
		printf 'skip installing the .deb files (needs root and no sanxiang-desk installed)\n'
	fi
}

# kiosk_session runs the kiosk unit's command line for real: cage (on
# wlroots' headless backend, as there is no screen here) starts the
# installed `sanxiang kiosk` as the kiosk user, through Xwayland; grim takes
# the screen, which must show something, kept as dist/kiosk-under-cage.png.
kiosk_session() {
	if ! command -v cage >/dev/null || ! command -v grim >/dev/null; then
		printf 'skip the kiosk session (cage or grim missing)\n'
		return
	fi
	run=$(mktemp -d)
	mkdir -p "$run/xdg" "$run/data"
	chown -R sanxiang-kiosk "$run"
	chmod 700 "$run/xdg"
	exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/sanxiang-kiosk.service)
	runuser -u sanxiang-kiosk -- env -u DISPLAY -u WAYLAND_DISPLAY XDG_RUNTIME_DIR="$run/xdg" WLR_BACKENDS=headless \
		WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 LANG=zh_CN.UTF-8 SANXIANG_DATA="$run/data" \
		$exec_start >"$run/session.log" 2>&1 &
	shot="$dist/kiosk-under-cage.png"
	rm -f "$shot"
	i=0
	while [ $i -lt 30 ] && ! [ -s "$shot" ]; do
		sleep 1
		i=$((i + 1))
		[ $i -ge 8 ] || continue # the kiosk's first frame
		runuser -u sanxiang-kiosk -- env XDG_RUNTIME_DIR="$run/xdg" WAYLAND_DISPLAY=wayland-0 grim "$run/xdg/shot.png" 2>/dev/null &&
			cp "$run/xdg/shot.png" "$shot"
	done
	check "the kiosk session shows the kiosk under cage ($shot)" sh -c "[ -s '$shot' ] &&
		[ \"\$(convert '$shot' -format '%[fx:standard_deviation>0.05]' info:)\" = 1 ]"
	pkill -u sanxiang-kiosk cage 2>/dev/null || true
	sleep 1
	pkill -9 -u sanxiang-kiosk 2>/dev/null || true
	rm -rf "$run"
}

windows() {
	exe="$dist/windows/sanxiang.exe"
	setup="$dist/windows/sanxiang-desk-${version}-setup.exe"
	ca="$dist/test-cert/cert.pem"
	[ -n "${SANXIANG_SIGN_CERT:-}" ] && ca=$SANXIANG_SIGN_CERT
	check "sanxiang.exe is a 64-bit Windows GUI program" sh -c "file '$exe' | grep -q 'PE32+ executable (GUI) x86-64'"
	# The release build reports the FyneApp.toml it embeds (buildinfo_release.go):
	# fyne package's second Windows build drops -X main.build.
	check "sanxiang.exe reports version $version ($build), from the FyneApp.toml it carries" \
		sh -c "strings '$exe' | grep -qx 'Version = \"$version\"' && strings '$exe' | grep -qx 'Build = $build'"
	# The version resources Windows shows (Properties → Details), of the
	# exe and of the installer: VERSION.BUILD.
	for f in "$exe" "$setup"; do
		check "$(basename "$f")'s version resources say $version.$build" sh -c "7z l '$f' | grep -qx 'FileVersion: $version.$build' &&
			7z l '$f' | grep -qx 'ProductVersion: $version.$build'"
	done
	dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/.*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u | tr '\n' ' ')
	# Only DLLs every Windows has: nothing needs to ship beside the exe.
	extra=""
	for d in $dlls; do
		case "$d" in
		kernel32.dll | user32.dll | gdi32.dll | opengl32.dll | shell32.dll | ole32.dll | oleaut32.dll | advapi32.dll | \
			winmm.dll | ws2_32.dll | msvcrt.dll | imm32.dll | dwmapi.dll | shcore.dll | uxtheme.dll | comdlg32.dll | \
			version.dll | setupapi.dll | bcrypt.dll | crypt32.dll | ntdll.dll | userenv.dll | iphlpapi.dll | \
			api-ms-win-*.dll | ucrtbase.dll | powrprof.dll | mswsock.dll | secur32.dll | winspool.drv | comctl32.dll | hid.dll | dnsapi.dll | quartz.dll) ;;
		*) extra="$extra $d" ;;
		esac
	done
	check "sanxiang.exe needs only Windows' own DLLs ($dlls)" test -z "$extra"
	check "sanxiang.exe is signed" osslsigncode verify -CAfile "$ca" -in "$exe"
	for c in sanxiang-verify sanxiang-witness; do
		check "$c.exe is a 64-bit Windows console program" sh -c "file '$dist/windows/$c.exe' | grep -q 'PE32+ executable (console) x86-64'"
		check "$c.exe is signed" osslsigncode verify -CAfile "$ca" -in "$dist/windows/$c.exe"
	done
	check "the installer is signed" osslsigncode verify -CAfile "$ca" -in "$setup"
	out=$(mktemp -d)
	7z x -y -o"$out" "$setup" >/dev/null
	files=$(cd "$out" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
	check "the installer holds sanxiang.exe ($files)" test -f "$out/sanxiang.exe"
	uninst=$(find "$out" -iname 'uninstall*.exe' | head -n1)
	check "the installer holds its uninstaller" test -n "$uninst"
	[ -n "$uninst" ] && check "the uninstaller is signed" osslsigncode verify -CAfile "$ca" -in "$uninst"
	check "the installed exe is the signed one" cmp "$out/sanxiang.exe" "$exe"
	check "the installer holds sanxiang-verify.exe, the signed one" cmp "$out/sanxiang-verify.exe" "$dist/windows/sanxiang-verify.exe"
	# 7z does not show the installer's compressed script: its Start-menu
	# entries and languages are checked in the source it was built from.
	for s in 办事大厅自助终端 窗口工作台 执法办案 'Service hall kiosk' 'Service window desk' 'Enforcement case files' \
		'MUI_LANGUAGE "SimpChinese"' 'MUI_LANGUAGE "English"' 'Target amd64-unicode' '!uninstfinalize'; do
		check "installer script: $s" grep -qF "$s" packaging/windows/installer.nsi
	done
	# Per machine or per user, by NSIS's MultiUser.nsh: its mode page, /AllUsers
	# and /CurrentUser for silent installs, the uninstaller finding its mode,
	# and the uninstall entry in the mode's hive (packaging/windows/install-check.sh
	# runs both modes under wine).
	for s in '!include "MultiUser.nsh"' 'MULTIUSER_EXECUTIONLEVEL Highest' 'MULTIUSER_MUI' 'MULTIUSER_INSTALLMODE_COMMANDLINE' \
		'MULTIUSER_USE_PROGRAMFILES64' '!insertmacro MULTIUSER_PAGE_INSTALLMODE' '!insertmacro MULTIUSER_INIT' '!insertmacro MULTIUSER_UNINIT' \
		'"/CurrentUser"' '"/AllUsers"' 'WriteRegStr SHCTX "${UNINSTKEY}" "InstallLocation"' "uninstall.exe\" /\$MultiUser.InstallMode'"; do
		check "installer script: $s" grep -qF "$s" packaging/windows/installer.nsi
	done
	rm -rf "$out"
}

case "${1:-all}" in
linux) linux ;;
windows) windows ;;
all) linux; windows ;;
esac
if [ "$fails" != 0 ]; then
	echo "package-test: $fails failed"
	exit 1
fi
echo "package-test: all passed"
