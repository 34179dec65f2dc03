// Package browsertest drives a real headless Chromium for the tests of the
// platform's web pages (the console, supervision, public pages): it finds
// the browser, starts it with the project's bundled font as its only font
// so pages render alike on every machine, bounds its calls, and saves
// screenshots for people to look at.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sanxiang-desk/sanxiang/internal/reporoot"
)

// Step is one thing done in the browser.
type Step = chromedp.Action[chromedp.Void]

// Find finds a Chromium to drive: it fails the test when
// SANXIANG_REQUIRE_BROWSER=1 (./dev test) and there is none, and skips it
// otherwise.
func Find(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SANXIANG_REQUIRE_BROWSER") == "1" {
		t.Fatal("SANXIANG_REQUIRE_BROWSER=1 but no chromium on PATH: apt-get install chromium (./dev test installs it)")
	}
	t.Skip("no chromium on PATH (set SANXIANG_REQUIRE_BROWSER=1 to make this a failure)")
	return ""
}

// fontsDir is the repository's assets/fonts.
func fontsDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(reporoot.Dir(t), "assets", "fonts")
}

// Options start the Chromium at exe headless, with the project's bundled
// Noto Sans SC as its only font (a fontconfig file of its own): the pages
// render alike on every machine, and one without any font — Debian's
// chromium only recommends one, and ./dev installs without recommends —
// does not abort Chromium's font fallback. Its locale is C.UTF-8 whatever
// the test's: under LANG=C it cannot name the Chinese file names uploaded.
func Options(t testing.TB, exe string) []chromedp.ExecAllocatorOption {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "fonts.conf")
	aliases := ""
	for _, family := range []string{"sans-serif", "serif", "monospace", "system-ui"} {
		aliases += "<alias><family>" + family + "</family><prefer><family>Noto Sans SC</family></prefer></alias>"
	}
	if err := os.WriteFile(conf, []byte(`<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>`+
		"<dir>"+fontsDir(t)+"</dir><cachedir>"+filepath.Join(dir, "cache")+"</cachedir>"+aliases+"</fontconfig>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.WindowSize(1280, 900),
		chromedp.Env("FONTCONFIG_FILE="+conf, "LANG=C.UTF-8", "LC_ALL=C.UTF-8"))
}

// Chrome is a headless Chromium for one test, its calls bounded (Open,
// OpenWithin), its screenshots going into $SANXIANG_CONSOLE_SHOTS (default
// console-shots in the temporary folder).
type Chrome struct {
	T     testing.TB
	Ctx   context.Context
	Shots string
}

// Open starts the Chromium at exe; it stops with the test. Its calls
// together are bounded by three minutes: a guard against a hung browser,
// not a measure of speed — a test that takes 5 s alone took over 90 s
// with two other packages' browsers and builds sharing two cores.
func Open(t testing.TB, exe string) *Chrome {
	t.Helper()
	return OpenWithin(t, exe, 3*time.Minute)
}

// OpenWithin is Open with all its calls bounded by limit, for a test
// that visits many pages.
func OpenWithin(t testing.TB, exe string, limit time.Duration) *Chrome {
	t.Helper()
	shots := os.Getenv("SANXIANG_CONSOLE_SHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "console-shots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), Options(t, exe)...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first call starts the browser, which lives as long as its
	// context: the time limit goes on the calls after it.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(bctx, limit)
	t.Cleanup(cancel)
	return &Chrome{T: t, Ctx: tctx, Shots: shots}
}

// Do runs steps, failing the test with what they were for.
func (b *Chrome) Do(what string, steps ...Step) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
}

// Text is the text of the element sel selects.
func (b *Chrome) Text(sel string) string {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.T.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// Shot saves the whole page as name.png.
func (b *Chrome) Shot(name string) Step {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(b.Shots, name+".png"), png, 0o644)
	}
}
