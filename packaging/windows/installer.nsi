; The Windows installer of 三项制度执法终端: Chinese and English pages,
; Start-menu entries for the three modes, an uninstaller, all signed when
; SIGN names a signing command (packaging/sign.sh). Built by
; packaging/package.sh:
;   makensis -DVERSION=0.1.0 -DDIST=dist/windows -DSIGN=packaging/sign.sh installer.nsi
Unicode true
Target amd64-unicode
!include "MUI2.nsh"

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef DIST
  !error "DIST must name the folder that holds sanxiang.exe"
!endif

Name "$(AppName)"
OutFile "${DIST}\sanxiang-desk-${VERSION}-setup.exe"
InstallDir "$PROGRAMFILES64\SanxiangDesk"
InstallDirRegKey HKLM "Software\SanxiangDesk" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Sanxiang Desk"
VIAddVersionKey /LANG=0 "FileDescription" "Sanxiang Desk installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Sanxiang Desk"

!ifdef SIGN
  ; The installer and the uninstaller inside it are signed as they are made.
  !finalize '"${SIGN}" "%1"'
  !uninstfinalize '"${SIGN}" "%1"'
!endif

!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!insertmacro MUI_PAGE_WELCOME
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

!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\SanxiangDesk"

Function .onInit
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Section "Install"
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${DIST}\sanxiang.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  ; The Start-menu folder is named in the language chosen now; the
  ; uninstaller reads the name back rather than guessing it.
  CreateDirectory "$SMPROGRAMS\$(AppName)"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Kiosk).lnk" "$INSTDIR\sanxiang.exe" "kiosk"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Window).lnk" "$INSTDIR\sanxiang.exe" "window"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Officer).lnk" "$INSTDIR\sanxiang.exe" "officer"
  CreateShortcut "$SMPROGRAMS\$(AppName)\$(Uninstall).lnk" "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\SanxiangDesk" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "Software\SanxiangDesk" "StartMenu" "$SMPROGRAMS\$(AppName)"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "$(AppName)"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "Sanxiang Desk"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\sanxiang.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

; Case files and evidence in %LOCALAPPDATA%\SanxiangDesk are the user's
; records: the uninstaller leaves them.
Section "Uninstall"
  SetShellVarContext all
  ReadRegStr $0 HKLM "Software\SanxiangDesk" "StartMenu"
  StrCmp $0 "" +2
  RMDir /r "$0"
  Delete "$INSTDIR\sanxiang.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "Software\SanxiangDesk"
SectionEnd
