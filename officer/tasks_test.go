package officer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Drawn inspection tasks (双随机) on the desks of a task's two inspectors,
// against the real platform on loopback: before a sync the task list is
// empty; the first desk's sync opens each task's case, which the case
// list tags 双随机 with its number and day, and whose page names the task
// and counts its day among the clocks (overdue once it has passed); its
// task list opens the case. The second desk's sync opens nothing, and its
// task list says who took each task up, on another device.
func TestDrawnTasksOnTheDesks(t *testing.T) {
	ctx := context.Background()
	const first, second = "990101000001", "990101000002"
	dA, devA, dB, devB, s := deskPair(t, first, second)
	var shops []draw.Target
	for i := range 3 {
		shops = append(shops, draw.Target{ID: fmt.Sprintf("91350102MA%08d", i+1), Name: fmt.Sprintf("青禾市明湖区第%d号餐饮店", i+1),
			Address: fmt.Sprintf("青禾市明湖区明湖路%d号", i+1)})
	}
	due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	plan, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 2, Due: due, By: "admin"}, shops, []string{first, second})
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := s.MakeDraw(ctx, "", plan.ID, "", "admin")
	if err != nil {
		t.Fatal(err)
	}
	task := drawn.Tasks[0]

	selectTab(t, dA, "抽查任务")
	if !strings.Contains(textOf(dA.Tasks.Content()), "暂无抽查任务") {
		t.Fatalf("tasks before a sync: %s", textOf(dA.Tasks.Content()))
	}
	if _, err := (DeviceSync{Dev: devA, Desk: dA}).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	board := textOf(dA.Tasks.Content())
	if len(dA.Tasks.Rows) != 2 || !strings.Contains(board, "我的双随机抽查任务（2 项）") || !strings.Contains(board, "已在本机立案") ||
		!strings.Contains(board, task.Target.Name) || !strings.Contains(board, "完成期限："+due) {
		t.Fatalf("A's tasks after its sync: %s", board)
	}
	shelltest.Shot(t, dA.win, "desk-tasks-here")

	selectTab(t, dA, "案件办理")
	c := dA.Cases
	c.ShowList()
	tag := "双随机 " + task.ID() + "　" + due + "前"
	if list := textOf(c.root); !strings.Contains(list, tag) || !strings.Contains(list, "抽查任务："+due+"　进行中") {
		t.Fatalf("the case list does not tag the task: %s", list)
	}
	shelltest.Shot(t, dA.win, "desk-case-list")

	// The task list opens the task's case.
	selectTab(t, dA, "抽查任务")
	var open string
	for _, st := range dA.Tasks.Rows {
		if st.Task.ID == task.ID() {
			open = st.Case
		}
	}
	test.Tap(findButtonIn(dA.Tasks.Content(), "打开案件"))
	if c.Open == nil || c.Open.Opening.Task == nil || c.Open.ID != dA.Tasks.Rows[0].Case {
		t.Fatalf("打开案件 opened %+v", c.Open)
	}
	c.ShowCase(open)
	page := textOf(c.root)
	a, b := task.Inspectors[0], task.Inspectors[1]
	pair := a.Name + "（" + a.CertNo + "）、" + b.Name + "（" + b.CertNo + "）"
	for _, want := range []string{"抽查任务", "双随机　" + task.ID() + "　完成期限 " + due,
		shell.KeepNumbers("双随机抽查任务完成期限（记录“处理”环节即为完成）：" + due + "　进行中"), task.Target.Name, pair} {
		if !strings.Contains(page, want) {
			t.Fatalf("the case page lacks %q: %s", want, page)
		}
	}
	shelltest.Shot(t, dA.win, "desk-case-view")

	// Past the day with nothing handled: overdue, in the list and on the page.
	later, _ := time.ParseInLocation(time.DateOnly, due, time.Local)
	c.now = func() time.Time { return later.AddDate(0, 0, 2) }
	c.ShowCase(open)
	if !strings.Contains(textOf(c.root), shell.KeepNumbers("："+due+"　已超期")) {
		t.Fatalf("a task past its day: %s", textOf(c.root))
	}
	c.ShowList()
	if !strings.Contains(textOf(c.root), "已超期：抽查任务") {
		t.Fatalf("the list does not warn of the task's day: %s", textOf(c.root))
	}
	c.now = time.Now

	// The second inspector's desk.
	if _, err := (DeviceSync{Dev: devB, Desk: dB}).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := devB.Log.CountKind(ctx, casefile.KindOpen); n != 0 {
		t.Fatalf("the second desk opened %d cases", n)
	}
	selectTab(t, dB, "抽查任务")
	board = textOf(dB.Tasks.Content())
	if len(dB.Tasks.Rows) != 2 || strings.Count(board, "由 胡瀚俊 在另一台设备承办") != 2 || strings.Contains(board, "已在本机立案") ||
		findButtonIn(dB.Tasks.Content(), "打开案件") != nil {
		t.Fatalf("B's tasks: %s", board)
	}
	shelltest.Shot(t, dB.win, "desk-tasks-elsewhere")
}
