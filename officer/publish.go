package officer

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// PublishForm is the open publication dialog, for tests.
type PublishForm struct {
	Original, Redacted *widget.Label
	Manual             *widget.Entry // one string to mask a line
	Reason             *widget.Select
	Note               *widget.Entry
	Message            *widget.Label
	Publish, Exempt    func()
	Withdraw           func()
	Cause              *widget.Select
	EffectiveOn        *widget.Entry // the day the decision was revoked, changed or declared void
	dialog             dialog.Dialog
}

// publishPanel says where the case's publication stands, for the side of
// the case view: the deadline while it is due, then what was done.
func (c *Cases) publishPanel(cs *casefile.Case) fyne.CanvasObject {
	st := publish.StateOf(cs, c.cal)
	if !st.Decided {
		return container.NewVBox()
	}
	var text string
	imp := widget.MediumImportance
	switch {
	case st.Withdrawn != nil:
		text = shell.L("publish.state_withdrawn", map[string]any{"Cause": shell.L("publish.cause." + st.Withdrawn.Cause)})
		if st.WithdrawnLate() {
			text += "　" + shell.L("publish.withdraw_late", map[string]any{"Due": st.WithdrawDue.Format("2006-01-02")})
			imp = widget.WarningImportance
		}
	case st.Published != nil:
		text = shell.L("publish.state_published", map[string]any{"Date": st.PublishedAt.Format("2006-01-02")})
		if st.Late(c.now()) {
			text += "　" + shell.L("publish.late")
			imp = widget.WarningImportance
		}
	case st.Exempt != nil:
		text = shell.L("publish.state_exempt", map[string]any{"Reason": shell.L("publish.reason." + st.Exempt.Reason)})
	case st.Late(c.now()):
		text, imp = shell.L("publish.state_overdue", map[string]any{"Due": st.Due.Format("2006-01-02")}), widget.DangerImportance
	default:
		text = shell.L("publish.state_due", map[string]any{"Due": st.Due.Format("2006-01-02"),
			"N": c.cal.WorkdaysBetween(c.now(), st.Due)})
	}
	l := widget.NewLabel(text)
	l.Importance = imp
	l.Wrapping = fyne.TextWrapWord
	btn := widget.NewButtonWithIcon(shell.L("publish.open"), theme.VisibilityIcon(), c.ShowPublishForm)
	return container.NewVBox(widget.NewLabelWithStyle(shell.L("publish.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), l, btn)
}

func publishError(err error) string {
	if key := publish.ErrorKey(err); key != "" {
		return shell.L(key)
	}
	return caseError(err)
}

// ShowPublishForm shows the decision as written beside it as it will be
// published, lets the officer mask more by hand, and publishes it, records
// a legal reason not to, or withdraws a published one.
func (c *Cases) ShowPublishForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	ctx := context.Background()
	st := publish.StateOf(cs, c.cal)
	f := &PublishForm{Original: wrap(st.DocumentText), Redacted: wrap(""), Manual: widget.NewMultiLineEntry(),
		Note: widget.NewEntry(), Message: widget.NewLabel(""), EffectiveOn: widget.NewEntry()}
	f.EffectiveOn.SetText(c.now().Format(time.DateOnly))
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	f.Manual.SetPlaceHolder(shell.L("publish.manual_hint"))
	f.Manual.SetMinRowsVisible(2)
	lines := func() []string { return strings.Split(f.Manual.Text, "\n") }
	preview := func() {
		p, err := publish.Preview(cs, c.cal, lines())
		if err != nil {
			f.Redacted.SetText(publishError(err))
			return
		}
		f.Redacted.SetText(p.Redacted)
	}
	f.Manual.OnChanged = func(string) { c.d.touch(); preview() }
	preview()
	if st.Published != nil {
		f.Redacted.SetText(st.Published.Redacted)
	}
	reasons, causes := labels("publish.reason.", publish.ExemptReasons), labels("publish.cause.", publish.WithdrawCauses)
	f.Reason = widget.NewSelect(reasons, nil)
	f.Reason.PlaceHolder = shell.L("publish.reason_pick")
	f.Cause = widget.NewSelect(causes, nil)
	f.Cause.PlaceHolder = shell.L("publish.cause_pick")
	done := func(err error) {
		if err != nil {
			f.Message.SetText(publishError(err))
			return
		}
		f.dialog.Hide()
		c.ShowCase(cs.ID)
	}
	f.Publish = func() {
		_, err := publish.Publish(ctx, c.log, c.cal, cs.ID, c.d.Me.ID, lines())
		done(err)
	}
	f.Exempt = func() {
		_, err := publish.Exempt(ctx, c.log, c.cal, cs.ID, c.d.Me.ID,
			publish.Exemption{Reason: keyOf(publish.ExemptReasons, f.Reason.SelectedIndex()), Note: f.Note.Text})
		done(err)
	}
	f.Withdraw = func() {
		_, err := publish.Withdraw(ctx, c.log, c.cal, cs.ID, c.d.Me.ID,
			publish.Withdrawal{Cause: keyOf(publish.WithdrawCauses, f.Cause.SelectedIndex()), Explanation: f.Note.Text, EffectiveOn: f.EffectiveOn.Text})
		done(err)
	}
	heading := func(key string) *widget.Label {
		return widget.NewLabelWithStyle(shell.L(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	split := container.NewHSplit(
		container.NewVScroll(container.NewVBox(heading("publish.original"), f.Original)),
		container.NewVScroll(container.NewVBox(heading("publish.redacted"), f.Redacted)))
	var actions fyne.CanvasObject
	var main *widget.Button
	if st.Published != nil && st.Withdrawn == nil {
		f.Note.SetPlaceHolder(shell.L("publish.explanation_hint"))
		main = widget.NewButtonWithIcon(shell.L("publish.withdraw"), theme.CancelIcon(), f.Withdraw)
		actions = widget.NewForm(widget.NewFormItem(shell.L("publish.cause"), f.Cause),
			widget.NewFormItem(shell.L("publish.effective_on"), f.EffectiveOn),
			widget.NewFormItem(shell.L("publish.explanation"), f.Note))
	} else {
		f.Note.SetPlaceHolder(shell.L("publish.note_hint"))
		exempt := widget.NewButtonWithIcon(shell.L("publish.exempt"), theme.ContentClearIcon(), f.Exempt)
		main = widget.NewButtonWithIcon(shell.L("publish.publish"), theme.UploadIcon(), f.Publish)
		if !st.CanPublish() { // revoked or declared void: it stays down
			main.Disable()
			exempt.Disable()
		}
		actions = container.NewVBox(
			widget.NewForm(widget.NewFormItem(shell.L("publish.manual"), f.Manual)),
			widget.NewLabel(shell.L("publish.due", map[string]any{"Due": st.Due.Format("2006-01-02")})),
			container.NewBorder(nil, nil, nil, exempt, container.NewGridWithColumns(2, f.Reason, f.Note)))
	}
	body := container.NewBorder(nil, actions, nil, nil, split)
	f.dialog = c.formDialog(shell.L("publish.title"), body, f.Message, main, fyne.NewSize(980, 660))
	c.publishForm = f
}

// labels translates keys with a prefix, in order.
func labels(prefix string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = shell.L(prefix + k)
	}
	return out
}

func keyOf(keys []string, i int) string {
	if i < 0 || i >= len(keys) {
		return ""
	}
	return keys[i]
}
