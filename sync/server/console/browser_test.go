package console_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// chromium finds a Chromium to drive: it fails the test when
// SANXIANG_REQUIRE_BROWSER=1 (./dev test) and there is none, and skips it
// otherwise.
func chromium(t *testing.T) string {
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

// browserOptions start the Chromium at exe headless, with the project's
// bundled Noto Sans SC as its only font (a fontconfig file of its own): the
// pages render alike on every machine, and one without any font — Debian's
// chromium only recommends one, and ./dev installs without recommends —
// does not abort Chromium's font fallback. Its locale is C.UTF-8 whatever
// the test's: under LANG=C it cannot name the Chinese file names uploaded.
func browserOptions(t *testing.T, exe string) []chromedp.ExecAllocatorOption {
	t.Helper()
	fonts, err := filepath.Abs(filepath.Join("..", "..", "..", "assets", "fonts"))
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
	return append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"), chromedp.WindowSize(1280, 900),
		chromedp.Env("FONTCONFIG_FILE="+conf, "LANG=C.UTF-8", "LC_ALL=C.UTF-8"))
}

// step is one thing done in the browser.
type step = chromedp.Action[chromedp.Void]

// chrome is a headless Chromium for one test, its calls bounded by 90
// seconds, its screenshots going into $SANXIANG_CONSOLE_SHOTS (default
// console-shots in the temporary folder).
type chrome struct {
	t     *testing.T
	ctx   context.Context
	shots string
}

// openBrowser starts the Chromium at exe; it stops with the test.
func openBrowser(t *testing.T, exe string) *chrome {
	t.Helper()
	shots := os.Getenv("SANXIANG_CONSOLE_SHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "console-shots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), browserOptions(t, exe)...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first call starts the browser, which lives as long as its
	// context: the time limit goes on the calls after it.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return &chrome{t: t, ctx: tctx, shots: shots}
}

// do runs steps, failing the test with what they were for.
func (b *chrome) do(what string, steps ...step) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text is the text of the element sel selects.
func (b *chrome) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// shot saves the whole page as name.png.
func (b *chrome) shot(name string) step {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644)
	}
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// js evaluates a boolean expression in the page.
func js(expr string) step {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](expr)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// The console in a real browser: an operator logs in, finds a person,
// issues an activation code, revokes a key with a reason and reads the act
// in the audit log; a form stripped of its CSRF token is refused; the
// city's office opens the supervision dashboard behind its session. Each
// page is screenshotted into $SANXIANG_CONSOLE_SHOTS (default
// $TMPDIR/console-shots) for people to look at.
func TestConsoleInABrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	ctx := context.Background()
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	agencies, err := s.Agencies(ctx)
	if err != nil || len(agencies) == 0 {
		t.Fatalf("demo agencies: %v %v", agencies, err)
	}
	for _, a := range []console.Admin{{Login: "op", Name: "运维 李工", Role: console.RoleOperator}, {Login: "city", Name: "市司法局 王科长", Role: console.RoleCity}} {
		if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
			t.Fatal(err)
		}
	}
	pr := s.People()
	if err := pr.Put(ctx, api.Person{ID: "ZF1234567", Name: "张执法", Agency: agencies[0].Code, Unit: "一中队", Role: api.RoleOfficer, Active: true}); err != nil {
		t.Fatal(err)
	}
	// The person activated once on a device: the key it made is registered.
	code, _, err := pr.NewActivationCode(ctx, "ZF1234567")
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	key := base64.StdEncoding.EncodeToString(pub)
	proof := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, api.ActivationMessage(strings.ReplaceAll(code, "-", ""), "DEV1")))
	if _, err := pr.Activate(ctx, "DEV1", api.DeviceOfficer, api.ActivateRequest{Code: code, Key: key, Proof: proof}); err != nil {
		t.Fatal(err)
	}

	br := openBrowser(t, exe)
	tctx, do, text, shot := br.ctx, br.do, br.text, br.shot
	login := func(who string) step {
		return chromedp.Steps(
			chromedp.Navigate(h.URL+"/admin/login"),
			chromedp.WaitVisible(css(`input[name=login]`)),
			chromedp.SendKeys(css(`input[name=login]`), who),
			chromedp.SendKeys(css(`input[name=password]`), "password-"+who),
			chromedp.Click(css(`#login`)),
			chromedp.WaitVisible(css(`.cards`)),
		)
	}
	person := h.URL + "/admin/people/ZF1234567"

	do("log in", chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(css(`#login`)), shot("01-login"), login("op"), shot("02-home"))
	do("people", chromedp.Navigate(h.URL+"/admin/people"), chromedp.WaitVisible(css(`#people`)), shot("03-people"))
	if list := text(`#people`); !strings.Contains(list, "张执法") {
		t.Fatalf("the people list: %q", list)
	}
	do("a person", chromedp.Click(css(`a[href="/admin/people/ZF1234567"]`)), chromedp.WaitVisible(css(`#keys`)), shot("04-person"))
	do("issue an activation code", chromedp.Click(css(`#issue-code`)), chromedp.WaitVisible(css(`#code`)), shot("05-code"))
	if issued := text(`#code`); !regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$`).MatchString(strings.TrimSpace(issued)) {
		t.Fatalf("activation code %q", issued)
	}
	do("revoke a key", chromedp.Navigate(person), chromedp.WaitVisible(css(`form.revoke`)),
		chromedp.SendKeys(css(`form.revoke input[name=reason]`), "设备遗失"), chromedp.Submit(css(`form.revoke`)),
		chromedp.WaitVisible(css(`.notice`)), shot("06-key-revoked"))
	if k, err := pr.KeyOf(ctx, key); err != nil || k.Revoked == "" || k.Reason != "设备遗失" {
		t.Fatalf("the key after revoking: %+v %v", k, err)
	}
	// A form whose CSRF token is taken out is refused, and nothing happens.
	do("a form without its CSRF token", chromedp.Navigate(person), chromedp.WaitVisible(css(`#deactivate`)),
		js(`(document.querySelector('form[action$="/active"] input[name=csrf]').remove(), true)`),
		chromedp.Click(css(`#deactivate`)), chromedp.WaitVisible(css(`.error[data-code="csrf"]`)), shot("07-csrf-refused"))
	if p, _ := pr.Get(ctx, "ZF1234567"); !p.Active || !strings.Contains(text(`.error`), "csrf") {
		t.Fatalf("after the refused form: active=%v", p.Active)
	}
	do("the audit log", chromedp.Navigate(h.URL+"/admin/audit"), chromedp.WaitVisible(css(`#chain`)), shot("08-audit"))
	audit := text(`table`)
	for _, want := range []string{"key.revoke", "设备遗失", "person.code", "login"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %s:\n%s", want, audit)
		}
	}
	if chain := text(`#chain`); !strings.Contains(chain, "校验通过") {
		t.Errorf("chain: %q", chain)
	}
	do("administrators and API tokens", chromedp.Navigate(h.URL+"/admin/admins"), chromedp.WaitVisible(css(`table`)), shot("09-admins"),
		chromedp.Navigate(h.URL+"/admin/tokens"), chromedp.WaitVisible(css(`input[name=name]`)),
		chromedp.SendKeys(css(`input[name=name]`), "lists-sync"), chromedp.Click(css(`input[value=catalog]`)),
		chromedp.Submit(css(`input[name=name]`)), chromedp.WaitVisible(css(`#secret`)), shot("10-token-secret"))
	if tok, err := s.Console().TokenFor(ctx, strings.TrimSpace(text(`#secret`))); err != nil || tok.Name != "lists-sync" {
		t.Fatalf("the token the console showed: %+v %v", tok, err)
	}
	do("the tokens", chromedp.Navigate(h.URL+"/admin/tokens"), chromedp.WaitVisible(css(`table`)), shot("11-tokens"))
	do("the city's supervision dashboard", chromedp.Click(css(`header form button`)), chromedp.WaitVisible(css(`#login`)),
		login("city"), chromedp.Navigate(h.URL+"/admin/supervision"), chromedp.WaitReady(css(`body`)), shot("12-supervision"))
	if title, err := chromedp.Run(tctx, chromedp.Title()); err != nil || !strings.Contains(title, "执法") {
		t.Errorf("supervision page title %q %v", title, err)
	}
	t.Logf("screenshots in %s", br.shots)
}
