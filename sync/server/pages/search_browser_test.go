package pages_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/pages"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// demoCity is the real platform on loopback with the demo city loaded,
// and a Chromium to read its pages.
func demoCityInABrowser(t *testing.T) (*server.Server, string, *browsertest.Chrome) {
	t.Helper()
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	s, base := demoCity(t, servertest.Backends(t)[0])
	return s, base, browsertest.Open(t, exe)
}

// initials are the pinyin initials of a name as the lists' search key
// holds them (its third word).
func initials(name string) string {
	return strings.Fields(catalog.SearchKey(name, true))[2]
}

// first is the title and the count line of the search page at path.
func first(t *testing.T, br *browsertest.Chrome, base, path string) (string, string) {
	t.Helper()
	br.Do("search "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(css(`#count`)))
	return br.Text(`#results li:first-child a`), br.Text(`#count`)
}

// On a phone, the initials of a demo officer's name find that officer
// first, ranked above those whose names merely hold the letters, even
// where the list's own (pinyin) order puts another first.
func TestSearchByInitialsInABrowser(t *testing.T) {
	s, base, br := demoCityInABrowser(t)
	ctx := context.Background()
	officers, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindOfficer, Limit: 100000})
	if err != nil || len(officers) == 0 {
		t.Fatal(len(officers), err)
	}
	// An officer whose initials no other officer shares, and whom the
	// pinyin order alone would not put first among those the initials
	// find: ranking has to do the work.
	var pick *catalog.Officer
	for _, it := range officers {
		o := it.(*catalog.Officer)
		ini := initials(o.Name)
		found, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindOfficer, Text: ini, Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		same := 0
		for _, f := range found {
			if initials(f.Title()) == ini {
				same++
			}
		}
		if same == 1 && len(found) > 1 && found[0].Key() != o.Key() {
			pick = o
			break
		}
	}
	if pick == nil {
		t.Fatal("no demo officer whose initials only ranking puts first")
	}
	ini := initials(pick.Name)
	br.Do("a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	got, count := first(t, br, base, "/p/?q="+url.QueryEscape(ini))
	if got != pick.Name {
		t.Fatalf("/p/?q=%s lists %q first (%s), want %s", ini, got, count, pick.Name)
	}
	shot(t, br, "halls-search-phone")
	// Upper case and full-width letters are the same initials.
	if got, _ := first(t, br, base, "/p/?q="+url.QueryEscape(strings.ToUpper(ini))); got != pick.Name {
		t.Fatalf("upper-case initials list %q first", got)
	}
	br.Do("a desk", chromedp.EmulateViewport(1280, 900))
	if got, _ := first(t, br, base, "/p/?q="+url.QueryEscape(ini)); got != pick.Name {
		t.Fatalf("at a desk: %q first", got)
	}
	shot(t, br, "halls-search-desk")
}

// A certificate number finds its one officer; the pages of a list are 20
// long, page 2 differs from page 1, the count is the list's and the
// page links lead there; a filter by agency keeps to that agency's items.
func TestSearchPagesAndNumbersInABrowser(t *testing.T) {
	s, base, br := demoCityInABrowser(t)
	ctx := context.Background()
	officers, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindOfficer, Limit: 100000})
	if err != nil || len(officers) <= pages.PerPage {
		t.Fatalf("the demo's officers: %d %v", len(officers), err)
	}
	o := officers[len(officers)-1].(*catalog.Officer)
	got, count := first(t, br, base, "/p/?q="+o.CertNo)
	if got != o.Name || !strings.Contains(count, "共 1 条") {
		t.Fatalf("certificate %s: %q (%s), want %s", o.CertNo, got, count, o.Name)
	}

	n := len(officers)
	pagesN := (n + pages.PerPage - 1) / pages.PerPage
	p1, count := first(t, br, base, "/p/?kind=officer")
	if want := fmt.Sprintf("共 %d 条 · 第 1/%d 页", n, pagesN); count != want {
		t.Fatalf("count %q, want %q", count, want)
	}
	listed := func() int {
		t.Helper()
		n, err := chromedp.Run(br.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results li').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	onPage := listed()
	if onPage != pages.PerPage {
		t.Fatalf("page 1 lists %d", onPage)
	}
	br.Do("to page 2 by its link", chromedp.Click(css(`nav.pager a[aria-label="第 2 页"]`)), chromedp.WaitVisible(css(`nav.pager a[aria-current="page"]`)))
	p2, count2 := br.Text(`#results li:first-child a`), br.Text(`#count`)
	onPage = listed()
	if p2 == p1 || !strings.Contains(count2, fmt.Sprintf("第 2/%d 页", pagesN)) || onPage != min(pages.PerPage, n-pages.PerPage) ||
		p2 != officers[pages.PerPage].Title() {
		t.Fatalf("page 2: first %q (page 1's %q), %q, %d listed", p2, p1, count2, onPage)
	}
	shot(t, br, "halls-search-page2")

	// By agency: every guide listed is that agency's.
	guides, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindGuide, Agency: "02", Limit: 100000})
	if err != nil || len(guides) == 0 {
		t.Fatal(len(guides), err)
	}
	_, count = first(t, br, base, "/p/?kind=guide&agency=02")
	if want := fmt.Sprintf("共 %d 条", len(guides)); !strings.HasPrefix(count, want) {
		t.Fatalf("guides of agency 02: %q, want %s", count, want)
	}
	// A list or agency the lists do not know is refused, naming it.
	for _, bad := range []string{"/p/?kind=nope", "/p/?agency=99", "/p/?page=0", "/p/?page=x"} {
		resp, err := http.Get(base + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s", bad, resp.Status)
		}
	}
}

// The agencies' list, linked from the search page, leads to each
// agency's page with its 职责、权限 and 救济渠道 as the demo city's
// agencies.csv gives them.
func TestAgencyPagesInABrowser(t *testing.T) {
	s, base, br := demoCityInABrowser(t)
	ags, err := s.Agencies(context.Background())
	if err != nil || len(ags) == 0 {
		t.Fatal(ags, err)
	}
	a := ags[0]
	if a.Duties == "" || a.Powers == "" || a.RemedyChannels == "" {
		t.Fatalf("the demo's agency %s lacks duties, powers or remedies: %+v", a.Code, a)
	}
	br.Do("the agencies from the search page", chromedp.Navigate(base+"/p/"), chromedp.WaitVisible(css(`a[href="/p/agencies/"]`)),
		chromedp.Click(css(`a[href="/p/agencies/"]`)), chromedp.WaitVisible(css(`#results`)))
	list := br.Text(`#results`)
	for _, x := range ags {
		if !strings.Contains(list, x.Name) {
			t.Errorf("the agencies' list lacks %s", x.Name)
		}
	}
	shot(t, br, "halls-agencies")
	br.Do("an agency", chromedp.Click(css(`#results a[href="/p/agencies/`+a.Code+`"]`)), chromedp.WaitVisible(css(`dl`)))
	page := br.Text(`dl`)
	for _, want := range []string{"职责", a.Duties, "权限", a.Powers, "救济渠道", a.RemedyChannels} {
		if !strings.Contains(page, want) {
			t.Errorf("the agency page lacks %q:\n%s", want, page)
		}
	}
	shot(t, br, "halls-agency")
	// The page leads to the agency's guides: the search, filtered by it.
	guides, err := s.SearchLists(context.Background(), catalog.Query{Kind: catalog.KindGuide, Agency: a.Code, Limit: 100000})
	if err != nil || len(guides) == 0 {
		t.Fatal(len(guides), err)
	}
	link := `dl a[href="/p/?agency=` + a.Code + `&kind=guide"]`
	br.Do("the agency's guides", chromedp.Click(css(link)), chromedp.WaitVisible(css(`#count`)))
	if count := br.Text(`#count`); !strings.HasPrefix(count, fmt.Sprintf("共 %d 条", len(guides))) {
		t.Fatalf("the agency's guides: %q, want %d", count, len(guides))
	}
	if first := br.Text(`#results li:first-child a`); first != guides[0].Title() {
		t.Errorf("the agency's first guide: %q, want %q", first, guides[0].Title())
	}
}

// shot saves the page under $SANXIANG_SHOTS when set (as well as the
// browser's own shots folder).
func shot(t *testing.T, br *browsertest.Chrome, name string) {
	t.Helper()
	br.Do("shot "+name, br.Shot(name))
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		data, err := os.ReadFile(filepath.Join(br.Shots, name+".png"))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
