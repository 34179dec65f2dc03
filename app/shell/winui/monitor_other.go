//go:build !windows

package winui

import "fyne.io/fyne/v2"

// PlaceOnSecondMonitor does nothing outside Windows: it returns false,
// nil, and the display opens where the window manager puts it (staff drag
// it, or --fullscreen-display fills the screen it opened on).
//
// What blocks it on Linux/X11 with Fyne 2.7: fyne.Window has no position
// (only CenterOnScreen) and Fyne lists no monitors; the GLFW window that
// could SetPos is Fyne's unexported viewport; RunNative passes an
// X11WindowContext holding only the X window id, not the X Display
// connection Fyne's GLFW opened, so moving it needs a second X connection
// and the Xinerama or RandR monitor list through it (Xlib by cgo, or an X
// protocol library, neither a dependency today); and a managed window's
// place is the window manager's to choose, which may ignore the move. On
// Wayland a client cannot place its windows at all.
func PlaceOnSecondMonitor(w fyne.Window, fullscreen bool) (placed bool, err error) {
	return false, nil
}
