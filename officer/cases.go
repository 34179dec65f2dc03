package officer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/describe"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// Cases is the officer's case work: the list, a case's timeline, and the
// forms that append records. Nothing here edits or removes a record.
type Cases struct {
	d    *Desk
	log  *casefile.Log
	cal  *calendar.Calendar
	av   []casefile.AVRequirement
	now  func() time.Time
	root *fyne.Container

	Search  *widget.Entry
	List    *widget.List
	NewCase *widget.Button
	ids     []string
	cases   map[string]*casefile.Case

	// Open is the case on screen, nil in the list.
	Open *casefile.Case
	// Form widgets of the open dialog, for tests.
	Form       *CaseForm
	docForm    *DocumentForm
	submitForm *SubmitForm
	// publishForm is the open publication dialog, for tests.
	publishForm *PublishForm
	rev         *review.Service
	// recorder and player are the open recording and playing dialogs.
	recorder *RecorderForm
	player   *PlayerForm
	// Confirm is the open dialog in which a second officer confirms their
	// presence with their own PIN, for tests.
	Confirm *ConfirmForm
	// Handover is the open handover dialog, for tests.
	Handover *HandoverForm
	Archive  *ArchiveForm // the open archive dialog, for tests
	// Notice says on the case page what was just saved (or done); the
	// saved record is scrolled into view (Timeline, Scroll).
	Notice   *widget.Label
	Timeline *fyne.Container
	Scroll   *container.Scroll
	// Cards are the timeline's records, by their number in the case.
	Cards []fyne.CanvasObject
}

func newCases(d *Desk, l *casefile.Log, cal *calendar.Calendar, av []casefile.AVRequirement, rev *review.Service) *Cases {
	c := &Cases{d: d, log: l, cal: cal, av: av, rev: rev, now: time.Now, root: container.NewStack(), cases: map[string]*casefile.Case{}}
	c.Search = widget.NewEntry()
	c.Search.SetPlaceHolder(shell.L("case.search_hint"))
	c.Search.OnChanged = func(string) { c.reload() }
	c.NewCase = widget.NewButtonWithIcon(shell.L("case.new"), theme.ContentAddIcon(), c.ShowNewCase)
	c.NewCase.Importance = widget.HighImportance
	c.List = widget.NewList(func() int { return len(c.ids) }, c.createRow, c.updateRow)
	c.List.OnSelected = func(i widget.ListItemID) {
		c.List.UnselectAll()
		c.ShowCase(c.ids[i])
	}
	c.ShowList()
	return c
}

// Content is the cases tab.
func (c *Cases) Content() fyne.CanvasObject { return c.root }

func (c *Cases) set(o fyne.CanvasObject) {
	c.d.touch()
	c.root.Objects = []fyne.CanvasObject{o}
	c.root.Refresh()
}

// ShowList shows the device's cases, newest first.
func (c *Cases) ShowList() {
	c.Open = nil
	c.reload()
	top := container.NewBorder(nil, nil, nil, c.NewCase, c.Search)
	if in := c.incomingPanel(); in != nil {
		top = container.NewVBox(in, top)
	}
	c.set(container.NewBorder(top, nil, nil, nil, c.List))
}

func (c *Cases) reload() {
	ctx := context.Background()
	ids, err := c.log.CaseIDs(ctx)
	if err != nil {
		fyne.LogError("cases", err)
	}
	q := strings.ToLower(strings.TrimSpace(c.Search.Text))
	c.ids = c.ids[:0]
	for _, id := range ids {
		cs, ok := c.cases[id]
		if !ok {
			if cs, err = c.log.Case(ctx, id); err != nil {
				fyne.LogError("case "+id, err)
				continue
			}
			c.cases[id] = cs
		}
		// A device's log may hold other agencies' cases (a shared laptop);
		// an officer works on their own agency's.
		if cs.Opening.Agency != c.d.Me.Agency {
			continue
		}
		if q == "" || strings.Contains(strings.ToLower(id+" "+cs.Opening.Party.Name+" "+cs.Opening.ItemName+" "+cs.Opening.Place), q) {
			c.ids = append(c.ids, id)
		}
	}
	c.List.Refresh()
}

func (c *Cases) createRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("")
	sub.Truncation = fyne.TextTruncateEllipsis
	warn := widget.NewLabel("")
	warn.Importance = widget.DangerImportance
	return container.NewBorder(nil, nil, nil, warn, container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), title, sub))
}

func (c *Cases) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	cs := c.cases[c.ids[i]]
	box := o.(*fyne.Container)
	text := box.Objects[0].(*fyne.Container)
	text.Objects[0].(*widget.Label).SetText(cs.Opening.Party.Name + "　" + cs.Opening.ItemName)
	stage := shell.L("case.stage_none")
	if cs.Current != "" {
		stage = shell.L("stage." + cs.Current)
	}
	text.Objects[1].(*widget.Label).SetText(fmt.Sprintf("%s　%s　%s　%s", cs.ID, shell.L("act."+string(cs.Opening.Act)),
		stage, cs.OpenedAt.Local().Format("2006-01-02")))
	box.Objects[1].(*widget.Label).SetText(c.warningSummary(cs))
}

// warningSummary is the short warning a list row shows, "" when all is well.
func (c *Cases) warningSummary(cs *casefile.Case) string {
	for _, k := range cs.Clocks(c.cal, c.now()) {
		if k.Overdue {
			return shell.L("case.warn_overdue")
		}
	}
	if len(cs.MissingAV(c.av)) > 0 {
		return shell.L("case.warn_av")
	}
	return ""
}

// ShowCase shows one case: who, what, the clocks, warnings and the timeline.
func (c *Cases) ShowCase(id string) { c.showCase(id, nil, "") }

// showSaved shows the case after a record was appended: the page says so
// and the record is scrolled into view.
func (c *Cases) showSaved(id string, r *casefile.Record) {
	if r == nil {
		c.showCase(id, nil, "")
		return
	}
	ref := r.Ref()
	c.showCase(id, &ref, "")
}

// showCase shows a case with a record scrolled into view and said saved
// (saved nil: the top), or a notice of something else done.
func (c *Cases) showCase(id string, saved *ledger.RecordRef, notice string) {
	cs, err := c.log.Case(context.Background(), id)
	if err != nil {
		dialog.ShowError(errors.New(shell.L("error.generic")+" "+err.Error()), c.d.win)
		return
	}
	c.cases[id] = cs
	c.Open = cs
	o := cs.Opening
	back := widget.NewButtonWithIcon(shell.L("kiosk.back"), theme.NavigateBackIcon(), c.ShowList)
	title := widget.NewLabelWithStyle(cs.ID+"　"+o.ItemName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	stageBtn := widget.NewButtonWithIcon(shell.L("case.record_stage"), theme.ConfirmIcon(), c.ShowStageForm)
	stageBtn.Importance = widget.HighImportance
	noteBtn := widget.NewButtonWithIcon(shell.L("case.add_note"), theme.DocumentCreateIcon(), c.ShowNoteForm)
	docBtn := widget.NewButtonWithIcon(shell.L("case.make_document"), theme.DocumentIcon(), c.ShowDocumentForm)
	exportBtn := widget.NewButtonWithIcon(shell.L("case.export"), theme.DownloadIcon(), c.ExportDialog)
	audioBtn := widget.NewButtonWithIcon(shell.L("media.record_audio"), theme.MediaRecordIcon(), func() { c.ShowRecorder(false) })
	videoBtn := widget.NewButtonWithIcon(shell.L("media.record_video"), theme.MediaVideoIcon(), func() { c.ShowRecorder(true) })
	photoBtn := widget.NewButtonWithIcon(shell.L("media.import_photos"), theme.MediaPhotoIcon(), c.ImportPhotos)
	title.Truncation = fyne.TextTruncateEllipsis
	// A case handed over takes no record here until it is taken over; one
	// the officer holds can be handed over.
	writable := cs.Pending == nil && !archivedCase(cs)
	actions := container.NewHBox(audioBtn, videoBtn, photoBtn, layout.NewSpacer(), exportBtn)
	if writable {
		if cs.Holder == c.d.Me.ID {
			handBtn := widget.NewButtonWithIcon(shell.L("handover.button"), theme.MailForwardIcon(), c.ShowHandoverForm)
			actions.Add(handBtn)
		}
		actions.Add(docBtn)
		actions.Add(noteBtn)
		actions.Add(stageBtn)
	} else {
		audioBtn.Disable()
		videoBtn.Disable()
		photoBtn.Disable()
	}
	top := container.NewVBox(container.NewBorder(nil, nil, back, nil, title), actions)
	if cs.Pending != nil {
		top.Add(handoverBanner(cs, c.officerName))
	}
	c.archiveControls(cs, top, actions, docBtn, noteBtn, stageBtn)

	var names []string
	for _, of := range o.Officers {
		names = append(names, of.Name+"（"+of.CertNo+"）")
	}
	info := widget.NewForm(
		widget.NewFormItem(shell.L("field.act"), widget.NewLabel(shell.L("act."+string(o.Act)))),
		// The officer sees the party's details in full, as the records
		// hold them; only what is published is masked.
		widget.NewFormItem(shell.L("case.party"), widget.NewLabel(strings.TrimSpace(o.Party.Name+"　"+o.Party.IDNo))),
		widget.NewFormItem(shell.L("case.place"), widget.NewLabel(o.Place)),
		widget.NewFormItem(shell.L("case.summary"), wrap(o.Summary)),
		widget.NewFormItem(shell.L("case.officers"), widget.NewLabel(strings.Join(names, "、"))),
	)
	if cs.Holder != cs.Records[0].Author {
		info.Append(shell.L("handover.holder"), widget.NewLabel(c.officerName(cs.Holder)))
	}
	side := container.NewVBox(widget.NewLabelWithStyle(shell.L("case.clocks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	clocks := cs.Clocks(c.cal, c.now())
	if len(clocks) == 0 {
		side.Add(widget.NewLabel(shell.L("case.no_clocks")))
	}
	for _, k := range clocks {
		status, imp := shell.L("clock.running"), widget.MediumImportance
		switch {
		case k.Met:
			status, imp = shell.L("clock.met"), widget.SuccessImportance
		case k.Missed:
			status, imp = shell.L("clock.missed"), widget.DangerImportance
		case k.Overdue:
			status, imp = shell.L("clock.overdue"), widget.DangerImportance
		case k.Lapsed:
			status = shell.L("clock.lapsed")
		}
		l := widget.NewLabel(shell.KeepNumbers(fmt.Sprintf("%s：%s　%s", shell.L("clock."+k.Key), k.Due.Format("2006-01-02"), status)))
		l.Importance = imp
		l.Wrapping = fyne.TextWrapWord
		side.Add(l)
		if k.Approximate {
			side.Add(widget.NewLabel(shell.L("clock.approximate")))
		}
	}
	// Review and publication write records: not for a case handed over.
	if c.rev != nil && writable {
		side.Add(widget.NewSeparator())
		side.Add(c.reviewPanel(cs))
		side.Add(widget.NewSeparator())
	}
	if writable {
		side.Add(c.publishPanel(cs))
	}
	for _, st := range cs.MissingAV(c.av) {
		l := widget.NewLabel(shell.L("case.av_missing", map[string]any{"Stage": shell.L("stage." + st)}))
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		side.Add(l)
	}

	timeline := container.NewVBox(widget.NewLabelWithStyle(shell.L("case.timeline"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	// A correction names a record of the log it is in.
	corrected := map[ledger.RecordRef][]int64{}
	for _, r := range cs.Records {
		if r.Corrects != nil {
			ref := ledger.RecordRef{Device: r.Device, Seq: *r.Corrects}
			corrected[ref] = append(corrected[ref], r.Seq)
		}
	}
	c.Cards = nil
	var savedCard fyne.CanvasObject
	for _, r := range cs.Records {
		card := recordCard(cs, r, c.officerName(r.Author))
		for _, by := range corrected[r.Ref()] {
			l := widget.NewLabel(shell.L("case.corrected_by", map[string]any{"N": cs.Number(ledger.RecordRef{Device: r.Device, Seq: by})}))
			l.Importance = widget.WarningImportance
			card.(*fyne.Container).Add(l)
		}
		seq := r.Seq
		actions := container.NewVBox()
		// Records of the devices that held the case before stay as they
		// are there: only this log's own can be corrected here.
		if writable && r.Device == "" {
			fix := widget.NewButtonWithIcon(shell.L("case.correct"), theme.DocumentCreateIcon(), func() { c.ShowCorrectionForm(seq) })
			fix.Importance = widget.LowImportance
			actions.Add(fix)
		}
		if rec, ok := capture.RecordingOf(r); ok && len(rec.Files) > 0 && fileExists(c.log, rec.Files[0].SHA256) {
			label := shell.L("media.play")
			if rec.Kind == capture.KindPhoto {
				label = shell.L("media.view")
			}
			open := widget.NewButtonWithIcon(label, theme.MediaPlayIcon(), func() { c.ShowPlayer(rec) })
			open.Importance = widget.LowImportance
			actions.Add(open)
		}
		if r.Kind == casefile.KindDocument {
			var doc document.Doc
			json.Unmarshal(r.Body, &doc)
			pdf := widget.NewButtonWithIcon(shell.L("case.print"), theme.DocumentPrintIcon(), func() { c.SavePDF(doc) })
			pdf.Importance = widget.LowImportance
			actions.Add(pdf)
		}
		row := container.NewBorder(nil, nil, nil, actions, card)
		c.Cards = append(c.Cards, row)
		if saved != nil && r.Ref() == *saved {
			// The record just saved stands out where it landed.
			mark := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
			mark.CornerRadius = theme.InputRadiusSize()
			row = container.NewStack(mark, row)
			c.Cards[len(c.Cards)-1] = row
			savedCard = row
			n := len(c.Cards)
			what, _ := describe.Record(r, label)
			notice = shell.L("case.saved", map[string]any{"N": n, "What": what})
		}
		timeline.Add(row)
	}
	c.Notice = widget.NewLabelWithStyle(notice, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.Notice.Importance = widget.SuccessImportance
	c.Notice.Wrapping = fyne.TextWrapWord
	if notice == "" {
		c.Notice.Hide()
	} else {
		top.Add(c.Notice)
	}
	c.Timeline = timeline
	content := container.NewVBox(info, widget.NewSeparator(), timeline)
	c.Scroll = container.NewVScroll(content)
	body := container.NewHSplit(c.Scroll, container.NewVScroll(side))
	body.Offset = 0.68
	c.set(container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, body))
	if savedCard != nil {
		// Laid out by now: the record's place in the scrolled content.
		y := timeline.Position().Y + savedCard.Position().Y
		c.Scroll.ScrollToOffset(fyne.NewPos(0, max(0, y+savedCard.Size().Height-c.Scroll.Size().Height)))
	}
}

func wrap(s string) *widget.Label {
	l := widget.NewLabel(shell.KeepNumbers(s))
	l.Wrapping = fyne.TextWrapWord
	return l
}

// officerName is "name (certificate)" for a record's author, from the
// officer list; the bare number when the list does not know it.
func (c *Cases) officerName(cert string) string {
	if it, err := c.d.cat.Get(context.Background(), catalog.KindOfficer, cert); err == nil {
		return it.Title() + "（" + cert + "）"
	}
	return cert
}

// recordCard shows one record of the timeline: its number in the case
// first, the log's own place (this device's sequence, or the device that
// held the case before) small at the end.
func recordCard(cs *casefile.Case, r casefile.Record, author string) fyne.CanvasObject {
	what, text := describe.Record(r, label)
	if r.Corrects != nil {
		what = shell.L("record.correction") + " " + shell.L("case.record_no", map[string]any{"N": cs.Number(ledger.RecordRef{Device: r.Device, Seq: *r.Corrects})})
	}
	place := shell.L("case.log_seq", map[string]any{"Seq": r.Seq})
	if r.Device != "" {
		place = shell.L("handover.record_of", map[string]any{"Seq": r.Seq, "Device": r.Device})
	}
	no := shell.L("case.record_no", map[string]any{"N": cs.Number(r.Ref())})
	head := widget.NewLabelWithStyle(fmt.Sprintf("%s　%s　%s　%s", no, r.At.Local().Format("2006-01-02 15:04"), what, author),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Truncation = fyne.TextTruncateEllipsis
	seq := canvas.NewText(place, theme.Color(theme.ColorNamePlaceHolder))
	seq.TextSize = theme.CaptionTextSize()
	box := container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), container.NewBorder(nil, nil, nil, seq, head))
	if text != "" {
		box.Add(wrap(text))
	}
	if len(r.Media) > 0 && r.Kind != casefile.KindMedia {
		box.Add(widget.NewLabel(shell.L("case.media_count", map[string]any{"N": len(r.Media)})))
	}
	return box
}

// CaseForm holds the widgets of the form on screen.
type CaseForm struct {
	Act, Item, PartyKind, Officer2, Stage *widget.Select
	PartyName, PartyID, Place, Summary    *widget.Entry
	Note                                  *widget.Entry
	HearingOn                             *widget.Entry
	Decision                              *ProposalForm
	Message                               *widget.Label
	Submit                                func()
	dialog                                dialog.Dialog
}

// colleagues are the other valid certificate holders of the officer's agency.
func (c *Cases) colleagues() []*catalog.Officer {
	ctx := context.Background()
	items, err := c.d.cat.Search(ctx, catalog.Query{Kind: catalog.KindOfficer, Agency: c.d.Me.Agency, Limit: 10000})
	if err != nil {
		fyne.LogError("colleagues", err)
	}
	var out []*catalog.Officer
	for _, it := range items {
		o := it.(*catalog.Officer)
		if o.CertNo != c.d.Me.ID && o.Status == catalog.CertValid {
			out = append(out, o)
		}
	}
	return out
}

func officerLabel(o *catalog.Officer) string { return o.Name + "（" + o.CertNo + "）" }

// colleagueSelect picks the second officer of a record.
func colleagueSelect(colleagues []*catalog.Officer) *widget.Select {
	var names []string
	for _, o := range colleagues {
		names = append(names, officerLabel(o))
	}
	s := widget.NewSelect(names, nil)
	s.PlaceHolder = shell.L("case.pick_officer")
	return s
}

// me and the chosen colleague, as a record names them.
func (c *Cases) presentOfficers(second string, colleagues []*catalog.Officer) []casefile.Officer {
	out := []casefile.Officer{{CertNo: c.d.Me.ID, Name: c.d.Me.Name}}
	for _, o := range colleagues {
		if officerLabel(o) == second {
			out = append(out, casefile.Officer{CertNo: o.CertNo, Name: o.Name})
		}
	}
	return out
}

// ShowNewCase opens the form that registers a case.
func (c *Cases) ShowNewCase() {
	ctx := context.Background()
	f := &CaseForm{Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	var actLabels []string
	for _, a := range catalog.Acts {
		actLabels = append(actLabels, shell.L("act."+string(a)))
	}
	var items []catalog.Item
	f.Item = widget.NewSelect(nil, nil)
	f.Act = widget.NewSelect(actLabels, func(label string) {
		act := actOf(label)
		items, _ = c.d.cat.Search(ctx, catalog.Query{Kind: catalog.KindItem, Agency: c.d.Me.Agency, Act: act, Limit: 1000})
		var names []string
		for _, it := range items {
			names = append(names, it.Title())
		}
		f.Item.SetOptions(names)
		f.Item.ClearSelected()
	})
	f.Act.PlaceHolder = shell.L("form.pick")
	f.Item.PlaceHolder = shell.L("form.pick")
	f.PartyKind = widget.NewSelect([]string{shell.L("party.person"), shell.L("party.org")}, nil)
	f.PartyKind.SetSelectedIndex(0)
	f.PartyName = widget.NewEntry()
	f.PartyID = widget.NewEntry()
	f.PartyID.SetPlaceHolder(shell.L("party.id_hint"))
	f.Place = widget.NewEntry()
	f.Summary = widget.NewMultiLineEntry()
	f.Summary.SetMinRowsVisible(3)
	f.Summary.OnChanged = func(string) { c.d.touch() }
	colleagues := c.colleagues()
	f.Officer2 = colleagueSelect(colleagues)
	f.Submit = func() {
		act := actOf(f.Act.Selected)
		var item catalog.Item
		for _, it := range items {
			if it.Title() == f.Item.Selected {
				item = it
			}
		}
		if act == "" || item == nil {
			f.Message.SetText(shell.L("case.err_incomplete"))
			return
		}
		kind := "person"
		if f.PartyKind.SelectedIndex() == 1 {
			kind = "org"
		}
		id, err := c.log.OpenCase(ctx, c.d.Me.ID, casefile.Opening{Act: act, Agency: c.d.Me.Agency, ItemID: item.Key(),
			ItemName: item.Title(), Party: casefile.Party{Kind: kind, Name: strings.TrimSpace(f.PartyName.Text), IDNo: strings.TrimSpace(f.PartyID.Text)},
			Place: f.Place.Text, Summary: f.Summary.Text, Officers: c.presentOfficers(f.Officer2.Selected, colleagues)})
		if err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		f.dialog.Hide()
		c.ShowCase(id)
	}
	form := widget.NewForm(
		widget.NewFormItem(shell.L("field.act"), f.Act),
		widget.NewFormItem(shell.L("field.item_name"), f.Item),
		widget.NewFormItem(shell.L("party.kind"), f.PartyKind),
		widget.NewFormItem(shell.L("case.party"), f.PartyName),
		widget.NewFormItem(shell.L("party.id"), f.PartyID),
		widget.NewFormItem(shell.L("case.place"), f.Place),
		widget.NewFormItem(shell.L("case.summary"), f.Summary),
		widget.NewFormItem(shell.L("case.second_officer"), f.Officer2),
	)
	c.Form = f
	f.dialog = c.formDialog(shell.L("case.new"), form, f.Message, saveButton(func() { f.Submit() }), fyne.NewSize(640, 560))
}

func actOf(label string) catalog.Act {
	for _, a := range catalog.Acts {
		if shell.L("act."+string(a)) == label {
			return a
		}
	}
	return ""
}

// caseError says what is wrong with a case record in the officer's words.
func caseError(err error) string {
	switch {
	case errors.Is(err, casefile.ErrTwoOfficers):
		return shell.L("case.err_two_officers")
	case errors.Is(err, casefile.ErrIncomplete):
		return shell.L("case.err_incomplete")
	case errors.Is(err, casefile.ErrNotInCase):
		return shell.L("case.err_not_in_case")
	case errors.Is(err, casefile.ErrBadStage):
		return shell.L("case.err_stage")
	case errors.Is(err, casefile.ErrNotSigned):
		return shell.L("case.err_not_signed")
	}
	if msg := handoverError(err); msg != "" {
		return msg
	}
	if msg := shell.ClockError(err); msg != "" {
		return msg
	}
	if msg := shell.CertificateError(err); msg != "" {
		return msg
	}
	return shell.L("error.generic") + " " + err.Error()
}

// ShowStageForm records the next stage of the open case.
func (c *Cases) ShowStageForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	f := &CaseForm{Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	var labels []string
	next := -1
	stages := cs.Procedure().Stages
	for i, st := range stages {
		labels = append(labels, shell.L("stage."+st.Key))
		if _, done := cs.Done[st.Key]; !done && next < 0 && !st.ReviewOnly {
			next = i
		}
	}
	f.Stage = widget.NewSelect(labels, nil)
	f.Stage.PlaceHolder = shell.L("form.pick")
	if next >= 0 {
		f.Stage.SetSelectedIndex(next)
	}
	f.Note = widget.NewMultiLineEntry()
	f.Note.SetMinRowsVisible(4)
	f.Note.OnChanged = func(string) { c.d.touch() }
	f.HearingOn = widget.NewEntry()
	f.HearingOn.SetPlaceHolder("2026-12-01")
	colleagues := c.colleagues()
	f.Officer2 = colleagueSelect(colleagues)
	var decision *ProposalForm
	if c.rev != nil {
		var last review.Proposal
		if st := review.StateOf(cs); st.Submission != nil {
			last = st.Submission.Proposal
		}
		decision = c.newProposalForm(last)
		f.Decision = decision
	}
	f.Submit = func() {
		i := f.Stage.SelectedIndex()
		if i < 0 {
			f.Message.SetText(shell.L("case.err_stage"))
			return
		}
		st := stages[i]
		body := casefile.StageBody{Stage: st.Key, Note: f.Note.Text, Officers: c.presentOfficers(f.Officer2.Selected, colleagues)}
		if st.Decision && decision != nil {
			p, err := decision.Proposal()
			if err != nil {
				f.Message.SetText(shell.L("review.err.amount"))
				return
			}
			if body.Decision, err = json.Marshal(p); err != nil {
				f.Message.SetText(caseError(fmt.Errorf("encode decision of %s: %w", cs.ID, err)))
				return
			}
		}
		if h := strings.TrimSpace(f.HearingOn.Text); h != "" {
			if _, err := time.Parse(time.DateOnly, h); err != nil {
				f.Message.SetText(shell.L("case.err_date"))
				return
			}
			body.HearingOn = h
		}
		// On site, every other officer the record names signs it too:
		// each confirms with their own PIN on this device first.
		var others []casefile.Officer
		if st.OnSite {
			for _, o := range body.Officers {
				if o.CertNo != c.d.Me.ID {
					others = append(others, o)
				}
			}
		}
		f.Message.SetText("")
		c.confirmPresence(others, f.Message, func() {
			rec, err := c.log.AddStage(context.Background(), cs.ID, c.d.Me.ID, body)
			if err != nil {
				forget(c.d.book, others) // a confirmation is for this record only
				f.Message.SetText(reviewError(err))
				return
			}
			f.Message.SetText("")
			f.dialog.Hide()
			c.showSaved(cs.ID, rec)
		})
	}
	form := widget.NewForm(
		widget.NewFormItem(shell.L("case.stage"), f.Stage),
		widget.NewFormItem(shell.L("case.note"), f.Note),
		widget.NewFormItem(shell.L("case.second_officer"), f.Officer2),
		widget.NewFormItem(shell.L("case.hearing_on"), f.HearingOn),
	)
	content := container.NewVBox(form)
	if decision != nil {
		decisionBox := widget.NewForm(decision.items...)
		content.Add(widget.NewCard(shell.L("review.decision_section"), "", decisionBox))
	}
	c.Form = f
	f.dialog = c.formDialog(shell.L("case.record_stage"), container.NewVScroll(content), f.Message, saveButton(func() { f.Submit() }), fyne.NewSize(760, 640))
}

// ShowNoteForm appends a text record to the open case.
func (c *Cases) ShowNoteForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	f := &CaseForm{Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Note = widget.NewMultiLineEntry()
	f.Note.SetMinRowsVisible(6)
	f.Note.OnChanged = func(string) { c.d.touch() }
	f.Submit = func() {
		if strings.TrimSpace(f.Note.Text) == "" {
			f.Message.SetText(shell.L("case.err_empty_note"))
			return
		}
		rec, err := c.log.AddNote(context.Background(), cs.ID, c.d.Me.ID, f.Note.Text)
		if err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		f.dialog.Hide()
		c.showSaved(cs.ID, rec)
	}
	c.Form = f
	f.dialog = c.formDialog(shell.L("case.add_note"), f.Note, f.Message, saveButton(func() { f.Submit() }), fyne.NewSize(600, 360))
}

// agencyName is the officer's agency's full name.
func (c *Cases) agencyName() string {
	ags, err := c.d.cat.Agencies(context.Background())
	if name := catalog.AgencyName(ags, c.d.Me.Agency); err == nil && name != c.d.Me.Agency {
		return name
	}
	return c.d.Me.Unit
}

// DocumentForm is the document dialog's state, for tests.
type DocumentForm struct {
	Template *widget.Select
	Inputs   map[string]*widget.Entry
	// Preview shows the pages as they print, blanks and all; Draft is the
	// document they show.
	Preview *fyne.Container
	Draft   document.Doc
	Message *widget.Label
	Save    func()
	chosen  *document.Template
	dialog  dialog.Dialog
}

// Doc is the document dialog on screen.
func (c *Cases) Doc() *DocumentForm { return c.docForm }

// ShowDocumentForm fills a standard document for the open case; saving
// appends it as a record, and what it records is what prints. The preview
// shows the whole form as it prints from the start, with blanks for what
// is still to fill.
func (c *Cases) ShowDocumentForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	all, err := document.Templates()
	if err != nil {
		dialog.ShowError(err, c.d.win)
		return
	}
	ts := document.For(all, cs.Opening.Act)
	f := &DocumentForm{Inputs: map[string]*widget.Entry{}, Preview: container.NewVBox(), Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	scroll := container.NewVScroll(container.NewCenter(f.Preview))
	fields := container.NewVBox()
	agency := c.agencyName()
	inputs := func() map[string]string {
		m := map[string]string{}
		for k, e := range f.Inputs {
			m[k] = e.Text
		}
		return m
	}
	preview := func() {
		if f.chosen == nil {
			return
		}
		f.Draft = document.Draft(*f.chosen, cs, agency, inputs(), c.now())
		pages, err := pageImages(f.Draft, docPreviewWidth)
		if err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		// A new content, so that the scroll lays out pages added or gone.
		f.Preview = pagesBox(pages)
		scroll.Content = container.NewCenter(f.Preview)
		scroll.Refresh()
	}
	var titles []string
	for _, t := range ts {
		titles = append(titles, t.Title)
	}
	f.Template = widget.NewSelect(titles, func(title string) {
		fields.RemoveAll()
		f.Inputs = map[string]*widget.Entry{}
		for i := range ts {
			if ts[i].Title != title {
				continue
			}
			f.chosen = &ts[i]
			// Defaults naming case values ({doc_no_auto}) show resolved.
			defaults := document.Draft(ts[i], cs, agency, nil, c.now()).Inputs
			form := widget.NewForm()
			for _, fd := range ts[i].Fields {
				e := widget.NewMultiLineEntry()
				e.Wrapping = fyne.TextWrapWord
				e.SetMinRowsVisible(2)
				e.SetText(defaults[fd.Key])
				e.OnChanged = func(string) { c.d.touch(); preview() }
				f.Inputs[fd.Key] = e
				form.Append(fd.Label, e)
			}
			fields.Add(form)
		}
		preview()
	})
	f.Template.PlaceHolder = shell.L("case.doc_pick")
	f.Save = func() {
		if f.chosen == nil {
			f.Message.SetText(shell.L("case.doc_pick"))
			return
		}
		d, err := document.Fill(*f.chosen, cs, agency, inputs(), c.now())
		if err != nil {
			f.Message.SetText(shell.L("case.doc_missing", map[string]any{"Error": docMissing(err)}))
			return
		}
		body, err := json.Marshal(d)
		if err != nil {
			f.Message.SetText(caseError(fmt.Errorf("encode document of %s: %w", cs.ID, err)))
			return
		}
		if _, err := c.log.AddDocument(context.Background(), cs.ID, c.d.Me.ID, body); err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		f.dialog.Hide()
		c.ShowCase(cs.ID)
	}
	c.docForm = f
	left := container.NewVScroll(container.NewVBox(f.Template, fields))
	right := container.NewBorder(widget.NewLabelWithStyle(shell.L("case.doc_preview"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, scroll)
	split := container.NewHSplit(left, right)
	split.Offset = 0.42
	if len(titles) > 0 {
		f.Template.SetSelectedIndex(0) // the first document's form shows at once
	}
	f.dialog = c.formDialog(shell.L("case.make_document"), split, f.Message, saveButton(func() { f.Save() }), fyne.NewSize(1220, 770))
}

// ExportDialog saves the open case as a bundle with its printable case
// file, through the same Chinese save form as printing, and says where.
func (c *Cases) ExportDialog() {
	cs := c.Open
	if cs == nil {
		return
	}
	id := cs.ID
	c.showSave(shell.L("case.export"), shell.L("print.save_bundle"), nil, nil, document.FileName(id, shell.L("print.bundle_name"), ".zip"),
		func() ([]byte, error) {
			var b bytes.Buffer
			err := c.ExportTo(id, &b)
			return b.Bytes(), err
		},
		func(path string) string {
			return shell.L("print.exported", map[string]any{"Path": path, "Key": c.log.Verifier})
		})
}

// ExportTo writes the case's bundle, with the case file PDF, to w.
func (c *Cases) ExportTo(caseID string, w io.Writer) error {
	return bundle.Write(context.Background(), c.log, caseID, c.agencyName(), c.now(), w)
}

// ShowCorrectionForm appends a correction of record seq of the open case.
func (c *Cases) ShowCorrectionForm(seq int64) {
	cs := c.Open
	if cs == nil {
		return
	}
	f := &CaseForm{Message: widget.NewLabel(""), Note: widget.NewMultiLineEntry(), HearingOn: widget.NewEntry()}
	f.Message.Importance = widget.DangerImportance
	f.Note.SetMinRowsVisible(4)
	f.Note.OnChanged = func(string) { c.d.touch() }
	f.HearingOn.SetPlaceHolder(shell.L("case.correction_reason_hint"))
	f.Submit = func() {
		if strings.TrimSpace(f.HearingOn.Text) == "" || strings.TrimSpace(f.Note.Text) == "" {
			f.Message.SetText(shell.L("case.err_correction"))
			return
		}
		rec, err := c.log.AddCorrection(context.Background(), cs.ID, c.d.Me.ID, seq,
			casefile.Correction{Reason: f.HearingOn.Text, Text: f.Note.Text})
		if err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		f.dialog.Hide()
		c.showSaved(cs.ID, rec)
	}
	c.Form = f
	form := widget.NewForm(
		widget.NewFormItem(shell.L("case.correction_reason"), f.HearingOn),
		widget.NewFormItem(shell.L("case.correction_new"), f.Note),
	)
	intro := wrap(shell.L("case.correction_intro", map[string]any{"N": cs.Number(ledger.RecordRef{Seq: seq})}))
	f.dialog = c.formDialog(shell.L("case.correct"), container.NewVBox(intro, form), f.Message, saveButton(func() { f.Submit() }), fyne.NewSize(600, 400))
}

// SavePDF shows one recorded document as it prints, then saves it as a
// PDF named after the case and the document and says where: the record's
// form is what prints, so paper and electronic versions agree.
func (c *Cases) SavePDF(doc document.Doc) {
	c.printDocument(doc)
}

// saveButton appends what its form says; the label warns that it cannot
// be changed after.
func saveButton(submit func()) *widget.Button {
	return widget.NewButtonWithIcon(shell.L("case.save"), theme.ConfirmIcon(), submit)
}

// formDialog shows a form that appends a record, its message and its
// button below the body (which the caller makes scroll where it is long).
func (c *Cases) formDialog(title string, body fyne.CanvasObject, msg *widget.Label, save *widget.Button, size fyne.Size) dialog.Dialog {
	save.Importance = widget.HighImportance
	// A refusal (a clock behind, a missing signature) may be long: it
	// wraps within the dialog rather than running off it.
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, shell.L("admin.cancel"),
		container.NewBorder(nil, container.NewVBox(msg, save), nil, nil, body), c.d.win)
	d.Resize(size)
	d.Show()
	return d
}
