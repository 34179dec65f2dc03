# Printing through the Windows print dialog, under wine, to a printer of
# its own (sourced by packaging/windows/wine-check.sh; bash).
#
# wine 8 takes its printers from CUPS (libcups, loaded at run time): a
# fresh prefix has none, and the print dialog says "在安装打印机后才能使
# 用...". print_check starts a private cupsd (its own configuration, spool
# and log under a temporary folder, listening only on a Unix socket there;
# CUPS_SERVER points libcups at it: nothing of the machine's CUPS is used
# or changed) with one queue, SanxiangTest, a Generic PostScript Printer
# (CUPS's sample driver) whose device is a file: wine's PostScript passes
# CUPS's pstops and lands in that file. (A raw queue would be simpler, but
# CUPS 2.4 runs no filter for a raw queue on a file: device and writes
# nothing: the job "completes" empty.) Then the Windows test
# TestPrintPagesUnderWine (app/shell/winui, built here with go test -c)
# calls winui.PrintPages with two known pages, the dialog is accepted with
# Return from the keyboard, and the file is checked: two pages, the job
# named as the document, and each page's ink where its image has it
# (rendered with ghostscript).
#
# Debian packages: cups-daemon (cupsd), cups-client (lpadmin, lpstat),
# cups-common (the Generic PostScript driver), cups-core-drivers (pstops),
# libcups2 (what wine loads), ghostscript, imagemagick, xdotool; mingw-w64
# and Go build the test binary (or SANXIANG_WINUI_TEST names a built one).
#
# Needs WINEPREFIX (prepared: the stand-in bcryptprimitives.dll in it),
# DISPLAY, LANG/LOCPATH set, and ok / bad from the caller. Usage:
#   print_check [WORKDIR]      (returns non-zero if a check failed)

# print_ink PNG X0 Y0 X1 Y1: the mean grey (0 black, 1 white) of the part
# of the page image between those percentages of its width and height.
print_ink() {
	local w h
	read -r w h < <(identify -format '%w %h\n' "$1" 2>/dev/null)
	[ -n "$h" ] || { echo -1; return; }
	convert "$1" -crop "$(($w * ($4 - $2) / 100))x$(($h * ($5 - $3) / 100))+$(($w * $2 / 100))+$(($h * $3 / 100))" \
		-colorspace Gray -format '%[fx:mean]' info: 2>/dev/null || echo -1
}

print_check() {
	local pw=${1:-$(mktemp -d)} failed=0 t0 cupsd_pid="" out
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$pw/cups/conf" "$pw/cups/spool/tmp" "$pw/cups/cache" "$pw/cups/state" "$pw/cups/log" "$pw/out"
	# cupsd runs its filters as the user lp: they must reach the spool
	# through every folder above it (mktemp -d makes them 0700).
	local d=$pw
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d" 2>/dev/null
		d=$(dirname "$d")
	done
	out="$pw/out/sanxiang-print.ps"
	# The filters and the file: device run as cupsd's User (lp when root).
	chmod 0777 "$pw/out" "$pw/cups/spool/tmp"
	chmod 0755 "$pw" "$pw/cups" "$pw/cups/spool"
	local user group
	if [ "$(id -u)" = 0 ]; then user=lp group=lp; else user=$(id -un) group=$(id -gn); fi
	cat >"$pw/cups/conf/cups-files.conf" <<-EOF
		ServerRoot $pw/cups/conf
		RequestRoot $pw/cups/spool
		TempDir $pw/cups/spool/tmp
		CacheDir $pw/cups/cache
		StateDir $pw/cups/state
		ErrorLog $pw/cups/log/error_log
		AccessLog $pw/cups/log/access_log
		PageLog $pw/cups/log/page_log
		Printcap $pw/cups/printcap
		User $user
		Group $group
		SystemGroup root
		FileDevice Yes
		Sandboxing Relaxed
	EOF
	cat >"$pw/cups/conf/cupsd.conf" <<-EOF
		Listen $pw/cups/cups.sock
		LogLevel ${SANXIANG_CUPS_LOGLEVEL:-info}
		Browsing No
		DefaultAuthType None
		WebInterface No
		<Location />
		  Order allow,deny
		  Allow all
		</Location>
		<Location /admin>
		  Order allow,deny
		  Allow all
		</Location>
		<Policy default>
		  <Limit All>
		    Order deny,allow
		  </Limit>
		</Policy>
	EOF
	export CUPS_SERVER="$pw/cups/cups.sock"
	cupsd -f -c "$pw/cups/conf/cupsd.conf" -s "$pw/cups/conf/cups-files.conf" >"$pw/cups/log/cupsd.out" 2>&1 &
	cupsd_pid=$!
	for _ in $(seq 1 100); do LC_ALL=C lpstat -r 2>/dev/null | grep -q 'scheduler is running' && break; sleep 0.1; done
	if LC_ALL=C lpstat -r 2>/dev/null | grep -q 'scheduler is running'; then ok "print: a private cupsd on $CUPS_SERVER"; else
		bad "print: a private cupsd did not start"
		sed 's/^/     /' "$pw/cups/log/error_log" 2>/dev/null | head -20
		print_stop_cups "$cupsd_pid"
		return 1
	fi
	# A4, as in a Chinese office (the driver's default is Letter, and wine
	# takes the paper from the printer's default).
	if lpadmin -p SanxiangTest -E -v "file://$out" -m drv:///sample.drv/generic.ppd -o PageSize=A4 >"$pw/cups/lpadmin.out" 2>&1 &&
		lpadmin -d SanxiangTest >>"$pw/cups/lpadmin.out" 2>&1; then
		ok "print: the default printer SanxiangTest (Generic PostScript, A4), into $out"
	else
		bad "print: lpadmin SanxiangTest"
		sed 's/^/     /' "$pw/cups/lpadmin.out" | head -10
		failed=1
	fi
	print_run "$pw" "$out" || failed=1
	print_stop_cups "$cupsd_pid"
	unset CUPS_SERVER
	return $failed
}

# print_run WORKDIR OUT: the Windows test prints to the private printer;
# its output checked.
print_run() {
	local pw=$1 out=$2 failed=0 test_exe=${SANXIANG_WINUI_TEST:-} app dlg t0 secs ps pages
	local title=SanxiangPrintCheck # TestPrintPagesUnderWine's job (app/shell/winui/print_wine_test.go)
	if [ -z "$test_exe" ]; then
		test_exe="$pw/winui.test.exe"
		if ! (cd "$root" && env CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
			CGO_LDFLAGS="-static-libgcc -static-libstdc++" go test -c -trimpath -tags release -o "$test_exe" ./app/shell/winui) >"$pw/build.out" 2>&1; then
			bad "print: build the winui Windows test"
			sed 's/^/     /' "$pw/build.out" | head -20
			return 1
		fi
	fi
	SANXIANG_WINE_PRINT=1 wine "$test_exe" -test.run '^TestPrintPagesUnderWine$' -test.v >"$pw/test.out" 2>&1 &
	app=$!
	dlg=""
	for _ in $(seq 1 240); do
		dlg=$(xdotool search --all --pid "$app" --name '^(打印|Print)$' 2>/dev/null | head -n1)
		[ -n "$dlg" ] && break
		kill -0 "$app" 2>/dev/null || break
		sleep 0.25
	done
	if [ -z "$dlg" ]; then
		bad "print: the Windows print dialog never opened"
		sed 's/^/     /' "$pw/test.out" | head -20
		kill "$app" 2>/dev/null
		return 1
	fi
	ok "print: the Windows print dialog is open"
	if wine reg query 'HKCU\Software\Microsoft\Windows NT\CurrentVersion\Devices' 2>/dev/null | grep -q 'SanxiangTest.*CUPS:SanxiangTest'; then
		ok "print: wine lists the CUPS printer SanxiangTest (HKCU\...\Devices)"
	else
		bad "print: wine does not list SanxiangTest among its printers"
		failed=1
	fi
	import -window "$dlg" "$pw/print-dialog.png" 2>/dev/null
	for _ in $(seq 1 50); do
		[ "$(xdotool getwindowfocus 2>/dev/null)" = "$dlg" ] && break
		sleep 0.1
	done
	t0=$(date +%s.%N)
	xdotool key Return # 确定: the default printer, all pages, one copy
	for _ in $(seq 1 $((120 * 4))); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
	secs=$(elapsed "$t0")
	if kill -0 "$app" 2>/dev/null; then
		bad "print: PrintPages still runs 120 s after the dialog was accepted"
		kill "$app" 2>/dev/null
		return 1
	fi
	if wait "$app" && grep -q '^--- PASS: TestPrintPagesUnderWine' "$pw/test.out"; then
		ok "print: Return on the dialog, PrintPages returned printed in ${secs}s ($(grep -o 'pages drawn at.*' "$pw/test.out"))"
	else
		bad "print: TestPrintPagesUnderWine failed"
		sed 's/^/     /' "$pw/test.out" | head -20
		return 1
	fi
	# CUPS's page log: printer user job-id [date] total PAGES ... job-name.
	pages=""
	for _ in $(seq 1 120); do
		pages=$(awk -v t="$title" '$1 == "SanxiangTest" && $6 == "total" && $0 ~ (" " t " ") { print $7 }' \
			"$pw/cups/log/page_log" 2>/dev/null | tail -n1)
		[ -n "$pages" ] && [ -s "$out" ] && break
		sleep 0.25
	done
	if [ "$pages" = 2 ]; then ok "print: CUPS completed the job '$title', 2 pages (page_log)"; else
		bad "print: CUPS's page log has for '$title': '${pages}' pages, want 2"
		sed 's/^/     /' "$pw/cups/log/page_log" 2>/dev/null | head -5
		failed=1
	fi
	ps=$(grep -ac '^%%Page: ' "$out" 2>/dev/null)
	if [ "$ps" = 2 ] && grep -aq "^%%Title: $title" "$out" && grep -aq '^%%BeginFeature: \*PageSize A4' "$out"; then
		ok "print: the printer's file is PostScript titled $title, A4, 2 pages, $(stat -c %s "$out") bytes"
	else
		bad "print: the printer's file has ${ps:-no} %%Page comments (want 2), or not the title $title, or not A4 ($out)"
		failed=1
	fi
	# Drawn by ghostscript: the black block of each test page where it was
	# drawn (page 1 top left, page 2 bottom right) and white elsewhere.
	if gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pnggray -r30 -o "$pw/page%d.png" "$out" >"$pw/gs.out" 2>&1 &&
		[ -f "$pw/page2.png" ] && [ ! -f "$pw/page3.png" ]; then
		local a1 b1 a2 b2
		a1=$(print_ink "$pw/page1.png" 15 13 35 27) b1=$(print_ink "$pw/page1.png" 65 73 85 87)
		a2=$(print_ink "$pw/page2.png" 15 13 35 27) b2=$(print_ink "$pw/page2.png" 65 73 85 87)
		if awk -v a1="$a1" -v b1="$b1" -v a2="$a2" -v b2="$b2" \
			'BEGIN { exit !(a1 >= 0 && a1 < 0.1 && b1 > 0.95 && a2 > 0.95 && b2 >= 0 && b2 < 0.1) }'; then
			ok "print: the pages as drawn (ghostscript: page 1 ink top left $a1, page 2 bottom right $b2; blank elsewhere $b1, $a2)"
		else
			bad "print: the printed pages are not the test pages (grey: page 1 top left $a1, bottom right $b1; page 2 $a2, $b2)"
			failed=1
		fi
	else
		bad "print: ghostscript did not draw two pages from $out"
		sed 's/^/     /' "$pw/gs.out" | head -10
		failed=1
	fi
	return $failed
}

# print_stop_cups PID: ends the private cupsd.
print_stop_cups() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$1" 2>/dev/null
}
