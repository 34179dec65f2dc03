package pages_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// get fetches url with the given headers (name, value, …), returning the
// status, the Content-Type and the body.
func get(t *testing.T, url string, header ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// demoCity serves a platform on b with the demo city's agencies, lists
// and review policies, as an administrator imports them.
func demoCity(t *testing.T, b servertest.Backend) (*server.Server, string) {
	t.Helper()
	s, h := b.Serve(t, server.Options{})
	if err := demoload.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s, h.URL
}

// withExtension is the national penalty procedure as agency's own: an
// extension stage approved by the head, and the decision due in 60 days.
func withExtension(t *testing.T, agency string) casefile.Procedure {
	t.Helper()
	p, ok := casefile.National().Get("", "penalty")
	if !ok {
		t.Fatal("no national penalty procedure")
	}
	p.Agency = agency
	last := p.Stages[len(p.Stages)-1]
	p.Stages = append(slices.Clone(p.Stages[:len(p.Stages)-1]),
		casefile.Stage{Key: "extend", Optional: true, Approval: true, Requires: []string{"register"}, Documents: []string{"extension_approval"}}, last)
	p.Clocks = slices.Clone(p.Clocks)
	p.Clocks[0].Days = 60
	return p
}

// An agency's procedure changed on the platform changes its chart on the
// public pages, and only its own: the national chart and the list say so.
func TestChangedProcedureChangesChart(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, base := demoCity(t, b)
		code, ctype, before := get(t, base+"/p/flows/penalty?agency=01")
		if code != 200 || !strings.HasPrefix(ctype, "text/html") {
			t.Fatalf("the agency's penalty chart: %d %s", code, ctype)
		}
		if strings.Contains(before, "延长期限") || !strings.Contains(before, "全国通用程序") || !strings.Contains(before, "90日") {
			t.Fatalf("before any change the agency follows the national procedure:\n%s", before)
		}
		if _, err := s.SetProcedures(ctx, []casefile.Procedure{withExtension(t, "01")}); err != nil {
			t.Fatal(err)
		}
		_, _, after := get(t, base+"/p/flows/penalty?agency=01")
		for _, want := range []string{"延长期限", "《延长行政许可期限审批表》", "60日", "自立案起至决定（作出处罚决定）", "自定程序（第1版）"} {
			if !strings.Contains(after, want) {
				t.Errorf("after the change the agency's chart lacks %q", want)
			}
		}
		if strings.Contains(after, "自立案之日起90日内") {
			t.Error("the changed clock is still described by the national rule's 90 days")
		}
		_, _, svg := get(t, base+"/p/flows/penalty.svg?agency=01")
		if !strings.Contains(svg, ">延长期限<") || !strings.HasPrefix(svg, "<svg") {
			t.Errorf("the agency's SVG lacks the new stage:\n%.300s", svg)
		}
		_, _, national := get(t, base+"/p/flows/penalty")
		if strings.Contains(national, "延长期限") {
			t.Error("another agency's change reached the national chart")
		}
		_, _, other := get(t, base+"/p/flows/penalty?agency=02")
		if strings.Contains(other, "延长期限") {
			t.Error("agency 01's change reached agency 02's chart")
		}
		_, _, list := get(t, base+"/p/flows/")
		if !strings.Contains(list, `href="/p/flows/penalty?agency=01"`) || !strings.Contains(list, `href="/p/flows/review"`) {
			t.Errorf("the list does not link the agency's version and the review chart:\n%s", list)
		}
		// Another change, another chart: the version counts up.
		p := withExtension(t, "01")
		p.Clocks[0].Days = 45
		if _, err := s.SetProcedures(ctx, []casefile.Procedure{p}); err != nil {
			t.Fatal(err)
		}
		if _, _, again := get(t, base+"/p/flows/penalty?agency=01"); !strings.Contains(again, "45日") || !strings.Contains(again, "第2版") {
			t.Error("a second change did not reach the chart")
		}

		// Unknown charts and agencies are not found: a page for people, a
		// Problem for programs; English for a reader who asks for it.
		for _, path := range []string{"/p/flows/arrest", "/p/flows/arrest.svg", "/p/flows/penalty?agency=99", "/p/flows/review.pdf?agency=99"} {
			if code, ctype, _ := get(t, base+path); code != 404 || !strings.HasPrefix(ctype, "text/html") {
				t.Errorf("%s: %d %s, want a 404 page", path, code, ctype)
			}
			code, ctype, body := get(t, base+path, "Accept", "application/json")
			var p api.Problem
			if code != 404 || !strings.HasPrefix(ctype, "application/problem+json") || json.Unmarshal([]byte(body), &p) != nil || p.Code != "not_found" {
				t.Errorf("%s as JSON: %d %s %s", path, code, ctype, body)
			}
		}
		_, _, en := get(t, base+"/p/flows/penalty?agency=01", "Accept-Language", "en")
		for _, want := range []string{`lang="en"`, "Register", "Extension", "45 days"} {
			if !strings.Contains(en, want) {
				t.Errorf("the English page lacks %q", want)
			}
		}
	})
}

// The legal review's chart follows each agency's list of major decisions
// and its review days, as the platform holds them.
func TestReviewFlowFollowsPolicies(t *testing.T) {
	_, base := demoCity(t, servertest.Backends(t)[0])
	code, _, page := get(t, base+"/p/flows/review")
	if code != 200 {
		t.Fatalf("the review chart: %d", code)
	}
	for _, want := range []string{"重大执法决定法制审核流程图", "提交法制审核", "退回补充材料", "不同意", "同意", "5个工作日", "按本部门重大执法决定目录清单判断"} {
		if !strings.Contains(page, want) {
			t.Errorf("the review chart lacks %q", want)
		}
	}
	_, _, list := get(t, base+"/p/flows/")
	agency := regexp.MustCompile(`href="/p/flows/review\?agency=([^"]+)"`).FindStringSubmatch(list)
	if agency == nil {
		t.Fatal("the list links no agency's review chart, though the demo city has policies")
	}
	_, _, own := get(t, base+"/p/flows/review?agency="+agency[1])
	if own == page || !strings.Contains(own, "是否属于重大执法决定") {
		t.Error("an agency's review chart does not show its own list")
	}
}

// The printable chart is a PDF that reads back with its stages and clocks.
func TestFlowPDFReadsBack(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
	}
	s, base := demoCity(t, servertest.Backends(t)[0])
	if _, err := s.SetProcedures(context.Background(), []casefile.Procedure{withExtension(t, "01")}); err != nil {
		t.Fatal(err)
	}
	for path, wants := range map[string][]string{
		"/p/flows/penalty.pdf?agency=01": {"行政处罚（普通程序）", "立案", "延长期限", "法制审核", "决定", "结案", "60日", "须负责人批准", "/p/flows/penalty?agency=01"},
		"/p/flows/review.pdf":            {"重大执法决定法制审核流程图", "提交法制审核", "退回补充材料", "5个工作日"},
	} {
		code, ctype, body := get(t, base+path)
		if code != 200 || ctype != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("%s: %d %s", path, code, ctype)
		}
		f := filepath.Join(t.TempDir(), "chart.pdf")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", path, want, out)
			}
		}
	}
}

// A service guide's page links its 办事流程 to its act's chart, of the
// guide's agency.
func TestGuideLinksItsFlow(t *testing.T) {
	_, base := demoCity(t, servertest.Backends(t)[0])
	_, _, list := get(t, base+"/p/?kind=guide")
	m := regexp.MustCompile(`href="(/p/guide/[^"]+)"`).FindStringSubmatch(list)
	if m == nil {
		t.Fatal("the demo city lists no service guide")
	}
	_, _, guide := get(t, base+m[1])
	link := regexp.MustCompile(`href="(/p/flows/[a-z.]+(\?agency=[^"]+)?)"`).FindStringSubmatch(guide)
	if link == nil || !strings.Contains(guide, "办事流程图") {
		t.Fatalf("the guide %s does not link its flowchart:\n%s", m[1], guide)
	}
	href := strings.ReplaceAll(link[1], "&amp;", "&")
	if code, _, chart := get(t, base+href); code != 200 || !strings.Contains(chart, "<svg") {
		t.Fatalf("the guide's chart %s: %d", href, code)
	}
	// Other items link no chart.
	_, _, officers := get(t, base+"/p/?kind=officer")
	if o := regexp.MustCompile(`href="(/p/officer/[^"]+)"`).FindStringSubmatch(officers); o != nil {
		if _, _, page := get(t, base+o[1]); strings.Contains(page, "/p/flows/") && strings.Contains(page, "办事流程图") {
			t.Error("an officer's page links a flowchart")
		}
	}
}

// The flowcharts in a real browser: the list, then the penalty chart with
// its stages visible in the drawing, then the legal review's chart, on a
// desktop and on a phone's width. The screenshots go to
// $SANXIANG_CONSOLE_SHOTS (default $TMPDIR/console-shots).
func TestFlowPagesInABrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	_, base := demoCity(t, servertest.Backends(t)[0])
	br := browsertest.Open(t, exe)
	br.Do("the list", chromedp.Navigate(base+"/p/flows/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/p/flows/penalty"]`)), br.Shot("flow-list"))
	if list := br.Text("main"); !strings.Contains(list, "行政处罚（普通程序）") || !strings.Contains(list, "重大执法决定法制审核流程图") {
		t.Fatalf("the list reads %q", list)
	}
	br.Do("the penalty chart", chromedp.Click(chromedp.CSS(`a[href="/p/flows/penalty"]`)), chromedp.WaitVisible(chromedp.CSS(`.chart svg g[data-node="decide"]`)),
		br.Shot("flow-penalty"))
	svg := svgText(t, br)
	for _, want := range []string{"立案", "调查取证", "告知", "陈述申辩", "听证", "法制审核", "决定", "送达", "结案", "《行政处罚决定书》"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the drawn chart lacks %q", want)
		}
	}
	// The drawing is laid out on screen: its boxes have a size there.
	box, err := chromedp.Run(br.Ctx, chromedp.Evaluate[map[string]float64](`(() => { const r = document.querySelector('.chart svg g[data-node="register"] rect').getBoundingClientRect(); return {w: r.width, h: r.height}; })()`))
	if err != nil {
		t.Fatalf("measure a box: %v", err)
	}
	if box["w"] < 100 || box["h"] < 30 {
		t.Errorf("the register box is drawn %v px", box)
	}
	br.Do("the review chart", chromedp.Navigate(base+"/p/flows/review"), chromedp.WaitVisible(chromedp.CSS(`.chart svg g[data-node="check"]`)),
		br.Shot("flow-review"))
	if svg := svgText(t, br); !strings.Contains(svg, "退回补充材料") || !strings.Contains(svg, "法制审核机构逐项审核") {
		t.Errorf("the review chart reads %q", svg)
	}
	br.Do("on a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/p/flows/penalty"),
		chromedp.WaitVisible(chromedp.CSS(`.chart svg`)), br.Shot("flow-penalty-phone"))
	t.Logf("screenshots in %s", br.Shots)
}

// svgText is the words of the chart on the page (an SVG element has no
// innerText, which browsertest.Text reads).
func svgText(t *testing.T, br *browsertest.Chrome) string {
	t.Helper()
	s, err := chromedp.Run(br.Ctx, chromedp.Evaluate[string](`document.querySelector('.chart svg').textContent`))
	if err != nil {
		t.Fatalf("the chart's words: %v", err)
	}
	return s
}

// What an agency's administrator writes into a procedure (its title, a
// stage's key) and what a reader puts in the address reach the page and
// the SVG as text, never as markup.
func TestFlowsEscapeWhatTheyAreGiven(t *testing.T) {
	s, base := demoCity(t, servertest.Backends(t)[0])
	p := withExtension(t, "01")
	p.Title = `处罚</text><script>alert(1)</script>`
	p.Stages[len(p.Stages)-2].Key = `x"><img src=x onerror=alert(2)>`
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetProcedures(context.Background(), []casefile.Procedure{p}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/p/flows/penalty?agency=01", "/p/flows/penalty.svg?agency=01"} {
		code, _, body := get(t, base+path)
		if code != 200 {
			t.Fatalf("%s: %d", path, code)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Errorf("%s carries markup from the procedure's data", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, "&lt;img src=x onerror=alert(2)&gt;") {
			t.Errorf("%s does not show the title and the stage as text", path)
		}
	}
	// The address: a chart's name or an agency's code that is markup or
	// a path is simply not found.
	for _, path := range []string{"/p/flows/%3Cscript%3E", "/p/flows/..%2F..%2Fetc%2Fpasswd", "/p/flows/penalty?agency=%3Cscript%3E",
		"/p/flows/" + strings.Repeat("a", 5000), "/p/flows/.svg", "/p/flows/penalty.svg.pdf"} {
		code, _, body := get(t, base+path)
		if code != 404 || strings.Contains(body, "<script>") {
			t.Errorf("%s: %d", path, code)
		}
	}
}
