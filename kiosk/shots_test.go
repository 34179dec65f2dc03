package kiosk

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// TestScreensForReview walks the kiosk's and the window's screens at
// 1280×800, saving each under $SANXIANG_SHOTS to be looked at.
func TestScreensForReview(t *testing.T) {
	k := newTestKiosk(t)
	w := test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	for _, large := range []bool{false, true} {
		p := "kiosk_"
		if large {
			p = "kiosk_large_"
			k.ToggleContrast()
		}
		k.ShowHome()
		shelltest.Shot(t, w, p+"home")
		k.ShowList(catalog.KindOfficer)
		shelltest.Shot(t, w, p+"list")
		test.Tap(k.Keyboard.Toggle)
		shelltest.Shot(t, w, p+"list_folded")
		k.ShowList(catalog.KindFee)
		shelltest.Shot(t, w, p+"list_fee")
		k.ShowList(catalog.KindOfficer)
		k.List.Results.Select(0)
		shelltest.Shot(t, w, p+"officer")
		k.ShowList(catalog.KindGuide)
		k.List.Results.Select(0)
		shelltest.Shot(t, w, p+"guide")
		k.ShowComplaint()
		shelltest.Shot(t, w, p+"complaint")
		k.ShowAttract()
		shelltest.Shot(t, w, p+"attract")
	}
	k.admin.hash, _ = account.Hash("135792")
	k.Attach(w)
	k.AskAdmin()
	shelltest.Shot(t, w, "kiosk_admin_pin")
}
