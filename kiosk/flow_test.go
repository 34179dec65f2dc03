package kiosk

import (
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

func TestOnScreenKeyboardSearchesAsYouType(t *testing.T) {
	k := newTestKiosk(t)
	k.ShowList(catalog.KindOfficer)
	o := firstOfficer(t, k.List)
	initials := strings.Fields(catalog.SearchKey(o.Name, true))[2]
	before := k.List.Total()
	for i, r := range initials {
		test.Tap(k.Keyboard.Keys[string(r)])
		if k.List.Search.Text != initials[:i+1] {
			t.Fatalf("search box %q after %d keys", k.List.Search.Text, i+1)
		}
	}
	if k.List.Total() >= before || k.List.Total() == 0 {
		t.Fatalf("typing %q left %d of %d", initials, k.List.Total(), before)
	}
	test.Tap(k.Keyboard.Keys["back"])
	if k.List.Search.Text != initials[:len(initials)-1] {
		t.Fatalf("backspace: %q", k.List.Search.Text)
	}
	test.Tap(k.Keyboard.Keys["clear"])
	if k.List.Search.Text != "" || k.List.Total() != before {
		t.Fatalf("clear: %q, %d", k.List.Search.Text, k.List.Total())
	}
	// Digits find a certificate number.
	for _, r := range o.CertNo {
		test.Tap(k.Keyboard.Keys[string(r)])
	}
	if k.List.Total() != 1 {
		t.Fatalf("certificate %s typed: %d results", o.CertNo, k.List.Total())
	}
	// A physical keyboard types Chinese into the same box.
	k.List.Search.SetText("")
	test.Type(k.List.Search, o.Name)
	if !contains(k.List.Titles(k.List.Total()), o.Name) {
		t.Fatalf("typing %s did not find them", o.Name)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// findQR returns the first image under o that was drawn from an image.Image.
func findQR(o fyne.CanvasObject) image.Image {
	switch v := o.(type) {
	case *canvas.Image:
		if v.Image != nil && v.Resource == nil { // icons are resources; the QR code is an image
			return v.Image
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if img := findQR(c); img != nil {
				return img
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if img := findQR(c); img != nil {
				return img
			}
		}
	}
	return nil
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("QR code does not decode: %v", err)
	}
	return res.GetText()
}

// Every list opens, its first row opens a detail page, and the page's QR
// code decodes to that item's public page on the platform.
func TestEveryListDetailCarriesItsQRCode(t *testing.T) {
	k := newTestKiosk(t)
	for _, kind := range catalog.Kinds {
		k.ShowHome()
		k.ShowList(kind)
		if k.List.Total() == 0 {
			t.Fatalf("%s: empty list", kind)
		}
		k.List.Results.Select(0)
		if k.Detail == nil || k.Detail.Kind() != kind {
			t.Fatalf("%s: no detail page", kind)
		}
		img := findQR(k.body)
		if img == nil {
			t.Fatalf("%s: no QR image on the detail page", kind)
		}
		want := api.PublicURL(config.Default().PlatformURL, string(kind), k.Detail.Key())
		if got := decodeQR(t, img); got != want {
			t.Errorf("%s: QR says %q, want %q", kind, got, want)
		}
	}
}

func TestIdleTimerShowsAttractAndClearsSearch(t *testing.T) {
	k := newTestKiosk(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	k.SetClock(func() time.Time { return now })
	k.ShowList(catalog.KindGuide)
	test.Tap(k.Keyboard.Keys["y"])
	now = now.Add(89 * time.Second)
	k.CheckIdle()
	if k.Idle || k.List == nil {
		t.Fatal("idle before the timeout")
	}
	test.Tap(k.Keyboard.Keys["y"]) // activity restarts the count
	now = now.Add(89 * time.Second)
	k.CheckIdle()
	if k.Idle {
		t.Fatal("a keystroke did not restart the idle timer")
	}
	now = now.Add(time.Second)
	k.CheckIdle()
	if !k.Idle || k.OnHome || k.List != nil || k.Keyboard != nil || !k.Back.Disabled() {
		t.Fatal("the idle timeout did not show the attract screen")
	}
	// A touch on the attract screen starts at home, with no search left.
	k.ShowHome()
	k.ShowList(catalog.KindGuide)
	if k.List.Search.Text != "" {
		t.Fatalf("search survived the timeout: %q", k.List.Search.Text)
	}
}

// pinKiosk is a kiosk in its window whose administrator PIN is 135792.
func pinKiosk(t *testing.T) (*Kiosk, fyne.Window) {
	t.Helper()
	shelltest.NewApp(t, Theme(config.Default()))
	cfg := config.Default()
	cfg.KioskAdminPINHash, _ = account.Hash("135792")
	k, err := New(demoCatalog(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	k.Attach(w)
	return k, w
}

func TestAdminPINGuardsLeavingTheKiosk(t *testing.T) {
	k, _ := pinKiosk(t)
	k.AskAdmin()
	for _, r := range "111111" {
		k.admin.PIN.TypedRune(r)
	}
	k.SubmitAdminPIN()
	if !strings.Contains(k.admin.Message.Text, "不正确") || k.admin.failures != 1 {
		t.Fatalf("wrong PIN: %q, failures %d", k.admin.Message.Text, k.admin.failures)
	}
	k.admin.PIN.SetText("135792")
	k.SubmitAdminPIN()
	if k.admin.failures != 0 || k.admin.Message.Text != "不正确" && strings.Contains(k.admin.Message.Text, "锁定") {
		t.Fatalf("right PIN refused: %q", k.admin.Message.Text)
	}
	// Five wrong PINs lock the pad.
	for range account.MaxFailures {
		k.admin.PIN.SetText("000001")
		k.SubmitAdminPIN()
	}
	k.admin.PIN.SetText("135792")
	k.SubmitAdminPIN()
	if !strings.Contains(k.admin.Message.Text, "锁定") {
		t.Fatalf("after five wrong PINs: %q", k.admin.Message.Text)
	}
}

// Golden markup locks the home screen and an officer's page. The app theme's
// bundled fonts measure every character on them, so the files hold on any
// machine, with or without a system CJK font.
func TestGoldenScreens(t *testing.T) {
	k := newTestKiosk(t)
	k.SetClock(func() time.Time { return time.Date(2026, 12, 6, 15, 30, 0, 0, time.Local) })
	w := test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	k.ShowHome()
	shelltest.RequireBundledGlyphs(t, w.Canvas())
	test.AssertRendersToMarkup(t, "kiosk_home.xml", w.Canvas())
	k.ShowList(catalog.KindOfficer)
	k.List.Search.SetText("990101000032")
	k.List.Results.Select(0)
	shelltest.RequireBundledGlyphs(t, w.Canvas())
	test.AssertRendersToMarkup(t, "kiosk_officer.xml", w.Canvas())
}

func TestKeyboardCanBePutAway(t *testing.T) {
	k := newTestKiosk(t)
	k.ShowList(catalog.KindFee)
	test.Tap(k.Keyboard.Toggle)
	if k.Keyboard.content.Visible() {
		t.Fatal("keyboard still shown")
	}
	test.Tap(k.Keyboard.Toggle)
	if !k.Keyboard.content.Visible() {
		t.Fatal("keyboard not shown again")
	}
}

// Reading a long page by scrolling is activity, though no handler of ours
// sees the drag.
func TestScrollingKeepsTheKioskAwake(t *testing.T) {
	k := newTestKiosk(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	k.SetClock(func() time.Time { return now })
	k.ShowList(catalog.KindGuide)
	k.List.Results.Select(0)
	now = now.Add(80 * time.Second)
	scroll := findScroll(k.body)
	scroll.ScrollToOffset(fyne.NewPos(0, 40))
	k.CheckIdle()
	now = now.Add(80 * time.Second)
	k.CheckIdle()
	if k.Idle || k.OnHome || k.Detail == nil {
		t.Fatal("a citizen scrolling a guide was sent away from it")
	}
	now = now.Add(11 * time.Second)
	k.CheckIdle()
	if !k.Idle {
		t.Fatal("no idle timeout after scrolling stopped")
	}
}

func findScroll(o fyne.CanvasObject) *container.Scroll {
	switch v := o.(type) {
	case *container.Scroll:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if s := findScroll(c); s != nil {
				return s
			}
		}
	}
	return nil
}

// TestKioskLeavesFromTheKeyboard: on a kiosk with a keyboard, Alt+F4
// (the window's close) puts the keyboard in the PIN box, Enter submits
// it and Space on the focused 退出 leaves — nobody has to find the mouse.
func TestKioskLeavesFromTheKeyboard(t *testing.T) {
	k, w := pinKiosk(t)
	quit := 0
	k.quit = func() { quit++ }
	k.CloseRequested()
	c := w.Canvas()
	pin, ok := c.Focused().(*padEntry)
	if !ok || &pin.Entry != k.admin.PIN {
		t.Fatalf("after Alt+F4 the keyboard is in %T, not the PIN box", c.Focused())
	}
	for _, r := range "135792" {
		c.Focused().TypedRune(r)
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if k.admin.Actions == nil {
		t.Fatalf("Enter did not submit the PIN: %q", k.admin.Message.Text)
	}
	b, ok := c.Focused().(*widget.Button)
	if !ok || b.Text != "退出程序" {
		t.Fatalf("the focus is on %T %v, not 退出", c.Focused(), c.Focused())
	}
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if quit != 1 {
		t.Fatalf("Space on 退出 quit %d times", quit)
	}

	// The gear asks too, but leaves the focus where the administrator
	// chooses: nothing is one key away from quitting.
	test.Tap(k.Admin)
	k.admin.PIN.SetText("135792")
	k.SubmitAdminPIN()
	if b, ok := c.Focused().(*widget.Button); ok && b.Text == "退出程序" {
		t.Fatal("opened from the gear, 退出 has the focus")
	}
}
