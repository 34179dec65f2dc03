package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The draws in a real browser, as an agency administrator does them: the
// plan form refuses a workbook with bad rows (each row and its code
// shown), takes a good one and publishes the plan with its commitment;
// the draw with a witness's value reveals the seed and lists the tasks,
// one taken up on a desk; after the due day the tasks are overdue in red;
// a conflict goes into the register. Screenshots of each page go into
// $SANXIANG_CONSOLE_SHOTS (default $TMPDIR/console-shots) as console-*.png.
func TestDrawConsolePagesInChromium(t *testing.T) {
	exe := slowBrowser(t)
	ctx := context.Background()
	s, f, clk := drawPlatform(t, servertest.Backends(t)[0])
	dir := t.TempDir()
	bad := filepath.Join(dir, "检查对象名录-有误.xlsx")
	os.WriteFile(bad, workbook(t, "检查对象", [][]any{{"统一社会信用代码", "名称", "所属单位", "地址"},
		{"91350102MA00000001", "青禾市明湖区第1号餐饮店", "青禾市明湖区", "明湖路1号"},
		{"91350102MA00000002", "", "青禾市明湖区", "明湖路2号"},
		{"91350102MA00000001", "青禾市明湖区第3号餐饮店", "", "明湖路3号"}}), 0o644)
	good := filepath.Join(dir, "2027年一季度食品销售经营者名录.xlsx")
	os.WriteFile(good, shopsXLSX(t, 20), 0o644)

	br := openBrowser(t, exe)
	do, text, shot := br.Do, br.Text, br.Shot
	login := chromedp.Steps(chromedp.Navigate(f.url+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "ag01"), chromedp.SendKeys(css(`input[name=password]`), "password-ag01"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	do("log in", login)
	do("the plan form", chromedp.Click(css(`.cards a[href="/admin/draws"]`)), chromedp.WaitVisible(css(`#plans`)),
		chromedp.Click(css(`#new-plan`)), chromedp.WaitVisible(css(`#plan-form`)))
	day := func(n int) string { return clk.Now().AddDate(0, 0, n).Format(time.DateOnly) }
	fill := chromedp.Steps(chromedp.SetValue(css(`select[name=item]`), "R01001"), chromedp.SetValue(css(`input[name=count]`), "4"),
		chromedp.SetValue(css(`input[name=due]`), day(19)))
	do("a workbook with bad rows", fill, chromedp.SendKeys(css(`textarea[name=note]`), "2027年一季度食品销售经营者抽查"),
		chromedp.SetUploadFiles(css(`input[type=file]`), []string{bad}), chromedp.Click(css(`#plan-submit`)),
		chromedp.WaitVisible(css(`#bad-rows`)), shot("console-plan-new-error"))
	rows := text(`#bad-rows`)
	for _, want := range []string{"第 3 行", "名称为空", "targets_no_name", "第 4 行", "与第 2 行重复", "targets_duplicate"} {
		if !strings.Contains(rows, want) {
			t.Errorf("the bad rows lack %q:\n%s", want, rows)
		}
	}
	if got, err := chromedp.Run(br.Ctx, chromedp.Value(css(`textarea[name=note]`))); err != nil || got != "2027年一季度食品销售经营者抽查" {
		t.Errorf("the note typed was lost: %q %v", got, err)
	}
	do("a good workbook", chromedp.SetUploadFiles(css(`input[type=file]`), []string{good}), chromedp.Click(css(`#plan-submit`)),
		chromedp.WaitVisible(css(`#commit`)), shot("console-plan-planned"))
	plans, err := s.Plans(ctx, "01")
	if err != nil || len(plans) == 0 || plans[0].Plan.TargetsFile != filepath.Base(good) {
		t.Fatalf("plans: %d %v", len(plans), err)
	}
	p := plans[0]
	if got := strings.TrimSpace(text(`#commit`)); got != p.Commit || p.Plan.Count != 4 || p.Plan.Note != "2027年一季度食品销售经营者抽查" {
		t.Fatalf("the commitment shown %q, the plan's %q; %+v", got, p.Commit, p.Plan)
	}
	do("the draw", chromedp.SendKeys(css(`input[name=witness]`), "见证人 王某 报数 5093"), chromedp.Click(css(`#draw-button`)),
		chromedp.WaitVisible(css(`#tasks`)))
	p, err = s.Plan(ctx, p.ID)
	if c, _ := draw.Commit(p.Seed); err != nil || c != p.Commit || len(p.Tasks) != 4 {
		t.Fatalf("drawn: %d tasks, seed %q %v", len(p.Tasks), p.Seed, err)
	}
	task := p.Tasks[1]
	if _, err := s.ClaimTask(ctx, task.ID(), "ZF-DESK-07", task.Inspectors[1].CertNo); err != nil {
		t.Fatal(err)
	}
	do("the drawn plan", chromedp.Reload(), chromedp.WaitVisible(css(`#tasks`)), shot("console-plan-drawn"))
	if got := text(`#seed`); strings.TrimSpace(got) != p.Seed {
		t.Errorf("the seed shown %q, drawn with %q", got, p.Seed)
	}
	if tasks := text(`#tasks`); !strings.Contains(tasks, task.Target.Name) || !strings.Contains(tasks, "ZF-DESK-07") || strings.Contains(tasks, "逾期") {
		t.Errorf("the tasks:\n%s", tasks)
	}

	// Conflicts, another plan to draw at a time and one cancelled, for the list.
	do("the conflicts register", chromedp.Navigate(f.url+"/admin/draws/conflicts"), chromedp.WaitVisible(css(`#conflict-form`)),
		chromedp.SetValue(css(`select[name=cert_no]`), "990101000005"), chromedp.SendKeys(css(`input[name=target]`), "91350103MB00000007"),
		chromedp.SendKeys(css(`input[name=reason]`), "其配偶为该超市股东"), chromedp.Click(css(`#conflict-submit`)),
		chromedp.WaitVisible(css(`.notice`)), shot("console-conflicts"))
	if got := text(`#conflicts`); !strings.Contains(got, "常思瑶") || !strings.Contains(got, "其配偶为该超市股东") {
		t.Errorf("the register:\n%s", got)
	}
	var shops []draw.Target
	for i := range 30 {
		shops = append(shops, draw.Target{ID: fmt.Sprintf("91350102MC%08d", i+1), Name: fmt.Sprintf("青禾市云台区第%d号药店", i+1)})
	}
	if _, err := s.NewPlan(ctx, "01", server.Plan{Item: "R01002", Share: 10, Due: day(60), DrawAt: clk.Now().AddDate(0, 0, 9).Format(time.RFC3339), By: "ag01"}, shops, nil); err != nil {
		t.Fatal(err)
	}
	wrong, err := s.NewPlan(ctx, "01", server.Plan{Item: "R01003", Count: 5, Due: day(60), By: "ag01"}, shops, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CancelPlan(ctx, "01", wrong.ID, "名录中混入了其他辖区的单位", "ag01"); err != nil {
		t.Fatal(err)
	}
	do("the plans", chromedp.Navigate(f.url+"/admin/draws"), chromedp.WaitVisible(css(`#plans`)), shot("console-draws-list"))
	if got := text(`#plans`); !strings.Contains(got, "计划中") || !strings.Contains(got, "已抽取") || !strings.Contains(got, "已撤销") {
		t.Errorf("the plans:\n%s", got)
	}

	// After the due day: overdue, in red (the session outlived: log in again).
	clk.Add(25 * 24 * time.Hour)
	do("overdue tasks", login, chromedp.Navigate(fmt.Sprintf("%s/admin/draws/%d", f.url, p.ID)), chromedp.WaitVisible(css(`#tasks`)),
		shot("console-plan-overdue"))
	if tasks := text(`#tasks`); strings.Count(tasks, "逾期") != 4 {
		t.Errorf("overdue tasks:\n%s", tasks)
	}
	t.Logf("screenshots in %s", br.Shots)
}
