package officer

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// SetTasks gives the desk the officers' drawn inspection tasks (双随机) as
// the device keeps them (client.LoadTasks: at start, and after each sync),
// and shows them if a task list is on screen; a case list on screen
// picks up the cases a sync opened for tasks.
func (d *Desk) SetTasks(lists map[string]client.TaskList, err error) {
	if err != nil {
		fyne.LogError("drawn tasks", err)
	}
	if err == nil || d.tasks == nil {
		d.tasks = lists
	}
	if d.Tasks != nil {
		d.Tasks.Show()
	}
	if d.Cases != nil && d.Cases.Open == nil {
		d.Cases.reload()
	}
}

// TaskBoard is the tab of the officer's drawn inspection tasks (抽查任务):
// each task's item, target, pair of inspectors and day, and where it
// stands: its case opened here (to open), taken up on a colleague's
// device, or waiting for this desk's next sync.
type TaskBoard struct {
	d    *Desk
	root *fyne.Container
	// Rows are the tasks shown, in the list's order, for tests.
	Rows []client.TaskState
}

func newTaskBoard(d *Desk) *TaskBoard {
	b := &TaskBoard{d: d, root: container.NewStack()}
	b.Show()
	return b
}

// Content is the tab's content.
func (b *TaskBoard) Content() fyne.CanvasObject { return b.root }

// Show lists the signed-in officer's tasks as last kept.
func (b *TaskBoard) Show() {
	d := b.d
	if d.Me == nil {
		return
	}
	list := d.tasks[d.Me.ID]
	b.Rows = b.Rows[:0]
	for _, st := range list.Tasks {
		if st.Of(d.Me.ID) {
			b.Rows = append(b.Rows, st)
		}
	}
	head := widget.NewLabelWithStyle(shell.L("task.list_title", map[string]any{"N": len(b.Rows)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	when := shell.L("task.never_pulled")
	if !list.At.IsZero() {
		when = shell.L("task.pulled_at", map[string]any{"Time": list.At.In(d.now().Location()).Format("2006-01-02 15:04")})
	}
	top := container.NewVBox(container.NewHBox(head, widget.NewLabel(when)), wrap(shell.L("task.intro")), widget.NewSeparator())
	body := container.NewVBox()
	if len(b.Rows) == 0 {
		body.Add(wrap(shell.L("task.none")))
	}
	for _, st := range b.Rows {
		body.Add(b.card(st))
		body.Add(widget.NewSeparator())
	}
	b.root.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, container.NewVScroll(body))}
	b.root.Refresh()
}

// card is one task: what, where, who, by when, and where it stands.
func (b *TaskBoard) card(st client.TaskState) fyne.CanvasObject {
	t := st.Task
	title := widget.NewLabelWithStyle(shell.L("task.title", map[string]any{"ID": t.ID, "Item": t.ItemName}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var pair []string
	for _, o := range t.Inspectors {
		pair = append(pair, o.Name+"（"+o.CertNo+"）")
	}
	target := strings.TrimSpace(t.Target.Name + "　" + t.Target.Address)
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), title,
		wrap(shell.L("task.target", map[string]any{"Target": target})),
		widget.NewLabel(shell.L("task.inspectors", map[string]any{"Names": strings.Join(pair, "、"), "Due": t.Due})))
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	var open *widget.Button
	switch {
	case st.Case != "":
		status.SetText(shell.L("task.opened_here", map[string]any{"Case": st.Case}))
		status.Importance = widget.SuccessImportance
		id := st.Case
		open = widget.NewButtonWithIcon(shell.L("task.open_case"), theme.FolderOpenIcon(), func() { b.d.openCase(id) })
	case st.Elsewhere:
		who := st.ClaimedByName()
		if who == "" {
			who = shell.L("task.someone")
		}
		status.SetText(shell.L("task.held_elsewhere", map[string]any{"Name": who}))
		status.Importance = widget.WarningImportance
	default:
		status.SetText(shell.L("task.waiting"))
	}
	if overdue(t.Due, b.d.now()) {
		status.SetText(status.Text + "　" + shell.L("task.overdue"))
		status.Importance = widget.DangerImportance
	}
	lines.Add(status)
	if open == nil {
		return lines
	}
	return container.NewBorder(nil, nil, nil, container.NewVBox(open), lines)
}

// overdue says whether a task's day (YYYY-MM-DD) has passed by now.
func overdue(due string, now time.Time) bool {
	day, err := time.ParseInLocation(time.DateOnly, due, now.Location())
	return err == nil && !now.Before(day.AddDate(0, 0, 1))
}

// taskTag is the tag a case opened for a drawn task shows in the list and
// on its page: 双随机, the task's number and its day; "" for another case.
func taskTag(o casefile.Opening) string {
	if o.Task == nil {
		return ""
	}
	return shell.L("task.tag", map[string]any{"ID": o.Task.ID, "Due": o.Task.Due})
}

// openCase shows a case on the cases tab.
func (d *Desk) openCase(id string) {
	if d.Cases == nil {
		return
	}
	if d.tabs != nil && d.casesTab != nil {
		d.tabs.Select(d.casesTab)
	}
	d.Cases.ShowCase(id)
}

// taskLine is the task's line in a case's details.
func taskLine(t *casefile.TaskRef) string {
	return fmt.Sprintf("%s　%s", t.ID, shell.L("task.due", map[string]any{"Due": t.Due}))
}
