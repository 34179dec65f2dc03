package kiosk

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

func demoCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.Replace(ctx, ds, time.Date(2026, 11, 20, 9, 30, 0, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	return cat
}

func newTestKiosk(t *testing.T) *Kiosk {
	t.Helper()
	shelltest.NewApp(t, Theme(config.Default()))
	k, err := New(demoCatalog(t), config.Default())
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, k.Content())
	w.Resize(w.Content().MinSize().Max(w.Canvas().Size()))
	return k
}

func TestBrowseSearchAndDetail(t *testing.T) {
	k := newTestKiosk(t)
	if got := k.Updated.Text; got != "数据更新于 2026-11-20 09:30" {
		t.Errorf("updated label = %q", got)
	}
	if !k.Back.Disabled() {
		t.Error("back is enabled on the home screen")
	}

	k.ShowList(catalog.KindOfficer)
	l := k.List
	if l.Total() != 240 {
		t.Fatalf("officers = %d, want 240", l.Total())
	}

	o := firstOfficer(t, l)

	// Pinyin initials of the first officer's name find them.
	initials := strings.Fields(catalog.SearchKey(o.Name, true))[2]
	test.Type(l.Search, initials)
	if l.Total() == 0 || l.Total() >= 240 {
		t.Fatalf("search %q matched %d of 240", initials, l.Total())
	}
	if !slices.Contains(l.Titles(l.Total()), o.Name) {
		t.Errorf("search %q does not list %s", initials, o.Name)
	}

	// A certificate number finds exactly one officer.
	l.Search.SetText(o.CertNo)
	if l.Total() != 1 || l.Titles(1)[0] != o.Name {
		t.Fatalf("cert %s: %d results %v", o.CertNo, l.Total(), l.Titles(3))
	}

	// Tapping the row opens the detail page with every public field.
	l.Results.Select(0)
	if k.Detail == nil || k.Detail.Key() != o.ID {
		t.Fatalf("detail = %v, want officer %s", k.Detail, o.ID)
	}
	if k.Back.Disabled() {
		t.Fatal("back is disabled on a detail page")
	}
	k.GoBack()
	if k.List == nil || k.List.query.Kind != catalog.KindOfficer {
		t.Fatal("back did not return to the officer list")
	}
	k.ShowHome()
	if k.List != nil || !k.Back.Disabled() {
		t.Error("home kept list state or back button")
	}

}

func firstOfficer(t *testing.T, l *ListScreen) *catalog.Officer {
	t.Helper()
	it := l.item(0)
	o, ok := it.(*catalog.Officer)
	if !ok {
		t.Fatalf("row 0 is %T", it)
	}
	return o
}

func TestFiltersNarrowTheList(t *testing.T) {
	k := newTestKiosk(t)
	k.ShowList(catalog.KindItem)
	l := k.List
	all := l.Total()
	l.Act.SetSelected("行政处罚")
	penalties := l.Total()
	if penalties == 0 || penalties >= all {
		t.Fatalf("penalty filter: %d of %d", penalties, all)
	}
	l.Agency.SetSelected("青禾市生态环境局")
	both := l.Total()
	if both == 0 || both >= penalties {
		t.Fatalf("agency+penalty filter: %d of %d", both, penalties)
	}
	for _, title := range l.Titles(both) {
		if !strings.HasPrefix(title, "对") {
			t.Errorf("%q does not look like a penalty item", title)
		}
	}
}

func TestComplaintReachableFromEveryScreen(t *testing.T) {
	k := newTestKiosk(t)
	k.ShowList(catalog.KindGuide)
	k.ShowComplaint()
	if k.Title.Text != "投诉举报" {
		t.Fatalf("title = %q", k.Title.Text)
	}
}
