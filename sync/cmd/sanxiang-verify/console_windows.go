package main

import "syscall"

// consoleUTF8 sets the Windows console's output code page to UTF-8
// (65001), so that the Chinese report is not printed as mojibake in a
// console still on the system's ANSI page (GBK, 936), and returns what
// puts the console's page back: the page belongs to the console, which
// outlives this program. Output to a file or a pipe is UTF-8 bytes either
// way; without a console the calls fail harmlessly.
func consoleUTF8() (restore func()) {
	const cpUTF8 = 65001
	k := syscall.NewLazyDLL("kernel32.dll")
	get, set := k.NewProc("GetConsoleOutputCP"), k.NewProc("SetConsoleOutputCP")
	if get.Find() != nil || set.Find() != nil {
		return func() {}
	}
	old, _, _ := get.Call()
	if old == 0 || old == cpUTF8 {
		return func() {}
	}
	set.Call(cpUTF8)
	return func() { set.Call(old) }
}
