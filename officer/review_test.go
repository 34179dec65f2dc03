package officer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
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
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), origin)
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
