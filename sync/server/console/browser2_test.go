package console_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// An agency administrator in a real browser: uploads a workbook with bad
// rows (refused, every bad row shown, nobody imported), then a good one
// (the people appear), downloads the new people's activation codes as a
// CSV file, tries to withdraw a published decision without a reason
// (refused), withdraws it with one, and opens its public page to read
// when, by whom and why. Each page is screenshotted into
// $SANXIANG_CONSOLE_SHOTS (default $TMPDIR/console-shots).
func TestImportAndWithdrawalInABrowser(t *testing.T) {
	exe := slowBrowser(t)
	ctx := context.Background()
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{})
	agency := catalog.Agency{Code: "01", Name: "青禾市市场监督管理局", ComplaintPhone: "12345", RemedyChannels: "行政复议、行政诉讼", Duties: "市场监管", Powers: "处罚、检查"}
	dec := &catalog.Decision{ID: "QH-2026-0042", DocNo: "青禾市监罚〔2026〕42号", AgencyCode: "01", AgencyName: agency.Name, Act: catalog.ActPenalty,
		Party: "青禾市某某商店", Content: "罚款人民币3000元", DecidedOn: "2026-03-01", PublishedOn: "2026-03-02"}
	if err := s.Publish(ctx, []catalog.Item{dec}, []catalog.Agency{agency, {Code: "02", Name: "青禾市城市管理局"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAdmin(ctx, console.Admin{Login: "ag", Name: "市监局 法制科 刘科长", Role: console.RoleAgency, Agency: "01"}, "password-ag", "test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	row := func(id, name, agency, role string) []any {
		cert := map[string]string{"执法人员": "9901" + id}[role]
		r := []any{id, name, "女", agency, "一科", role, cert, "", "", "", "是"}
		if cert != "" {
			r[7], r[8], r[9] = "青禾省人民政府", "有效", "2029-06-30"
		}
		return r
	}
	bad := filepath.Join(dir, "人员-有误.xlsx")
	os.WriteFile(bad, workbook(t, "人员", [][]any{peopleHeader,
		row("200001", "周敏", "01", "执法人员"), row("200002", "吴刚", "02", "执法人员"), row("200003", "郑洁", "01", "队长")}), 0o644)
	good := filepath.Join(dir, "人员.xlsx")
	os.WriteFile(good, workbook(t, "人员", [][]any{peopleHeader,
		row("200001", "周敏", "01", "执法人员"), row("200004", "冯丽", "01", "窗口工作人员")}), 0o644)
	downloads := filepath.Join(dir, "downloads")
	os.MkdirAll(downloads, 0o755)

	br := openBrowser(t, exe)
	do, text, shot := br.Do, br.Text, br.Shot

	do("log in", chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "ag"), chromedp.SendKeys(css(`input[name=password]`), "password-ag"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)), shot("20-agency-home"))
	do("the import page", chromedp.Navigate(h.URL+"/admin/people"), chromedp.WaitVisible(css(`#import-link`)), shot("21-people-before"),
		chromedp.Click(css(`#import-link`)), chromedp.WaitVisible(css(`#import`)), shot("22-import"))
	do("a workbook with bad rows", chromedp.SetUploadFiles(css(`input[type=file]`), []string{bad}), chromedp.Click(css(`#upload`)),
		chromedp.WaitVisible(css(`#bad-rows`)), shot("23-import-refused"))
	refused := text(`#bad-rows`)
	for _, want := range []string{"第 3 行", "执法主体代码", "只能导入本机构（01）", "第 4 行", "角色"} {
		if !strings.Contains(refused, want) {
			t.Errorf("the refused rows lack %q:\n%s", want, refused)
		}
	}
	if _, err := s.People().Get(ctx, "200001"); err == nil {
		t.Fatal("a person imported from a refused file")
	}
	do("a good workbook", chromedp.SetUploadFiles(css(`input[type=file]`), []string{good}), chromedp.Click(css(`#upload`)),
		chromedp.WaitVisible(css(`#result`)), shot("24-import-done"))
	do("the activation codes", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return chromedp.Void{}, err
	}, chromedp.Click(css(`#download-codes`)))
	var codes [][]string
	for i := 0; i < 100 && codes == nil; i++ {
		if data, err := os.ReadFile(filepath.Join(downloads, "activation-codes.csv")); err == nil && len(data) > 0 {
			codes, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(codes) != 3 || codes[0][2] != "激活码" || codes[1][1] != "周敏" || codes[2][1] != "冯丽" || len(codes[1][2]) != 19 {
		t.Fatalf("the downloaded codes: %v", codes)
	}
	do("the people", chromedp.Navigate(h.URL+"/admin/people"), chromedp.WaitVisible(css(`#people`)), shot("25-people-after"))
	if list := text(`#people`); !strings.Contains(list, "周敏") || !strings.Contains(list, "冯丽") {
		t.Fatalf("the imported people are not listed:\n%s", list)
	}

	do("the decisions", chromedp.Navigate(h.URL+"/admin/decisions"), chromedp.WaitVisible(css(`#decisions`)), shot("26-decisions"),
		chromedp.Click(css(`a[href="/admin/decisions/`+dec.ID+`"]`)), chromedp.WaitVisible(css(`#withdraw`)), shot("27-decision"))
	// The form asks for a reason; without the browser's check the platform refuses too.
	do("a withdrawal without a reason", js(`(document.querySelector('#withdraw textarea').removeAttribute('required'), true)`),
		chromedp.Click(css(`#withdraw-button`)), chromedp.WaitVisible(css(`.error[data-code="need_reason"]`)), shot("28-withdraw-no-reason"))
	if _, err := s.Item(ctx, catalog.KindDecision, dec.ID); err != nil {
		t.Fatalf("withdrawn without a reason: %v", err)
	}
	reason := "该处罚决定已被青禾市人民政府行政复议决定撤销"
	do("a withdrawal", chromedp.SendKeys(css(`#withdraw textarea`), reason), chromedp.Click(css(`#withdraw-button`)),
		chromedp.WaitVisible(css(`#withdrawn`)), shot("29-withdrawn"))
	if got := text(`#withdrawn`); !strings.Contains(got, reason) || !strings.Contains(got, "由平台管理员 ag 撤回") {
		t.Errorf("the withdrawal on the console: %q", got)
	}
	do("the public page", chromedp.Navigate(h.URL+api.PublicPath("decision", dec.ID)), chromedp.WaitVisible(css(`dl`)), shot("30-public-withdrawn"))
	public := text(`main`)
	for _, want := range []string{"该决定已撤回", "由平台管理员撤回", time.Now().Format("2006年1月2日"), reason, dec.DocNo} {
		if !strings.Contains(public, want) {
			t.Errorf("the public page lacks %q:\n%s", want, public)
		}
	}
	if strings.Contains(public, dec.Content) {
		t.Errorf("the withdrawn decision's content is still shown")
	}
	do("the agency's supervision", chromedp.Navigate(h.URL+"/admin/supervision"), chromedp.WaitReady(css(`body`)), shot("31-agency-supervision"))
	do("the audit log", chromedp.Navigate(h.URL+"/admin/audit"), chromedp.WaitVisible(css(`table`)), shot("32-agency-audit"))
	audit := text(`table`)
	for _, want := range []string{"people.import.refused", "people.import", "person.codes", "decision.withdraw", reason} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %s", want)
		}
	}
	t.Logf("screenshots in %s", br.Shots)
}
