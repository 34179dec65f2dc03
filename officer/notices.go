package officer

import (
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// SetNotices gives the desk the notices (通报) the city's legal-affairs
// office issued about this device's cases, as the device keeps them
// (client.LoadNotices: after each sync); the open case shows its own.
// On an error the desk keeps what it had.
func (d *Desk) SetNotices(list []api.Notice, err error) {
	if err != nil {
		fyne.LogError("notices", err)
		return
	}
	var before []api.Notice
	if d.Cases != nil && d.Cases.Open != nil {
		before = d.NoticesOf(d.Cases.Open.ID)
	}
	d.notices = list
	// The open case is drawn again only when its own notices changed.
	if d.Cases != nil && d.Cases.Open != nil && !reflect.DeepEqual(before, d.NoticesOf(d.Cases.Open.ID)) {
		d.Cases.ShowCase(d.Cases.Open.ID)
	}
}

// NoticesOf are the notices about case id, as the desk last had them.
func (d *Desk) NoticesOf(id string) []api.Notice {
	var out []api.Notice
	for _, n := range d.notices {
		if n.Case == id {
			out = append(out, n)
		}
	}
	return out
}

// noticeBanner is the open case's notices, each its number, state (逾期
// when past its deadline without a passed report), finding and deadline;
// nil when the case has none. A notice not yet passed stands out in red.
func (c *Cases) noticeBanner(id string) fyne.CanvasObject {
	list := c.d.NoticesOf(id)
	if len(list) == 0 {
		return nil
	}
	box := container.NewVBox()
	for _, n := range list {
		state := shell.L("notice.state." + n.State)
		if n.Overdue {
			state += "　" + shell.L("notice.overdue")
		}
		head := widget.NewLabelWithStyle(shell.L("notice.head", map[string]any{"Number": n.Number, "State": state}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		finding := widget.NewLabel(shell.L("notice.finding", map[string]any{"Finding": n.Finding}))
		finding.Wrapping = fyne.TextWrapWord
		due := widget.NewLabel(shell.L("notice.deadline", map[string]any{"Deadline": n.Deadline, "Basis": n.Basis}))
		due.Wrapping = fyne.TextWrapWord
		rows := container.NewVBox(head, finding, due)
		// A returned report: why, in the office's words.
		if n.State == "returned" {
			for i := len(n.Steps) - 1; i >= 0; i-- {
				if n.Steps[i].Kind == "return" {
					r := widget.NewLabel(shell.L("notice.returned_because", map[string]any{"Reasons": n.Steps[i].Text}))
					r.Wrapping = fyne.TextWrapWord
					r.Importance = widget.DangerImportance
					rows.Add(r)
					break
				}
			}
		}
		if n.Actions != "" {
			a := widget.NewLabel(shell.L("notice.actions", map[string]any{"Actions": n.Actions}))
			a.Wrapping = fyne.TextWrapWord
			rows.Add(a)
		}
		color := theme.Color(theme.ColorNameError)
		switch {
		case n.State == "passed":
			head.Importance = widget.SuccessImportance
			color = theme.Color(theme.ColorNameSuccess)
		case n.Overdue || n.State == "returned":
			head.Importance = widget.DangerImportance
		default:
			head.Importance = widget.WarningImportance
			color = theme.Color(theme.ColorNameWarning)
		}
		bar := canvas.NewRectangle(color)
		bar.SetMinSize(fyne.NewSize(4, 4))
		box.Add(container.NewBorder(nil, nil, bar, nil, rows))
	}
	return box
}
