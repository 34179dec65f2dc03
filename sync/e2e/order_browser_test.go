package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	var exe string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if os.Getenv("SANXIANG_REQUIRE_BROWSER") == "1" {
			t.Fatal("SANXIANG_REQUIRE_BROWSER=1 but no chromium on PATH")
		}
		t.Skip("no chromium on PATH")
	}
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	_, skipped, excepted := orderScenario(t, s, h)
	if err := s.AddAdmin(ctx, console.Admin{Login: "city", Name: "市司法局 王科长", Role: console.RoleCity}, "password-city", "test"); err != nil {
		t.Fatal(err)
	}

	// The project's bundled font only, as the console's browser tests do.
	fonts, err := filepath.Abs(filepath.Join("..", "..", "assets", "fonts"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "fonts.conf")
	aliases := ""
	for _, family := range []string{"sans-serif", "serif", "monospace", "system-ui"} {
		aliases += "<alias><family>" + family + "</family><prefer><family>Noto Sans SC</family></prefer></alias>"
	}
	if err := os.WriteFile(conf, []byte(`<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>`+
		"<dir>"+fonts+"</dir><cachedir>"+filepath.Join(dir, "cache")+"</cachedir>"+aliases+"</fontconfig>"), 0o644); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("SANXIANG_CONSOLE_SHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "console-shots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	actx, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"), chromedp.WindowSize(1280, 900),
		chromedp.Env("FONTCONFIG_FILE="+conf, "LANG=C.UTF-8", "LC_ALL=C.UTF-8"))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
	}
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
	t.Logf("screenshots in %s", shots)
}
