package kiosk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/pages"
)

// kioskWindow is a 1280×800 (or other) screen showing k.
func kioskWindow(t *testing.T, k *Kiosk, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, k.Content())
	w.Resize(size)
	k.Attach(w)
	return w
}

// centre is the middle of o on its canvas.
func centre(o fyne.CanvasObject) fyne.Position {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return p.Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}

// A finger's drag moves a list and a detail page, the content following
// the finger, where Fyne's desktop driver would leave them still.
func TestKioskDragScrolls(t *testing.T) {
	k := newTestKiosk(t)
	w := kioskWindow(t, k, fyne.NewSize(1280, 800))
	k.ShowList(catalog.KindOfficer)
	test.Tap(k.Keyboard.Toggle)
	list := k.List.Results
	if list.GetScrollOffset() != 0 {
		t.Fatal("the list starts scrolled")
	}
	test.Drag(w.Canvas(), centre(list), 0, -300)
	if got := list.GetScrollOffset(); got != 300 {
		t.Fatalf("a 300 px drag up moved the list to %v", got)
	}
	test.Drag(w.Canvas(), centre(list), 0, 100)
	if got := list.GetScrollOffset(); got != 200 {
		t.Fatalf("a 100 px drag down moved the list to %v, want 200", got)
	}
	// A drag far past the top stops at the top.
	test.Drag(w.Canvas(), centre(list), 0, 5000)
	if got := list.GetScrollOffset(); got != 0 {
		t.Fatalf("past the top: %v", got)
	}
	// The page buttons move a screenful.
	test.Tap(k.Scroll.Down)
	if got := list.GetScrollOffset(); got < list.Size().Height*0.8 {
		t.Fatalf("page down moved to %v of a %v high list", got, list.Size().Height)
	}
	test.Tap(k.Scroll.Up)
	if got := list.GetScrollOffset(); got != 0 {
		t.Fatalf("page up back to %v", got)
	}
	// A tap still opens a row.
	test.TapCanvas(w.Canvas(), centre(list).Subtract(fyne.NewPos(0, list.Size().Height/2-20)))
	if k.Detail == nil {
		t.Fatal("a tap on the first row did not open it")
	}

	// A long service guide: 办理时间、地点、电话 at its end come into view.
	k.ShowList(catalog.KindGuide)
	k.List.Results.Select(0)
	scroll := findScroll(k.body)
	if scroll == nil || scroll.Content.Size().Height <= scroll.Size().Height {
		t.Fatal("the guide fits the screen: nothing to drag")
	}
	test.Drag(w.Canvas(), centre(scroll), 0, -250)
	if scroll.Offset.Y != 250 {
		t.Fatalf("a 250 px drag up moved the guide to %v", scroll.Offset.Y)
	}
	test.Drag(w.Canvas(), centre(scroll), 0, -100000)
	if end := scroll.Content.Size().Height - scroll.Size().Height; scroll.Offset.Y != end {
		t.Fatalf("dragged to the end: offset %v, want %v", scroll.Offset.Y, end)
	}
	shelltest.Shot(t, w, "kiosk_guide_dragged_to_end")
}

// checkFits fails t if anything on w's canvas outside a scroller lies past
// its edges, and returns the canvas's size.
func checkFits(t *testing.T, w fyne.Window, screen string) {
	t.Helper()
	c := w.Canvas()
	size := c.Size()
	if m := c.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
		t.Errorf("%s: content needs %v on a %v screen", screen, m, size)
	}
	d := fyne.CurrentApp().Driver()
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		p := d.AbsolutePositionForObject(o)
		if p.X < -0.5 || p.Y < -0.5 || p.X+o.Size().Width > size.Width+0.5 || p.Y+o.Size().Height > size.Height+0.5 {
			t.Errorf("%s: %T at %v size %v lies outside the %v screen", screen, o, p, o.Size(), size)
			return
		}
		switch v := o.(type) {
		case *container.Scroll, *widget.List:
			return // scrolled content may run past, clipped
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(c.Content())
}

// In 大字高对比, at 1280×800 and 1920×1080, no screen is larger than the
// window, and each top-bar button, tapped where it is drawn, does its job.
func TestLargeModeFitsScreen(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 1920, Height: 1080}} {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			k := newTestKiosk(t)
			w := kioskWindow(t, k, size)
			test.TapCanvas(w.Canvas(), centre(k.Contrast))
			if !k.LargeText() {
				t.Fatal("a tap on 大字高对比 where it is drawn did not switch it on")
			}
			if !strings.Contains(k.Contrast.Text, "已开启") || k.Contrast.Importance != widget.HighImportance {
				t.Errorf("the button does not show it is on: %q", k.Contrast.Text)
			}
			screens := []struct {
				name string
				show func()
			}{
				{"home", k.ShowHome},
				{"officers", func() { k.ShowList(catalog.KindOfficer) }},
				{"officer", func() { k.ShowList(catalog.KindOfficer); k.List.Results.Select(0) }},
				{"guide", func() { k.ShowList(catalog.KindGuide); k.List.Results.Select(0) }},
				{"decisions", func() { k.ShowList(catalog.KindDecision) }},
				{"complaint", k.ShowComplaint},
				{"attract", k.ShowAttract},
			}
			for _, s := range screens {
				s.show()
				checkFits(t, w, s.name)
				if size.Width == 1280 {
					shelltest.Shot(t, w, "kiosk_large_fits_"+s.name)
				}
			}
			// The attract screen comes at the idle time, and ends 大字.
			if k.LargeText() {
				t.Error("the attract screen kept 大字高对比")
			}
			// Tapped by position, each button of the top bar, in 大字.
			k.ShowHome()
			test.TapCanvas(w.Canvas(), centre(k.Contrast))
			checkFits(t, w, "home again")
			k.ShowList(catalog.KindFee)
			k.List.Results.Select(0)
			test.TapCanvas(w.Canvas(), centre(k.Back))
			if k.List == nil || k.Detail != nil {
				t.Error("返回 tapped where drawn did not go back to the list")
			}
			test.TapCanvas(w.Canvas(), centre(k.Complain))
			if k.Title.Text != "投诉举报" {
				t.Errorf("投诉举报 tapped where drawn: title %q", k.Title.Text)
			}
			test.TapCanvas(w.Canvas(), centre(k.Home))
			if !k.OnHome {
				t.Error("首页 tapped where drawn did not go home")
			}
			test.TapCanvas(w.Canvas(), centre(k.Contrast))
			if k.LargeText() || k.Contrast.Text != "大字高对比" {
				t.Error("a second tap did not switch 大字高对比 off")
			}
		})
	}
}

// The next citizen finds the kiosk as it starts: the idle return switches
// 大字高对比 off as it clears the search.
func TestIdleReturnResetsLargeMode(t *testing.T) {
	k := newTestKiosk(t)
	w := kioskWindow(t, k, fyne.NewSize(1280, 800))
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	k.SetClock(func() time.Time { return now })
	test.Tap(k.Contrast)
	k.ShowList(catalog.KindOfficer)
	test.Tap(k.Keyboard.Keys["w"])
	now = now.Add(time.Duration(k.cfg.KioskIdleSeconds-1) * time.Second)
	k.CheckIdle()
	if k.Idle || !k.LargeText() {
		t.Fatal("reset before the idle time")
	}
	now = now.Add(time.Second)
	k.CheckIdle()
	if !k.Idle {
		t.Fatal("no attract screen after the idle time")
	}
	if k.LargeText() || k.Contrast.Text != "大字高对比" {
		t.Fatal("大字高对比 stayed on for the next citizen")
	}
	checkFits(t, w, "attract")
	test.TapCanvas(w.Canvas(), fyne.NewPos(640, 400))
	if !k.OnHome {
		t.Fatal("a touch on the attract screen did not start at home")
	}
	k.ShowList(catalog.KindOfficer)
	if k.List.Search.Text != "" {
		t.Fatalf("search survived: %q", k.List.Search.Text)
	}
}

// Folding the keyboard away gives its room to the list.
func TestFoldedKeyboardGivesTheListItsRoom(t *testing.T) {
	k := newTestKiosk(t)
	kioskWindow(t, k, fyne.NewSize(1280, 800))
	k.ShowList(catalog.KindOfficer)
	before := k.List.Results.Size().Height
	test.Tap(k.Keyboard.Toggle)
	after := k.List.Results.Size().Height
	if after < before+200 {
		t.Fatalf("list %v high with the keyboard, %v without", before, after)
	}
}

// Each list's hint names what its search finds: no 姓名 or 证号 but for
// officers.
func TestSearchHintsFitTheirLists(t *testing.T) {
	k := newTestKiosk(t)
	for _, kind := range catalog.Kinds {
		k.ShowList(kind)
		h := k.List.Search.PlaceHolder
		if h == "" || strings.HasPrefix(h, "kiosk.") {
			t.Errorf("%s: hint %q", kind, h)
		}
		if kind != catalog.KindOfficer && (strings.Contains(h, "姓名") || strings.Contains(h, "证号")) {
			t.Errorf("%s: hint %q names an officer's fields", kind, h)
		}
	}
}

// Chinese wraps between characters, never inside a number, and no line
// starts with a closing mark.
func TestFlowTextKeepsNumbersWhole(t *testing.T) {
	shelltest.NewApp(t, Theme(config.Default()))
	f := newFlowText("行政复议：青禾市人民政府；投诉举报：12345热线或0999-87110001。对执法决定不服，可以依法申请行政复议。")
	// From the width of its widest piece (0999-87110001。) up; narrower
	// than that, a piece must be cut.
	var widest float32
	for _, p := range tokens(f.Text) {
		widest = max(widest, fyne.MeasureText(p, f.textSize(), f.TextStyle).Width)
	}
	for w := widest; w < 700; w += 7 {
		lines := f.breakLines(w)
		joined := strings.Join(lines, "")
		if joined != f.Text {
			t.Fatalf("width %v: lines %q lose text", w, lines)
		}
		for i, l := range lines {
			if i > 0 && strings.ContainsAny(string([]rune(l)[:1]), closing) {
				t.Errorf("width %v: line %q starts with a closing mark", w, l)
			}
			for _, n := range []string{"0999-87110001", "12345"} {
				if strings.Contains(f.Text, n) && i+1 < len(lines) {
					tail := lines[i] + lines[i+1]
					if strings.Contains(tail, n) && !strings.Contains(lines[i], n) && !strings.Contains(lines[i+1], n) && fyne.MeasureText(n, f.textSize(), f.TextStyle).Width <= w {
						t.Errorf("width %v: %s broken across %q / %q", w, n, lines[i], lines[i+1])
					}
				}
			}
		}
	}
}

// The complaint page: the 12345 heading at least as large as an agency's
// name, and each agency's QR code opening its page on the platform.
func TestComplaintPageHotlineAndQRCodes(t *testing.T) {
	k := newTestKiosk(t)
	kioskWindow(t, k, fyne.NewSize(1280, 800))
	k.ShowComplaint()
	scroll := findScroll(k.body)
	box := scroll.Content.(*fyne.Container)
	hotline := box.Objects[0].(*flowText)
	name := box.Objects[3].(*flowText)
	if hotline.textSize() < name.textSize() {
		t.Errorf("12345 heading %v smaller than an agency's name %v", hotline.textSize(), name.textSize())
	}
	img := findQR(box)
	if img == nil {
		t.Fatal("no QR code on the complaint page")
	}
	want := strings.TrimRight(k.cfg.PlatformURL, "/") + pages.AgencyPath(k.agencies[0].Code)
	if got := decodeQR(t, img); got != want {
		t.Errorf("QR says %q, want %q", got, want)
	}
}

// signedInDesk is a desk with 毛薇 serving at window 3, its clock at
// 14:05.
func signedInDesk(t *testing.T) *WindowDesk {
	t.Helper()
	d, _ := newTestDesk(t)
	d.now = func() time.Time { return time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC) }
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	if d.Staff == nil {
		t.Fatalf("sign-in: %q", d.Message.Text)
	}
	return d
}

// 暂停服务 asks when staff will be back and says so on both screens; a
// time that cannot be read, or has passed, is refused in plain words.
func TestWindowPauseShowsReturnTime(t *testing.T) {
	d := signedInDesk(t)
	test.Tap(d.Pause)
	if d.Paused || d.Display.State != "serving" {
		t.Fatal("paused before a return time was given")
	}
	if got := strings.Join(d.returnOptions, " "); got != "14:15 14:30 14:45 15:00" {
		t.Errorf("return times offered: %s", got)
	}
	d.ReturnTime.SetText("25:00")
	test.Tap(d.ConfirmPause)
	if d.Paused || !strings.Contains(d.PauseMessage.Text, "15:30") {
		t.Fatalf("a bad time: paused %v, %q", d.Paused, d.PauseMessage.Text)
	}
	d.ReturnTime.SetText("13:00")
	test.Tap(d.ConfirmPause)
	if d.Paused || !strings.Contains(d.PauseMessage.Text, "晚于现在") {
		t.Fatalf("a past time: paused %v, %q", d.Paused, d.PauseMessage.Text)
	}
	d.ReturnTime.SetText("14：50") // typed with a full-width colon
	test.Tap(d.ConfirmPause)
	if !d.Paused || d.Display.State != "paused" {
		t.Fatalf("not paused: %v %s", d.Paused, d.Display.State)
	}
	shown := strings.Join(texts(d.Display.Content()), "\n")
	for _, want := range []string{"3号窗口", "暂停服务", "预计 14:50 恢复服务", "其他窗口"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the display does not say %q:\n%s", want, shown)
		}
	}
	if !d.PausedNote.Visible() || !strings.Contains(d.PausedNote.Text, "14:50") {
		t.Errorf("the console does not say it is paused: %q", d.PausedNote.Text)
	}
	_, dw := deskWindows(t, d)
	checkFits(t, dw, "paused display")
	test.Tap(d.Pause)
	if d.Paused || d.PausedNote.Visible() || d.Display.State != "serving" {
		t.Fatal("resume did not clear the pause")
	}
}

// A paused window's display names the nearest window open now, as the
// platform last said (the lower on a tie, never itself), and follows a
// newer list while paused; with none open it asks citizens to wait.
func TestPausedWindowPointsToNearestOpen(t *testing.T) {
	d := signedInDesk(t) // at window 3
	d.SetOpenWindows([]api.OpenWindow{{Window: "3", Name: "本窗口"}, {Window: "1", Name: "周敏"}, {Window: "5", Name: "吴磊"}, {Window: "9", Name: "郑洁"}})
	test.Tap(d.Pause)
	d.ReturnTime.SetText("14:50")
	test.Tap(d.ConfirmPause)
	shown := strings.Join(texts(d.Display.Content()), "\n")
	if !strings.Contains(shown, "请到最近的 1号窗口办理（周敏）") {
		t.Fatalf("the nearest open window (1 and 5 tie, the lower first):\n%s", shown)
	}
	d.SetOpenWindows([]api.OpenWindow{{Window: "9", Name: "郑洁"}})
	shown = strings.Join(texts(d.Display.Content()), "\n")
	if !strings.Contains(shown, "请到最近的 9号窗口办理（郑洁）") || !strings.Contains(shown, "预计 14:50 恢复服务") {
		t.Fatalf("after a newer list:\n%s", shown)
	}
	d.SetOpenWindows(nil)
	shown = strings.Join(texts(d.Display.Content()), "\n")
	if !strings.Contains(shown, "请稍候，或到其他窗口办理") {
		t.Fatalf("with none open:\n%s", shown)
	}
	_, dw := deskWindows(t, d)
	d.SetOpenWindows([]api.OpenWindow{{Window: "12", Name: "欧阳晓东"}})
	checkFits(t, dw, "paused display naming another window")
	shelltest.Shot(t, dw, "display_paused_nearest")
}

// Nobody scrolls the citizens' display: a guide longer than the screen
// says which page shows and turns its pages by itself, from the last back
// to the first; one that fits says nothing of pages and does not move.
func TestDisplayTurnsPagesOfALongGuide(t *testing.T) {
	d := signedInDesk(t)
	_, dw := deskWindows(t, d)
	dw.Resize(fyne.NewSize(1280, 800))
	var mats []string
	for i := 1; i <= 24; i++ {
		mats = append(mats, fmt.Sprintf("%d．第%d项申请材料（原件及复印件各一份）", i, i))
	}
	long := &catalog.ServiceGuide{ID: "G-LONG", Name: "城市建筑垃圾处置核准", AgencyCode: "02", Act: catalog.ActLicensing,
		Implementer: "青禾市城市管理局", Conditions: "申请人应当符合规定的条件。", Materials: strings.Join(mats, "\n"),
		Procedure: "申请→受理→审查→决定", TimeLimit: "承诺10个工作日", OfficeHours: "工作日 9:00—17:00", Location: "市民中心二楼", Phone: "0999-87110002"}
	d.Display.ShowItem(long)
	page := func() string {
		for _, s := range texts(d.Display.Content()) {
			if strings.HasPrefix(s, "第 ") && strings.Contains(s, "自动翻页") {
				return s
			}
		}
		return ""
	}
	first := page()
	if !strings.HasPrefix(first, "第 1/") {
		t.Fatalf("a long guide's page line: %q", first)
	}
	of := strings.TrimSuffix(strings.TrimPrefix(strings.Fields(first)[1], "1/"), "")
	shelltest.Shot(t, dw, "display_long_guide_page1")
	seen := []string{first}
	for range 10 {
		d.Display.Turn()
		seen = append(seen, page())
		if page() == first {
			break
		}
	}
	if seen[1] != "第 2/"+of+" 页　自动翻页" || seen[len(seen)-1] != first || len(seen) < 3 {
		t.Fatalf("pages turned: %q", seen)
	}
	checkFits(t, dw, "a long guide on the display")

	fee := &catalog.FeeItem{ID: "F-1", Name: "城市道路占用费", AgencyCode: "02", Collector: "青禾市城市管理局", Approver: "青禾省发展和改革委员会",
		DocumentNo: "青发改价〔2024〕12号", Payer: "经批准临时占用城市道路的单位和个人", Scope: "临时占用城市道路", Standard: "每平方米每日1元", ComplaintPhone: "12345"}
	d.Display.ShowItem(fee)
	d.Display.Turn()
	shelltest.Shot(t, dw, "display_fee")
	if p := page(); p != "" {
		t.Fatalf("a fee that fits has a page line: %q", p)
	}
}

// A fee or guide shown to the citizen stands beside who serves there, and
// the serving screen shows both lists whole on 1280×800.
func TestWindowDisplayKeepsServingPerson(t *testing.T) {
	d := signedInDesk(t)
	_, dw := deskWindows(t, d)
	checkFits(t, dw, "serving")
	for _, l := range []*ListScreen{d.Fees, d.Guides} {
		l.Results.Select(0)
		if d.Display.State != "item" {
			t.Fatalf("state %s", d.Display.State)
		}
		shown := strings.Join(texts(d.Display.Content()), "\n")
		for _, want := range []string{"毛薇", "990102000004", d.Display.Shown.Title()} {
			if !strings.Contains(shown, want) {
				t.Errorf("showing %s, the display lacks %q", d.Display.Shown.Title(), want)
			}
		}
	}
	d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	shown := strings.Join(texts(d.Display.Content()), "\n")
	for _, f := range d.serviceItems("02").Fees {
		if !strings.Contains(shown, f.Title()) {
			t.Errorf("fee %s missing from the display", f.Title())
		}
	}
	// Every line of the lists is on screen, none below its bottom edge.
	checkFits(t, dw, "serving")
}
