package officer

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// HandoverForm is the open handover dialog's widgets, for tests.
type HandoverForm struct {
	To      *widget.Select
	Reason  *widget.Entry
	Message *widget.Label
	Submit  func()
}

// ShowHandoverForm hands the open case to a colleague of the officer's
// agency (移交), for a stated reason, in a record signed by the officer;
// the platform carries it to the colleague's device at the next sync.
func (c *Cases) ShowHandoverForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	colleagues := c.colleagues()
	f := &HandoverForm{To: colleagueSelect(colleagues), Reason: widget.NewMultiLineEntry(), Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	f.Reason.SetPlaceHolder(shell.L("handover.reason_hint"))
	f.Reason.SetMinRowsVisible(3)
	f.Reason.OnChanged = func(string) { c.d.touch() }
	intro := wrap(shell.L("handover.intro"))
	form := widget.NewForm(
		widget.NewFormItem(shell.L("handover.to"), f.To),
		widget.NewFormItem(shell.L("handover.reason"), f.Reason),
	)
	var dlg interface{ Hide() }
	f.Submit = func() {
		var to *catalog.Officer
		for _, o := range colleagues {
			if officerLabel(o) == f.To.Selected {
				to = o
			}
		}
		if to == nil {
			f.Message.SetText(shell.L("handover.err_pick"))
			return
		}
		if strings.TrimSpace(f.Reason.Text) == "" {
			f.Message.SetText(shell.L("handover.err_reason"))
			return
		}
		if _, err := c.log.HandOver(context.Background(), cs.ID, c.d.Me.ID, casefile.Handover{To: to.CertNo, ToName: to.Name, Reason: f.Reason.Text}); err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		dlg.Hide()
		c.Handover = nil
		c.ShowCase(cs.ID)
	}
	c.Handover = f
	dlg = c.formDialog(shell.L("handover.title"), container.NewVBox(intro, form), f.Message,
		widget.NewButtonWithIcon(shell.L("handover.submit"), theme.MailForwardIcon(), func() { f.Submit() }), fyne.NewSize(620, 440))
}

// incoming lists the cases handed over to the officer signed in and not
// taken over yet.
func (c *Cases) incoming() []*casefile.Case {
	all, err := c.log.Incoming(context.Background())
	if err != nil {
		fyne.LogError("incoming handovers", err)
	}
	var out []*casefile.Case
	for _, cs := range all {
		if cs.Pending.To == c.d.Me.ID {
			out = append(out, cs)
		}
	}
	return out
}

// incomingPanel shows the cases handed over to the officer, each with who
// handed it over, why, and a button to take it over; nil when none.
func (c *Cases) incomingPanel() fyne.CanvasObject {
	list := c.incoming()
	if len(list) == 0 {
		return nil
	}
	box := container.NewVBox(widget.NewLabelWithStyle(shell.L("handover.incoming", map[string]any{"N": len(list)}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, cs := range list {
		h := cs.Records[len(cs.Records)-1]
		line := widget.NewLabel(shell.L("handover.incoming_line", map[string]any{
			"Case": cs.ID, "Item": cs.Opening.ItemName, "Party": cs.Opening.Party.Name,
			"From": c.officerName(h.Author), "Reason": cs.Pending.Reason, "Device": h.Device}))
		line.Wrapping = fyne.TextWrapWord
		id := cs.ID
		take := widget.NewButtonWithIcon(shell.L("handover.take"), theme.ConfirmIcon(), func() { c.TakeOver(id) })
		take.Importance = widget.HighImportance
		box.Add(container.NewBorder(nil, nil, nil, take, line))
	}
	box.Add(widget.NewSeparator())
	return box
}

// TakeOver takes over a case handed to the officer signed in, in a record
// signed by them, and opens it.
func (c *Cases) TakeOver(id string) {
	if _, err := c.log.TakeOver(context.Background(), id, c.d.Me.ID); err != nil {
		dialog.ShowError(errors.New(caseError(err)), c.d.win)
		return
	}
	delete(c.cases, id)
	c.ShowCase(id)
}

// handoverBanner says a case was handed over and waits to be taken over.
func handoverBanner(cs *casefile.Case, name func(string) string) fyne.CanvasObject {
	l := widget.NewLabel(shell.L("handover.pending", map[string]any{"To": name(cs.Pending.To), "Reason": cs.Pending.Reason}))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	return l
}

// handoverError words a handover's refusal, "" for another error.
func handoverError(err error) string {
	switch {
	case errors.Is(err, casefile.ErrHandedOver):
		return shell.L("handover.err_handed_over")
	case errors.Is(err, casefile.ErrNotHolder):
		return shell.L("handover.err_not_holder")
	case errors.Is(err, casefile.ErrHandoverSelf):
		return shell.L("handover.err_self")
	case errors.Is(err, casefile.ErrNotHandedToYou):
		return shell.L("handover.err_not_yours")
	case errors.Is(err, review.ErrReviewPending):
		return shell.L("handover.err_review_pending")
	}
	return ""
}
