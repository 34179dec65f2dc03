#!/bin/sh
# install-check.sh SETUP.EXE: checks the installer's two modes under wine,
# as a clerk's PC would run them silently:
#   setup.exe /S /CurrentUser  files in %LOCALAPPDATA%\Programs\SanxiangDesk,
#                              the Start-menu entries in the user's Start menu,
#                              the uninstall entry in HKCU and none in HKLM;
#   setup.exe /S /AllUsers     files in Program Files, the entries in the
#                              all-users Start menu (ProgramData), HKLM;
#   the per-user uninstaller opened from its folder with no mode (it must find
#   its mode itself) removes the per-user install, folder and all, and
#   nothing of the other;
#   the per-machine one, run as "Apps and features" runs it (its registered
#   QuietUninstallString), removes the rest, folder and all;
#   a file put in the data folder %LOCALAPPDATA%\SanxiangDesk beforehand is
#   still there after both.
# One line per check, "ok   ..." or "FAIL ...", with the seconds it took.
#
# Needs WINEPREFIX naming a prepared prefix (wineboot done) and a Chinese
# locale (LANG=zh_CN.UTF-8, LOCPATH if it was built with localedef): the
# Start-menu names checked are the Chinese ones a silent install picks under
# it. winemenubuilder is switched off for these calls so the host's own menu
# gets no entries.
#
# Run it (exit status 1 on any failure), or source it and call
# `install_check SETUP.EXE` (returns 1 on any failure). Its own names all
# start with ic_ or install_check; it is safe under set -eu.

ic_now() { date +%s.%N; }

# ic_result STATUS START DESCRIPTION
ic_result() {
	ic_t=$(awk -v a="$2" -v b="$(ic_now)" 'BEGIN { printf "%.1f", b - a }')
	if [ "$1" = 0 ]; then
		printf 'ok   %s (%s s)\n' "$3" "$ic_t"
	else
		printf 'FAIL %s (%s s)\n' "$3" "$ic_t"
		ic_fails=$((ic_fails + 1))
	fi
}

# ic_check DESCRIPTION COMMAND...
ic_check() {
	ic_d=$1
	shift
	ic_s=$(ic_now)
	if "$@" >/dev/null 2>&1; then ic_result 0 "$ic_s" "$ic_d"; else ic_result 1 "$ic_s" "$ic_d"; fi
}

ic_wine() {
	WINEDLLOVERRIDES="${WINEDLLOVERRIDES:+$WINEDLLOVERRIDES;}winemenubuilder.exe=d" wine "$@"
}

# ic_unix 'C:\A\B': the prefix's file for a Windows path on C:.
ic_unix() {
	printf '%s/drive_c%s\n' "$WINEPREFIX" "$(printf '%s' "${1#[Cc]:}" | tr '\\' '/')"
}

# ic_reg KEY: the key's values as "NAME<TAB>DATA" lines in ic_regout;
# status 1 if there is no such key.
ic_reg() {
	ic_regout=""
	ic_raw=$(ic_wine reg query "$1" 2>/dev/null | tr -d '\r') || return 1
	ic_regout=$(printf '%s\n' "$ic_raw" | sed -n 's/^    \([^ ].*[^ ]\)    REG_[A-Z_]*    \(.*\)$/\1\t\2/p')
	[ -n "$ic_regout" ]
}

# ic_val NAME: one value of the key ic_reg read last.
ic_val() {
	printf '%s\n' "$ic_regout" | awk -F '\t' -v n="$1" '$1 == n { print $2; exit }'
}

# ic_is VALUE WANT: equal, ignoring case as Windows does for paths.
ic_is() {
	[ "$(printf '%s' "$1" | tr 'A-Z' 'a-z')" = "$(printf '%s' "$2" | tr 'A-Z' 'a-z')" ]
}

# ic_links DIR: the Start-menu folder DIR holds the four Chinese entries.
ic_links() {
	for ic_l in 办事大厅自助终端 窗口工作台 执法办案 卸载; do
		[ -s "$1/$ic_l.lnk" ] || return 1
	done
}

# ic_gone KEY: the key is absent, asked up to 5 times (an uninstaller that
# runs as a copy of itself may still be finishing when its folder is gone).
ic_gone() {
	for ic_i in 1 2 3 4 5; do
		ic_reg "$1" || return 0
		sleep 0.5
	done
	return 1
}

# ic_wait_gone PATH SECONDS: PATH disappears within SECONDS.
ic_wait_gone() {
	ic_end=$(($(date +%s) + $2))
	while [ -e "$1" ]; do
		[ "$(date +%s)" -lt "$ic_end" ] || return 1
		sleep 0.2
	done
}

install_check() {
	ic_setup=$1
	ic_fails=0
	ic_start=$(ic_now)
	ic_uninst='Software\Microsoft\Windows\CurrentVersion\Uninstall\SanxiangDesk'
	ic_own='Software\SanxiangDesk'
	ic_menu='Microsoft\Windows\Start Menu\Programs\三项制度执法终端'

	ic_s=$(ic_now)
	ic_dirs=$(ic_wine cmd /c 'echo %ProgramW6432%^|%ProgramData%^|%LOCALAPPDATA%^|%APPDATA%' 2>/dev/null | tr -d '\r' | tail -n 1)
	ic_pf=$(printf '%s' "$ic_dirs" | cut -d'|' -f1)
	ic_pd=$(printf '%s' "$ic_dirs" | cut -d'|' -f2)
	ic_lad=$(printf '%s' "$ic_dirs" | cut -d'|' -f3)
	ic_ad=$(printf '%s' "$ic_dirs" | cut -d'|' -f4)
	if [ -n "$ic_pf" ] && [ -n "$ic_ad" ] && [ -d "$(ic_unix "$ic_lad")" ]; then
		ic_result 0 "$ic_s" "the prefix's folders: $ic_dirs"
	else
		ic_result 1 "$ic_s" "the prefix's folders (WINEPREFIX=${WINEPREFIX:-unset}): '$ic_dirs'"
		return 1
	fi
	ic_machine="$ic_pf\\SanxiangDesk"
	ic_user="$ic_lad\\Programs\\SanxiangDesk"
	ic_um=$(ic_unix "$ic_machine")
	ic_uu=$(ic_unix "$ic_user")
	ic_umenu_all=$(ic_unix "$ic_pd\\$ic_menu")
	ic_umenu_user=$(ic_unix "$ic_ad\\$ic_menu")
	ic_check "no install in the prefix yet" sh -c "! [ -e '$ic_um' ] && ! [ -e '$ic_uu' ]"

	# The data folder holds records before either install.
	ic_data=$(ic_unix "$ic_lad\\SanxiangDesk")
	ic_marker="$ic_data/install-check-marker"
	ic_stamp="case files are records $(date +%s)"
	mkdir -p "$ic_data" && printf '%s\n' "$ic_stamp" >"$ic_marker"

	# Per user.
	ic_check "setup.exe /S /CurrentUser" ic_wine "$ic_setup" /S /CurrentUser
	ic_check "per user: sanxiang.exe and uninstall.exe in $ic_user" \
		test -s "$ic_uu/sanxiang.exe" -a -s "$ic_uu/uninstall.exe"
	ic_check "per user: 办事大厅自助终端, 窗口工作台, 执法办案, 卸载 in the user's Start menu ($ic_ad\\$ic_menu)" \
		ic_links "$ic_umenu_user"
	ic_check "per user: nothing in Program Files or the all-users Start menu" \
		sh -c "! [ -e '$ic_um' ] && ! [ -e '$ic_umenu_all' ]"
	ic_s=$(ic_now)
	if ic_reg "HKCU\\$ic_uninst" && ic_is "$(ic_val InstallLocation)" "$ic_user" &&
		ic_is "$(ic_val UninstallString)" "\"$ic_user\\uninstall.exe\" /CurrentUser"; then
		ic_result 0 "$ic_s" "per user: HKCU uninstall entry, InstallLocation $(ic_val InstallLocation)"
	else
		ic_result 1 "$ic_s" "per user: HKCU uninstall entry: $(printf '%s' "$ic_regout" | tr '\t\n' '= ')"
	fi
	ic_check "per user: no HKLM uninstall entry" ic_gone "HKLM\\$ic_uninst"

	# Per machine, beside it.
	ic_check "setup.exe /S /AllUsers" ic_wine "$ic_setup" /S /AllUsers
	ic_check "per machine: sanxiang.exe and uninstall.exe in $ic_machine" \
		test -s "$ic_um/sanxiang.exe" -a -s "$ic_um/uninstall.exe"
	ic_check "per machine: 办事大厅自助终端, 窗口工作台, 执法办案, 卸载 in the all-users Start menu ($ic_pd\\$ic_menu)" \
		ic_links "$ic_umenu_all"
	ic_s=$(ic_now)
	if ic_reg "HKLM\\$ic_uninst" && ic_is "$(ic_val InstallLocation)" "$ic_machine" &&
		ic_is "$(ic_val UninstallString)" "\"$ic_machine\\uninstall.exe\" /AllUsers"; then
		ic_result 0 "$ic_s" "per machine: HKLM uninstall entry, InstallLocation $(ic_val InstallLocation)"
	else
		ic_result 1 "$ic_s" "per machine: HKLM uninstall entry: $(printf '%s' "$ic_regout" | tr '\t\n' '= ')"
	fi
	ic_machine_quiet=$(ic_val QuietUninstallString)
	ic_s=$(ic_now)
	if ic_reg "HKCU\\$ic_uninst" && ic_is "$(ic_val InstallLocation)" "$ic_user"; then
		ic_result 0 "$ic_s" "per machine: the per-user entry in HKCU is untouched"
	else
		ic_result 1 "$ic_s" "per machine: the per-user entry in HKCU changed: $(printf '%s' "$ic_regout" | tr '\t\n' '= ')"
	fi

	# The per-user uninstaller, opened from its folder without a mode (it
	# must find its mode itself). An NSIS uninstaller copies itself to
	# %TEMP% and returns at once; _?=FOLDER would keep it in place, but wine
	# quotes an argument holding a space ("_?=C:\Program Files\...") and
	# NSIS then ignores it. So both uninstalls here run as a user's would and
	# the check waits for the folder, which the copy removes last but for
	# the registry, to be gone: that also proves the folder goes entirely.
	ic_s=$(ic_now)
	if ic_wine "$ic_user\\uninstall.exe" /S >/dev/null 2>&1 && ic_wait_gone "$ic_uu" 30; then
		ic_result 0 "$ic_s" "per-user uninstall.exe /S, no mode given: $ic_user removed, uninstaller and all"
	else
		ic_result 1 "$ic_s" "per-user uninstall.exe /S, no mode given: $ic_user still holds: $(ls -A "$ic_uu" 2>&1 | tr '\n' ' ')"
	fi
	ic_check "per user, uninstalled: the user's Start-menu folder is gone" test ! -e "$ic_umenu_user"
	ic_check "per user, uninstalled: HKCU uninstall entry gone" ic_gone "HKCU\\$ic_uninst"
	ic_check "per user, uninstalled: HKCU\\$ic_own gone" ic_gone "HKCU\\$ic_own"
	ic_check "per user, uninstalled: the per-machine files and Start menu are still there" \
		sh -c "[ -s '$ic_um/sanxiang.exe' ] && [ -s '$ic_umenu_all/窗口工作台.lnk' ]"
	ic_check "per user, uninstalled: the HKLM uninstall entry is still there" ic_reg "HKLM\\$ic_uninst"
	ic_check "per user, uninstalled: the data folder keeps its file" \
		sh -c "[ \"\$(cat '$ic_marker')\" = '$ic_stamp' ]"

	# The per-machine one as "Apps and features" runs it: its registered
	# command line.
	ic_s=$(ic_now)
	ic_exe=${ic_machine_quiet#\"}
	ic_exe=${ic_exe%%\"*}
	ic_args=${ic_machine_quiet##*\" }
	# shellcheck disable=SC2086 # the registered arguments, split as Windows splits them
	if [ -n "$ic_machine_quiet" ] && ic_wine "$ic_exe" $ic_args >/dev/null 2>&1 && ic_wait_gone "$ic_um" 30; then
		ic_result 0 "$ic_s" "QuietUninstallString ($ic_machine_quiet): $ic_machine removed, uninstaller and all"
	else
		ic_result 1 "$ic_s" "QuietUninstallString ($ic_machine_quiet): $ic_machine still holds: $(ls -A "$ic_um" 2>&1 | tr '\n' ' ')"
	fi
	ic_check "per machine, uninstalled: the all-users Start-menu folder is gone" test ! -e "$ic_umenu_all"
	ic_check "per machine, uninstalled: HKLM uninstall entry gone" ic_gone "HKLM\\$ic_uninst"
	ic_check "per machine, uninstalled: HKLM\\$ic_own gone" ic_gone "HKLM\\$ic_own"
	ic_check "per machine, uninstalled: the data folder keeps its file ($ic_lad\\SanxiangDesk)" \
		sh -c "[ \"\$(cat '$ic_marker')\" = '$ic_stamp' ]"
	rm -f "$ic_marker"

	ic_t=$(awk -v a="$ic_start" -v b="$(ic_now)" 'BEGIN { printf "%.1f", b - a }')
	if [ "$ic_fails" != 0 ]; then
		printf 'install-check: %s failed (%s s)\n' "$ic_fails" "$ic_t"
		return 1
	fi
	printf 'install-check: all passed (%s s)\n' "$ic_t"
}

case "$0" in
*install-check.sh)
	if [ $# != 1 ] || [ -z "${WINEPREFIX:-}" ]; then
		echo "usage: WINEPREFIX=... install-check.sh SETUP.EXE" >&2
		exit 2
	fi
	install_check "$1"
	;;
esac
