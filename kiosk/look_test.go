package kiosk

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/app/speech"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// tappables walks what w shows and calls fn with each visible object a
// finger can tap, scrolled content included.
func tappables(w fyne.Window, fn func(o fyne.CanvasObject)) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if _, ok := o.(fyne.Tappable); ok {
			fn(o)
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(v.Content)
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Canvas().Content())
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
}

// Every target a citizen can touch on every kiosk screen, in the usual
// text and in 大字, is at least 15 mm each way (shell.MinTouch units): the
// buttons, the keys, the filters, each row of a list, the page buttons.
func TestTouchTargetsAtLeast15mm(t *testing.T) {
	k, w := pinKiosk(t)
	screens := []struct {
		name string
		show func()
	}{
		{"home", k.ShowHome},
		{"officers", func() { k.ShowList(catalog.KindOfficer) }},
		{"officers folded", func() { k.ShowList(catalog.KindOfficer); test.Tap(k.Keyboard.Toggle) }},
		{"fees", func() { k.ShowList(catalog.KindFee) }},
		{"officer", func() { k.ShowList(catalog.KindOfficer); k.List.Results.Select(0) }},
		{"guide", func() { k.ShowList(catalog.KindGuide); k.List.Results.Select(0) }},
		{"complaint", k.ShowComplaint},
		{"admin", func() { k.ShowHome(); k.AskAdmin() }},
		{"attract", k.ShowAttract},
	}
	for _, large := range []bool{false, true} {
		rows := 0
		for _, s := range screens {
			if large && !k.LargeText() {
				k.ShowHome()
				k.ToggleContrast()
			}
			s.show()
			name := s.name
			if large {
				name += " (大字)"
			}
			n := 0
			tappables(w, func(o fyne.CanvasObject) {
				n++
				if fmt.Sprintf("%T", o) == "*widget.listItem" {
					rows++
				}
				if sz := o.Size(); sz.Width < shell.MinTouch || sz.Height < shell.MinTouch {
					label := ""
					if b, ok := o.(*widget.Button); ok {
						label = fmt.Sprintf(" %q", b.Text)
					}
					t.Errorf("%s: %T%s is %.0f×%.0f, under %d×%d (15 mm)", name, o, label, sz.Width, sz.Height, shell.MinTouch, shell.MinTouch)
				}
			})
			if n < 2 {
				t.Errorf("%s: only %d things to tap: the walk missed the screen", name, n)
			}
			if k.admin.dialog != nil {
				k.admin.dialog.Hide()
			}
		}
		if rows == 0 {
			t.Error("no list row was measured")
		}
	}
}

// The home screen reads as a citizen sees it: OCR (tesseract's Simplified
// Chinese model) of the rendered screen finds the hall's name, the date
// and every tile's name.
func TestKioskHomeReadsByOCR(t *testing.T) {
	exe, err := exec.LookPath("tesseract")
	if err != nil {
		if os.Getenv("SANXIANG_REQUIRE_OCR") == "1" {
			t.Fatal("SANXIANG_REQUIRE_OCR=1 but no tesseract: apt-get install tesseract-ocr tesseract-ocr-chi-sim (./dev test installs it)")
		}
		t.Skip("no tesseract (set SANXIANG_REQUIRE_OCR=1 to make this a failure)")
	}
	shelltest.NewApp(t, Theme(config.Default()))
	cfg := config.Default()
	cfg.HallName = "青禾市政务服务中心"
	k, err := New(demoCatalog(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	k.SetClock(func() time.Time { return time.Date(2026, 12, 6, 15, 30, 0, 0, time.Local) })
	w := kioskWindow(t, k, fyne.NewSize(1280, 800))
	k.ShowHome()
	shelltest.RequireBundledGlyphs(t, w.Canvas())
	path := filepath.Join(t.TempDir(), "home.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	shelltest.Shot(t, w, "kiosk_home_ocr")
	// Sparse text (--psm 11): the tiles are words scattered on a grid;
	// read as a page of lines, the nine tiles' grid loses some of them.
	out, err := exec.Command(exe, path, "stdout", "-l", "chi_sim", "--psm", "11").Output()
	if err != nil {
		t.Fatalf("tesseract: %v (is tesseract-ocr-chi-sim installed?)", err)
	}
	read := strings.Join(strings.Fields(string(out)), "")
	want := []string{"青禾市政务服务中心", "12月6日星期日15:30", "投诉举报、救济渠道"}
	for _, tile := range k.Tiles {
		want = append(want, tile.Name)
	}
	for _, s := range want {
		if !strings.Contains(read, s) {
			t.Errorf("OCR of the home screen does not read %q; it read:\n%s", s, read)
		}
	}
}

// 朗读 on a detail page reads the item aloud with the system's Chinese
// voice — its name and fields, as sound — and stops when tapped again or
// when the citizen leaves the page. Without a voice there is no button.
func TestReadAloudOnDetailPages(t *testing.T) {
	k := newTestKiosk(t)
	k.ShowList(catalog.KindOfficer)
	k.List.Results.Select(0)
	if k.Read != nil {
		t.Fatal("a 朗读 button without a voice")
	}
	v, err := speech.Find(context.Background())
	if errors.Is(err, speech.ErrNoVoice) && os.Getenv("SANXIANG_REQUIRE_SPEECH") != "1" {
		t.Skip("no Chinese voice (set SANXIANG_REQUIRE_SPEECH=1 to make this a failure)")
	}
	if err != nil {
		t.Fatal(err)
	}
	wav := filepath.Join(t.TempDir(), "read.wav")
	v.SetOutput(wav)
	k.SetVoice(v)
	k.ShowList(catalog.KindOfficer)
	k.List.Results.Select(0)
	o := k.Detail.(*catalog.Officer)
	if k.Read == nil || k.Read.Text != "朗读" {
		t.Fatal("no 朗读 button on an officer's page")
	}
	test.Tap(k.Read)
	if err := v.Wait(); err != nil {
		t.Fatal(err)
	}
	said := v.Spoken()
	for _, s := range []string{o.Name, o.CertNo, "执法证号"} {
		if !strings.Contains(said, s) {
			t.Errorf("朗读 did not say %q: %q", s, said)
		}
	}
	info, err := os.Stat(wav)
	if err != nil || info.Size() < 48000 { // a second and more of 22 kHz PCM16
		t.Fatalf("the reading made no sound: %v %v", info, err)
	}
	k.CheckIdle()
	if k.Read.Text != "朗读" {
		t.Errorf("after the reading ended the button says %q", k.Read.Text)
	}
	// A long guide, read to a file: tapped again it stops; leaving stops it.
	long := filepath.Join(t.TempDir(), "long.wav")
	v.SetOutput(long)
	k.ShowList(catalog.KindGuide)
	k.List.Results.Select(0)
	test.Tap(k.Read)
	if !v.Speaking() || k.Read.Text != "停止朗读" || k.Read.Icon != theme.MediaStopIcon() {
		t.Skip("the guide was read before the test could stop it") // espeak-ng wrote it faster than a tap
	}
	test.Tap(k.Read)
	if v.Speaking() || k.Read.Text != "朗读" {
		t.Errorf("a second tap did not stop the reading (%q)", k.Read.Text)
	}
	test.Tap(k.Read)
	k.ShowHome()
	if v.Speaking() {
		t.Error("leaving the page did not stop the reading")
	}
}

// The hall's emblem is read by its content: a PNG or SVG that is one
// loads, anything else is refused with the file named; none is the
// application's icon.
func TestHallEmblemCheckedByContent(t *testing.T) {
	dir := t.TempDir()
	svg, err := assets.Demo.ReadFile("demo/emblem.svg")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("emblem.svg", svg)
	write("icon.png", assets.Icon)
	write("fake.png", []byte("not a picture"))
	write("fake.svg", []byte("<html></html>"))
	write("big.png", make([]byte, 3<<20))
	for _, c := range []struct {
		file, refusal string
	}{
		{"", ""}, {"emblem.svg", ""}, {"icon.png", ""},
		{"fake.png", "not a PNG or JPEG"}, {"fake.svg", "not an SVG"}, {"big.png", "larger than 2 MiB"}, {"gone.png", "no such file"},
	} {
		cfg := config.Default()
		cfg.HallEmblem = c.file
		res, err := LoadEmblem(dir, cfg)
		switch {
		case c.refusal == "" && err != nil:
			t.Errorf("%q: %v", c.file, err)
		case c.refusal == "" && len(res.Content()) == 0:
			t.Errorf("%q: empty", c.file)
		case c.refusal != "" && (err == nil || !strings.Contains(err.Error(), c.refusal)):
			t.Errorf("%q: %v, want %q", c.file, err, c.refusal)
		}
	}
	cfg := config.Default()
	cfg.HallEmblem = "emblem.gif"
	if err := cfg.Validate(); err == nil {
		t.Error("a .gif emblem passed the settings check")
	}
	cfg.HallEmblem, cfg.KioskTheme = "", "sepia"
	if err := cfg.Validate(); err == nil {
		t.Error("kiosk_theme sepia passed the settings check")
	}
}

// The kiosk is light unless the hall chose dark, and 大字高对比 keeps the
// hall's choice when it ends.
func TestKioskLightByDefault(t *testing.T) {
	light := Theme(config.Default())
	dark := config.Default()
	dark.KioskTheme = "dark"
	bg := func(th fyne.Theme) float64 {
		r, g, b, _ := th.Color(theme.ColorNameBackground, theme.VariantDark).RGBA()
		return float64(r+g+b) / 3 / 0xffff
	}
	if bg(light) < 0.8 {
		t.Errorf("the default kiosk draws a background of lightness %.2f", bg(light))
	}
	if bg(Theme(dark)) > 0.3 {
		t.Errorf("the dark kiosk draws a background of lightness %.2f", bg(Theme(dark)))
	}
	k := newTestKiosk(t)
	k.ToggleContrast()
	k.ToggleContrast()
	if got := fyne.CurrentApp().Settings().Theme(); bg(got) < 0.8 {
		t.Errorf("after 大字高对比 the kiosk's background is %.2f light", bg(got))
	}
}

// askedForRating is a window desk whose staff member has just pressed 办结:
// its display, 1280×800, asks the citizen for a rating.
func askedForRating(t *testing.T) (*WindowDesk, *ratingLog, fyne.Window) {
	t.Helper()
	d, book := newTestDesk(t)
	rl := &ratingLog{book: book}
	d.SetRatings(rl)
	dw := test.NewTempWindow(t, d.Display.Content())
	dw.Resize(fyne.NewSize(1280, 800))
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	test.Tap(d.Rate.Finish)
	return d, rl, dw
}

// The citizen display's rating screens are touched too: every level,
// reason, key and button at least 15 mm, on a 1280×800 display.
func TestRatingTouchTargetsAtLeast15mm(t *testing.T) {
	d, _, dw := askedForRating(t)
	check := func(screen string) {
		n := 0
		tappables(dw, func(o fyne.CanvasObject) {
			n++
			if sz := o.Size(); sz.Width < shell.MinTouch || sz.Height < shell.MinTouch {
				t.Errorf("%s: %T is %.0f×%.0f, under %d×%d (15 mm)", screen, o, sz.Width, sz.Height, shell.MinTouch, shell.MinTouch)
			}
		})
		if n < 5 {
			t.Errorf("%s: only %d things to tap", screen, n)
		}
		checkFits(t, dw, screen)
	}
	check("levels")
	test.Tap(d.Display.Rating.Levels[hall.LevelDissatisfied])
	check("reasons")
	shelltest.Shot(t, dw, "rating_reasons_touch")
}

// A citizen writes why in Chinese on the display's keyboard: pinyin typed
// letter by letter, a character picked from the bar (a page on when it is
// not on the first), backspace taking back a letter of the pinyin first,
// 字母 keeping letters as typed.
func TestRatingWordsInChinese(t *testing.T) {
	d, rl, dw := askedForRating(t)
	test.Tap(d.Display.Rating.Levels[hall.LevelDissatisfied])
	r := d.Display.Rating
	kb, bar := r.Keyboard, r.Keyboard.bar
	typeWord := func(py string, want rune) { t.Helper(); writePinyin(t, kb, py, want) }
	typeWord("pai", '排')
	typeWord("dui", '队')
	test.Tap(kb.Keys["s"])
	test.Tap(kb.Keys["h"])
	test.Tap(kb.Keys["back"])
	if bar.Composing.Text != "s" || r.Words.Text != "排队" {
		t.Fatalf("backspace took %q / %q", bar.Composing.Text, r.Words.Text)
	}
	test.Tap(kb.Keys["back"])
	typeWord("tai", '太')
	typeWord("jiu", '久')
	test.Tap(kb.Keys["3"])
	test.Tap(kb.Keys["x"])
	test.Tap(bar.Letters)
	if r.Words.Text != "排队太久3x" || bar.Composing.Text != "" {
		t.Fatalf("wrote %q (composing %q)", r.Words.Text, bar.Composing.Text)
	}
	shelltest.Shot(t, dw, "rating_words_chinese")
	for _, c := range "ban" {
		test.Tap(kb.Keys[string(c)])
	}
	if !slices.ContainsFunc(bar.Picks, func(p *widget.Button) bool { return p.Text == "办" }) && bar.Next.Disabled() {
		t.Errorf("ban offers neither 办 nor a next page: %q", bar.Picks[0].Text)
	}
	shelltest.Shot(t, dw, "rating_words_candidates")
	for range 3 {
		test.Tap(kb.Keys["back"])
	}
	test.Tap(r.Reasons[hall.ReasonOtherWords])
	test.Tap(r.Submit)
	if len(rl.got) != 1 || rl.got[0].Text != "排队太久3x" {
		t.Fatalf("recorded %+v", rl.got)
	}
}

// writePinyin types py on kb's keys and picks want from its candidate bar,
// turning pages until it is offered.
func writePinyin(t *testing.T, kb *Keyboard, py string, want rune) {
	t.Helper()
	bar := kb.bar
	for _, c := range py {
		test.Tap(kb.Keys[string(c)])
	}
	if bar.Composing.Text != py {
		t.Fatalf("composing %q, want %q", bar.Composing.Text, py)
	}
	for range 4 {
		for _, p := range bar.Picks {
			if p.Text == string(want) {
				test.Tap(p)
				return
			}
		}
		test.Tap(bar.Next)
	}
	t.Fatalf("%c not offered for %q in four pages", want, py)
}
