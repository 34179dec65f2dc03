package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/internal/npmtools"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// publicPage is one public page the accessibility test visits, and the
// status it must answer with.
type publicPage struct {
	name, path string
	status     int
}

// a11yView is a window size the public pages are checked at. zoom is the
// root font size as a percentage: 200 stands for a reader's large system
// font (适老化), which must still read without sideways scrolling. axe
// runs axe-core there too; quiet saves a screenshot only of a page that
// failed there (the screenshots are half the test's time).
type a11yView struct {
	name   string
	w, h   int64
	mobile bool
	zoom   int
	axe    bool
	quiet  bool
}

// The views: the phone (390×844) and desk (1280×900), where
// axe-core runs; the narrowest common phone (360 px: nothing may be wider,
// no target smaller); and large text on both a phone and a desk.
var a11yViews = []a11yView{
	{name: "phone360", w: 360, h: 780, mobile: true, zoom: 100, quiet: true},
	{name: "phone", w: 390, h: 844, mobile: true, zoom: 100, axe: true},
	{name: "desk", w: 1280, h: 900, zoom: 100, axe: true},
	{name: "phone-text200", w: 390, h: 844, mobile: true, zoom: 200},
	{name: "desk-text200", w: 1280, h: 900, zoom: 200},
}

// axeTags are the rules of WCAG 2.1 levels A and AA.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
	.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
		nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\s+/g, ' ') : ''))})))`

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// layoutCheck measures what axe does not: the document's width against
// the window's, every control's size, the <h1>, the language, the icon,
// the charts' names, and boxes that clip their text.
//
// Tap targets: every visible link, button, input, select and textarea is
// at least 44×44 CSS px (WCAG 2.5.5). The one exception is WCAG's inline
// one, read narrowly: a link laid out inline (display: inline) whose
// parent element has text of its own beside it — a link inside a
// sentence. A link alone in its list item, cell or definition is a
// target, and must be 44 px.
const layoutCheck = `(() => {
	const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('href') ? '[href="' + el.getAttribute('href') + '"]' : '') +
		(el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 20) + '"';
	const out = {width: document.documentElement.scrollWidth, h1: document.querySelectorAll('h1').length, lang: document.documentElement.lang,
		icon: !!document.querySelector('link[rel~="icon"]'), small: [], wide: [], charts: [], clipped: []};
	for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')) {
		const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
		// A closed <details> lays its content out unseen (content-visibility).
		if ((r.width === 0 && r.height === 0) || cs.visibility === 'hidden' || !el.checkVisibility()) continue;
		const inline = el.tagName === 'A' && cs.display === 'inline' &&
			[...el.parentNode.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
		if (!inline && (r.width < 43.5 || r.height < 43.5)) out.small.push(name(el) + ' ' + r.width.toFixed(1) + '×' + r.height.toFixed(1));
	}
	// What sticks out of the window, unless a box that scrolls sideways holds it.
	const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.right > window.innerWidth + 0.5 && !scrolls(el) && el.checkVisibility() && out.wide.length < 8) out.wide.push(name(el) + ' right=' + r.right.toFixed(0));
		const cs = getComputedStyle(el);
		if ((cs.overflowY === 'hidden' || cs.overflowY === 'clip') && el.scrollHeight > el.clientHeight + 1) out.clipped.push(name(el));
	}
	for (const svg of document.querySelectorAll('svg')) {
		const named = svg.querySelector(':scope > title') || svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby');
		if (!svg.getAttribute('viewBox') || !named || svg.getAttribute('role') !== 'img') out.charts.push(name(svg.closest('figure') || svg));
		if (svg.getBoundingClientRect().width > svg.parentElement.getBoundingClientRect().width + 0.5) out.charts.push('wider than its box: ' + name(svg.closest('figure') || svg));
	}
	return out;
})()`

type layout struct {
	Width   int      `json:"width"`
	H1      int      `json:"h1"`
	Lang    string   `json:"lang"`
	Icon    bool     `json:"icon"`
	Small   []string `json:"small"`
	Wide    []string `json:"wide"`
	Charts  []string `json:"charts"`
	Clipped []string `json:"clipped"`
}

// Every public page — the search of every list, an item of every kind, an
// agency, every draw, the annual reports, a withdrawn decision and the
// "not found" pages — checked in Chromium with axe-core for WCAG 2.1 A
// and AA at 360, 390 and 1280 px wide and with text at 200%: no serious
// or critical violation, nothing wider than the window, every control at
// least 44×44 px, one <h1>, lang zh-Hans, an icon, charts with a viewBox
// and a name. Each page is screenshotted at each size into
// $SANXIANG_CONSOLE_SHOTS as a11y-<page>-<view>.png. Skipped without a
// Chromium or tools/npm's axe-core, unless SANXIANG_REQUIRE_BROWSER=1 and
// SANXIANG_REQUIRE_NPM=1.
func TestPublicPagesAccessible(t *testing.T) {
	exe := browsertest.Find(t)
	axePath := npmtools.Path(t, "axe-core/axe.min.js")
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin})
	sc := runDrawScenario(t, s, h) // the demo city, three draws, an inspection result pushed
	pages := publicPages(t, s, h, sc)
	t.Logf("%d public pages, data ready in %s", len(pages), time.Since(start).Round(time.Millisecond))

	br := browsertest.OpenWithin(t, exe, 5*time.Minute)
	checkTheChecks(t, br, axe)
	// Each page is loaded once and checked in every view in turn: the
	// window resized, the text size set (navigations were a third of
	// the test's time).
	for _, p := range pages {
		for i, v := range a11yViews {
			failed := t.Failed()
			for _, problem := range pageProblems(br, axe, h.URL+p.path, v, i == 0) {
				t.Errorf("%s at %s: %s", p.name, v.name, problem)
			}
			if !v.quiet || t.Failed() != failed {
				br.Do(p.name+" at "+v.name+": screenshot", br.Shot("a11y-"+p.name+"-"+v.name))
			}
		}
	}
	t.Logf("%d pages × %d views in %s; screenshots in %s", len(pages), len(a11yViews), time.Since(start).Round(time.Millisecond), br.Shots)
}

// pageProblems shows url in view v (loading it first if load) and lists
// what keeps it from everyone:
// axe-core's serious and critical violations (where v.axe), a document
// wider than the window, small targets, boxes clipping text, charts
// without a name, a missing <h1>, language or icon. axe-core's minor and
// moderate findings are logged.
func pageProblems(br *browsertest.Chrome, axe []byte, url string, v a11yView, load bool) []string {
	t := br.T
	t.Helper()
	emulate := chromedp.EmulateViewport(v.w, v.h)
	if v.mobile {
		emulate = chromedp.EmulateViewport(v.w, v.h, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	br.Do(url+" at "+v.name, emulate)
	if load {
		br.Do(url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`body`)))
	}
	br.Do(url+": text at "+strconv.Itoa(v.zoom)+"%", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.documentElement.style.fontSize = '%d%%'`, v.zoom)))
	l, err := chromedp.Run(br.Ctx, chromedp.Evaluate[layout](layoutCheck))
	if err != nil {
		t.Fatalf("%s at %s: layout: %v", url, v.name, err)
	}
	var problems []string
	if l.Width > int(v.w) {
		problems = append(problems, fmt.Sprintf("the page is %d px wide in a %d px window; sticking out: %s", l.Width, v.w, strings.Join(l.Wide, "; ")))
	}
	if len(l.Clipped) > 0 {
		problems = append(problems, "boxes clip their text: "+strings.Join(l.Clipped, "; "))
	}
	if len(l.Charts) > 0 {
		problems = append(problems, "charts without a viewBox, role img and a name, or wider than their box: "+strings.Join(l.Charts, "; "))
	}
	if v.zoom == 100 {
		if len(l.Small) > 0 {
			problems = append(problems, "targets under 44×44 px: "+strings.Join(l.Small, "; "))
		}
		if l.H1 != 1 || l.Lang != "zh-Hans" || !l.Icon {
			problems = append(problems, fmt.Sprintf("%d <h1>, lang %q, icon %v (want one, zh-Hans, an icon)", l.H1, l.Lang, l.Icon))
		}
	}
	if v.axe {
		// The platform's CSP refuses every script; Runtime.evaluate is
		// the browser's own and is not a page's script.
		if missing, err := chromedp.Run(br.Ctx, chromedp.Evaluate[bool](`typeof axe === 'undefined'`)); err != nil || missing {
			br.Do(url+": inject axe-core", chromedp.Evaluate[chromedp.Void](string(axe)))
		}
		found, err := chromedp.Run(br.Ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s at %s: axe-core: %v", url, v.name, err)
		}
		for _, f := range found {
			msg := fmt.Sprintf("axe %s (%s): %s\n\t%s", f.ID, f.Impact, f.Help, strings.Join(f.Nodes, "\n\t"))
			if f.Impact == "serious" || f.Impact == "critical" {
				problems = append(problems, msg)
			} else {
				t.Logf("%s at %s: %s", url, v.name, msg)
			}
		}
	}
	return problems
}

// faultyPage has one of each fault the checks are for, served under the
// platform's own CSP: it shows they find them, scripts refused or not.
const faultyPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>坏页面</title></head>
<body style="margin:0"><form><select name="kind"></select><input name="q"><button style="padding:0;width:18px"></button></form>
<p style="color:#888;background:#f5f6f8">对比度不足的页脚</p><table style="width:1023px"><tr><td>宽表格</td></tr></table>
<svg role="img" viewBox="0 0 10 10" width="10"><rect width="10" height="10"/></svg><div style="height:1em;overflow:hidden">一<br>二</div></body></html>`

// checkTheChecks runs pageProblems on faultyPage at a phone's width and
// wants each fault named: a check that finds nothing there would pass any
// page.
func checkTheChecks(t *testing.T, br *browsertest.Chrome, axe []byte) {
	t.Helper()
	bad := httptest.NewServer(web.Secure(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, faultyPage)
	})))
	defer bad.Close()
	got := strings.Join(pageProblems(br, axe, bad.URL, a11yViews[1], true), "\n")
	for _, want := range []string{"axe select-name", "axe button-name", "axe label", "axe color-contrast", "axe svg-img-alt",
		"px wide in a 390 px window", "targets under 44×44 px: select", "button", "0 <h1>, lang \"zh-CN\", icon false", "boxes clip their text", "charts without"} {
		if !strings.Contains(got, want) {
			t.Errorf("the checks miss %q on a faulty page; they found:\n%s", want, got)
		}
	}
}

// publicPages puts on the platform what the public pages show that the
// draw scenario does not — a penalty decision pushed from a desk, and one
// withdrawn — and lists the pages: found by following the platform's own
// links, so a page of every kind is there, and failing if one is not.
func publicPages(t *testing.T, s *server.Server, h *httptest.Server, sc drawScenario) []publicPage {
	t.Helper()
	ctx := context.Background()
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	l := openLog(t, "PUB-A11Y")
	shown := publishedDecision(t, l, cal)
	gone := publishedDecision(t, l, cal)
	if _, err := client.New(enrol(t, s, h, l)).Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WithdrawDecision(ctx, gone, "", api.Withdrawal{Source: api.WithdrawnByAdmin, Actor: "admin", Reason: "决定书文号有误，更正后重新公开"}); err != nil {
		t.Fatal(err)
	}

	pages := []publicPage{{"search", "/p/", 200}}
	for _, k := range catalog.Kinds {
		list := "/p/?kind=" + string(k)
		pages = append(pages, publicPage{"search-" + string(k), list, 200})
		first := linksTo(t, h.URL+list, "/p/"+string(k)+"/")
		if len(first) == 0 {
			t.Fatalf("the list of %s links no item", k)
		}
		pages = append(pages, publicPage{"item-" + string(k), first[0], 200})
	}
	// An officer with a demo photo and one with the placeholder (issue 23).
	pages = append(pages, publicPage{"officer-photo", "/p/officer/990101000001", 200}, publicPage{"officer-no-photo", "/p/officer/990105000001", 200})
	pages = append(pages, publicPage{"agency", "/p/agencies/01", 200}, publicPage{"draws", "/p/draws/", 200})
	// The search's other pages, a filter and nothing found; the agencies.
	pages = append(pages, publicPage{"search-page-2", "/p/?kind=officer&page=2", 200}, publicPage{"search-agency", "/p/?kind=guide&agency=01&q=x", 200},
		publicPage{"search-none", "/p/?q=zzzzzz", 200}, publicPage{"agencies", "/p/agencies/", 200})
	draws := linksTo(t, h.URL+"/p/draws/", "/p/draws/")
	if len(draws) < 4 { // the demo's draw of version 1, and the scenario's cancelled, drawn and planned ones
		t.Fatalf("the list of draws links %v", draws)
	}
	for _, d := range draws {
		pages = append(pages, publicPage{"draw-" + strings.TrimPrefix(d, "/p/draws/"), d, 200})
	}
	pages = append(pages, publicPage{"reports", "/p/reports/", 200})
	years := linksTo(t, h.URL+"/p/reports/", "/p/reports/")
	if len(years) == 0 {
		t.Fatal("the list of annual reports links no year")
	}
	for _, y := range years {
		pages = append(pages, publicPage{"report-" + strings.TrimPrefix(y, "/p/reports/"), y, 200})
	}
	pages = append(pages, publicPage{"flows", "/p/flows/", 200}, publicPage{"flow-penalty", "/p/flows/penalty", 200},
		publicPage{"flow-review", "/p/flows/review", 200}, publicPage{"404-flow", "/p/flows/no-such-act", 404})
	pages = append(pages, publicPage{"withdrawn", "/p/decision/" + gone, http.StatusGone},
		publicPage{"404-item", "/p/officer/no-such-officer", 404}, publicPage{"404-agency", "/p/agencies/99", 404},
		publicPage{"404-draw", "/p/draws/999999", 404}, publicPage{"404-report", "/p/reports/1999", 404},
		// The API's reference page is public too: other cities' and
		// auditors' developers read it.
		publicPage{"api-reference", "/api/v1/reference", 200})
	// 扫码验真 (issue 25, part 5): how to check, a verdict (pending: this
	// platform has no witnesses), unknown, and refused input.
	dev, err := document.DeviceID(l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	_, seq := documentOf(t, l, shown)
	chk, err := document.CheckOf(ctx, l, shown, seq, h.URL)
	if err != nil {
		t.Fatal(err)
	}
	verdict := strings.TrimPrefix(chk.URL(), h.URL)
	pages = append(pages, publicPage{"verify", api.PathVerify, 200}, publicPage{"verdict-pending", verdict, 200},
		publicPage{"verdict-unknown", api.PathVerdict + url.PathEscape(dev) + "/99999?h=" + chk.Short(), 200},
		publicPage{"verdict-bad-hash", api.PathVerdict + url.PathEscape(dev) + "/1?h=zz", 400},
		publicPage{"verify-bad-ref", api.PathVerify + "?ref=x&hash=" + chk.Short(), 400})
	for _, p := range pages {
		resp, err := http.Get(h.URL + p.path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != p.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s %s: %d %s, want %d text/html", p.name, p.path, resp.StatusCode, resp.Header.Get("Content-Type"), p.status)
		}
	}
	return pages
}

var hrefRE = regexp.MustCompile(`href="([^"]+)"`)

// linksTo are the links of the page at url to paths under prefix (not
// the prefix itself), in the page's order, each once.
func linksTo(t *testing.T, url, prefix string) []string {
	t.Helper()
	body := fetch(t, url)
	seen := map[string]bool{}
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		if p := m[1]; strings.HasPrefix(p, prefix) && p != prefix && !strings.HasSuffix(p, ".json") && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
