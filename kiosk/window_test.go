package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

func newTestDesk(t *testing.T) (*WindowDesk, *account.Book) {
	t.Helper()
	shelltest.NewApp(t, shell.Theme{})
	cat := demoCatalog(t)
	book, err := account.Open(context.Background(), filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { book.Close() })
	book.SetKDF(account.Quick)
	staff := account.Account{ID: "990102000004", Name: "毛薇", Agency: "02", Unit: "青禾市城市管理局",
		Position: "科员", Role: account.RoleStaff}
	if err := book.Enrol(context.Background(), staff, "147258"); err != nil {
		t.Fatal(err)
	}
	d, err := NewWindowDesk(cat, book, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	d.background = func(f func()) { f() } // fyne.Do runs in place in the test driver
	// A rating's timeout or thanks must not fire into the next test, where
	// fyne.Do would run it on the timer's goroutine beside that test's.
	t.Cleanup(d.Display.StopWaits)
	// The console and the display, each on a screen of its own.
	for _, o := range []fyne.CanvasObject{d.Console(), d.Display.Content()} {
		test.NewTempWindow(t, o).Resize(fyne.NewSize(1280, 800))
	}
	return d, book
}

// keyedRecorder is a hall log that notes each window event and whether
// the staff member's key was held to sign it.
type keyedRecorder struct {
	book *account.Book
	got  []string
}

func (r *keyedRecorder) Window(_ context.Context, kind, window, staff string) error {
	r.got = append(r.got, fmt.Sprintf("%s@%s/%s/%v", kind, window, staff, r.book.Keys.Has(staff)))
	return nil
}

func (r *keyedRecorder) Kiosk(context.Context, string, string) error { return nil }

func TestWindowSignInServePauseSignOut(t *testing.T) {
	d, book := newTestDesk(t)
	rec := &keyedRecorder{book: book}
	d.SetHall(rec)
	if d.Display.State != "closed" {
		t.Fatalf("display before sign-in: %s", d.Display.State)
	}

	// No window chosen.
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	if d.Staff != nil || !strings.Contains(d.Message.Text, "选择窗口") {
		t.Fatalf("no window: staff %v, message %q", d.Staff, d.Message.Text)
	}

	// Wrong PIN: a clear message, the PIN box emptied.
	d.WindowNo.SetSelected("3")
	test.Type(d.PIN, "000001")
	test.Tap(d.SignIn)
	if d.Staff != nil || !strings.Contains(d.Message.Text, "不正确") || d.PIN.Text != "" {
		t.Fatalf("wrong PIN: staff %v, message %q, pin %q", d.Staff, d.Message.Text, d.PIN.Text)
	}

	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	if d.Staff == nil || d.Staff.Name != "毛薇" || d.Window != "3" {
		t.Fatalf("sign-in failed: %q", d.Message.Text)
	}
	if d.Display.State != "serving" {
		t.Fatalf("display after sign-in: %s", d.Display.State)
	}
	// The console lists the staff member's agency's guides first.
	if d.Guides.Total() == 0 || d.Guides.query.Agency != "02" {
		t.Fatalf("guides: %d for agency %q", d.Guides.Total(), d.Guides.query.Agency)
	}

	// One tap shows a guide to the citizen.
	d.Guides.Results.Select(0)
	if d.Display.State != "item" || d.Display.Shown == nil || d.Display.Shown.Kind() != catalog.KindGuide {
		t.Fatalf("display after picking a guide: %s %v", d.Display.State, d.Display.Shown)
	}

	test.Tap(d.Pause)
	test.Tap(d.ConfirmPause) // back at the first time offered
	if !d.Paused || d.Display.State != "paused" {
		t.Fatalf("pause: %v %s", d.Paused, d.Display.State)
	}
	// While paused, picking shows nothing.
	d.Fees.Results.Select(0)
	if d.Display.State != "paused" {
		t.Fatal("a pick while paused reached the display")
	}
	test.Tap(d.Pause)
	if d.Paused || d.Display.State != "serving" {
		t.Fatalf("resume: %v %s", d.Paused, d.Display.State)
	}

	test.Tap(d.SignOut)
	if d.Staff != nil || d.Display.State != "closed" {
		t.Fatalf("sign-out: %v %s", d.Staff, d.Display.State)
	}
	events, _ := book.Events(context.Background())
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind+"@"+e.Place)
	}
	if got := strings.Join(kinds, " "); got != "failed@3 signin@3 pause@3 resume@3 signout@3" {
		t.Errorf("sign log: %s", got)
	}
	// Each event is a hall record, signed while the key is held.
	const s = "/990102000004/true"
	if got := strings.Join(rec.got, " "); got != "window.signin@3"+s+" window.pause@3"+s+" window.resume@3"+s+" window.signout@3"+s {
		t.Errorf("hall records: %s", got)
	}
	if book.Keys.Has("990102000004") {
		t.Error("the key is held after signing out")
	}
}

// demoPlatform is a real platform on loopback with the demo city's lists.
func demoPlatform(t *testing.T) (*server.Server, *httptest.Server) {
	t.Helper()
	s, err := server.Open(context.Background(), filepath.Join(t.TempDir(), "platform.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demoload.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	t.Cleanup(h.Close)
	return s, h
}

// The kiosk's administrator pulls the lists now: a fee changed on the
// platform is in the kiosk's list, and the kiosk says when it changed.
func TestKioskAdministratorPullsNow(t *testing.T) {
	ctx := context.Background()
	k := newTestKiosk(t)
	k.Attach(test.NewTempWindow(t, k.Content()))
	s, h := demoPlatform(t)
	k.SetPull(client.NewLists(h.URL, k.cat))
	fees, err := k.cat.Search(ctx, catalog.Query{Kind: catalog.KindFee, Limit: 1})
	if err != nil || len(fees) == 0 {
		t.Fatal(fees, err)
	}
	changed := *fees[0].(*catalog.FeeItem)
	changed.Standard = "每件 66 元（已调整）"
	if err := s.Publish(ctx, []catalog.Item{&changed}, nil); err != nil {
		t.Fatal(err)
	}
	before := k.Updated.Text
	select {
	case <-k.PullNow():
	case <-time.After(30 * time.Second):
		t.Fatal("the pull did not finish")
	}
	if k.Updated.Text == before || !strings.HasPrefix(k.Updated.Text, "数据更新于") {
		t.Fatalf("updated label %q, before %q", k.Updated.Text, before)
	}
	got, err := k.cat.Get(ctx, catalog.KindFee, changed.ID)
	if err != nil || got.(*catalog.FeeItem).Standard != changed.Standard {
		t.Fatalf("the kiosk's copy: %+v %v", got, err)
	}
}

// texts lists the text of every label under o.
func texts(o fyne.CanvasObject) []string {
	switch v := o.(type) {
	case *widget.Label:
		return []string{v.Text}
	case *fyne.Container:
		var out []string
		for _, c := range v.Objects {
			out = append(out, texts(c)...)
		}
		return out
	case *container.Scroll:
		return texts(v.Content)
	case *widget.Form:
		var out []string
		for _, it := range v.Items {
			out = append(out, it.Text)
			out = append(out, texts(it.Widget)...)
		}
		return out
	case *widget.RichText:
		return []string{v.String()}
	case *flowText:
		return []string{v.Text}
	case *container.ThemeOverride:
		return texts(v.Content)
	}
	return nil
}

// A fee changed on the platform reaches the console and the citizen-facing
// display when the staff member taps 更新清单; with the platform gone the
// console says so and keeps the lists.
func TestWindowPullsChangedListsOnDemand(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDesk(t)
	s, h := demoPlatform(t)
	if d.UpdateNow.Visible() {
		t.Fatal("an update button with nothing to pull from")
	}
	d.SetPull(client.NewLists(h.URL, d.cat))
	pull := func() {
		t.Helper()
		select {
		case <-d.PullNow():
		case <-time.After(30 * time.Second):
			t.Fatal("the pull did not finish")
		}
	}
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	if d.Display.State != "serving" {
		t.Fatalf("not serving: %s", d.Display.State)
	}
	fee := d.serviceItems("02").Fees[0].(*catalog.FeeItem)
	changed := *fee
	changed.Standard = "每件 88 元（已调整）"
	if err := s.Publish(ctx, []catalog.Item{&changed}, nil); err != nil {
		t.Fatal(err)
	}
	shown := func() string { return strings.Join(texts(d.Display.Content()), "\n") }
	if strings.Contains(shown(), "已调整") {
		t.Fatal("changed before the pull")
	}
	pull()
	// It says when, how many and which of this window's items changed.
	if want := " 条。本窗口有变化的：" + fee.Name + "。"; !strings.HasSuffix(d.PullResult.Text, want) ||
		!strings.Contains(d.PullResult.Text, "已从平台更新公示清单") || !strings.Contains(d.PullResult.Text, ":") ||
		d.PullResult.Importance == widget.DangerImportance {
		t.Fatalf("result %q, want … %q", d.PullResult.Text, want)
	}
	if !strings.Contains(shown(), "已调整") {
		t.Fatalf("the display does not show the changed fee:\n%s", shown())
	}
	if !strings.Contains(d.Updated.Text, "数据更新于") {
		t.Fatalf("updated: %q", d.Updated.Text)
	}
	// A fee staff put on the display is shown as it now reads.
	d.Display.ShowItem(&changed)
	changed.Standard = "每件 99 元（再次调整）"
	if err := s.Publish(ctx, []catalog.Item{&changed}, nil); err != nil {
		t.Fatal(err)
	}
	pull()
	if d.Display.State != "item" || !strings.Contains(shown(), "再次调整") {
		t.Fatalf("the fee on the display after the pull (%s):\n%s", d.Display.State, shown())
	}

	// Nothing new: it says the lists were checked, and when, not "0 条".
	pull()
	if !strings.Contains(d.PullResult.Text, "没有变化") || strings.Contains(d.PullResult.Text, "0 条") {
		t.Fatalf("nothing new: %q", d.PullResult.Text)
	}

	h.Close()
	pull()
	if d.PullResult.Importance != widget.DangerImportance || !strings.Contains(d.PullResult.Text, "更新公示清单未完成：连不上平台") {
		t.Fatalf("with the platform gone: %q", d.PullResult.Text)
	}
	if d.Fees.Total() == 0 || !strings.Contains(shown(), "再次调整") {
		t.Fatal("the lists went with the platform")
	}
}

// TestWindowDeskTakesTheKeyboardAndTitlesTheDisplay: a desk told its
// window number has it chosen and the keyboard in the staff number, so
// staff type number, Tab, PIN, Enter; the display's title says who serves
// where, paused or closed.
func TestWindowDeskTakesTheKeyboardAndTitlesTheDisplay(t *testing.T) {
	d, _ := newTestDesk(t)
	var titles []string
	d.Display.OnTitle = func(s string) { titles = append(titles, s) }
	if err := d.SetWindowNo("21"); !errors.Is(err, ErrNoSuchWindow) {
		t.Fatalf("window 21 of 20: %v", err)
	}
	if err := d.SetWindowNo("x"); !errors.Is(err, ErrNoSuchWindow) {
		t.Fatalf("window x: %v", err)
	}
	w := test.NewTempWindow(t, d.Console())
	c := w.Canvas()
	d.Attach(w)
	if c.Focused() != d.WindowNo {
		t.Fatalf("no window chosen: focus on %T, want the window number", c.Focused())
	}
	if err := d.SetWindowNo("07"); err != nil || d.WindowNo.Selected != "7" {
		t.Fatalf("window 07: %v, selected %q", err, d.WindowNo.Selected)
	}
	d.FocusSignIn()
	if c.Focused() != d.StaffID {
		t.Fatalf("window chosen: focus on %T, want the staff number", c.Focused())
	}
	// As a keyboard would: the staff number, Tab, the PIN, Enter.
	test.Type(c.Focused().(*widget.Entry), "990102000004")
	c.FocusNext()
	if c.Focused() != d.PIN {
		t.Fatalf("Tab after the staff number went to %T, not the PIN", c.Focused())
	}
	test.Type(d.PIN, "147258")
	d.PIN.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if d.Staff == nil || d.Window != "7" {
		t.Fatalf("Enter did not sign in: %q", d.Message.Text)
	}
	if got := d.Display.Title(); got != "7号窗口 毛薇 — 窗口公示屏" || titles[len(titles)-1] != got {
		t.Errorf("serving title %q, last told %q", got, titles[len(titles)-1])
	}
	test.Tap(d.Pause)
	test.Tap(d.ConfirmPause)
	if got := titles[len(titles)-1]; got != "7号窗口 毛薇 暂停服务 — 窗口公示屏" {
		t.Errorf("paused title %q", got)
	}
	test.Tap(d.SignOut)
	if got := titles[len(titles)-1]; got != "7号窗口 暂未开放 — 窗口公示屏" {
		t.Errorf("closed title %q", got)
	}
	if c.Focused() != d.StaffID {
		t.Errorf("after signing out the keyboard is not in the staff number (%T)", c.Focused())
	}
}
