package kiosk

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// deskWindows are the windows newTestDesk put the console and the display
// in.
func deskWindows(t *testing.T, d *WindowDesk) (console, display fyne.Window) {
	t.Helper()
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		switch w.Content() {
		case d.Console():
			console = w
		case d.Display.Content():
			display = w
		}
	}
	if console == nil || display == nil {
		t.Fatal("the desk's windows are not open")
	}
	return console, display
}

// TestWindowScreensForReview walks the window's console and citizen
// display at 1280×800, saving each under $SANXIANG_SHOTS.
func TestWindowScreensForReview(t *testing.T) {
	d, _ := newTestDesk(t)
	cw, dw := deskWindows(t, d)
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	shelltest.Shot(t, cw, "window_console")
	shelltest.Shot(t, dw, "display_serving")
	d.Fees.Results.Select(0)
	shelltest.Shot(t, dw, "display_fee")
	d.Guides.Results.Select(0)
	shelltest.Shot(t, dw, "display_guide")
	test.Tap(d.Pause)
	shelltest.Shot(t, cw, "window_console_pausing")
	if d.ConfirmPause != nil {
		test.Tap(d.ConfirmPause)
	}
	shelltest.Shot(t, cw, "window_console_paused")
	shelltest.Shot(t, dw, "display_paused")
}
