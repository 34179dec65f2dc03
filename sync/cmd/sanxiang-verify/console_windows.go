package main

import "syscall"

// consoleUTF8 sets the Windows console's output code page to UTF-8
// (65001), so that the Chinese report is not printed as mojibake in a
// console still on the system's ANSI page (GBK, 936). Output to a file
// or a pipe is UTF-8 bytes either way; when there is no console the call
// fails harmlessly.
func consoleUTF8() {
	const cpUTF8 = 65001
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("SetConsoleOutputCP")
	if proc.Find() == nil {
		proc.Call(cpUTF8)
	}
}
