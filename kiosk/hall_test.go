package kiosk

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// putJSON calls the platform's administrator API with token.
func putJSON(t *testing.T, token, url string, body any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("PUT", url, strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT %s: %s", url, resp.Status)
	}
}

// A hall configured on the real platform reaches a window device with its
// next pull (client.Lists over loopback): the picker lists the hall's
// windows by number and name, staff sign in at window 3, and the citizen
// display shows the window's name and exactly the guides and fees the
// platform gave window 3, in that order — not the agency's first twelve —
// while the console offers that set in a tab of its own. Before any hall
// is configured the console says the display falls back to the agency's
// first items.
func TestWindowDeskOffersItsWindowsItems(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDesk(t)
	s, h := demoPlatform(t)
	d.SetPull(client.NewLists(h.URL, d.cat))
	pull := func() {
		t.Helper()
		select {
		case <-d.PullNow():
		case <-time.After(30 * time.Second):
			t.Fatal("the pull did not finish")
		}
	}
	if n := len(d.WindowNo.Options); n != 20 || d.WindowNo.Options[2] != "3" {
		t.Fatalf("picker without a hall: %v", d.WindowNo.Options)
	}

	// The window's set: the last two guides of the staff member's agency,
	// one of another agency (一窗受理) between them, two fees.
	guides, err := d.cat.Search(ctx, catalog.Query{Kind: catalog.KindGuide, Agency: "02", Limit: 100})
	if err != nil || len(guides) < 3 {
		t.Fatalf("the demo's guides of agency 02: %d %v", len(guides), err)
	}
	other, err := d.cat.Search(ctx, catalog.Query{Kind: catalog.KindGuide, Agency: "01", Limit: 1})
	if err != nil || len(other) != 1 {
		t.Fatal(other, err)
	}
	fees, err := d.cat.Search(ctx, catalog.Query{Kind: catalog.KindFee, Limit: 2})
	if err != nil || len(fees) != 2 {
		t.Fatal(fees, err)
	}
	mine := []catalog.Item{guides[len(guides)-1], other[0], guides[len(guides)-2]}
	ids := func(items []catalog.Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Key())
		}
		return out
	}
	token, err := s.Console().NewToken(ctx, console.Token{Name: "hall", Scopes: []string{"catalog"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	hall := h.URL + api.PathAdminHalls + "civic"
	putJSON(t, token, hall, api.HallPut{Name: "青禾市民中心"})
	putJSON(t, token, hall+"/windows/3", api.HallWindow{Name: "城管综合受理", Agency: "02", Guides: ids(mine), Fees: ids(fees)})
	putJSON(t, token, hall+"/windows/7", api.HallWindow{Name: "市场监管", Agency: "01", Guides: ids(other)})

	pull()
	if want := []string{"3　城管综合受理", "7　市场监管"}; !slices.Equal(d.WindowNo.Options, want) {
		t.Fatalf("picker after the pull: %v, want %v", d.WindowNo.Options, want)
	}
	if err := d.SetWindowNo("5"); err == nil || d.WindowNumbers() != "3、7" {
		t.Fatalf("window 5 is not in the hall (%s), yet the desk took it: %v", d.WindowNumbers(), err)
	}
	if err := d.SetWindowNo("3"); err != nil {
		t.Fatal(err)
	}
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	if d.Staff == nil || d.Window != "3" || d.Display.State != "serving" {
		t.Fatalf("sign-in at window 3: %q, window %q, display %s", d.Message.Text, d.Window, d.Display.State)
	}

	// The display: the window's name, then exactly its items.
	var items []string
	name := false
	for _, s := range texts(d.Display.Content()) {
		if s == "城管综合受理" {
			name = true
		}
		if strings.HasPrefix(s, "• ") {
			title, _, _ := strings.Cut(strings.TrimPrefix(s, "• "), "　")
			items = append(items, title)
		}
	}
	var want []string
	for _, it := range append(append([]catalog.Item{}, mine...), fees...) {
		want = append(want, it.Title())
	}
	if !name || !slices.Equal(items, want) {
		t.Fatalf("display: name %v, items\n %q\nwant\n %q", name, items, want)
	}
	// The console offers that set first; one touch shows an item.
	if d.Mine == nil || d.Mine.Length() != len(want) {
		t.Fatalf("the console's own tab: %v", d.Mine)
	}
	if strings.Contains(strings.Join(texts(d.Console()), "\n"), "尚未在平台配置") {
		t.Error("the console says no hall is configured")
	}
	cw, dw := deskWindows(t, d)
	shelltest.Shot(t, cw, "halls-window-console")
	shelltest.Shot(t, dw, "halls-display-window3")
	d.Mine.Select(1)
	if d.Display.State != "item" || d.Display.Shown.Key() != other[0].Key() {
		t.Fatalf("picked from the window's set: %s %v", d.Display.State, d.Display.Shown)
	}

	// The platform takes a guide off window 3: at the next pull the
	// console's set and the display (serving again) follow, and the
	// console names what changed.
	putJSON(t, token, hall+"/windows/3", api.HallWindow{Name: "城管综合受理", Agency: "02", Guides: ids(mine[:2]), Fees: ids(fees)})
	d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	pull()
	if d.Mine.Length() != len(want)-1 || !strings.Contains(d.PullResult.Text, mine[2].Title()) {
		t.Fatalf("after window 3 lost %s: own tab %d, pull says %q", mine[2].Title(), d.Mine.Length(), d.PullResult.Text)
	}
	if shown := strings.Join(texts(d.Display.Content()), "\n"); strings.Contains(shown, mine[2].Title()) {
		t.Fatalf("the display still shows %s", mine[2].Title())
	}
}

// Where the platform configures no hall, the window numbers run 1 to
// hall_windows, the display shows the agency's first items, and the
// console says so.
func TestWindowDeskWithoutHallSaysSo(t *testing.T) {
	d, _ := newTestDesk(t)
	d.WindowNo.SetSelected("3")
	test.Type(d.StaffID, "990102000004")
	test.Type(d.PIN, "147258")
	test.Tap(d.SignIn)
	if d.Display.State != "serving" || d.Mine != nil {
		t.Fatalf("display %s, own tab %v", d.Display.State, d.Mine)
	}
	if d.WindowNumbers() != "1–20" {
		t.Errorf("window numbers without a hall: %s", d.WindowNumbers())
	}
	if !strings.Contains(strings.Join(texts(d.Console()), "\n"), "本大厅尚未在平台配置窗口事项") {
		t.Errorf("the console does not say the hall is not configured: %q", texts(d.Console()))
	}
	all, err := d.cat.Count(context.Background(), catalog.Query{Kind: catalog.KindGuide, Agency: "02"})
	if n := len(d.serviceItems("02").Guides); err != nil || n != min(all, 12) {
		t.Errorf("fallback guides: %d of %d, want the agency's first 12 (%v)", n, all, err)
	}
}
