package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The supervision dashboard and a case file in a real browser, after the
// order scenario's push: the agency's row counts the stage out of order
// and the exception, and the case page lists the exception with its
// reason. The pages are screenshotted into $SANXIANG_CONSOLE_SHOTS
// (default $TMPDIR/console-shots) for people to look at. Skipped without
// a Chromium, unless SANXIANG_REQUIRE_BROWSER=1.
func TestOrderOnSupervisionPagesInABrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	_, skipped, excepted := orderScenario(t, s, h)
	if err := s.AddAdmin(ctx, console.Admin{Login: "city", Name: "市司法局 王科长", Role: console.RoleCity}, "password-city", "test"); err != nil {
		t.Fatal(err)
	}

	br := browsertest.Open(t, exe)
	tctx, shot := br.Ctx, br.Shot
	day := func(d time.Time) string { return d.Format(time.DateOnly) }
	dash := h.URL + "/admin/supervision?from=" + day(time.Now().AddDate(0, 0, -1)) + "&to=" + day(time.Now().AddDate(0, 0, 1))
	if err := chromedp.Do(tctx,
		chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "city"), chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "password-city"),
		chromedp.Click(chromedp.CSS(`#login`)), chromedp.WaitVisible(chromedp.CSS(`.cards`)),
		chromedp.Navigate(dash), chromedp.WaitReady(chromedp.CSS(`table`)), shot("order-01-supervision")); err != nil {
		t.Fatalf("the dashboard: %v", err)
	}
	page, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"违序环节", "漏办环节", "程序例外", skipped, "决定环节违反法定顺序", "违序 1 个"} {
		if !strings.Contains(page, w) {
			t.Errorf("the dashboard lacks %q", w)
		}
	}
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`a[href$="/`+excepted+`"]`)), chromedp.WaitVisible(chromedp.CSS(`#exceptions`)),
		shot("order-02-case")); err != nil {
		t.Fatalf("the case with an exception: %v", err)
	}
	list, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`#exceptions`)))
	if err != nil || !strings.Contains(list, exceptionReason) || !strings.Contains(list, "告知") {
		t.Fatalf("the exceptions listed: %q %v", list, err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(dash), chromedp.WaitReady(chromedp.CSS(`table`)),
		chromedp.Click(chromedp.CSS(`a[href$="/`+skipped+`"]`)), chromedp.WaitReady(chromedp.CSS(`h1`)), shot("order-03-case-out-of-order")); err != nil {
		t.Fatalf("the case decided out of order: %v", err)
	}
	t.Logf("screenshots in %s", br.Shots)
}
