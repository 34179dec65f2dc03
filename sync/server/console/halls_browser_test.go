package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The halls in the console, in a real browser: the city's office creates
// a hall and a window of one agency; an agency's administrator sees no
// form to create a hall and is refused one sent all the same (403
// forbidden), finds a guide of their agency by its pinyin initials, ticks
// it for their window 3 and saves it; their forms for another agency's
// window are refused (other_agency) and change nothing.
func TestHallConsoleInABrowser(t *testing.T) {
	exe := slowBrowser(t)
	ctx := context.Background()
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, a := range []console.Admin{{Login: "city", Name: "市司法局 王科长", Role: console.RoleCity},
		{Login: "cg", Name: "城管局 刘主任", Role: console.RoleAgency, Agency: "02"}} {
		if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
			t.Fatal(err)
		}
	}
	guides, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindGuide, Agency: "02", Limit: 100})
	if err != nil || len(guides) == 0 {
		t.Fatal(len(guides), err)
	}
	guide := guides[len(guides)-1]
	ini := strings.Fields(catalog.SearchKey(guide.Title(), false))[2]

	br := openBrowser(t, exe)
	do, text, shot := br.Do, br.Text, br.Shot
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
	// post sends a form from the page with its CSRF token, as a curious
	// administrator could by editing the page; the code of the refusal
	// the console answers with ("" for none).
	post := func(path string, form url.Values) string {
		t.Helper()
		expr := `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ` + jsString(path) + `;
			const add = (k, v) => { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); };
			add('csrf', document.querySelector('input[name=csrf]').value);
			new URLSearchParams(` + jsString(form.Encode()) + `).forEach((v, k) => add(k, v));
			window.posting = true; document.body.appendChild(f); f.submit(); return true; })()`
		do("post "+path, js(expr))
		// The answer is a new page: the old one's mark is gone.
		for deadline := time.Now().Add(20 * time.Second); ; {
			if gone, err := chromedp.Run(br.Ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && window.posting === undefined`)); err == nil && gone {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("post %s: no answer", path)
			}
			time.Sleep(50 * time.Millisecond)
		}
		code, err := chromedp.Run(br.Ctx, chromedp.Evaluate[string](`(document.querySelector('.error') || {dataset: {code: ''}}).dataset.code`))
		if err != nil {
			t.Fatal(err)
		}
		return code
	}

	do("the city creates a hall", login("city"), chromedp.Navigate(h.URL+"/admin/halls"), chromedp.WaitVisible(css(`#hall-form`)),
		chromedp.SendKeys(css(`#hall-form input[name=code]`), "civic"), chromedp.SendKeys(css(`#hall-form input[name=name]`), "青禾市民中心"),
		chromedp.Click(css(`#hall-submit`)), chromedp.WaitVisible(css(`#window-set`)))
	if n := text(`.notice`); !strings.Contains(n, "大厅已保存") {
		t.Fatalf("after creating the hall: %q", n)
	}
	do("the city sets window 1 for agency 01", chromedp.SendKeys(css(`#window-set input[name=number]`), "1"),
		chromedp.SendKeys(css(`#window-set input[name=name]`), "市场监管窗口"),
		chromedp.SetValue(css(`#window-set select[name=agency]`), "01"),
		chromedp.Click(css(`#window-submit`)), chromedp.WaitVisible(css(`#window-1`)))

	do("the agency's administrator", chromedp.Click(css(`header form button`)), chromedp.WaitVisible(css(`#login`)), login("cg"),
		chromedp.Navigate(h.URL+"/admin/halls"), chromedp.WaitVisible(css(`#halls`)))
	if n, err := chromedp.Run(br.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#hall-form').length`)); err != nil || n != 0 {
		t.Fatalf("an agency's administrator is offered to create a hall: %d %v", n, err)
	}
	if code := post("/admin/halls", url.Values{"code": {"mine"}, "name": {"本局大厅"}}); code != "forbidden" {
		t.Errorf("an agency's hall: %q", code)
	}
	do("find a guide by its initials", chromedp.Navigate(h.URL+"/admin/halls/civic?q="+url.QueryEscape(ini)), chromedp.WaitVisible(css(`#window-items`)))
	if edits, err := chromedp.Run(br.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#window-1 a').length`)); err != nil || edits != 0 {
		t.Errorf("another agency's window offers an edit: %d %v", edits, err)
	}
	box := `#window-items input[name=guide][value="` + guide.Key() + `"]`
	do("tick it for window 3", chromedp.WaitVisible(css(box)), chromedp.Click(css(box)),
		chromedp.SendKeys(css(`#window-set input[name=number]`), "3"), chromedp.SendKeys(css(`#window-set input[name=name]`), "城管综合受理"),
		shot("halls-console-hall-form"),
		chromedp.Click(css(`#window-submit`)), chromedp.WaitVisible(css(`#window-3`)))
	if row := text(`#window-3`); !strings.Contains(row, guide.Title()) || !strings.Contains(row, "城管综合受理") {
		t.Fatalf("window 3's row: %q", row)
	}
	do("the hall page", shot("halls-console-hall"))
	for _, c := range []struct {
		what string
		form url.Values
	}{
		{"taking over window 1", url.Values{"number": {"1"}, "name": {"城管"}, "agency": {"02"}}},
		{"a window of another agency", url.Values{"number": {"4"}, "name": {"市场监管"}, "agency": {"01"}}},
	} {
		do("back to the hall", chromedp.Navigate(h.URL+"/admin/halls/civic"), chromedp.WaitVisible(css(`#window-set`)))
		if code := post("/admin/halls/civic/windows", c.form); code != "other_agency" {
			t.Errorf("%s: %q", c.what, code)
		}
	}
	if code := post("/admin/halls/civic/windows/1/delete", nil); code != "other_agency" {
		t.Errorf("taking away window 1: %q", code)
	}
	do("back to the hall", chromedp.Navigate(h.URL+"/admin/halls/civic"), chromedp.WaitVisible(css(`#window-set`)))
	if code := post("/admin/halls/civic/windows", url.Values{"number": {"5"}, "name": {"x"}, "guide": {"G-NONE"}}); code != "unknown_item" {
		t.Errorf("an unknown guide: %q", code)
	}
	if e := text(`.error`); !strings.Contains(e, "G-NONE") {
		t.Errorf("the refusal does not name the guide: %q", e)
	}
	do("the refusal", shot("halls-console-refused"))
	hall, err := s.Hall(ctx, "civic")
	if err != nil || len(hall.Windows) != 2 || hall.Windows[0].Agency != "01" || hall.Windows[1].Number != 3 ||
		len(hall.Windows[1].Guides) != 1 || hall.Windows[1].Guides[0] != guide.Key() {
		t.Fatalf("the hall after the console: %+v %v", hall, err)
	}
	t.Logf("screenshots in %s", br.Shots)
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
