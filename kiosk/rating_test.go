package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// windowDevice is a window device as `sanxiang enrol` leaves one,
// enrolled with the platform, with staff member staff activated on it
// (PIN pin) and the public lists pulled.
func windowDevice(t *testing.T, s *server.Server, h *httptest.Server, name, staff, pin string) (*device.Device, client.Identity) {
	t.Helper()
	ctx := context.Background()
	dev, err := device.OpenWith(ctx, t.TempDir(), device.Catalog|device.Accounts, device.Options{Kind: api.DeviceWindow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	if err := dev.OpenLedger(ctx, name); err != nil {
		t.Fatal(err)
	}
	dev.Book.SetKDF(account.Quick)
	dev.Config.PlatformURL = h.URL
	code, err := s.NewEnrolCode(ctx, api.DeviceWindow)
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, h.URL, code, name, "", dev.Log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	act, _, err := s.People().NewActivationCode(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ActivatePerson(ctx, dev, act, pin); err != nil {
		t.Fatal(err)
	}
	if _, err := client.NewLists(h.URL, dev.Catalog).Pull(ctx); err != nil {
		t.Fatal(err)
	}
	return dev, id
}

// refusedPush runs a sync round and wants its push refused with a 403 of
// code, and the platform's newest alert of that code about the device.
func refusedPush(t *testing.T, s *server.Server, dev *device.Device, id client.Identity, code string) {
	t.Helper()
	res, _ := client.Round(context.Background(), dev, nil)
	var pe *client.Error
	var err error
	for _, f := range res.Failed {
		if f.Step == "push" {
			err = f
		}
	}
	if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != code {
		t.Fatalf("want the push refused with %s, got %v (%s)", code, err, res)
	}
	alerts, _ := s.AlertList(context.Background())
	if len(alerts) == 0 || alerts[0].Kind != code || alerts[0].Device != id.DeviceID {
		t.Fatalf("want an alert %s about %s, got %+v", code, id.DeviceID, alerts)
	}
}

// admin is a console session over HTTP.
type admin struct {
	t      *testing.T
	base   string
	cookie *http.Cookie
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func login(t *testing.T, base, who, pw string) *admin {
	t.Helper()
	resp, err := noFollow.PostForm(base+"/admin/login", url.Values{"login": {who}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == console.CookieName {
			return &admin{t, base, ck}
		}
	}
	t.Fatalf("login %s: %d", who, resp.StatusCode)
	return nil
}

// do sends a request with the session; it returns the status, the
// page's error code and the page.
func (a *admin) do(method, path string, form url.Values) (int, string, string) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.base+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(a.cookie)
	resp, err := noFollow.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Sanxiang-Error"), string(data)
}

func (a *admin) csrf(page string) string {
	_, v, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		a.t.Fatal("no CSRF token on the page")
	}
	v, _, _ = strings.Cut(v, `"`)
	return v
}

// TestFullServiceRatedAtTheWindow (issue 23, part 4): a full service at
// the window, rated 不满意 with reasons, from the staff member's sign-in
// to the supervisor's follow-up. A window device enrolled with the real
// platform on loopback; its staff member signs in on the desk, puts a
// guide on the citizen display and presses 办结; the display asks the
// citizen; 不满意 asks why, and refuses to go on without a reason; two
// reasons and a few words typed on the touch keyboard are the rating.
// The console never shows the level. The rating is a record of the
// device's log, signed by the staff member's key, the log verifies; a
// sync round pushes it; the console (a city administrator's session over
// HTTP) counts it per window, agency and person and lists it as a bad
// rating; an administrator of another agency does not see it; a 回访 and
// a 整改 are appended (a 整改 without its date is refused), and listed;
// nothing deletes or edits a rating or a follow-up. Then what the
// platform refuses, each with its code and alert: a rating of no such
// level (rating_level), a 不满意 without a reason (rating_reason), both
// written past the desk's checks, and the same rating appended again
// (rating_replayed).
func TestFullServiceRatedAtTheWindow(t *testing.T) {
	ctx := context.Background()
	shelltest.NewApp(t, shell.Theme{})
	s, h := demoPlatform(t)
	const staff, pin = "990102000004", "258147"
	dev, id := windowDevice(t, s, h, "WINDOW-1", staff, pin)
	d, err := NewWindowDesk(dev.Catalog, dev.Book, dev.Config)
	if err != nil {
		t.Fatal(err)
	}
	d.background = func(f func()) { f() }
	t.Cleanup(d.Display.StopWaits)
	cw := test.NewTempWindow(t, d.Console())
	cw.Resize(fyne.NewSize(1280, 800))
	dw := test.NewTempWindow(t, d.Display.Content())
	dw.Resize(fyne.NewSize(1280, 800))
	hl := client.NewHallLog(dev)
	d.SetHall(hl)
	d.SetRatings(hl)

	// Sign in and serve: a guide on the display.
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, staff)
	test.Type(d.PIN, pin)
	test.Tap(d.SignIn)
	if d.Display.State != "serving" || !d.Rate.Finish.Visible() {
		t.Fatalf("not serving (%s): %q", d.Display.State, d.Message.Text)
	}
	d.Guides.Results.Select(0)
	guide := d.Display.Shown
	if d.Display.State != "item" || guide == nil {
		t.Fatalf("no guide on the display: %s", d.Display.State)
	}

	// 办结: the display asks the citizen.
	test.Tap(d.Rate.Finish)
	rs := d.Display.Rating
	if d.Display.State != "rating" || rs == nil || len(rs.Levels) != 5 || !d.Rate.Finish.Disabled() {
		t.Fatalf("after 办结 the display is %s", d.Display.State)
	}
	shown := strings.Join(texts(d.Display.Content()), "\n")
	for _, w := range []string{"请您对本次服务进行评价", "3号窗口　毛诗", "不向窗口工作人员显示"} {
		if !strings.Contains(shown, w) {
			t.Fatalf("the rating screen lacks %q:\n%s", w, shown)
		}
	}
	for i, w := range []string{"非常满意", "满意", "基本满意", "不满意", "非常不满意"} {
		if b := rs.Levels[hall.Levels[i]]; b.Text != w || b.Size().Height < 150 {
			t.Fatalf("level %s: %q, %v high", hall.Levels[i], b.Text, b.Size().Height)
		}
	}
	shelltest.Shot(t, dw, "rating-display-levels")
	// Staff picking another item do not interrupt the citizen.
	d.Guides.Results.Select(1)
	if d.Display.State != "rating" {
		t.Fatalf("a pick at the console took the rating off the display: %s", d.Display.State)
	}

	// 不满意 asks why; not without a reason.
	test.Tap(rs.Levels[hall.LevelDissatisfied])
	if d.Display.State != "rating_reason" || len(rs.Reasons) != len(hall.Reasons) {
		t.Fatalf("不满意 did not ask why: %s", d.Display.State)
	}
	before, err := dev.Log.Records(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(rs.Submit)
	if d.Display.State != "rating_reason" || rs.Message.Text != "请至少选择一项原因" {
		t.Fatalf("submitted without a reason: %s %q", d.Display.State, rs.Message.Text)
	}
	test.Tap(rs.Reasons[hall.ReasonOtherWords])
	test.Tap(rs.Submit)
	if rs.Message.Text != "选择“其他”时请写明原因" {
		t.Fatalf("其他 without words: %q", rs.Message.Text)
	}
	test.Tap(rs.Reasons[hall.ReasonOtherWords]) // taken back
	test.Tap(rs.Reasons[hall.ReasonUnclear])
	test.Tap(rs.Reasons[hall.ReasonLongWait])
	writePinyin(t, rs.Keyboard, "pai", '排')
	writePinyin(t, rs.Keyboard, "dui", '队')
	if rs.Words.Text != "排队" {
		t.Fatalf("typed %q", rs.Words.Text)
	}
	shelltest.Shot(t, dw, "rating-display-reasons")
	if after, _ := dev.Log.Records(ctx, ""); len(after) != len(before) {
		t.Fatal("recorded before the citizen submitted")
	}
	test.Tap(rs.Submit)
	if d.Display.State != "rated" || d.Display.Rating != nil || d.Rate.Finish.Disabled() {
		t.Fatalf("after submitting: %s", d.Display.State)
	}
	// Anonymous to staff: the console says it was rated, not how.
	desk := strings.Join(texts(d.Console()), "\n")
	if !strings.Contains(desk, "群众已评价") {
		t.Fatalf("the console does not say the citizen rated:\n%s", desk)
	}
	for _, w := range []string{"不满意", "满意", "等候时间长", "材料要求不清", "排队"} {
		if strings.Contains(desk, w) {
			t.Fatalf("the console shows %q to staff:\n%s", w, desk)
		}
	}
	shelltest.Shot(t, cw, "rating-console-after")

	// The record: in the device's log, signed by the staff member, the
	// log whole.
	recs, err := dev.Log.Records(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	r := recs[len(recs)-1]
	var b hall.RatingBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatal(err)
	}
	_, signed := r.SigBy(staff)
	if r.Kind != hall.KindWindowRating || r.Author != staff || r.Case != "" || !signed || ledger.VerifySigs(dev.Log.Origin(), &r) != nil ||
		b.Level != hall.LevelDissatisfied || !slices.Equal(b.Reasons, []string{hall.ReasonLongWait, hall.ReasonUnclear}) || b.Text != "排队" ||
		b.Window != "3" || b.Service != string(guide.Kind())+"/"+guide.Key() || b.ServiceTitle != guide.Title() || len(b.Visit) != 32 {
		t.Fatalf("the rating record: %+v %+v", r, b)
	}
	if _, err := dev.Log.Verify(ctx, nil); err != nil {
		t.Fatalf("the device's log: %v", err)
	}
	tampered := r
	tampered.Body = []byte(strings.Replace(string(r.Body), hall.LevelDissatisfied, hall.LevelSatisfied, 1))
	if ledger.VerifySigs(dev.Log.Origin(), &tampered) == nil {
		t.Fatal("a rating changed to 满意 still verifies under the staff member's signature")
	}

	// Pushed with the normal sync.
	if res, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatalf("round: %s: %v", res, err)
	}
	held, err := s.LogRecords(ctx, id.DeviceID)
	if err != nil || len(held) != len(recs) {
		t.Fatalf("the platform holds %d of %d records (%v)", len(held), len(recs), err)
	}
	// The window is open still, since its sign-in (its newest record is
	// the rating).
	open, err := client.New(id).OpenWindows(ctx)
	if err != nil || len(open) != 1 || open[0].Window != "3" || open[0].Staff != staff || !open[0].Since.Equal(recs[0].At) || recs[0].Kind != hall.KindWindowSignIn {
		t.Fatalf("open windows: %+v %v (signed in at %v)", open, err, recs[0].At)
	}

	// The console: a city administrator sees it counted and listed.
	for _, a := range []struct {
		admin console.Admin
		pw    string
	}{
		{console.Admin{Login: "city", Name: "市司法局", Role: console.RoleCity}, "city-password-1"},
		{console.Admin{Login: "other", Name: "市场监管局管理员", Role: console.RoleAgency, Agency: "01"}, "other-password-1"},
		{console.Admin{Login: "own", Name: "城管局管理员", Role: console.RoleAgency, Agency: "02"}, "own-password-1"},
	} {
		if err := s.AddAdmin(ctx, a.admin, a.pw, "test"); err != nil {
			t.Fatal(err)
		}
	}
	city := login(t, h.URL, "city", "city-password-1")
	code, _, page := city.do("GET", "/admin/ratings", nil)
	path := "/admin/ratings/" + id.DeviceID + "/" + jsonInt(r.Seq)
	if code != http.StatusOK || !strings.Contains(page, `href="`+path+`"`) || !strings.Contains(page, "已评价 1 次，未评价 0 次，满意率 0.0%") ||
		!strings.Contains(page, "等候时间长；材料要求不清；排队") || !strings.Contains(page, "待回访") || !strings.Contains(page, "WINDOW-1 · 3") ||
		!strings.Contains(page, "毛诗") || !strings.Contains(page, `id="by-agency"`) {
		t.Fatalf("the ratings page: %d\n%s", code, page)
	}
	other := login(t, h.URL, "other", "other-password-1")
	if code, _, page := other.do("GET", "/admin/ratings", nil); code != http.StatusOK || strings.Contains(page, path) || !strings.Contains(page, "已评价 0 次") {
		t.Fatalf("another agency's administrator's ratings page: %d\n%s", code, page)
	}
	if code, _, _ := other.do("GET", path, nil); code != http.StatusNotFound {
		t.Fatalf("another agency's administrator opens the rating: %d", code)
	}
	own := login(t, h.URL, "own", "own-password-1")
	code, _, page = own.do("GET", path, nil)
	if code != http.StatusOK || !strings.Contains(page, "不满意") || !strings.Contains(page, "排队") || !strings.Contains(page, guide.Title()) {
		t.Fatalf("the rating's page for its agency: %d\n%s", code, page)
	}
	csrf := own.csrf(page)

	// Follow-up: a 回访, a 整改 refused without its date, then with it.
	if code, _, _ := own.do("POST", path+"/followups", url.Values{"kind": {"callback"}, "who": {"王科长"}, "what": {"x"}}); code != http.StatusForbidden {
		t.Fatalf("a follow-up without the CSRF token: %d", code)
	}
	if code, _, _ := other.do("POST", path+"/followups", url.Values{"csrf": {other.csrf(otherPage(other))}, "kind": {"callback"}, "who": {"x"}, "what": {"x"}}); code != http.StatusNotFound {
		t.Fatalf("another agency's follow-up: %d", code)
	}
	if code, _, _ := own.do("POST", path+"/followups", url.Values{"csrf": {csrf}, "kind": {"callback"}, "who": {"王科长"},
		"what": {"电话回访，群众反映排队一小时，材料清单未说明需复印件"}, "result": {"已致歉并说明"}}); code != http.StatusSeeOther {
		t.Fatalf("a 回访: %d", code)
	}
	if code, errCode, _ := own.do("POST", path+"/followups", url.Values{"csrf": {csrf}, "kind": {"fix"}, "who": {"窗口科"}, "what": {"补充材料清单"}}); code != http.StatusUnprocessableEntity || errCode != "followup_due" {
		t.Fatalf("a 整改 without its date: %d %s", code, errCode)
	}
	if code, _, _ := own.do("POST", path+"/followups", url.Values{"csrf": {csrf}, "kind": {"fix"}, "who": {"窗口科 李四"},
		"what": {"在办事指南中写明需复印件，增设取号提示"}, "due": {"2026-12-31"}, "result": {"已完成"}}); code != http.StatusSeeOther {
		t.Fatalf("a 整改: %d", code)
	}
	code, _, page = city.do("GET", path, nil)
	if code != http.StatusOK || !strings.Contains(page, "电话回访，群众反映排队一小时") || !strings.Contains(page, "在办事指南中写明需复印件") ||
		!strings.Contains(page, "2026-12-31") || !strings.Contains(page, "已整改") || strings.Index(page, "王科长") > strings.Index(page, "窗口科 李四") {
		t.Fatalf("the rating with its follow-ups: %d\n%s", code, page)
	}
	// Answered, never deleted or edited: no route does either.
	for _, m := range []struct{ method, path string }{
		{"DELETE", path}, {"PUT", path}, {"POST", path}, {"DELETE", path + "/followups"}, {"POST", path + "/followups/1"}, {"DELETE", path + "/followups/1"},
	} {
		if code, _, _ := city.do(m.method, m.path, url.Values{"csrf": {city.csrf(page)}}); code != http.StatusMethodNotAllowed && code != http.StatusNotFound {
			t.Errorf("%s %s: %d", m.method, m.path, code)
		}
	}
	if sum, err := s.Console().Ratings(ctx, "", mustPeriod(t)); err != nil || sum.Total.Rated != 1 || len(sum.Bad) != 1 || len(sum.Bad[0].FollowUps) != 2 {
		t.Fatalf("after the attempts: %+v %v", sum, err)
	}

	// Forged ratings, written past the desk's checks with a real
	// signature: each refused at intake with its own code.
	forge := func(name, who string, body string) {
		t.Helper()
		fd, fid := windowDevice(t, s, h, name, who, pin)
		if _, _, err := fd.Book.SignIn(ctx, who, pin, "5"); err != nil {
			t.Fatal(err)
		}
		if err := fd.Log.Append(ctx, &ledger.Record{Kind: hall.KindWindowRating, Author: who,
			Body: json.RawMessage(strings.ReplaceAll(body, "STAFF", who))}); err != nil {
			t.Fatal(err)
		}
		code := map[bool]string{true: "rating_level", false: "rating_reason"}[strings.Contains(body, `"great"`)]
		refusedPush(t, s, fd, fid, code)
	}
	forge("WINDOW-2", "990101000004", `{"window":"5","staff":"STAFF","visit":"`+hall.NewVisit()+`","level":"great"}`)
	forge("WINDOW-3", "990104000004", `{"window":"5","staff":"STAFF","visit":"`+hall.NewVisit()+`","level":"dissatisfied"}`)
	// The same rating again, at the next place of the same log: its
	// signature verifies, its visit is held already.
	if _, err := hall.AppendRating(ctx, dev.Log, b); err != nil {
		t.Fatal(err)
	}
	refusedPush(t, s, dev, id, "rating_replayed")
	if sum, err := s.Console().Ratings(ctx, "", mustPeriod(t)); err != nil || sum.Total.Rated != 1 || sum.Total.Unrated != 0 {
		t.Fatalf("refused ratings were counted: %+v %v", sum.Total, err)
	}
}

func otherPage(a *admin) string {
	_, _, page := a.do("GET", "/admin/ratings", nil)
	return page
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func mustPeriod(t *testing.T) console.RatingPeriod {
	t.Helper()
	p, err := console.ParseRatingPeriod("", "", time.Now(), time.Local)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ratingLog notes each rating the desk records, and whether the staff
// member's key was held to sign it.
type ratingLog struct {
	book *account.Book
	got  []hall.RatingBody
}

func (l *ratingLog) Rating(_ context.Context, b hall.RatingBody) error {
	if !l.book.Keys.Has(b.Staff) {
		return errors.New("the staff member's key is not held")
	}
	if err := hall.CheckRating(b); err != nil {
		return err
	}
	l.got = append(l.got, b)
	return nil
}

// A citizen who walks away, and staff who pause or sign out while the
// display asks: each service is recorded once, as 未评价, with the staff
// member's key still held; the display shows the service again (or the
// pause, or closed). A good level is the rating at once; 返回 from the
// reasons goes back to the levels. No 办结 while paused.
func TestRatingUnratedAndGood(t *testing.T) {
	d, book := newTestDesk(t)
	rl := &ratingLog{book: book}
	d.SetRatings(rl)
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)

	// The citizen walks away: what the timer does when it fires
	// (RatingTimeout after the last tap; called here, not waited for).
	test.Tap(d.Rate.Finish)
	if rs := d.Display.Rating; rs == nil || rs.timer == nil {
		t.Fatal("no timer on the question")
	}
	d.Display.Rating.Expire()
	if len(rl.got) != 1 || rl.got[0].Level != hall.LevelUnrated || d.Display.State != "serving" || d.Rate.Note.Text != "本次服务未获评价" {
		t.Fatalf("after the timeout: %+v %s %q", rl.got, d.Display.State, d.Rate.Note.Text)
	}

	// 满意 at once; 返回 from the reasons to the levels first.
	test.Tap(d.Rate.Finish)
	rs := d.Display.Rating
	test.Tap(rs.Levels[hall.LevelVeryDissatisfied])
	test.Tap(rs.Back)
	if d.Display.State != "rating" {
		t.Fatalf("返回: %s", d.Display.State)
	}
	test.Tap(rs.Levels[hall.LevelSatisfied])
	if len(rl.got) != 2 || rl.got[1].Level != hall.LevelSatisfied || rl.got[1].Reasons != nil || d.Display.State != "rated" {
		t.Fatalf("满意: %+v %s", rl.got, d.Display.State)
	}
	test.Tap(rs.Levels[hall.LevelBasic]) // a second tap on a screen gone records nothing
	if len(rl.got) != 2 || rl.got[0].Visit == rl.got[1].Visit {
		t.Fatalf("after a second tap: %+v", rl.got)
	}

	// A pause while the display asks: unrated, then paused.
	test.Tap(d.Rate.Finish)
	test.Tap(d.Pause)
	test.Tap(d.ConfirmPause)
	if len(rl.got) != 3 || rl.got[2].Level != hall.LevelUnrated || d.Display.State != "paused" {
		t.Fatalf("paused while asking: %+v %s", rl.got, d.Display.State)
	}
	test.Tap(d.Rate.Finish) // nothing while paused
	if d.Display.State != "paused" || d.Display.Rating != nil {
		t.Fatalf("办结 while paused: %s", d.Display.State)
	}
	test.Tap(d.Pause) // resume

	// A sign-out while the citizen chooses reasons: unrated, signed
	// before the key is put away.
	test.Tap(d.Rate.Finish)
	test.Tap(d.Display.Rating.Levels[hall.LevelDissatisfied])
	test.Tap(d.Display.Rating.Reasons[hall.ReasonSlow])
	test.Tap(d.SignOut)
	if len(rl.got) != 4 || rl.got[3].Level != hall.LevelUnrated || rl.got[3].Reasons != nil || d.Display.State != "closed" {
		t.Fatalf("signed out while asking: %+v %s", rl.got, d.Display.State)
	}
}
