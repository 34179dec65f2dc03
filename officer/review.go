package officer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// decisionKinds are the kinds of decision a proposal can tick
// (review.Proposal.Kinds), for every act.
var decisionKinds = []string{"warning", "fine", "confiscate", "revoke_licence", "deny_licence", "order_closure",
	"demolish", "seize", "enforce", "hearing"}

// actKinds are the kinds a decision of each act can be; an act not listed
// is offered them all.
var actKinds = map[catalog.Act][]string{
	catalog.ActPenalty:    {"warning", "fine", "confiscate", "revoke_licence", "order_closure", "hearing"},
	catalog.ActLicensing:  {"deny_licence", "revoke_licence", "hearing"},
	catalog.ActCoercion:   {"seize", "enforce", "demolish"},
	catalog.ActInspection: {"order_closure", "seize"},
}

// kindsFor are the kinds offered for a case of act: its act's, and any a
// proposal already names.
func kindsFor(a catalog.Act, have []string) []string {
	ks, ok := actKinds[a]
	if !ok {
		return decisionKinds
	}
	var out []string
	for _, k := range decisionKinds {
		if slices.Contains(ks, k) || slices.Contains(have, k) {
			out = append(out, k)
		}
	}
	return out
}

// impacts are the impacts a proposal can tick.
var impacts = []string{"public_interest", "major_impact", "health"}

// reviewError says what is wrong in the officer's or reviewer's words.
func reviewError(err error) string {
	if key := review.ErrorKey(err); key != "" {
		return shell.L(key)
	}
	return caseError(err)
}

// parseRefs reads "3, 5 #7" as the case's record numbers (第3条, as the
// timeline numbers them) and gives the records' sequence numbers, which
// the review's records keep.
func parseRefs(cs *casefile.Case, s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ' ' || r == '、' || r == '#' || r == '第' || r == '条'
	}) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("record number %q: %w", f, err)
		}
		r, ok := cs.Numbered(n)
		if !ok {
			return nil, fmt.Errorf("record number %d: the case has %d records", n, len(cs.Records))
		}
		out = append(out, r.Seq)
	}
	return out, nil
}

// ProposalForm edits a proposed decision.
type ProposalForm struct {
	Fine, Confiscate, Text *widget.Entry
	Kinds, Impacts         *widget.CheckGroup
	Major                  *widget.Label
	items                  []*widget.FormItem
	kindKeys, impactKeys   map[string]string
}

func (c *Cases) newProposalForm(p review.Proposal) *ProposalForm {
	f := &ProposalForm{Fine: widget.NewEntry(), Confiscate: widget.NewEntry(), Text: widget.NewMultiLineEntry(), Major: wrap("")}
	f.Fine.SetPlaceHolder("0")
	f.Confiscate.SetPlaceHolder("0")
	if p.Fine > 0 {
		f.Fine.SetText(strconv.FormatInt(p.Fine, 10))
	}
	if p.Confiscate > 0 {
		f.Confiscate.SetText(strconv.FormatInt(p.Confiscate, 10))
	}
	f.Text.SetText(p.Text)
	label := func(prefix string, keys []string) ([]string, map[string]string) {
		var out []string
		back := map[string]string{}
		for _, k := range keys {
			l := shell.L(prefix + k)
			out = append(out, l)
			back[l] = k
		}
		return out, back
	}
	a := c.Open.Opening.Act
	kindLabels, kindKeys := label("decision.kind.", kindsFor(a, p.Kinds))
	impactLabels, impactKeys := label("decision.impact.", impacts)
	f.Kinds = widget.NewCheckGroup(kindLabels, nil)
	f.Kinds.Horizontal = len(kindLabels) <= 3 // more do not fit one line on a laptop
	f.Impacts = widget.NewCheckGroup(impactLabels, nil)
	f.Impacts.Horizontal = true
	for _, k := range p.Kinds {
		f.Kinds.Selected = append(f.Kinds.Selected, shell.L("decision.kind."+k))
	}
	for _, k := range p.Impacts {
		f.Impacts.Selected = append(f.Impacts.Selected, shell.L("decision.impact."+k))
	}
	update := func() {
		c.d.touch()
		prop, err := f.proposal(kindKeys, impactKeys)
		if err != nil {
			f.Major.SetText(shell.L("review.err.amount"))
			return
		}
		prop.Act, prop.PartyKind = c.Open.Opening.Act, c.Open.Opening.Party.Kind
		if c.rev == nil {
			f.Major.Hide() // no review on this desk: nothing to say
			return
		}
		if rules := c.rev.Policies[c.Open.Opening.Agency].Major(prop); len(rules) > 0 {
			f.Major.Importance = widget.WarningImportance
			f.Major.SetText(shell.L("review.major", map[string]any{"Rules": review.RuleTexts(rules)}))
		} else {
			f.Major.Importance = widget.MediumImportance
			f.Major.SetText(shell.L("review.not_major"))
		}
	}
	f.Fine.OnChanged = func(string) { update() }
	f.Confiscate.OnChanged = func(string) { update() }
	f.Kinds.OnChanged = func([]string) { update() }
	f.Impacts.OnChanged = func([]string) { update() }
	f.Text.OnChanged = func(string) { c.d.touch() }
	update()
	// Amounts are a penalty's (or a levy's, a fee's); a seizure or a
	// licence decides none.
	if a == catalog.ActPenalty || a == catalog.ActLevy || a == catalog.ActFee || p.Fine > 0 {
		f.items = append(f.items, widget.NewFormItem(shell.L("review.fine"), f.Fine))
	}
	if a == catalog.ActPenalty || p.Confiscate > 0 {
		f.items = append(f.items, widget.NewFormItem(shell.L("review.confiscate"), f.Confiscate))
	}
	f.items = append(f.items,
		widget.NewFormItem(shell.L("review.kinds"), f.Kinds),
		widget.NewFormItem(shell.L("review.impacts"), f.Impacts),
		widget.NewFormItem(shell.L("review.decision_text"), f.Text),
		widget.NewFormItem("", f.Major),
	)
	f.kindKeys, f.impactKeys = kindKeys, impactKeys
	return f
}

func (f *ProposalForm) proposal(kindKeys, impactKeys map[string]string) (review.Proposal, error) {
	var p review.Proposal
	var err error
	amount := func(s string) int64 {
		s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
		if s == "" {
			return 0
		}
		n, e := strconv.ParseInt(s, 10, 64)
		if e != nil || n < 0 {
			err = fmt.Errorf("amount %q", s)
		}
		return n
	}
	p.Fine, p.Confiscate = amount(f.Fine.Text), amount(f.Confiscate.Text)
	for _, l := range f.Kinds.Selected {
		p.Kinds = append(p.Kinds, kindKeys[l])
	}
	for _, l := range f.Impacts.Selected {
		p.Impacts = append(p.Impacts, impactKeys[l])
	}
	p.Text = strings.TrimSpace(f.Text.Text)
	return p, err
}

// Proposal reads the form.
func (f *ProposalForm) Proposal() (review.Proposal, error) {
	return f.proposal(f.kindKeys, f.impactKeys)
}

// SubmitForm is the submission dialog's state, for tests.
type SubmitForm struct {
	Proposal                                *ProposalForm
	Facts, Evidence, LegalBasis, Discretion *widget.Entry
	Message                                 *widget.Label
	Submit                                  func()
	dialog                                  dialog.Dialog
}

// ShowSubmitForm sends the case's proposed decision to legal review.
func (c *Cases) ShowSubmitForm() {
	cs := c.Open
	if cs == nil || c.rev == nil {
		return
	}
	var last review.Proposal
	if st := review.StateOf(cs); st.Submission != nil {
		last = st.Submission.Proposal
	}
	f := &SubmitForm{Proposal: c.newProposalForm(last), Facts: widget.NewMultiLineEntry(), Evidence: widget.NewEntry(),
		LegalBasis: widget.NewEntry(), Discretion: widget.NewEntry(), Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	f.Facts.SetMinRowsVisible(3)
	f.Evidence.SetPlaceHolder(shell.L("review.evidence_hint"))
	f.Submit = func() {
		p, err := f.Proposal.Proposal()
		if err != nil {
			f.Message.SetText(shell.L("review.err.amount"))
			return
		}
		// A submission lists the records that prove the facts.
		if strings.TrimSpace(f.Evidence.Text) == "" {
			f.Message.SetText(shell.L("review.err.no_evidence"))
			return
		}
		refs, err := parseRefs(cs, f.Evidence.Text)
		if err != nil {
			f.Message.SetText(shell.L("review.err.bad_ref"))
			return
		}
		rec, err := c.rev.Submit(context.Background(), cs.ID, c.d.Me.ID, review.Submission{Proposal: p, Facts: f.Facts.Text,
			Evidence: refs, LegalBasis: f.LegalBasis.Text, Discretion: f.Discretion.Text})
		if err != nil {
			f.Message.SetText(reviewError(err))
			return
		}
		f.dialog.Hide()
		c.showSaved(cs.ID, rec)
	}
	c.submitForm = f
	form := widget.NewForm(f.Proposal.items...)
	form.Append(shell.L("review.facts"), f.Facts)
	form.Append(shell.L("review.evidence"), f.Evidence)
	form.Append(shell.L("review.legal_basis"), f.LegalBasis)
	form.Append(shell.L("review.discretion"), f.Discretion)
	save := widget.NewButtonWithIcon(shell.L("review.submit"), theme.MailSendIcon(), func() { f.Submit() })
	f.dialog = c.formDialog(shell.L("review.submit"), container.NewVScroll(form), f.Message, save, fyne.NewSize(900, 680))
}

// ShowCoordinateForm records how a disagreement was settled.
func (c *Cases) ShowCoordinateForm() {
	cs := c.Open
	if cs == nil || c.rev == nil {
		return
	}
	method := widget.NewRadioGroup([]string{shell.L("review.method.collective"), shell.L("review.method.head")}, nil)
	method.SetSelected(shell.L("review.method.collective"))
	outcome := widget.NewMultiLineEntry()
	outcome.SetMinRowsVisible(3)
	who := widget.NewEntry()
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	var dlg dialog.Dialog
	save := saveButton(func() {
		m := "collective"
		if method.Selected == shell.L("review.method.head") {
			m = "head"
		}
		rec, err := c.rev.Coordinate(context.Background(), cs.ID, c.d.Me.ID, review.Coordination{Method: m,
			Outcome: outcome.Text, Participants: who.Text})
		if err != nil {
			msg.SetText(reviewError(err))
			return
		}
		dlg.Hide()
		c.showSaved(cs.ID, rec)
	})
	form := widget.NewForm(
		widget.NewFormItem(shell.L("review.method"), method),
		widget.NewFormItem(shell.L("review.outcome"), outcome),
		widget.NewFormItem(shell.L("review.participants"), who),
	)
	dlg = c.formDialog(shell.L("review.coordinate"), form, msg, save, fyne.NewSize(640, 400))
}

// reviewPanel is the case page's review section: status, rules, opinion.
func (c *Cases) reviewPanel(cs *casefile.Case) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabelWithStyle(shell.L("review.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	st := review.StateOf(cs)
	switch {
	case st.Submission == nil:
		box.Add(wrap(shell.L("review.none")))
	case st.Pending():
		box.Add(wrap(shell.L("review.pending", map[string]any{"Due": st.Submission.Due})))
	default:
		l := wrap(shell.L("review.opinion."+st.Opinion.Opinion) + "　" + st.Opinion.Reviewer.Name + "：" + st.Opinion.Reasons)
		if st.Passed() {
			l.Importance = widget.SuccessImportance
		} else {
			l.Importance = widget.DangerImportance
		}
		box.Add(l)
	}
	if st.Submission != nil && st.Submission.Major {
		w := wrap(shell.L("review.major", map[string]any{"Rules": review.RuleTexts(st.Submission.Rules)}))
		w.Importance = widget.WarningImportance
		box.Add(w)
	}
	if st.Coordinated != nil {
		box.Add(wrap(shell.L("review.coordinated", map[string]any{"Outcome": st.Coordinated.Outcome})))
	}
	if !st.Pending() && !st.Passed() {
		b := widget.NewButtonWithIcon(shell.L("review.submit"), theme.MailSendIcon(), c.ShowSubmitForm)
		box.Add(b)
	}
	if st.Opinion != nil && st.Opinion.Opinion == review.Disagree && st.Coordinated == nil {
		box.Add(widget.NewButtonWithIcon(shell.L("review.coordinate"), theme.AccountIcon(), c.ShowCoordinateForm))
	}
	return box
}

// Queue is the reviewer's list of cases waiting for review.
type Queue struct {
	c     *Cases
	List  *widget.List
	items []review.QueueItem
	root  *fyne.Container
	// Form is the open review, for tests.
	Form *OpinionForm
}

func newQueue(c *Cases) *Queue {
	q := &Queue{c: c, root: container.NewStack()}
	q.List = widget.NewList(func() int { return len(q.items) }, func() fyne.CanvasObject {
		title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		sub := widget.NewLabel("")
		days := widget.NewLabel("")
		return container.NewBorder(nil, nil, nil, days, container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), title, sub))
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		it := q.items[i]
		row := o.(*fyne.Container)
		text := row.Objects[0].(*fyne.Container)
		text.Objects[0].(*widget.Label).SetText(it.Case.Opening.Party.Name + "　" + it.Case.Opening.ItemName)
		sub := it.Case.ID + "　" + it.Submission.Proposal.Text
		if it.Device != "" {
			sub += "　" + shell.L("review.from_device", map[string]any{"Device": it.Device})
		}
		text.Objects[1].(*widget.Label).SetText(sub)
		days := row.Objects[1].(*widget.Label)
		if it.Overdue {
			days.Importance = widget.DangerImportance
			days.SetText(shell.KeepNumbers(shell.L("review.queue_overdue", map[string]any{"Due": it.Due.Format("2006-01-02")})))
		} else {
			days.Importance = widget.MediumImportance
			days.SetText(shell.KeepNumbers(shell.L("review.queue_days", map[string]any{"N": it.DaysLeft, "Due": it.Due.Format("2006-01-02")})))
		}
	})
	q.List.OnSelected = func(i widget.ListItemID) {
		q.List.UnselectAll()
		q.ShowReview(q.items[i])
	}
	q.ShowList()
	return q
}

// Items are the cases in the queue.
func (q *Queue) Items() []review.QueueItem { return q.items }

// ShowList refreshes and shows the queue.
func (q *Queue) ShowList() {
	q.c.d.touch()
	items, err := q.c.rev.Queue(context.Background(), q.c.d.Me.Agency)
	if err != nil {
		fyne.LogError("review queue", err)
	}
	q.items = items
	q.List.Refresh()
	head := widget.NewLabel(shell.L("review.queue_head", map[string]any{"N": len(items)}))
	q.root.Objects = []fyne.CanvasObject{container.NewBorder(head, nil, nil, nil, q.List)}
	q.root.Refresh()
}

// OpinionForm is a checklist being answered.
type OpinionForm struct {
	Status  []*widget.Select
	Notes   []*widget.Entry
	Refs    []*widget.Entry
	Opinion *widget.RadioGroup
	Reasons *widget.Entry
	PIN     *widget.Entry
	Message *widget.Label
	// Missing marks, beside each answer, what the form still lacks:
	// Points[i] for checklist point i, then the opinion, the reasons and
	// the PIN; a mark is hidden while its answer is there.
	Points                         []*widget.Label
	MissingOpinion, MissingReasons *widget.Label
	MissingPIN                     *widget.Label
	// NoEvidence warns that the submission names no evidence records.
	NoEvidence *widget.Label
	Busy       *shell.Busy
	Sign       func()
	// Open asks the platform for the case whole, when the queue sent it
	// masked (nil otherwise).
	Open func()
}

// ShowReview opens one submission with the agency's checklist.
func (q *Queue) ShowReview(it review.QueueItem) {
	c := q.c
	cs := it.Case
	cl := c.rev.ChecklistOf(cs)
	f := &OpinionForm{Opinion: widget.NewRadioGroup([]string{shell.L("review.opinion.agree"), shell.L("review.opinion.disagree"),
		shell.L("review.opinion.return")}, nil), Reasons: widget.NewMultiLineEntry(), PIN: widget.NewPasswordEntry(), Message: widget.NewLabel("")}
	f.Opinion.Horizontal = true
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	f.PIN.SetPlaceHolder(shell.L("review.pin_hint"))
	statusLabels := []string{shell.L("review.status.met"), shell.L("review.status.not_met"), shell.L("review.status.na")}
	statusKeys := []string{review.Met, review.NotMet, review.NA}
	points := container.NewVBox(widget.NewLabelWithStyle(shell.L("review.checklist"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	// A mark shown or hidden changes its column's height: the column is
	// laid out again.
	var right *container.Scroll
	unmark := func(l *widget.Label) {
		if l.Visible() {
			l.Hide()
			if right != nil {
				right.Refresh()
			}
		}
	}
	for i, p := range cl.Points {
		s := widget.NewSelect(statusLabels, nil)
		s.PlaceHolder = shell.L("form.pick")
		note := widget.NewEntry()
		note.SetPlaceHolder(shell.L("review.note_hint"))
		note.OnChanged = func(string) { c.d.touch() }
		refs := widget.NewEntry()
		refs.SetPlaceHolder(shell.L("review.refs_hint"))
		miss := missingMark()
		f.Status, f.Notes, f.Refs, f.Points = append(f.Status, s), append(f.Notes, note), append(f.Refs, refs), append(f.Points, miss)
		s.OnChanged = func(string) { unmark(miss) }
		label := widget.NewLabelWithStyle(fmt.Sprintf("%d. %s", i+1, p.Text), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		label.Wrapping = fyne.TextWrapWord
		points.Add(container.NewVBox(label, container.NewBorder(nil, nil, s, nil, container.NewGridWithColumns(2, note, refs)), miss))
	}
	f.MissingOpinion, f.MissingReasons, f.MissingPIN = missingMark(), missingMark(), missingMark()
	f.Opinion.OnChanged = func(string) { unmark(f.MissingOpinion) }
	f.Reasons.OnChanged = func(string) { c.d.touch(); unmark(f.MissingReasons) }
	f.PIN.OnChanged = func(string) { unmark(f.MissingPIN) }
	sub := it.Submission
	evidence := wrap(refsText(cs, sub.Evidence))
	f.NoEvidence = missingMark()
	if len(sub.Evidence) == 0 {
		// Nothing to check the facts against: the reviewer is told so.
		f.NoEvidence.SetText(shell.L("review.no_evidence"))
		f.NoEvidence.Importance = widget.WarningImportance
		f.NoEvidence.Show()
	}
	info := widget.NewForm(
		widget.NewFormItem(shell.L("case.party"), widget.NewLabel(cs.Opening.Party.Name)),
		widget.NewFormItem(shell.L("review.decision_text"), wrap(sub.Proposal.Text)),
		widget.NewFormItem(shell.L("review.facts"), wrap(sub.Facts)),
		widget.NewFormItem(shell.L("review.evidence"), container.NewVBox(evidence, f.NoEvidence)),
		widget.NewFormItem(shell.L("review.legal_basis"), wrap(sub.LegalBasis)),
		widget.NewFormItem(shell.L("review.discretion"), wrap(sub.Discretion)),
		widget.NewFormItem(shell.L("review.rules"), wrap(review.RuleTexts(sub.Rules))),
		widget.NewFormItem(shell.L("review.due"), widget.NewLabel(sub.Due)),
	)
	records := container.NewVBox()
	for _, r := range cs.Records {
		records.Add(recordCard(cs, r, c.officerName(r.Author)))
	}
	f.Sign = func() {
		c.d.touch()
		var op review.Opinion
		op.Submission = it.Seq
		// The content is checked first, each gap marked where it is; the
		// PIN is asked for only then, and kept while the form is fixed.
		missing := 0
		mark := func(l *widget.Label, key string) {
			l.SetText(shell.L(key))
			l.Show()
			missing++
		}
		defer right.Refresh()
		notMet := false
		for i, p := range cl.Points {
			st := ""
			if j := f.Status[i].SelectedIndex(); j >= 0 {
				st = statusKeys[j]
			} else {
				mark(f.Points[i], "review.missing.status")
			}
			notMet = notMet || st == review.NotMet
			refs, err := parseRefs(cs, f.Refs[i].Text)
			if err != nil {
				mark(f.Points[i], "review.err.bad_ref")
			}
			op.Points = append(op.Points, review.PointResult{Key: p.Key, Status: st, Note: f.Notes[i].Text, Refs: refs})
		}
		switch f.Opinion.Selected {
		case shell.L("review.opinion.agree"):
			op.Opinion = review.Agree
			if notMet {
				mark(f.MissingOpinion, "review.err.inconsistent")
			}
		case shell.L("review.opinion.disagree"):
			op.Opinion = review.Disagree
		case shell.L("review.opinion.return"):
			op.Opinion = review.Return
		default:
			mark(f.MissingOpinion, "review.missing.opinion")
		}
		op.Reasons = f.Reasons.Text
		if op.Opinion != review.Agree && op.Opinion != "" && strings.TrimSpace(op.Reasons) == "" {
			mark(f.MissingReasons, "review.missing.reasons")
		}
		if missing > 0 {
			f.Message.SetText(shell.L("review.missing.summary", map[string]any{"N": missing}))
			return
		}
		if f.PIN.Text == "" {
			mark(f.MissingPIN, "review.missing.pin")
			f.Message.SetText("")
			return
		}
		// Signing asks for the reviewer's PIN again: the opinion is theirs.
		// Unsealing the key takes a moment, off the UI's goroutine.
		if f.Busy.Running() {
			return
		}
		pin := f.PIN.Text
		f.Message.SetText("")
		f.Busy.Start(shell.L("review.sign_busy"))
		me := c.d.Me.ID
		c.d.background(func() {
			_, until, err := c.d.book.SignIn(context.Background(), me, pin, "sign-opinion")
			var signErr error
			if err == nil {
				_, signErr = c.rev.OpineRemote(context.Background(), it, me, op)
			}
			c.d.post(func() {
				f.Busy.Stop()
				switch {
				case err != nil:
					f.PIN.SetText("") // a wrong PIN is typed again
					f.Message.SetText(shell.PINError(err, until))
				case signErr != nil:
					f.Message.SetText(reviewError(signErr))
				default:
					q.Form = nil
					q.ShowList()
				}
			})
		})
	}
	q.Form = f
	back := widget.NewButtonWithIcon(shell.L("kiosk.back"), theme.NavigateBackIcon(), q.ShowList)
	var masked fyne.CanvasObject = layout.NewSpacer()
	if it.Masked && it.Device != "" && c.d.openReview != nil {
		note := widget.NewLabel(shell.L("review.masked"))
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.WarningImportance
		var open *widget.Button
		f.Open = func() {
			if f.Busy.Running() {
				return
			}
			c.d.touch()
			f.Message.SetText("")
			f.Busy.Start(shell.L("review.open_busy"))
			agency := c.d.Me.Agency
			c.d.background(func() {
				err := c.d.openReview(context.Background(), agency, it.Device, it.Case.ID)
				c.d.post(func() {
					f.Busy.Stop()
					if err != nil {
						f.Message.SetText(shell.L("review.open_failed", map[string]any{"Error": shell.ErrorText(err)}))
						return
					}
					q.reopen(it)
				})
			})
		}
		open = widget.NewButtonWithIcon(shell.L("review.open"), theme.VisibilityIcon(), func() { f.Open() })
		masked = container.NewBorder(nil, nil, nil, open, note)
	}
	title := widget.NewLabelWithStyle(cs.ID+"　"+cl.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sign := widget.NewButtonWithIcon(shell.L("review.sign"), theme.ConfirmIcon(), func() { f.Sign() })
	sign.Importance = widget.HighImportance
	f.Busy = shell.NewBusy(sign, f.PIN)
	// The opinion and the PIN end the checklist's column, so the case and
	// its records keep the screen's height; the message and the button
	// stay in view below.
	f.Reasons.SetMinRowsVisible(3)
	points.Add(widget.NewSeparator())
	points.Add(widget.NewForm(
		widget.NewFormItem(shell.L("review.opinion"), container.NewVBox(f.Opinion, f.MissingOpinion)),
		widget.NewFormItem(shell.L("review.reasons"), container.NewVBox(f.Reasons, f.MissingReasons)),
		widget.NewFormItem(shell.L("review.pin"), container.NewVBox(f.PIN, f.MissingPIN)),
	))
	bottom := container.NewVBox(f.Message, f.Busy.Content, sign)
	left := container.NewVScroll(container.NewVBox(info, widget.NewSeparator(),
		widget.NewLabelWithStyle(shell.L("case.timeline"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), records))
	right = container.NewVScroll(points)
	split := container.NewHSplit(left, right)
	split.Offset = 0.45
	q.root.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(container.NewHBox(back, title), masked), bottom, nil, nil, split)}
	q.root.Refresh()
}

// reopen shows again a case of the queue, as the device now holds it
// (opened whole), or the list if it left the queue meanwhile.
func (q *Queue) reopen(it review.QueueItem) {
	items, err := q.c.rev.Queue(context.Background(), q.c.d.Me.Agency)
	if err != nil {
		fyne.LogError("review queue", err)
	}
	for _, x := range items {
		if x.Device == it.Device && x.Case.ID == it.Case.ID {
			q.ShowReview(x)
			return
		}
	}
	q.ShowList()
}

// refsText names records by their number in the case.
func refsText(cs *casefile.Case, refs []int64) string {
	var s []string
	for _, r := range refs {
		if n := cs.NumberOfSeq(r); n > 0 {
			s = append(s, shell.L("case.record_no", map[string]any{"N": n}))
		} else {
			s = append(s, "#"+strconv.FormatInt(r, 10))
		}
	}
	return strings.Join(s, "、")
}

// missingMark is a hidden warning beside an answer the form lacks.
func missingMark() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}
