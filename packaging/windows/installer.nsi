; The Windows installer of 三项制度执法终端: Chinese and English pages,
; Start-menu entries for the three modes, an uninstaller, all signed when
; SIGN names a signing command (packaging/sign.sh). Built by
; packaging/package.sh:
;   makensis -DVERSION=0.1.0 -DDIST=dist/windows -DSIGN=packaging/sign.sh installer.nsi
;
; It installs for every user of the PC (Program Files, HKLM, the all-users
; Start menu; needs an administrator) or for the current user only
; (%LOCALAPPDATA%\Programs\SanxiangDesk, HKCU, the user's own Start menu;
; no administrator), chosen on a page of its own or, for a silent install,
; on the command line: setup.exe /S /AllUsers, setup.exe /S /CurrentUser.
; The choice is made by NSIS's own MultiUser.nsh (shipped with NSIS) rather
; than by logic of ours: it knows the account's privileges, the per-user
; Programs folder (FOLDERID_UserProgramFiles), sets the shell context that
; $SMPROGRAMS and SHCTX follow, parses /AllUsers and /CurrentUser, and has
; the mode page translated into Chinese.
Unicode true
Target amd64-unicode

!ifndef BUILD
  !define BUILD "0"
!endif
!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef DIST
  !error "DIST must name the folder that holds sanxiang.exe"
!endif

!define REGKEY "Software\SanxiangDesk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\SanxiangDesk"

; "Highest": an administrator is asked to elevate and may choose either
; mode; a standard user runs without elevation and installs for himself.
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "SanxiangDesk"
; A second install (an update) offers the mode and the folder of the first.
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${REGKEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${REGKEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_FUNCTION OnInstallMode
!define MULTIUSER_INSTALLMODE_UNFUNCTION un.OnInstallMode
!define MULTIUSER_INIT_TEXT_ADMINREQUIRED "$(AdminRequired)"
!define MULTIUSER_INIT_TEXT_POWERREQUIRED "$(AdminRequired)"
!define MULTIUSER_INIT_TEXT_ALLUSERSNOTPOSSIBLE "$(AllUsersNotPossible)"
!include "MultiUser.nsh"
!include "MUI2.nsh"
!include "LogicLib.nsh"

Name "$(AppName)"
OutFile "${DIST}\sanxiang-desk-${VERSION}-setup.exe"
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=0 "ProductName" "Sanxiang Desk"
VIAddVersionKey /LANG=0 "FileDescription" "Sanxiang Desk installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Sanxiang Desk"

!ifdef SIGN
  ; The installer and the uninstaller inside it are signed as they are made.
  !finalize '"${SIGN}" "%1"'
  !uninstfinalize '"${SIGN}" "%1"'
!endif

!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
; The uninstaller speaks the language the install was made in (read from
; this mode's registry by MUI_UNGETLANGUAGE).
!define MUI_LANGDLL_REGISTRY_ROOT SHCTX
!define MUI_LANGDLL_REGISTRY_KEY "${REGKEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "Language"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString AppName ${LANG_SIMPCHINESE} "三项制度执法终端"
LangString AppName ${LANG_ENGLISH} "Sanxiang Desk"
LangString Kiosk ${LANG_SIMPCHINESE} "办事大厅自助终端"
LangString Kiosk ${LANG_ENGLISH} "Service hall kiosk"
LangString Window ${LANG_SIMPCHINESE} "窗口工作台"
LangString Window ${LANG_ENGLISH} "Service window desk"
LangString Officer ${LANG_SIMPCHINESE} "执法办案"
LangString Officer ${LANG_ENGLISH} "Enforcement case files"
LangString Uninstall ${LANG_SIMPCHINESE} "卸载"
LangString Uninstall ${LANG_ENGLISH} "Uninstall"
LangString AdminRequired ${LANG_SIMPCHINESE} "安装或卸载 $(^Name) 需要管理员权限。"
LangString AdminRequired ${LANG_ENGLISH} "Installing or removing $(^Name) needs administrator rights."
LangString AllUsersNotPossible ${LANG_SIMPCHINESE} "此帐户没有为本机所有用户安装或卸载 $(^Name) 的权限。请以管理员身份运行，或改用 /CurrentUser 只为自己安装。"
LangString AllUsersNotPossible ${LANG_ENGLISH} "This account may not install or remove $(^Name) for all users of this computer. Run it as an administrator, or use /CurrentUser to install it for yourself only."

; /D=folder on the command line names the folder; MultiUser.nsh would
; otherwise replace it with the mode's default each time a mode is set.
Var CmdInstDir
Function OnInstallMode
  ${If} $CmdInstDir != ""
    StrCpy $INSTDIR $CmdInstDir
  ${EndIf}
FunctionEnd

Function .onInit
  StrCpy $CmdInstDir $INSTDIR
  !insertmacro MULTIUSER_INIT
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Section "Install"
  ; MultiUser.nsh has set the shell context: $SMPROGRAMS is the all-users
  ; or the user's Start menu and SHCTX is HKLM or HKCU.
  SetOutPath "$INSTDIR"
  File "${DIST}\sanxiang.exe"
  ; The standalone verifier of case bundles (a console program, no shortcut:
  ; run from a console, "sanxiang-verify.exe --help").
  File "${DIST}\sanxiang-verify.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  ; The Start-menu folder is named in the language chosen now; the
  ; uninstaller reads the name back rather than guessing it.
  CreateDirectory "$SMPROGRAMS\$(AppName)"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Kiosk).lnk" "$INSTDIR\sanxiang.exe" "kiosk"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Window).lnk" "$INSTDIR\sanxiang.exe" "window"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Officer).lnk" "$INSTDIR\sanxiang.exe" "officer"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Uninstall).lnk" "$INSTDIR\uninstall.exe" "/$MultiUser.InstallMode"
  WriteRegStr SHCTX "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${REGKEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${REGKEY}" "StartMenu" "$SMPROGRAMS\$(AppName)"
  WriteRegStr SHCTX "${REGKEY}" "Language" "$LANGUAGE"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayName" "$(AppName)"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTKEY}" "Publisher" "Sanxiang Desk"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\sanxiang.exe"
  WriteRegStr SHCTX "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  ; The mode goes with the command, so "Apps and features" removes the
  ; install it lists even when the PC holds both.
  WriteRegStr SHCTX "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoRepair" 1
SectionEnd

; The uninstaller removes the folder it was started from ($INSTDIR, or
; _?=), never the one the registry names: MultiUser.nsh sets $INSTDIR
; from the registry each time it sets a mode, and put back here.
Var UnOwnDir
Var UnCmdMode
Function un.OnInstallMode
  StrCpy $INSTDIR $UnOwnDir
FunctionEnd

Function un.onInit
  StrCpy $UnOwnDir $INSTDIR
  !insertmacro MULTIUSER_UNINIT
  ; Without /AllUsers or /CurrentUser (uninstall.exe opened from its
  ; folder), the mode is the one whose registry names this folder: an
  ; administrator's PC may hold a per-machine and a per-user install, and
  ; MultiUser.nsh alone would pick the per-machine one for both.
  ${GetParameters} $0
  ${UnStrStr} $UnCmdMode $0 "/AllUsers"
  ${UnStrStr} $1 $0 "/CurrentUser"
  ${If} $UnCmdMode == ""
  ${AndIf} $1 == ""
    ReadRegStr $2 HKCU "${REGKEY}" "InstallDir"
    ReadRegStr $3 HKLM "${REGKEY}" "InstallDir"
    ${If} $2 == $UnOwnDir
      Call un.MultiUser.InstallMode.CurrentUser
    ${ElseIf} $3 == $UnOwnDir
      ${If} $MultiUser.Privileges != "Admin"
      ${AndIf} $MultiUser.Privileges != "Power"
        MessageBox MB_OK|MB_ICONSTOP "$(AllUsersNotPossible)" /SD IDOK
        Quit
      ${EndIf}
      Call un.MultiUser.InstallMode.AllUsers
    ${EndIf}
  ${EndIf}
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

; Case files and evidence in %LOCALAPPDATA%\SanxiangDesk are the user's
; records: the uninstaller leaves them.
Section "Uninstall"
  ; Only the Start-menu folder this mode's install wrote down, and only
  ; when it is one of ours (ends in the name in either language).
  ReadRegStr $0 SHCTX "${REGKEY}" "StartMenu"
  ${If} $0 != ""
    ${GetFileName} $0 $1
    ${If} $1 == "三项制度执法终端"
    ${OrIf} $1 == "Sanxiang Desk"
      RMDir /r "$0"
    ${EndIf}
  ${EndIf}
  Delete "$INSTDIR\sanxiang.exe"
  Delete "$INSTDIR\sanxiang-verify.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; The registry of this mode only, and only if it names this folder.
  ReadRegStr $0 SHCTX "${REGKEY}" "InstallDir"
  ${If} $0 == $INSTDIR
  ${OrIf} $0 == ""
    DeleteRegKey SHCTX "${UNINSTKEY}"
    DeleteRegKey SHCTX "${REGKEY}"
  ${EndIf}
SectionEnd
