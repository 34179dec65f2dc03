package officer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// deskAs signs a new desk in as id on a shared log and book.
func deskAs(t *testing.T, d *Desk, l *casefile.Log, rev *review.Service, id string) {
	t.Helper()
	cal, _ := calendar.Parse(assets.Calendar)
	av, _ := demo.AVList()
	d.SetCaseFile(l, cal, av)
	d.SetReview(rev)
	if d.Me != nil {
		test.Tap(d.SignOut)
	}
	test.Type(d.ID, id)
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.Me == nil || d.Me.ID != id {
		t.Fatalf("sign in as %s: %q", id, d.Message.Text)
	}
}

func answerAll(f *OpinionForm, status int) {
	for _, s := range f.Status {
		s.SetSelectedIndex(status)
	}
}

// A case goes from submission, through a review that returns it for more
// material, to a second review that passes, and then the decision.
func TestReviewWalkthrough(t *testing.T) {
	d := newTestDesk(t)
	l, rev := reviewLog(t, d, "RW")

	officerID, reviewerID := "990101000001", "990101000003"
	if a, _ := d.book.List(context.Background(), account.RoleReviewer); len(a) == 0 {
		t.Fatal("no demo reviewer")
	}
	deskAs(t, d, l, rev, officerID)
	ctx := context.Background()
	id, err := l.OpenCase(ctx, officerID, casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司"},
		Officers: []casefile.Officer{{CertNo: officerID, Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The case is brought through its procedure to where it is decided.
	casefiletest.WalkTo(t, l, id, officerID, []casefile.Officer{{CertNo: officerID, Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}, "decide")
	c := d.Cases
	c.ShowCase(id)

	// Deciding a major penalty before any review is refused, in words.
	test.Tap(findButton(t, c, "记录办理环节"))
	c.Form.Stage.SetSelected("决定")
	c.Form.Decision.Fine.SetText("200000")
	c.Form.Submit()
	if !strings.Contains(c.Form.Message.Text, "未经法制审核") {
		t.Fatalf("decision before review: %q", c.Form.Message.Text)
	}

	// Submit: the form shows the decision is major.
	test.Tap(findButton(t, c, "提交法制审核"))
	sf := c.submitForm
	sf.Proposal.Fine.SetText("200000")
	if !strings.Contains(sf.Proposal.Major.Text, "重大执法决定") {
		t.Fatalf("major flag: %q", sf.Proposal.Major.Text)
	}
	sf.Proposal.Text.SetText("罚款人民币二十万元")
	sf.Facts.SetText("发布虚假广告，经调查属实。")
	sf.Evidence.SetText("1") // the case's first record, as the timeline numbers it
	sf.LegalBasis.SetText("《中华人民共和国广告法》第五十五条")
	sf.Submit()
	if sf.Message.Text != "" {
		t.Fatalf("submit: %q", sf.Message.Text)
	}

	// The reviewer sees it in the queue and returns it for more material.
	deskAs(t, d, l, rev, reviewerID)
	q := d.Queue
	if q == nil || len(q.Items()) != 1 {
		t.Fatalf("queue: %v", q)
	}
	q.ShowReview(q.Items()[0])
	f := q.Form
	answerAll(f, 1) // not met
	f.Opinion.SetSelected("退回补充材料")
	f.Reasons.SetText("缺少广告发布费用的证据")
	f.PIN.SetText("000001")
	f.Sign()
	if !strings.Contains(f.Message.Text, "不正确") {
		t.Fatalf("signing with a wrong PIN: %q", f.Message.Text)
	}
	f.PIN.SetText(demo.PIN)
	f.Sign()
	if q.Form != nil || len(q.Items()) != 0 {
		t.Fatalf("after returning: form %v, %d queued", q.Form, len(q.Items()))
	}

	// The officer adds material and submits again.
	deskAs(t, d, l, rev, officerID)
	c = d.Cases
	note, _ := l.AddNote(ctx, id, officerID, "补充：广告发布合同及付款凭证")
	c.ShowCase(id)
	noteNo := strconv.Itoa(c.Open.Number(note.Ref()))
	test.Tap(findButton(t, c, "提交法制审核"))
	sf = c.submitForm
	if sf.Proposal.Fine.Text != "200000" {
		t.Fatalf("the second submission does not start from the first: %q", sf.Proposal.Fine.Text)
	}
	sf.Facts.SetText("发布虚假广告，广告费用二十万元。")
	sf.Evidence.SetText("1, " + noteNo)
	sf.LegalBasis.SetText("《中华人民共和国广告法》第五十五条")
	sf.Submit()

	// A second review passes.
	deskAs(t, d, l, rev, reviewerID)
	q = d.Queue
	q.ShowReview(q.Items()[0])
	answerAll(q.Form, 0) // met
	q.Form.Refs[3].SetText(noteNo)
	q.Form.Opinion.SetSelected("同意")
	q.Form.PIN.SetText(demo.PIN)
	q.Form.Sign()
	if q.Form != nil {
		t.Fatal("the passing opinion was not signed")
	}

	// The officer records the decision reviewed.
	deskAs(t, d, l, rev, officerID)
	c = d.Cases
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	c.Form.Stage.SetSelected("决定")
	if c.Form.Decision.Fine.Text != "200000" {
		t.Fatalf("decision not prefilled from the review: %q", c.Form.Decision.Fine.Text)
	}
	c.Form.Submit()
	if c.Open.Current != "decide" {
		t.Fatalf("decision refused: %q", c.Form.Message.Text)
	}
	cs, _ := l.Case(ctx, id)
	if v := rev.Violations(cs); len(v) != 0 {
		t.Fatalf("violations %v", v)
	}
	if _, err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// A reviewer's desk lists another device's case the platform sent, marked
// with its device, and signing the checklist writes the opinion into this
// device's log for the platform to pass on, leaving the queue empty.
func TestReviewerSignsAnotherDevicesCase(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	open := func(name string) *casefile.Log { return casefiletest.Open(t, name) }
	cal, _ := calendar.Parse(assets.Calendar)
	pols, _ := demo.Policies()
	cls, _ := review.Checklists()
	service := func(l *casefile.Log) *review.Service {
		return &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: review.BookReviewers{Book: d.book}}
	}
	// The officer's device: a case submitted for review.
	other := open("FIELD-7")
	id, err := other.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service(other).Submit(ctx, id, "990101000001", review.Submission{Proposal: review.Proposal{Fine: 200000, Text: "罚款二十万元"},
		Facts: "发布虚假广告", LegalBasis: "《广告法》第五十五条"}); err != nil {
		t.Fatal(err)
	}
	recs, err := other.Records(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// The reviewer's device, with that case from the platform.
	l := open("LEGAL-1")
	rev := service(l)
	rev.Remote = func() []review.RemoteCase { return []review.RemoteCase{{Device: "FIELD-7", Case: id, Records: recs}} }
	deskAs(t, d, l, rev, "990101000003")
	q := d.Queue
	if q == nil || len(q.Items()) != 1 || q.Items()[0].Device != "FIELD-7" {
		t.Fatalf("queue %+v", q)
	}
	row := q.List.CreateItem()
	q.List.UpdateItem(0, row)
	var texts []string
	for _, o := range test.LaidOutObjects(row) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	if !strings.Contains(fmt.Sprint(texts), "来自设备 FIELD-7") {
		t.Fatal("the queue does not say which device the case is from")
	}
	q.ShowReview(q.Items()[0])
	answerAll(q.Form, 0)
	q.Form.Opinion.SetSelected("同意")
	q.Form.PIN.SetText(demo.PIN)
	q.Form.Sign()
	if q.Form != nil || len(q.Items()) != 0 {
		t.Fatalf("after signing: form %v, %d queued", q.Form != nil, len(q.Items()))
	}
	mine, _, err := l.Since(ctx, 0)
	if err != nil || len(mine) != 1 {
		t.Fatalf("this device's log: %d records, %v", len(mine), err)
	}
	var r casefile.Record
	json.Unmarshal(mine[0].Data, &r)
	if r.Kind != review.KindRemoteOpinion || r.Case != "FIELD-7/"+id || r.Author != "990101000003" {
		t.Fatalf("the opinion record: %+v", r)
	}
}

// reviewLog opens a case log named origin for d, with the legal review
// (the demo's policies and checklists, the desk's book as the registry of
// reviewers) installed as its gate.
func reviewLog(t *testing.T, d *Desk, origin string) (*casefile.Log, *review.Service) {
	t.Helper()
	dir := t.TempDir()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cal, _ := calendar.Parse(assets.Calendar)
	pols, _ := demo.Policies()
	cls, _ := review.Checklists()
	rev := &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: review.BookReviewers{Book: d.book}}
	l.SetGate(rev.Gate())
	return l, rev
}

// agencyPeople are the demo accounts of agency: its officers and its
// reviewer, by certificate number.
func agencyPeople(t *testing.T, d *Desk, agency string) (officers []account.Account, reviewer account.Account) {
	t.Helper()
	all, err := d.book.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		switch {
		case a.Agency != agency:
		case a.Role == account.RoleOfficer:
			officers = append(officers, a)
		case a.Role == account.RoleReviewer:
			reviewer = a
		}
	}
	if len(officers) < 2 || reviewer.ID == "" {
		t.Fatalf("agency %s: %d officers, reviewer %q", agency, len(officers), reviewer.ID)
	}
	return officers, reviewer
}

// docInputs are what an officer types into the documents' fields.
var docInputs = map[string]string{
	"facts": "当事人超标排放水污染物，经监测化学需氧量超标2.3倍。", "basis": "《中华人民共和国环境保护法》第二十五条",
	"measure": "查封", "things": "污水处理设施1套、排污泵2台", "term": "30日", "time": "2026年3月3日10时至11时",
	"present": "当事人法定代表人张建国", "findings": "排污口正在排放黑色污水，现场查封排污泵2台。", "document": "行政强制措施决定书",
	"receiver": "张建国", "person": "张建国", "opinion": "同意", "approver": "王局长", "reason": "需继续检测", "days": "30日",
}

// makeDocuments makes on the desk, through its document form, every
// document the procedure lists for stage whose template is bundled (of
// "a|b" the first bundled), filling what the case does not; it returns
// the templates made.
func makeDocuments(t *testing.T, c *Cases, stage string) []string {
	t.Helper()
	st, ok := c.Open.Procedure().Stage(stage)
	if !ok {
		t.Fatalf("no stage %s", stage)
	}
	var made []string
	for _, entry := range st.Documents {
		for _, id := range strings.Split(entry, "|") {
			tpl, err := document.TemplateByID(id)
			if err != nil {
				continue // not bundled on this branch
			}
			test.Tap(findButton(t, c, "制作文书"))
			f := c.Doc()
			f.Template.SetSelected(tpl.Title)
			if f.chosen == nil || f.chosen.ID != id {
				t.Fatalf("stage %s: document %s (%s) not offered for %s", stage, id, tpl.Title, c.Open.Opening.Act)
			}
			for key, e := range f.Inputs {
				if strings.TrimSpace(e.Text) == "" {
					v, ok := docInputs[key]
					if !ok {
						v = "见案卷"
					}
					e.SetText(v)
				}
			}
			before := len(c.Open.Records)
			f.Save()
			if f.Message.Text != "" || len(c.Open.Records) != before+1 {
				t.Fatalf("stage %s: document %s not saved: %q", stage, id, f.Message.Text)
			}
			made = append(made, id)
			break
		}
	}
	return made
}

// TestSeizureWalk walks a seizure of an environmental agency (whose rules
// make 查封扣押 a major decision) on the desk, through its widgets, from
// 审批 to 解除 and 结案: the head's approval named, the decision refused
// before the legal review passes and recorded after, enforced and served
// with two officers each confirming, extended with approval, released and
// closed; each stage's documents made where their template is bundled;
// and the 30-day clock shown from enforcement and at 60 days once
// extended.
func TestSeizureWalk(t *testing.T) {
	d := newTestDesk(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	l, rev := reviewLog(t, d, "SZ")
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	l.SetClock(func() time.Time { return now })
	officers, reviewer := agencyPeople(t, d, "03")
	me, second := officers[0], officers[1]
	signIn := func(id string) *Cases {
		deskAs(t, d, l, rev, id)
		d.Cases.now = func() time.Time { return now }
		return d.Cases
	}
	c := signIn(me.ID)

	// Opened on the new-case form, the party in full.
	test.Tap(c.NewCase)
	nf := c.Form
	nf.Act.SetSelected(shell.L("act.coercion"))
	if len(nf.Procedure.Options) != 2 || nf.Procedure.Selected != shell.L("procedure.coercion") {
		t.Fatalf("coercion procedures: %v, chosen %q", nf.Procedure.Options, nf.Procedure.Selected)
	}
	if len(nf.Item.Options) == 0 {
		t.Fatal("agency 03 has no coercion items")
	}
	nf.Item.SetSelectedIndex(0)
	for _, it := range nf.Item.Options {
		if strings.Contains(it, "查封") {
			nf.Item.SetSelected(it)
			break
		}
	}
	nf.PartyKind.SetSelectedIndex(1)
	test.Type(nf.PartyName, "青禾市某某化工有限公司")
	test.Type(nf.PartyID, "91990100MA00000X1K")
	test.Type(nf.PartyRepresentative, "张建国")
	test.Type(nf.PartyAddress, "青禾市云台区化工园路8号")
	test.Type(nf.PartyPhone, "0999-87654321")
	test.Type(nf.Place, "青禾市云台区化工园路8号厂区排污口")
	test.Type(nf.Summary, "监测发现超标排放水污染物，拟查封排污设施。")
	pickOfficer(t, nf.Officer2, second.ID)
	relayout(d.win.Canvas().Overlays().Top())
	shelltest.Shot(t, d.win, "new-case")
	nf.Submit()
	if c.Open == nil {
		t.Fatalf("case not opened: %q", nf.Message.Text)
	}
	id := c.Open.ID
	if o := c.Open.Opening; o.Procedure != "" || o.Party.Representative != "张建国" || o.Party.Phone != "0999-87654321" || o.Agency != "03" {
		t.Fatalf("opening %+v", o)
	}

	// stage opens the stage form on stage (its natural next unless
	// chosen), lets fill complete it and saves; others on site confirm.
	stage := func(key string, choose bool, fill func(f *CaseForm)) {
		t.Helper()
		test.Tap(findButton(t, c, "记录办理环节"))
		f := c.Form
		if choose {
			f.Stage.SetSelected(shell.L("stage." + key))
		} else if f.Stage.Selected != shell.L("stage."+key) {
			t.Fatalf("next stage offered %q, want %s", f.Stage.Selected, key)
		}
		if !strings.Contains(f.StageForm.Prereq.Text, "前置环节均已完成") {
			t.Fatalf("%s: %q", key, f.StageForm.Prereq.Text)
		}
		if fill != nil {
			fill(f)
		}
		c.Confirm = nil
		f.Submit()
		if c.Confirm != nil {
			test.Type(c.Confirm.PIN, demo.PIN)
			test.Tap(c.Confirm.OK)
		}
		if c.Open.Current != key {
			t.Fatalf("%s not recorded: %q", key, f.Message.Text)
		}
	}
	onSite := func(f *CaseForm) { pickOfficer(t, f.Officer2, second.ID) }
	approve := func(f *CaseForm) {
		f.Submit()
		if f.Message.Text != shell.L("case.why.no_approver") {
			t.Fatalf("approval without approver: %q", f.Message.Text)
		}
		test.Type(f.StageForm.Approver, "王局长")
	}
	docs := map[string][]string{}
	stage("approve", false, approve)
	docs["approve"] = makeDocuments(t, c, "approve")

	// 查封扣押 decided before any review is refused, in words.
	seize := shell.L("decision.kind.seize")
	tryDecide := func() *CaseForm {
		t.Helper()
		test.Tap(findButton(t, c, "记录办理环节"))
		f := c.Form
		if f.Stage.Selected != "决定" || !onCanvas(d.win, f.StageForm.DecisionCard) {
			t.Fatalf("decision form: %q, shown %v", f.Stage.Selected, onCanvas(d.win, f.StageForm.DecisionCard))
		}
		if len(f.Decision.Kinds.Selected) == 0 {
			f.Decision.Kinds.SetSelected([]string{seize})
		}
		if !strings.Contains(f.Decision.Major.Text, "重大执法决定") {
			t.Fatalf("the seizure is not flagged major: %q", f.Decision.Major.Text)
		}
		f.Decision.Text.SetText("查封污水处理设施1套、排污泵2台，期限30日")
		f.Submit()
		return f
	}
	f := tryDecide()
	if f.Message.Text != shell.L(review.ErrorKey(review.ErrNoReview)) || c.Open.Current != "approve" {
		t.Fatalf("seizure before review: %q", f.Message.Text)
	}
	f.dialog.Hide()

	// Submitted for review from the case page.
	test.Tap(findButton(t, c, "提交法制审核"))
	sf := c.submitForm
	sf.Proposal.Kinds.SetSelected([]string{seize})
	sf.Proposal.Text.SetText("查封污水处理设施1套、排污泵2台，期限30日")
	sf.Facts.SetText("监测发现超标排放水污染物。")
	sf.Evidence.SetText("1, 2")
	sf.LegalBasis.SetText("《中华人民共和国环境保护法》第二十五条")
	sf.Submit()
	if sf.Message.Text != "" {
		t.Fatalf("submit: %q", sf.Message.Text)
	}
	// Pending, still refused.
	f = tryDecide()
	if f.Message.Text != shell.L(review.ErrorKey(review.ErrNoReview)) {
		t.Fatalf("seizure while the review is pending: %q", f.Message.Text)
	}
	relayout(d.win.Canvas().Overlays().Top())
	shelltest.Shot(t, d.win, "seizure-refused")
	f.dialog.Hide()

	// The agency's reviewer signs the opinion on the desk.
	signIn(reviewer.ID)
	q := d.Queue
	if q == nil || len(q.Items()) != 1 || q.Items()[0].Case.ID != id {
		t.Fatalf("review queue: %+v", q)
	}
	q.ShowReview(q.Items()[0])
	answerAll(q.Form, 0)
	q.Form.Opinion.SetSelected("同意")
	q.Form.Reasons.SetText("事实清楚，证据确凿，程序合法。")
	q.Form.PIN.SetText(demo.PIN)
	q.Form.Sign()
	if q.Form != nil {
		t.Fatal("the opinion was not signed")
	}

	// Decided now, as reviewed.
	c = signIn(me.ID)
	c.ShowCase(id)
	docs["review"] = makeDocuments(t, c, "review")
	if f := tryDecide(); c.Open.Current != "decide" {
		t.Fatalf("seizure after the review passed: %q", f.Message.Text)
	}
	docs["decide"] = makeDocuments(t, c, "decide")

	// Enforced the next day with two officers: the 30 days run from it.
	now = now.Add(25 * time.Hour) // 2026-03-03 10:00
	c.ShowCase(id)
	stage("enforce", false, onSite)
	docs["enforce"] = makeDocuments(t, c, "enforce")
	clockShown := func(want string) {
		t.Helper()
		if side := texts(c.root); !strings.Contains(side, shell.KeepNumbers(want)) {
			t.Fatalf("the case does not show %q:\n%s", want, side)
		}
	}
	seizure := shell.L("clock.seizure_30")
	clockShown(seizure + "：2026-04-02　进行中")
	stage("serve", false, onSite)
	docs["serve"] = makeDocuments(t, c, "serve")

	// Extended with the head's approval before the 30 days end: 60 days.
	now = time.Date(2026, 3, 30, 9, 0, 0, 0, cst)
	c.ShowCase(id)
	stage("extend", true, approve)
	docs["extend"] = makeDocuments(t, c, "extend")
	clockShown(seizure + "：2026-05-02　进行中　已延长")
	c.ShowList()
	row := c.List.CreateItem()
	c.List.UpdateItem(0, row)
	if got := texts(row); !strings.Contains(got, "查封扣押期限：2026-05-02　进行中　已延长") {
		t.Fatalf("the case list shows %q", got)
	}
	shelltest.Shot(t, d.win, "seizure-list")
	c.ShowCase(id)
	shelltest.Shot(t, d.win, "seizure-clocks")

	// Released within them, and closed.
	now = time.Date(2026, 4, 20, 9, 0, 0, 0, cst)
	c.ShowCase(id)
	stage("release", false, nil)
	docs["release"] = makeDocuments(t, c, "release")
	clockShown(seizure + "：2026-05-02　已按时完成　已延长")
	stage("close", false, nil)

	// Closed, the case takes no further stage.
	test.Tap(findButton(t, c, "记录办理环节"))
	c.Form.Submit()
	if c.Form.Message.Text != shell.L("case.why.closed") {
		t.Fatalf("a stage after closing: %q", c.Form.Message.Text)
	}
	c.Form.dialog.Hide()

	cs, err := l.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if devs := cs.Procedure().Deviations(cs); len(devs) != 0 {
		t.Fatalf("the walk departed from the procedure: %+v", devs)
	}
	if v := rev.Violations(cs); len(v) != 0 {
		t.Fatalf("review violations %v", v)
	}
	for _, k := range []string{"approve", "extend"} {
		var b casefile.StageBody
		json.Unmarshal(cs.Done[k].Body, &b)
		if b.Approver != "王局长" {
			t.Fatalf("%s approved by %q", k, b.Approver)
		}
	}
	for _, k := range []string{"enforce", "serve"} {
		var b casefile.StageBody
		json.Unmarshal(cs.Done[k].Body, &b)
		if len(b.Officers) != 2 {
			t.Fatalf("%s names %d officers", k, len(b.Officers))
		}
	}
	var made []string
	for _, k := range []string{"approve", "review", "decide", "enforce", "serve", "extend", "release"} {
		made = append(made, docs[k]...)
	}
	var recorded []string
	for _, r := range cs.Records {
		if r.Kind == casefile.KindDocument {
			var doc document.Doc
			json.Unmarshal(r.Body, &doc)
			recorded = append(recorded, doc.Template)
		}
	}
	if strings.Join(made, ",") != strings.Join(recorded, ",") || !slices.Contains(recorded, "coercion_decision") || !slices.Contains(recorded, "service_receipt") {
		t.Fatalf("documents made %v, recorded %v", made, recorded)
	}
	t.Logf("documents made: %v", recorded)
	if _, err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
