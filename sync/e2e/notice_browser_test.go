package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/internal/npmtools"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The notices on the console in a real browser: the city's office opens
// a case, issues a notice from it through the form; the agency's
// administrator answers with a report and a PDF attached through the file
// input; the office returns it with reasons, the agency reports again,
// the office passes it and records accountability; the whole history is
// on the notice's page, the attachment linked by its SHA-256. A notice about the
// agency left unanswered is overdue when the clock moves: first in the
// list, red, counted. Screenshots go to $SANXIANG_CONSOLE_SHOTS. Skipped
// without a Chromium, unless SANXIANG_REQUIRE_BROWSER=1.
func TestNoticesInTheBrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	_, h, clock, device, caseID := noticePlatform(t, servertest.Backends(t)[0])
	day := func(days int) string { return clock.Now().AddDate(0, 0, days).Format(time.DateOnly) }
	// A notice about agency 01 due in two days, issued by the API.
	if st, code := noticeCall(t, h, admin, "POST", api.PathNotices, api.NewNotice{Agency: "01", Finding: "执法记录仪配备不足，部分现场执法未全程记录",
		Basis: "《行政执法全过程记录办法》第五条", Actions: "按清单补足设备并报送配备情况", Deadline: day(2)}, nil); st != http.StatusCreated {
		t.Fatalf("a notice about the agency: %d %s", st, code)
	}
	pdf := filepath.Join(t.TempDir(), "整改报告.pdf")
	pdfBytes := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if err := os.WriteFile(pdf, pdfBytes, 0o644); err != nil {
		t.Fatal(err)
	}

	br := browsertest.Open(t, exe)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	login := func(who string) {
		t.Helper()
		br.Do("log in as "+who, chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
			chromedp.SendKeys(css(`input[name=login]`), who), chromedp.SendKeys(css(`input[name=password]`), "password-"+who),
			chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	}
	logout := func() {
		t.Helper()
		br.Do("log out", chromedp.Click(css(`header form button`)), chromedp.WaitVisible(css(`input[name=login]`)))
	}
	open := func(what, path, sel string) {
		t.Helper()
		br.Do(what, chromedp.Navigate(h.URL+path), chromedp.WaitVisible(css(sel)))
	}

	login("city")
	open("the case", "/admin/cases/"+device+"/"+caseID, `#issue-notice`)
	br.Do("issue a notice from the case", chromedp.Click(css(`#issue-notice`)), chromedp.WaitVisible(css(`#issue`)),
		chromedp.SendKeys(css(`#finding`), "处罚决定作出后未在七个工作日内公示"), chromedp.SendKeys(css(`#basis`), "《行政处罚法》第四十八条"),
		chromedp.SendKeys(css(`#actions`), "补充公示，说明逾期原因"), chromedp.SetValue(css(`#deadline`), day(7)),
		chromedp.Click(css(`#do-issue`)), chromedp.WaitVisible(css(`#notice`)))
	if got := br.Text(`#number`); got != "通报〔"+clock.Now().Format("2006")+"〕2号" {
		t.Fatalf("the number: %q", got)
	}
	if got := br.Text(`#state`); got != "待整改" {
		t.Fatalf("the state: %q", got)
	}
	id := eval[string](t, br, `location.pathname.split("/").pop()`)
	logout()

	login("a01")
	br.Do("the agency's list", chromedp.Click(css(`header a[href="/admin/notices"]`)), chromedp.WaitVisible(css(`#notices`)))
	if got := br.Text(`#notices`); !strings.Contains(got, "处罚决定作出后未在七个工作日内公示") || !strings.Contains(got, "执法记录仪配备不足") {
		t.Fatalf("the agency's list: %q", got)
	}
	open("the notice", "/admin/notices/"+id, `#report`)
	br.Do("the report with a PDF", chromedp.SendKeys(css(`#report-text`), "已在门户网站补充公示"),
		chromedp.SetUploadFiles(css(`#report-files`), []string{pdf}), chromedp.Click(css(`#do-report`)), chromedp.WaitVisible(css(`#step-1`)))
	if got := br.Text(`#state`); got != "已报告" {
		t.Fatalf("after the report: %q", got)
	}
	logout()

	login("city")
	open("the notice", "/admin/notices/"+id, `#recheck`)
	br.Do("return it", chromedp.SetValue(css(`#decision`), "return"), chromedp.SendKeys(css(`#reasons`), "未说明逾期原因，请补充"),
		chromedp.Click(css(`#do-recheck`)), chromedp.WaitVisible(css(`#step-2`)))
	if got := br.Text(`#state`); got != "退回" {
		t.Fatalf("after the return: %q", got)
	}
	logout()

	login("a01")
	open("the returned notice", "/admin/notices/"+id, `#report`)
	br.Do("report again", chromedp.SendKeys(css(`#report-text`), "逾期系审批系统故障所致，已补充说明并公示"),
		chromedp.Click(css(`#do-report`)), chromedp.WaitVisible(css(`#step-3`)))
	logout()

	login("city")
	open("the notice", "/admin/notices/"+id, `#recheck`)
	br.Do("pass it", chromedp.SetValue(css(`#decision`), "pass"), chromedp.Click(css(`#do-recheck`)), chromedp.WaitVisible(css(`#step-4`)))
	br.Do("accountability", chromedp.SendKeys(css(`#who`), "承办人 甲"), chromedp.SendKeys(css(`#measure`), "批评教育，责令书面检查"),
		chromedp.Click(css(`#do-accountability`)), chromedp.WaitVisible(css(`#step-5`)), br.Shot("notice-history"))
	history := br.Text(`#history`)
	for _, want := range []string{"整改报告", "整改报告.pdf", "复查退回", "未说明逾期原因，请补充", "复查通过", "问责", "承办人 甲", "批评教育，责令书面检查"} {
		if !strings.Contains(history, want) {
			t.Fatalf("the history lacks %q: %q", want, history)
		}
	}
	if got := br.Text(`#state`); got != "已通过" {
		t.Fatalf("after the pass: %q", got)
	}
	// The attachment's link names it by its SHA-256 (the download itself,
	// its bytes and headers, is TestNoticeWorkflowOverHTTP's: the console's
	// CSP lets no script of the page fetch it).
	sum := sha256.Sum256(pdfBytes)
	if href := eval[string](t, br, `document.querySelector("#history a.file").getAttribute("href")`); href != "/admin/notices/"+id+"/files/"+hex.EncodeToString(sum[:]) {
		t.Fatalf("the attachment's link: %q", href)
	}

	// Three days on: the notice about the agency is overdue.
	clock.Add(3 * 24 * time.Hour)
	login("city") // the session ended meanwhile
	open("the list", "/admin/notices", `#notices`)
	br.Do("the list", br.Shot("notice-list-overdue"))
	if got := br.Text(`#count`); !strings.Contains(got, "共 2 件，逾期 1 件") {
		t.Fatalf("the count: %q", got)
	}
	firstRow := br.Text(`#notices tr:nth-child(2)`)
	color := eval[string](t, br, `getComputedStyle(document.querySelector("#notices tr:nth-child(2) td")).color`)
	if !strings.Contains(firstRow, "执法记录仪配备不足") || !strings.Contains(firstRow, "逾期") || color != "rgb(183, 28, 28)" {
		t.Fatalf("the first row: %q in %s", firstRow, color)
	}

	// axe-core finds nothing serious on the list, a notice with its
	// forms, or the form to issue one (WCAG 2.1 A and AA).
	axe, err := os.ReadFile(npmtools.Path(t, "axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/notices", "/admin/notices/" + id, "/admin/notices/new?device=" + device + "&case=" + caseID, "/admin/notices/new"} {
		br.Do(path, chromedp.Navigate(h.URL+path), chromedp.WaitReady(css(`body`)), chromedp.Evaluate[chromedp.Void](string(axe)))
		found := eval[[]axeViolation](t, br, axeRun, chromedp.EvalAwaitPromise)
		for _, f := range found {
			if f.Impact == "serious" || f.Impact == "critical" {
				t.Errorf("%s: axe %s (%s): %s\n\t%s", path, f.ID, f.Impact, f.Help, strings.Join(f.Nodes, "\n\t"))
			}
		}
	}
	t.Logf("screenshots in %s", br.Shots)
}

// eval is what expr gives in br's page.
func eval[T any](t *testing.T, br *browsertest.Chrome, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(br.Ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}
