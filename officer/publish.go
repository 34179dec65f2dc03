package officer

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// PublishForm is the open publication dialog, for tests.
type PublishForm struct {
	Original *widget.Label
	// Redacted is the text as it will be published, what was masked
	// marked, and what is doubtful marked otherwise.
	Redacted *widget.RichText
	Manual   *widget.Entry // one string to mask a line
	// Suspects are the doubtful strings left in the redacted text, one row
	// each; Confirmed what the officer confirmed stays public.
	Suspects        []*SuspectRow
	Confirmed       []string
	Pending         *widget.Label // why publishing waits
	Main            *widget.Button
	Reason          *widget.Select
	Note            *widget.Entry
	Message         *widget.Label
	Publish, Exempt func()
	Withdraw        func()
	Cause           *widget.Select
	EffectiveOn     *widget.Entry // the day the decision was revoked, changed or declared void
	dialog          dialog.Dialog
}

// SuspectRow is one doubtful string: one tap masks it, one confirms it
// stays public.
type SuspectRow struct {
	Text          string
	Kind          redact.Kind
	Label         *widget.Label
	Mask, Confirm *widget.Button
}

// Highlight styles in the preview: what was masked, what is doubtful.
var (
	maskedStyle   = widget.RichTextStyle{ColorName: theme.ColorNamePrimary, Inline: true, SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Bold: true}}
	doubtfulStyle = widget.RichTextStyle{ColorName: theme.ColorNameError, Inline: true, SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Bold: true, Underline: true}}
)

// highlighted cuts text into segments: plain, masked (at masked spans) and
// doubtful (at suspects). Spans are byte offsets in text.
func highlighted(text string, masked, doubtful []redact.Span) []widget.RichTextSegment {
	type mark struct {
		start, end int
		style      widget.RichTextStyle
	}
	var marks []mark
	for _, sp := range masked {
		marks = append(marks, mark{sp.Start, sp.End, maskedStyle})
	}
	for _, sp := range doubtful {
		marks = append(marks, mark{sp.Start, sp.End, doubtfulStyle})
	}
	slices.SortFunc(marks, func(a, b mark) int { return a.start - b.start })
	var segs []widget.RichTextSegment
	seg := func(s string, st widget.RichTextStyle) {
		if s != "" {
			segs = append(segs, &widget.TextSegment{Text: shell.KeepNumbers(s), Style: st})
		}
	}
	// Plain text goes one Han character (or one run of anything else: a
	// number, a word) a segment: a segment that starts beside a mark and
	// does not fit the rest of the line would otherwise start a new line.
	one := func(s string) {
		if s != "" {
			segs = append(segs, &widget.TextSegment{Text: s, Style: widget.RichTextStyleInline})
		}
	}
	plain := func(s string) {
		from := 0
		for i, r := range s {
			if unicode.Is(unicode.Han, r) || r > 0x2E7F || r == '\n' {
				one(s[from:i])
				one(s[i : i+utf8.RuneLen(r)])
				from = i + utf8.RuneLen(r)
			}
		}
		one(s[from:])
	}
	pos := 0
	for _, m := range marks {
		if m.start < pos || m.end > len(text) {
			continue
		}
		plain(text[pos:m.start])
		seg(text[m.start:m.end], m.style)
		pos = m.end
	}
	plain(text[pos:])
	return segs
}

// SetDeadlines takes the agencies' own publication deadlines as the device
// holds them (device.Deadlines); on an error, logged, every agency keeps
// the national defaults.
func (d *Desk) SetDeadlines(ds publish.Deadlines, err error) {
	if err != nil {
		fyne.LogError("publication deadlines", err)
	}
	d.deadlines = ds
}

// publishPanel says where the case's publication stands, for the side of
// the case view: the deadline while it is due, then what was done.
func (c *Cases) publishPanel(cs *casefile.Case) fyne.CanvasObject {
	st := publish.StateWith(cs, c.cal, c.d.deadlines)
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
	st := publish.StateWith(cs, c.cal, c.d.deadlines)
	f := &PublishForm{Original: wrap(st.DocumentText), Redacted: widget.NewRichText(), Manual: widget.NewMultiLineEntry(),
		Note: widget.NewEntry(), Message: widget.NewLabel(""), EffectiveOn: widget.NewEntry(), Pending: widget.NewLabel("")}
	f.Redacted.Wrapping = fyne.TextWrapWord
	f.Pending.Wrapping = fyne.TextWrapWord
	f.Pending.Importance = widget.WarningImportance
	reviewing := st.Published == nil || st.Withdrawn != nil
	list := container.NewVBox()
	var last publish.Review
	f.EffectiveOn.SetText(c.now().Format(time.DateOnly))
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	f.Manual.SetPlaceHolder(shell.L("publish.manual_hint"))
	f.Manual.SetMinRowsVisible(2)
	lines := func() []string { return strings.Split(f.Manual.Text, "\n") }
	var preview func()
	mask := func(v string) {
		c.d.touch()
		f.Confirmed = slices.DeleteFunc(f.Confirmed, func(s string) bool { return s == v })
		text := strings.TrimRight(f.Manual.Text, "\n")
		if text != "" {
			text += "\n"
		}
		f.Manual.SetText(text + v) // previews again
	}
	confirm := func(v string) {
		c.d.touch()
		if !slices.Contains(f.Confirmed, v) {
			f.Confirmed = append(f.Confirmed, v)
		}
		preview()
	}
	preview = func() {
		r, err := publish.ReviewOf(cs, c.cal, lines(), f.Confirmed...)
		if err != nil {
			f.Redacted.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: publishError(err), Style: widget.RichTextStyleInline}}
			f.Redacted.Refresh()
			return
		}
		last = r
		f.Redacted.Segments = highlighted(r.Redacted, r.Masked, r.Suspects)
		f.Redacted.Refresh()
		f.Suspects = nil
		list.RemoveAll()
		for _, sp := range r.Suspects {
			if slices.ContainsFunc(f.Suspects, func(row *SuspectRow) bool { return row.Text == sp.Original }) {
				continue
			}
			v := sp.Original
			row := &SuspectRow{Text: v, Kind: sp.Kind, Label: widget.NewLabel(shell.L("publish.suspect", map[string]any{"Text": v, "Kind": shell.L("publish.kind." + string(sp.Kind))})),
				Mask:    widget.NewButtonWithIcon(shell.L("publish.suspect_mask"), theme.VisibilityOffIcon(), func() { mask(v) }),
				Confirm: widget.NewButtonWithIcon(shell.L("publish.suspect_confirm"), theme.ConfirmIcon(), func() { confirm(v) })}
			row.Label.Wrapping = fyne.TextWrapWord
			row.Mask.Importance = widget.HighImportance
			if slices.Contains(r.Confirmed, v) {
				row.Label.SetText(row.Label.Text + "　" + shell.L("publish.suspect_confirmed"))
				row.Label.Importance = widget.SuccessImportance
				row.Confirm.Disable()
				row.Mask.Importance = widget.MediumImportance
			}
			f.Suspects = append(f.Suspects, row)
			list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(row.Mask, row.Confirm), row.Label))
		}
		if len(f.Suspects) == 0 {
			list.Add(widget.NewLabel(shell.L("publish.suspects_none")))
		}
		f.Message.SetText("")
		if open := r.Open(); len(open) > 0 {
			f.Pending.SetText(shell.L("publish.suspects_open", map[string]any{"N": len(open)}))
			f.Pending.Show()
		} else {
			f.Pending.SetText("")
			f.Pending.Hide()
		}
		if f.Main != nil && reviewing && st.CanPublish() {
			if len(r.Open()) > 0 {
				f.Main.Disable()
			} else {
				f.Main.Enable()
			}
		}
	}
	f.Manual.OnChanged = func(string) { c.d.touch(); preview() }
	preview()
	if !reviewing {
		f.Redacted.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: shell.KeepNumbers(st.Published.Redacted), Style: widget.RichTextStyleInline}}
		f.Redacted.Refresh()
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
		if open := last.Open(); len(open) > 0 {
			f.Message.SetText(shell.L("publish.suspects_open", map[string]any{"N": len(open)}))
			return
		}
		// Record as confirmed only what is still there to confirm.
		var confirmed []string
		for _, v := range f.Confirmed {
			if slices.ContainsFunc(last.Suspects, func(sp redact.Span) bool { return sp.Original == v }) {
				confirmed = append(confirmed, v)
			}
		}
		_, err := publish.Publish(ctx, c.log, c.cal, cs.ID, c.d.Me.ID, lines(), confirmed...)
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
	legend := widget.NewRichText(&widget.TextSegment{Text: shell.L("publish.legend_masked"), Style: maskedStyle},
		&widget.TextSegment{Text: "　", Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: shell.L("publish.legend_doubtful"), Style: doubtfulStyle})
	var right fyne.CanvasObject = container.NewVScroll(container.NewVBox(heading("publish.redacted"), f.Redacted))
	if reviewing {
		right = container.NewVScroll(container.NewVBox(heading("publish.redacted"), legend, f.Redacted))
		doubt := widget.NewLabel(shell.L("publish.in_doubt"))
		doubt.Wrapping = fyne.TextWrapWord
		suspects := container.NewBorder(container.NewVBox(heading("publish.suspects"), doubt), f.Pending, nil, nil, container.NewVScroll(list))
		vs := container.NewVSplit(right, suspects)
		vs.Offset = 0.5
		right = vs
	}
	split := container.NewHSplit(
		container.NewVScroll(container.NewVBox(heading("publish.original"), f.Original)),
		right)
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
		f.Main = main
		if !st.CanPublish() { // revoked or declared void: it stays down
			main.Disable()
			exempt.Disable()
		} else if len(last.Open()) > 0 {
			main.Disable() // until each doubtful string is masked or confirmed
		}
		actions = container.NewVBox(
			widget.NewForm(widget.NewFormItem(shell.L("publish.manual"), f.Manual)),
			widget.NewLabel(shell.L("publish.due", map[string]any{"Due": st.Due.Format("2006-01-02")})),
			container.NewBorder(nil, nil, nil, exempt, container.NewGridWithColumns(2, f.Reason, f.Note)))
	}
	body := container.NewBorder(nil, actions, nil, nil, split)
	f.dialog = c.formDialog(shell.L("publish.title"), body, f.Message, main, fyne.NewSize(1200, 760))
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
