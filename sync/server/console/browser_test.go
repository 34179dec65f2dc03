package console_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The console's tests drive a real Chromium through browsertest.
type step = browsertest.Step

var (
	chromium    = browsertest.Find
	openBrowser = browsertest.Open
)

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// slowBrowser is the Chromium a browser test drives (chromium's own check
// first); the test is skipped in -short runs, as a browser is slow.
func slowBrowser(t *testing.T) string {
	t.Helper()
	exe := chromium(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	return exe
}

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
	exe := slowBrowser(t)
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
	tctx, do, text, shot := br.Ctx, br.Do, br.Text, br.Shot
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
	t.Logf("screenshots in %s", br.Shots)
}
