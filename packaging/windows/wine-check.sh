#!/bin/bash
# The Windows build, run as a clerk's PC would run it, under wine on Xvfb
# (./dev wine-check, after ./dev package-test in .ci/run): a fresh prefix
# in a Chinese locale; the installer silently; `version` against
# FyneApp.toml; `seed` and `verify` in %LOCALAPPDATA%; the window desk
# started, signed in from the keyboard and its citizen display checked by
# its title and its QR code; the desk closed with Alt+F4 20 times, each
# time within seconds (the app writes every goroutine's stack if it does
# not end: shell.Quit); the kiosk started and left through its
# administrator PIN; a document printed through the Windows print dialog
# to a private CUPS printer; the uninstaller, keeping the data folder.
#
# wine 8.0 lacks ProcessPrng (bcryptprimitives.dll), which Go's runtime
# calls since 1.24 and Windows 10 and 11 have: a stand-in built here from
# packaging/windows/wine/processprng.c is put into this test prefix only.
# It is never shipped.
#
# Usage: packaging/windows/wine-check.sh [DIST]   (DIST defaults to
# $SANXIANG_DIST or dist; it must hold windows/sanxiang-desk-*-setup.exe)
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
dist=$(cd "${1:-${SANXIANG_DIST:-dist}}" && pwd)
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^Build *= *\([0-9][0-9]*\)/\1/p' FyneApp.toml)
setup="$dist/windows/sanxiang-desk-${version}-setup.exe"
closes=${SANXIANG_WINE_CLOSES:-20}

work=$(mktemp -d)
start=$(date +%s.%N)
fails=0
xvfb=""
cleanup() {
	WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null
	[ -n "$xvfb" ] && kill $xvfb 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
# elapsed FROM: seconds since FROM (a date +%s.%N), one decimal.
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
since() { printf '%5ss' "$(elapsed "$start")"; }
ok() { printf 'ok   %s %s\n' "$(since)" "$*"; }
bad() {
	printf 'FAIL %s %s\n' "$(since)" "$*"
	fails=$((fails + 1))
}
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >"$work/out" 2>&1; then ok "$d"; else
		bad "$d"
		sed 's/^/     /' "$work/out" | head -40
	fi
}
fatal() {
	bad "$*"
	echo "wine-check: stopped"
	exit 1
}

# A private X server with two monitors side by side, as a window desk
# with its citizen display: Xephyr (Xinerama, the second screen at
# x=1280) inside an Xvfb, since Xvfb's own Xinerama puts both screens at
# 0,0; wine is told to read Xinerama, not RandR. A private Chinese locale
# (LOCPATH: nothing of the machine changes) and a fresh prefix.
n=$((120 + $$ % 100))
display=":$n"
Xvfb ":$((n + 100))" -screen 0 2600x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 1 50); do xdpyinfo -display ":$((n + 100))" >/dev/null 2>&1 && break; sleep 0.1; done
DISPLAY=":$((n + 100))" Xephyr "$display" +xinerama -screen 1280x800x24 -origin 1280,0 -screen 1280x800x24 \
	-nolisten tcp >/dev/null 2>&1 &
xvfb="$xvfb $!"
for _ in $(seq 1 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$work/locale"
localedef -i zh_CN -f UTF-8 "$work/locale/zh_CN.UTF-8" >/dev/null 2>&1 || fatal "localedef zh_CN.UTF-8 (Debian package locales)"
export DISPLAY="$display" WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" \
	LOCPATH="$work/locale" LANG=zh_CN.UTF-8 LC_ALL= TZ=Asia/Shanghai
unset LC_ALL
check "wineboot: a fresh prefix ($(wine --version))" wineboot -i
# No window manager here: unmanaged windows, else wine waits 2 s for each
# to be withdrawn as it closes.
check "prefix: unmanaged windows (no window manager)" wine reg add 'HKCU\Software\Wine\X11 Driver' /v Managed /d N /f
check "prefix: monitors from Xinerama" wine reg add 'HKCU\Software\Wine\X11 Driver' /v UseXRandR /d N /f
# No debugger waiting on a crash: the process ends, and the check sees it.
check "prefix: no debugger on a crash" wine reg delete 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /f
wineserver -k # the settings hold from the next start
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" packaging/windows/wine/processprng.c -lbcrypt -Wl,--kill-at ||
	fatal "build the stand-in bcryptprimitives.dll"
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
ok "the stand-in bcryptprimitives.dll (ProcessPrng), in this prefix only"

# Both install modes, installed and removed (packaging/windows/install-check.sh).
. packaging/windows/install-check.sh
install_check "$setup" || fails=$((fails + 1))

# Installed silently, per machine, for the runs below.
check "setup.exe /S /AllUsers installs" wine "$setup" /S /AllUsers
inst="$WINEPREFIX/drive_c/Program Files/SanxiangDesk"
exe="$inst/sanxiang.exe"
[ -f "$exe" ] || fatal "sanxiang.exe is not in Program Files\\SanxiangDesk"
menu="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/三项制度执法终端"
for l in 办事大厅自助终端 窗口工作台 执法办案 卸载; do
	check "Start menu: 三项制度执法终端\\$l" test -f "$menu/$l.lnk"
done
check "the uninstaller is registered" wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\SanxiangDesk' /v DisplayVersion

got=$(wine "$exe" version 2>&1 | tr -d '\r')
if [ "$got" = "sanxiang $version ($build)" ]; then ok "sanxiang.exe version: $got"; else bad "sanxiang.exe version: '$got', FyneApp.toml says $version ($build)"; fi

# The data folder is the user's %LOCALAPPDATA%\SanxiangDesk.
data_win='C:\users\'"$(whoami)"'\AppData\Local\SanxiangDesk'
data="$WINEPREFIX/drive_c/users/$(whoami)/AppData/Local/SanxiangDesk"
check "sanxiang.exe seed (the demo city, into %LOCALAPPDATA%\\SanxiangDesk)" wine "$exe" seed
check "the data folder is %LOCALAPPDATA%\\SanxiangDesk" test -f "$data/casefile.db"
# The folder is sealed (its DPAPI-bound key): verified as a person on it,
# the PIN on standard input.
check "sanxiang.exe verify $data_win\\casefile.db (sealed, as a person on it)" sh -c "echo 147258 | wine '$exe' verify --person 990101000001 '$data_win\\casefile.db' 2>&1 | grep -q 核验通过"
# The standalone verifier the installer put beside it: a console program
# that speaks Chinese (UTF-8) and says what it is; a file that is no bundle
# is unreadable input, exit 2.
verify_exe="$inst/sanxiang-verify.exe"
check "sanxiang-verify.exe is installed" test -f "$verify_exe"
check "sanxiang-verify.exe --help speaks Chinese" sh -c "wine '$verify_exe' --help 2>&1 | grep -q '退出码'"
check "sanxiang-verify.exe refuses a file that is no bundle (exit 2)" sh -c "wine '$verify_exe' '$data_win\\casefile.db' >'$work/v.out' 2>&1; [ \$? = 2 ] && grep -q 无法读取案卷包 '$work/v.out'"

# window_of PID NAME-REGEX [SECONDS]: the X window of the process's
# top-level window titled so (X window ids come again from one run to the
# next: a search by title alone may find the last run's, closing), waited
# for up to SECONDS (20 by default).
window_of() {
	for _ in $(seq 1 $((${3:-20} * 4))); do
		w=$(xdotool search --all --pid "$1" --name "$2" 2>/dev/null | head -n1)
		[ -n "$w" ] && echo "$w" && return 0
		sleep 0.25
	done
	return 1
}
# has_keyboard WINDOW: whether the window has the keyboard's focus (waits
# up to 5 s for it).
has_keyboard() {
	for _ in $(seq 1 50); do
		[ "$(xdotool getwindowfocus 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# gone PID SECONDS: whether the process ended within SECONDS.
gone() {
	for _ in $(seq 1 $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# The window desk: the console has the keyboard, the window number
# chosen by --window-no, the staff number focused.
wine "$exe" window --window-no 3 >"$work/window.log" 2>&1 &
app=$!
# The first window of the first start after the seed may take long under
# wine on a busy 2-core machine (once 20 s were not enough): 60 s, and the
# program's own log if it does not come.
console=$(window_of "$app" '^窗口工作台$' 60) || {
	sed 's/^/     /' "$work/window.log" | tail -30
	fatal "the window desk's console never appeared"
}
display_win=$(window_of "$app" '窗口公示屏$') || fatal "the citizen display never appeared"
ok "the window desk is up: console and citizen display"
has_keyboard "$console" || bad "the console does not have the keyboard: the display took it"
xdotool type --delay 20 990102000004
xdotool key Tab
xdotool type --delay 20 147258
xdotool key Return
signed=""
for _ in $(seq 1 40); do
	t=$(xdotool getwindowname "$display_win" 2>/dev/null)
	case "$t" in 3号窗口*—*) signed=$t && break ;; esac
	sleep 0.25
done
if [ -n "$signed" ]; then ok "signed in from the keyboard: the display is titled '$signed'"; else
	bad "no sign-in: the display is titled '$(xdotool getwindowname "$display_win")'"
	sed 's/^/     /' "$work/window.log" | head -20
fi
eval "$(xdotool getwindowgeometry --shell "$display_win")"
if [ "$X" -ge 1280 ]; then ok "the citizen display is on the second screen (x=$X, ${WIDTH}x$HEIGHT)"; else
	bad "the citizen display is on the first screen (x=$X), with a second there"
fi
xdotool windowraise "$display_win"
sleep 1
import -window "$display_win" "$dist/wine-window-display.png" 2>/dev/null
qr=$(zbarimg -q --raw "$dist/wine-window-display.png" 2>/dev/null | head -n1)
if [ "$qr" = "http://127.0.0.1:8421/p/officer/990102000004" ]; then ok "the display's QR code opens the staff member's page ($qr)"; else
	bad "the display's QR code reads '$qr' ($dist/wine-window-display.png)"
fi
import -window "$console" "$dist/wine-window-console.png" 2>/dev/null
t0=$(date +%s.%N)
has_keyboard "$console"
xdotool key alt+F4
if gone "$app" 10; then ok "Alt+F4 on the signed-in console: the process ended in $(elapsed "$t0")s"; else
	bad "Alt+F4 on the signed-in console: still running after 10 s"
	kill "$app" 2>/dev/null
fi

# Closed again and again: each time the process must end within seconds.
slow=0
times=""
for i in $(seq 1 "$closes"); do
	wine "$exe" window >"$work/close.log" 2>&1 &
	app=$!
	console=$(window_of "$app" '^窗口工作台$') || { bad "close $i: no console"; kill "$app"; continue; }
	window_of "$app" '窗口公示屏$' >/dev/null || { bad "close $i: no display"; kill "$app"; continue; }
	has_keyboard "$console" || { bad "close $i: the console does not have the keyboard"; kill "$app"; continue; }
	t0=$(date +%s.%N)
	xdotool key alt+F4
	if gone "$app" 20; then
		times="$times $(elapsed "$t0")"
	else
		slow=$((slow + 1))
		bad "close $i: the process still runs 20 s after Alt+F4"
		grep -A200 'still running' "$work/close.log" | head -200 | sed 's/^/     /'
		kill "$app" 2>/dev/null
	fi
	if grep -q 'still running' "$work/close.log"; then
		bad "close $i: the app found itself stuck after quitting (its stacks follow)"
		grep -A200 'still running' "$work/close.log" | head -200 | sed 's/^/     /'
	fi
done
[ "$slow" = 0 ] && ok "the window desk closed $closes times, each process gone in seconds:$times"

# The kiosk: full screen; Alt+F4 asks for the administrator's PIN
# (the demo's 147258), Enter, then Space on the focused 退出.
wine "$exe" kiosk >"$work/kiosk.log" 2>&1 &
app=$!
kiosk=$(window_of "$app" '^办事大厅自助终端$') || fatal "the kiosk never appeared"
has_keyboard "$kiosk" || bad "the kiosk does not have the keyboard"
sleep 1
import -window root "$dist/wine-kiosk.png" 2>/dev/null
spread=$(convert "$dist/wine-kiosk.png" -crop 1280x800+0+0 -colorspace Gray -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
if awk "BEGIN{exit !($spread > 0.05)}"; then ok "the kiosk is up and drawn (spread $spread, $dist/wine-kiosk.png)"; else bad "the kiosk's screen is blank"; fi
xdotool key alt+F4
if gone "$app" 2; then bad "Alt+F4 left the kiosk without its administrator"; fi
xdotool type --delay 20 147258
xdotool key Return
# The PIN's hash takes a moment to check; then Space on the focused 退出.
for _ in 1 2 3 4 5 6; do
	sleep 1.5
	kill -0 "$app" 2>/dev/null || break
	xdotool key space
done
if gone "$app" 5; then ok "the kiosk left through its administrator PIN"; else
	bad "the kiosk still runs after its administrator's PIN and 退出"
	import -window root "$dist/wine-kiosk-stuck.png" 2>/dev/null
	kill "$app" 2>/dev/null
fi

# Printing through the Windows print dialog, to a private CUPS printer
# (packaging/windows/print-check.sh; its test binary is built with the
# release build's flags, so it reuses what the package build compiled).
. packaging/windows/print-check.sh
print_check "$work/print" || :

# The uninstaller removes the program and keeps the records.
# (NSIS's uninstaller runs from a copy in %TEMP% and returns at once, and
# "_?=" cannot be passed unquoted through wine: its folder's going is
# waited for.)
check "uninstall.exe /S runs" wine "$inst/uninstall.exe" /S
for _ in $(seq 1 100); do [ -e "$inst" ] || break; sleep 0.3; done
check "the program's folder is gone" test ! -e "$inst"
check "the Start-menu folder is gone" test ! -e "$menu"
check "the data folder is kept (case files are records)" test -f "$data/casefile.db"

printf '\nwine-check: %s failed, %s\n' "$fails" "$(since)"
[ "$fails" = 0 ]
