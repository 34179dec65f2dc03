package officer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
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
	tag := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	tag.Importance = widget.HighImportance
	return container.NewBorder(nil, nil, nil, container.NewHBox(tag, warn), container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), title, sub))
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
	what := shell.L("act." + string(cs.Opening.Act))
	if cs.Opening.Procedure != "" {
		what = shell.L("procedure." + cs.Opening.Procedure)
	}
	sub := fmt.Sprintf("%s　%s　%s　%s", cs.ID, what, stage, cs.OpenedAt.Local().Format("2006-01-02"))
	if k := c.nextClock(cs); k != "" {
		sub += "　" + k
	}
	text.Objects[1].(*widget.Label).SetText(sub)
	// A case opened for a drawn task says so: 双随机, its number, its day.
	end := box.Objects[1].(*fyne.Container)
	tag := end.Objects[0].(*widget.Label)
	tag.SetText(taskTag(cs.Opening))
	tag.Hidden = tag.Text == ""
	end.Objects[1].(*widget.Label).SetText(c.warningSummary(cs))
	box.Refresh() // the warning's width changed: laid out again
}

// warningSummary is the warning a list row shows at its end, "" when all
// is well: a limit overdue (which one), a missing audio-visual record.
func (c *Cases) warningSummary(cs *casefile.Case) string {
	for _, k := range cs.Clocks(c.cal, c.now()) {
		if k.Overdue {
			return shell.L("case.warn_overdue") + "：" + shell.L("clock.short."+k.Key)
		}
	}
	if len(cs.MissingAV(c.av)) > 0 {
		return shell.L("case.warn_av")
	}
	return ""
}

// nextClock is the limit running that falls first (its short name, its
// day, extended or not), "" when none runs: a list row shows it.
func (c *Cases) nextClock(cs *casefile.Case) string {
	clocks := cs.Clocks(c.cal, c.now())
	var next *casefile.Clock
	for i, k := range clocks {
		if !k.Met && !k.Missed && !k.Lapsed && !k.Overdue && (next == nil || k.Due.Before(next.Due)) {
			next = &clocks[i]
		}
	}
	if next == nil {
		return ""
	}
	return clockLine(cs, *next, shell.L("clock.short."+next.Key))
}

// clockLine is a limit as a case shows it: its name, its day (and the
// time of day for a limit in hours), whether it was extended, and how it
// stands.
func clockLine(cs *casefile.Case, k casefile.Clock, name string) string {
	due := k.Due.Format("2006-01-02")
	for _, r := range cs.Procedure().Clocks {
		if r.Key == k.Key && r.Hours > 0 {
			due = k.Due.Format("2006-01-02 15:04")
		}
	}
	status := shell.L("clock.running")
	switch {
	case k.Met:
		status = shell.L("clock.met")
	case k.Missed:
		status = shell.L("clock.missed")
	case k.Overdue:
		status = shell.L("clock.overdue")
	case k.Lapsed:
		status = shell.L("clock.lapsed")
	}
	line := fmt.Sprintf("%s：%s　%s", name, due, status)
	if k.Extended {
		line += "　" + shell.L("clock.extended")
	}
	return line
}

func clockImportance(k casefile.Clock) widget.Importance {
	switch {
	case k.Met:
		return widget.SuccessImportance
	case k.Missed, k.Overdue:
		return widget.DangerImportance
	}
	return widget.MediumImportance
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
	if b := c.noticeBanner(cs.ID); b != nil {
		top.Add(b)
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
	// The procedure after the act; the party's representative, address
	// and phone after the party, where the opening has them.
	var party []*widget.FormItem
	if o.Party.Representative != "" {
		rep := shell.L("party.representative_person")
		if o.Party.Kind == "org" {
			rep = shell.L("party.representative_org")
		}
		party = append(party, widget.NewFormItem(rep, widget.NewLabel(o.Party.Representative)))
	}
	if o.Party.Address != "" {
		party = append(party, widget.NewFormItem(shell.L("party.address"), wrap(o.Party.Address)))
	}
	if o.Party.Phone != "" {
		party = append(party, widget.NewFormItem(shell.L("party.phone"), widget.NewLabel(o.Party.Phone)))
	}
	info.Items = slices.Insert(info.Items, 2, party...)
	info.Items = slices.Insert(info.Items, 1, widget.NewFormItem(shell.L("case.procedure"), widget.NewLabel(shell.L("procedure."+cs.Procedure().ID))))
	// A drawn task's case says so first: 双随机, the task's number, its day.
	if o.Task != nil {
		tag := widget.NewLabelWithStyle(shell.L("task.tag_short")+"　"+taskLine(o.Task), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		tag.Importance = widget.HighImportance
		info.Items = slices.Insert(info.Items, 0, widget.NewFormItem(shell.L("task.field"), tag))
	}
	info.Refresh()
	if cs.Holder != cs.Records[0].Author {
		info.Append(shell.L("handover.holder"), widget.NewLabel(c.officerName(cs.Holder)))
	}
	side := container.NewVBox(widget.NewLabelWithStyle(shell.L("case.clocks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	clocks := cs.Clocks(c.cal, c.now())
	if len(clocks) == 0 {
		side.Add(widget.NewLabel(shell.L("case.no_clocks")))
	}
	for _, k := range clocks {
		l := widget.NewLabel(shell.KeepNumbers(clockLine(cs, k, shell.L("clock."+k.Key))))
		l.Importance = clockImportance(k)
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
			var chk *document.Check
			// 扫码验真: this log's own records are checked by their leaf
			// hash; one of the device that held the case before is in that
			// device's log and prints as it did there.
			if r.Device == "" {
				if k, err := document.CheckOf(context.Background(), c.log, cs.ID, r.Seq, c.d.cfg.PlatformURL); err == nil {
					chk = &k
				}
			}
			pdf := widget.NewButtonWithIcon(shell.L("case.print"), theme.DocumentPrintIcon(), func() { c.SavePDF(doc, chk) })
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
	if r.Kind == casefile.KindStage {
		stageDetails(box, r)
	}
	return box
}

// stageDetails adds to a stage record's card who approved it, the dates
// it set and the exception it was recorded under.
func stageDetails(box *fyne.Container, r casefile.Record) {
	var s casefile.StageBody
	if json.Unmarshal(r.Body, &s) != nil {
		return
	}
	var parts []string
	if s.Approver != "" {
		parts = append(parts, shell.L("case.approved_by", map[string]any{"Approver": s.Approver}))
	}
	if s.HearingOn != "" {
		parts = append(parts, shell.L("date.hearing_on")+"："+s.HearingOn)
	}
	for _, f := range slices.Sorted(maps.Keys(s.Dates)) {
		parts = append(parts, shell.L("date."+f)+"："+s.Dates[f])
	}
	if len(parts) > 0 {
		box.Add(wrap(strings.Join(parts, "　")))
	}
	if e := s.Exception; e != nil {
		l := wrap(shell.L("case.exception_record", map[string]any{"Reason": e.Reason, "Approver": e.Approver}))
		l.Importance = widget.WarningImportance
		box.Add(l)
	}
}

// CaseForm holds the widgets of the form on screen.
type CaseForm struct {
	Act, Item, PartyKind, Officer2, Stage *widget.Select
	// Procedure chooses among the act's procedures where it has more
	// than one (普通程序, 简易程序); hidden otherwise.
	Procedure                                     *widget.Select
	PartyName, PartyID, Place, Summary            *widget.Entry
	PartyAddress, PartyPhone, PartyRepresentative *widget.Entry
	Note                                          *widget.Entry
	HearingOn                                     *widget.Entry
	Decision                                      *ProposalForm
	Message                                       *widget.Label
	Submit                                        func()
	dialog                                        dialog.Dialog
	// StageForm is the rest of the stage dialog, nil on other forms.
	StageForm *StageForm
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
	var variants []casefile.Procedure
	f.Item = widget.NewSelect(nil, nil)
	f.Procedure = widget.NewSelect(nil, nil)
	holder := container.NewStack()
	var build func()
	f.Act = widget.NewSelect(actLabels, func(label string) {
		act := actOf(label)
		items, _ = c.d.cat.Search(ctx, catalog.Query{Kind: catalog.KindItem, Agency: c.d.Me.Agency, Act: act, Limit: 1000})
		var names []string
		for _, it := range items {
			names = append(names, it.Title())
		}
		f.Item.SetOptions(names)
		f.Item.ClearSelected()
		// An act with more than one procedure asks which; the general
		// one is chosen until the officer says otherwise.
		variants = c.log.Procedures().Variants(c.d.Me.Agency, act)
		var procs []string
		for _, p := range variants {
			procs = append(procs, shell.L("procedure."+p.ID))
		}
		f.Procedure.SetOptions(procs)
		if len(procs) > 0 {
			f.Procedure.SetSelectedIndex(0)
		}
		build()
	})
	f.Act.PlaceHolder = shell.L("form.pick")
	f.Item.PlaceHolder = shell.L("form.pick")
	f.PartyName = widget.NewEntry()
	f.PartyID = widget.NewEntry()
	f.PartyID.SetPlaceHolder(shell.L("party.id_hint"))
	f.PartyAddress = widget.NewEntry()
	f.PartyPhone = widget.NewEntry()
	f.PartyPhone.SetPlaceHolder(shell.L("party.phone_hint"))
	f.PartyRepresentative = widget.NewEntry()
	f.PartyKind = widget.NewSelect([]string{shell.L("party.person"), shell.L("party.org")}, func(string) {
		if build != nil {
			build()
		}
	})
	f.PartyKind.SetSelectedIndex(0)
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
		phone := strings.TrimSpace(f.PartyPhone.Text)
		if strings.Trim(phone, "0123456789-+ ") != "" {
			f.Message.SetText(shell.L("case.err_phone"))
			return
		}
		kind := "person"
		if f.PartyKind.SelectedIndex() == 1 {
			kind = "org"
		}
		proc := ""
		if i := f.Procedure.SelectedIndex(); i > 0 && i < len(variants) {
			proc = variants[i].ID
		}
		id, err := c.log.OpenCase(ctx, c.d.Me.ID, casefile.Opening{Act: act, Agency: c.d.Me.Agency, ItemID: item.Key(),
			ItemName: item.Title(), Procedure: proc,
			Party: casefile.Party{Kind: kind, Name: strings.TrimSpace(f.PartyName.Text), IDNo: strings.TrimSpace(f.PartyID.Text),
				Address: strings.TrimSpace(f.PartyAddress.Text), Phone: phone, Representative: strings.TrimSpace(f.PartyRepresentative.Text)},
			Place: f.Place.Text, Summary: f.Summary.Text, Officers: c.presentOfficers(f.Officer2.Selected, colleagues)})
		if err != nil {
			f.Message.SetText(caseError(err))
			return
		}
		f.dialog.Hide()
		c.ShowCase(id)
	}
	// The form shows what applies: the procedure where the act has more
	// than one, the legal representative of an organisation or a
	// person's agent.
	build = func() {
		items := []*widget.FormItem{widget.NewFormItem(shell.L("field.act"), f.Act)}
		if len(variants) > 1 {
			row := widget.NewFormItem(shell.L("case.procedure"), f.Procedure)
			row.HintText = shell.L("case.procedure_hint")
			items = append(items, row)
		}
		rep := shell.L("party.representative_person")
		if f.PartyKind.SelectedIndex() == 1 {
			rep = shell.L("party.representative_org")
		}
		items = append(items,
			widget.NewFormItem(shell.L("field.item_name"), f.Item),
			widget.NewFormItem(shell.L("party.kind"), f.PartyKind),
			widget.NewFormItem(shell.L("case.party"), f.PartyName),
			widget.NewFormItem(shell.L("party.id"), f.PartyID),
			widget.NewFormItem(rep, f.PartyRepresentative),
			widget.NewFormItem(shell.L("party.address"), f.PartyAddress),
			widget.NewFormItem(shell.L("party.phone"), f.PartyPhone),
			widget.NewFormItem(shell.L("case.place"), f.Place),
			widget.NewFormItem(shell.L("case.summary"), f.Summary),
			widget.NewFormItem(shell.L("case.second_officer"), f.Officer2),
		)
		holder.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
		holder.Refresh()
	}
	build()
	c.Form = f
	f.dialog = c.formDialog(shell.L("case.new"), container.NewVScroll(holder), f.Message, saveButton(func() { f.Submit() }), fyne.NewSize(680, 680))
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
	// The procedure's refusals, each in its own words; those naming
	// missing stages are said by the stage form (whyText), which knows them.
	if code := casefile.ErrorCode(err); code != "" && code != "out_of_order" && code != "too_early" {
		return shell.L("case.why." + code)
	}
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

// StageForm is the stage dialog's state beyond CaseForm's, for tests:
// where each stage of the case's procedure stands, the exception fields
// shown when the chosen stage's prerequisites are missing, the approver
// and the dates the chosen stage asks for.
type StageForm struct {
	// Steps says for each stage of the procedure, in order, whether it is
	// done, ready, or what it still needs.
	Steps []*widget.Label
	// Prereq says where the chosen stage stands.
	Prereq *widget.Label
	// Exception holds the reason and approver of a stage done before its
	// prerequisites; shown only then.
	Exception                          *fyne.Container
	ExceptionReason, ExceptionApprover *widget.Entry
	// Approver names the head who approved an approval stage.
	Approver *widget.Entry
	// Dates are the date fields of the procedure's stages, by field name;
	// the chosen stage's show.
	Dates map[string]*widget.Entry
	// DecisionCard shows on decision stages; Limits explains a limited
	// procedure's (当场处罚) bounds.
	DecisionCard *widget.Card
	Limits       *widget.Label
}

// nextStage is the stage an officer most likely records next: the first
// one not done, not optional and not for review only, whose prerequisites
// are done; else the first such optional one; -1 if none.
func nextStage(p casefile.Procedure, cs *casefile.Case) int {
	for _, optional := range []bool{false, true} {
		for i, st := range p.Stages {
			if _, done := cs.Done[st.Key]; done || st.ReviewOnly || st.Optional != optional {
				continue
			}
			if len(p.Missing(cs, st)) == 0 {
				return i
			}
		}
	}
	return -1
}

// missingNames names what a stage still needs in the officer's words:
// stages ("陈述申辩或听证" for either) and dates to wait for.
func missingNames(p casefile.Procedure, cs *casefile.Case, st casefile.Stage, now time.Time) (missing, waiting string) {
	var ms, ws []string
	for _, req := range p.Missing(cs, st) {
		var alts []string
		for _, k := range strings.Split(req, "|") {
			alts = append(alts, shell.L("stage."+k))
		}
		ms = append(ms, strings.Join(alts, shell.L("case.or")))
	}
	for _, w := range p.Waiting(cs, st, now) {
		ref, day, _ := strings.Cut(w, "=")
		key, field, _ := strings.Cut(ref, ".")
		ws = append(ws, shell.L("stage."+key)+"·"+shell.L("date."+field)+" "+day)
	}
	return strings.Join(ms, "、"), strings.Join(ws, "、")
}

// whyText says why the case's rules refused stage st, in the officer's
// words ("case.why.<code>", the missing stages named), or what else went
// wrong.
func (c *Cases) whyText(cs *casefile.Case, st casefile.Stage, err error) string {
	code := casefile.ErrorCode(err)
	if code == "" {
		return reviewError(err)
	}
	m, w := missingNames(cs.Procedure(), cs, st, c.log.Now())
	if code == "too_early" || m == "" {
		m = strings.TrimPrefix(m+"、"+w, "、")
		m = strings.TrimSuffix(m, "、")
	}
	return shell.L("case.why."+code, map[string]any{"Missing": m})
}

// ShowStageForm records a stage of the open case, as its procedure has
// them: each stage says whether what it requires is done, the natural
// next one is chosen, a stage chosen before its prerequisites asks for an
// exception (reason and approver), an approval asks for the approver, a
// stage that sets dates asks for them, and a decision says what it decides.
func (c *Cases) ShowStageForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	p := cs.Procedure()
	now := c.log.Now()
	f := &CaseForm{Message: widget.NewLabel("")}
	s := &StageForm{Prereq: wrap(""), Dates: map[string]*widget.Entry{}, ExceptionReason: widget.NewMultiLineEntry(),
		ExceptionApprover: widget.NewEntry(), Approver: widget.NewEntry()}
	f.StageForm = s
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	stages := p.Stages
	var labels []string
	steps := container.New(layout.NewFormLayout())
	for _, st := range stages {
		labels = append(labels, shell.L("stage."+st.Key))
		status := widget.NewLabel("")
		status.Wrapping = fyne.TextWrapWord
		m, w := missingNames(p, cs, st, now)
		_, done := cs.Done[st.Key]
		switch {
		case done:
			status.SetText(shell.L("case.stage_done"))
			status.Importance = widget.SuccessImportance
		case m != "":
			status.SetText(shell.L("case.stage_missing", map[string]any{"Missing": m}))
			status.Importance = widget.WarningImportance
		case w != "":
			status.SetText(shell.L("case.stage_waiting", map[string]any{"Missing": w}))
			status.Importance = widget.WarningImportance
		default:
			status.SetText(shell.L("case.stage_ready"))
		}
		name := shell.L("stage." + st.Key)
		switch {
		case st.ReviewOnly:
			// Reviewed through the review panel, not recorded here.
			status.SetText(shell.L("case.stage_review_only"))
			status.Importance = widget.MediumImportance
		case st.Optional:
			name += shell.L("case.stage_optional")
		}
		s.Steps = append(s.Steps, status)
		steps.Add(widget.NewLabel(name))
		steps.Add(status)
	}
	f.Note = widget.NewMultiLineEntry()
	f.Note.SetMinRowsVisible(3)
	f.Note.OnChanged = func(string) { c.d.touch() }
	s.ExceptionReason.SetMinRowsVisible(2)
	s.ExceptionApprover.SetPlaceHolder(shell.L("case.approver_hint"))
	s.Approver.SetPlaceHolder(shell.L("case.approver_hint"))
	for _, st := range stages {
		for _, d := range st.Dates {
			if s.Dates[d] == nil {
				e := widget.NewEntry()
				e.SetPlaceHolder(shell.L("case.date_hint"))
				s.Dates[d] = e
			}
		}
	}
	colleagues := c.colleagues()
	f.Officer2 = colleagueSelect(colleagues)
	var last review.Proposal
	if st := review.StateOf(cs); st.Submission != nil {
		last = st.Submission.Proposal
	}
	decision := c.newProposalForm(last)
	f.Decision = decision
	s.Limits = wrap("")
	s.Limits.Importance = widget.WarningImportance
	if l := p.Limits; l != nil {
		var kinds []string
		for _, k := range l.Kinds {
			kinds = append(kinds, shell.L("decision.kind."+k))
		}
		s.Limits.SetText(shell.KeepNumbers(shell.L("case.limits", map[string]any{"Procedure": shell.L("procedure." + p.ID),
			"Kinds": strings.Join(kinds, "、"), "Person": l.FinePerson, "Org": l.FineOrg})))
	} else {
		s.Limits.Hide()
	}
	s.DecisionCard = widget.NewCard(shell.L("review.decision_section"), "", container.NewVBox(s.Limits, widget.NewForm(decision.items...)))
	exIntro := wrap("")
	exIntro.Importance = widget.WarningImportance
	s.Exception = container.NewVBox(exIntro, widget.NewForm(
		widget.NewFormItem(shell.L("case.exception_reason"), s.ExceptionReason),
		widget.NewFormItem(shell.L("case.exception_approver"), s.ExceptionApprover)))
	exCard := widget.NewCard(shell.L("case.exception_title"), "", s.Exception)
	fields := container.NewVBox()
	content := container.NewVBox(fields, exCard, s.DecisionCard)
	var scroll *container.Scroll
	// Choosing a stage shows what it asks for, and nothing it does not.
	f.Stage = widget.NewSelect(labels, func(string) {
		c.d.touch()
		i := f.Stage.SelectedIndex()
		if i < 0 {
			return
		}
		st := stages[i]
		m, w := missingNames(p, cs, st, now)
		items := []*widget.FormItem{widget.NewFormItem(shell.L("case.stage"), f.Stage), widget.NewFormItem("", s.Prereq)}
		if st.Approval {
			items = append(items, widget.NewFormItem(shell.L("case.approver"), s.Approver))
		}
		for _, d := range st.Dates {
			items = append(items, widget.NewFormItem(shell.L("date."+d), s.Dates[d]))
		}
		items = append(items, widget.NewFormItem(shell.L("case.note"), f.Note),
			widget.NewFormItem(shell.L("case.second_officer"), f.Officer2))
		fields.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
		fields.Refresh()
		_, done := cs.Done[st.Key]
		switch {
		case m != "" || w != "":
			s.Prereq.SetText(s.Steps[i].Text)
			s.Prereq.Importance = widget.WarningImportance
			exIntro.SetText(shell.L("case.exception_intro", map[string]any{"Missing": strings.Trim(m+"、"+w, "、")}))
			exCard.Show()
		default:
			s.Prereq.SetText(shell.L("case.stage_chosen_ready"))
			if done {
				s.Prereq.SetText(shell.L("case.stage_done"))
			}
			s.Prereq.Importance = widget.SuccessImportance
			exCard.Hide()
		}
		s.Prereq.Refresh()
		if st.Decision {
			s.DecisionCard.Show()
		} else {
			s.DecisionCard.Hide()
		}
		f.Message.SetText("")
		if scroll != nil {
			scroll.Refresh()
		}
	})
	f.Stage.PlaceHolder = shell.L("form.pick")
	if next := nextStage(p, cs); next >= 0 {
		f.Stage.SetSelectedIndex(next)
	} else {
		f.Stage.SetSelectedIndex(0)
	}
	f.Submit = func() {
		i := f.Stage.SelectedIndex()
		if i < 0 {
			f.Message.SetText(shell.L("case.err_stage"))
			return
		}
		st := stages[i]
		body := casefile.StageBody{Stage: st.Key, Note: f.Note.Text, Officers: c.presentOfficers(f.Officer2.Selected, colleagues)}
		if st.Approval {
			body.Approver = strings.TrimSpace(s.Approver.Text)
		}
		for _, d := range st.Dates {
			v := strings.TrimSpace(s.Dates[d].Text)
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				f.Message.SetText(shell.L("case.why.bad_date") + "（" + shell.L("date."+d) + "）")
				return
			}
			if d == "hearing_on" {
				body.HearingOn = v
				continue
			}
			if body.Dates == nil {
				body.Dates = map[string]string{}
			}
			body.Dates[d] = v
		}
		if st.Decision {
			prop, err := decision.Proposal()
			if err != nil {
				f.Message.SetText(shell.L("review.err.amount"))
				return
			}
			if body.Decision, err = json.Marshal(prop); err != nil {
				f.Message.SetText(caseError(fmt.Errorf("encode decision of %s: %w", cs.ID, err)))
				return
			}
		}
		at := c.log.Now()
		if missing := append(p.Missing(cs, st), p.Waiting(cs, st, at)...); len(missing) > 0 {
			reason, approver := strings.TrimSpace(s.ExceptionReason.Text), strings.TrimSpace(s.ExceptionApprover.Text)
			if reason != "" || approver != "" {
				body.Exception = &casefile.Exception{Reason: reason, Approver: approver, Missing: missing}
			}
		}
		// The rules and the review gate are asked before anyone confirms
		// with a PIN: a record they refuse is not signed for nothing.
		if err := p.CheckStage(cs, body, at); err != nil {
			f.Message.SetText(c.whyText(cs, st, err))
			return
		}
		if c.rev != nil {
			if err := c.rev.Gate()(context.Background(), cs, body); err != nil {
				f.Message.SetText(c.whyText(cs, st, err))
				return
			}
		}
		// On site, every other officer the record names signs it too:
		// each confirms with their own PIN on this device first.
		var others []casefile.Officer
		if st.OnSite {
			if err := checkTwo(body.Officers); err != nil {
				f.Message.SetText(c.whyText(cs, st, err))
				return
			}
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
				f.Message.SetText(c.whyText(cs, st, err))
				return
			}
			f.Message.SetText("")
			f.dialog.Hide()
			c.showSaved(cs.ID, rec)
		})
	}
	c.Form = f
	scroll = container.NewVScroll(content)
	// The form on the left, where the case stands on the right.
	side := container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(shell.L("case.stages_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), steps))
	split := container.NewHSplit(scroll, side)
	split.Offset = 0.58
	f.dialog = c.formDialog(shell.L("case.record_stage"), split, f.Message, saveButton(func() { f.Submit() }), fyne.NewSize(1200, 740))
}

// checkTwo is the case file's rule that an on-site record names two
// officers with their certificates, asked before the second one's PIN.
func checkTwo(os []casefile.Officer) error {
	seen := map[string]bool{}
	for _, o := range os {
		if c := strings.TrimSpace(o.CertNo); c != "" {
			seen[c] = true
		}
	}
	if len(seen) < 2 {
		return casefile.ErrTwoOfficers
	}
	return nil
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
		pages, err := pageImages(f.Draft, nil, docPreviewWidth) // no record yet: the 扫码验真 mark comes with it
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
//
// chk is the record's 扫码验真 mark, printed on every page (nil for none).
func (c *Cases) SavePDF(doc document.Doc, chk *document.Check) {
	c.printDocument(doc, chk)
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
