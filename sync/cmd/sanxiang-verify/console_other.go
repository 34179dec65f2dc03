//go:build !windows

package main

// consoleUTF8 has nothing to do where terminals speak UTF-8.
func consoleUTF8() (restore func()) { return func() {} }
