package officer

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/assets"
)

func signedInWithCases(t *testing.T) (*Desk, *casefile.Log) {
	t.Helper()
	d := newTestDesk(t)
	dir := t.TempDir()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "T1", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cal, _ := calendar.Parse(assets.Calendar)
	av, _ := demo.AVList()
	d.SetCaseFile(l, cal, av)
	test.Type(d.ID, "990101000001")
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.Cases == nil {
		t.Fatalf("no cases tab: %q", d.Message.Text)
	}
	return d, l
}

func TestOfficerOpensACaseAndRecordsStages(t *testing.T) {
	d, l := signedInWithCases(t)
	c := d.Cases
	test.Tap(c.NewCase)
	f := c.Form
	// Nothing chosen: a clear message, nothing written.
	f.Submit()
	if !strings.Contains(f.Message.Text, "执法类别") {
		t.Fatalf("empty form: %q", f.Message.Text)
	}
	f.Act.SetSelected(shell.L("act.penalty"))
	if len(f.Item.Options) == 0 {
		t.Fatal("no penalty items for the officer's agency")
	}
	// A penalty has two procedures: the general one is chosen.
	if want := []string{"行政处罚（普通程序）", "行政处罚（简易程序·当场处罚）"}; strings.Join(f.Procedure.Options, "|") != strings.Join(want, "|") ||
		f.Procedure.Selected != want[0] || !onCanvas(d.win, f.Procedure) {
		t.Fatalf("procedures offered %v, chosen %q, shown %v", f.Procedure.Options, f.Procedure.Selected, onCanvas(d.win, f.Procedure))
	}
	f.Item.SetSelectedIndex(0)
	test.Type(f.PartyName, "王某")
	test.Type(f.PartyID, "990102199001011234")
	test.Type(f.PartyAddress, "明湖区政和路3号")
	test.Type(f.PartyRepresentative, "王某某")
	test.Type(f.PartyPhone, "电话13800000000")
	test.Type(f.Place, "明湖区政和路1号")
	test.Type(f.Summary, "群众举报")
	f.Officer2.SetSelectedIndex(0)
	f.Submit()
	if c.Open != nil || !strings.Contains(f.Message.Text, "联系电话") {
		t.Fatalf("a phone number with words: %q", f.Message.Text)
	}
	f.PartyPhone.SetText("138-0000-0000")
	f.Submit()
	if c.Open == nil {
		t.Fatalf("case not opened: %q", f.Message.Text)
	}
	id := c.Open.ID
	if p := c.Open.Opening.Party; p.Name != "王某" || p.Address != "明湖区政和路3号" || p.Phone != "138-0000-0000" || p.Representative != "王某某" ||
		len(c.Open.Opening.Officers) != 2 || c.Open.Opening.Agency != "01" || c.Open.Opening.Procedure != "" {
		t.Fatalf("opening %+v", c.Open.Opening)
	}

	// Register needs the head who approved it: asked for, then saved.
	test.Tap(findButton(t, c, "记录办理环节"))
	if c.Form.Stage.Selected != shell.L("stage.register") || !onCanvas(d.win, c.Form.StageForm.Approver) {
		t.Fatalf("register: offered %q, approver shown %v", c.Form.Stage.Selected, onCanvas(d.win, c.Form.StageForm.Approver))
	}
	c.Form.Submit()
	if c.Form.Message.Text != shell.L("case.why.no_approver") || c.Open.Current != "" {
		t.Fatalf("register without approver: %q, current %q", c.Form.Message.Text, c.Open.Current)
	}
	test.Type(c.Form.StageForm.Approver, "李局长")
	c.Form.Submit()
	if c.Open.Current != "register" {
		t.Fatalf("stage after register: %q (%q)", c.Open.Current, c.Form.Message.Text)
	}
	if !strings.Contains(cardText(c, "register"), "批准人：李局长") {
		t.Fatalf("the register card does not name its approver: %q", cardText(c, "register"))
	}
	test.Tap(findButton(t, c, "记录办理环节"))
	if c.Form.Stage.Selected != shell.L("stage.investigate") {
		t.Fatalf("next stage offered: %q", c.Form.Stage.Selected)
	}
	c.Form.Submit()
	if !strings.Contains(c.Form.Message.Text, "两名以上") || c.Open.Current != "register" {
		t.Fatalf("on-site stage with one officer: %q, current %q", c.Form.Message.Text, c.Open.Current)
	}
	pickOfficer(t, c.Form.Officer2, "990101000002") // enrolled on this device
	test.Type(c.Form.Note, "现场检查，当事人在场")
	c.Form.Submit()
	// The second officer confirms with their own PIN before it is recorded.
	if c.Confirm == nil || c.Open.Current != "register" {
		t.Fatalf("no confirmation asked of the second officer: current %q, %q", c.Open.Current, c.Form.Message.Text)
	}
	test.Type(c.Confirm.PIN, demo.PIN)
	test.Tap(c.Confirm.OK)
	if c.Open.Current != "investigate" {
		t.Fatalf("investigate not recorded: %q", c.Form.Message.Text)
	}

	test.Tap(findButton(t, c, "添加文字记录"))
	c.Form.Submit()
	if c.Form.Message.Text == "" {
		t.Fatal("an empty note was accepted")
	}
	test.Type(c.Form.Note, "补充询问记录")
	c.Form.Submit()
	recs, _ := l.Records(context.Background(), id)
	if len(recs) != 4 || recs[3].Kind != casefile.KindNote {
		t.Fatalf("records: %d", len(recs))
	}
	if _, err := l.Verify(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// The list shows the case; another agency's case on the same device is not listed.
	l.OpenCase(context.Background(), "990102000001", casefile.Opening{Act: catalog.ActInspection, Agency: "02",
		ItemID: "x", ItemName: "y", Party: casefile.Party{Name: "z"}, Officers: []casefile.Officer{{CertNo: "a"}}})
	c.ShowList()
	if len(c.ids) != 1 || c.ids[0] != id {
		t.Fatalf("list %v", c.ids)
	}
}

// pickOfficer chooses the officer with certificate cert in s.
func pickOfficer(t *testing.T, s *widget.Select, cert string) {
	t.Helper()
	for _, o := range s.Options {
		if strings.Contains(o, cert) {
			s.SetSelected(o)
			return
		}
	}
	t.Fatalf("officer %s not offered: %v", cert, s.Options)
}

func findButton(t *testing.T, c *Cases, text string) *widgetButton {
	t.Helper()
	b := findButtonIn(c.root, text)
	if b == nil {
		t.Fatalf("no button %q", text)
	}
	return b
}

func TestStageAndClockKeysAreTranslated(t *testing.T) {
	shelltest.NewApp(t, shell.Theme{})
	for _, a := range act.All {
		for _, p := range casefile.National().Variants("", a) {
			if k := "procedure." + p.ID; shell.L(k) == k {
				t.Errorf("%s untranslated", k)
			}
			for _, s := range p.Stages {
				if k := "stage." + s.Key; shell.L(k) == k {
					t.Errorf("%s: %s untranslated", p.ID, k)
				}
			}
			for _, s := range p.Stages {
				for _, d := range s.Dates {
					if k := "date." + d; shell.L(k) == k {
						t.Errorf("%s: %s untranslated", p.ID, k)
					}
				}
			}
			for _, c := range p.Clocks {
				for _, k := range []string{"clock." + c.Key, "clock.short." + c.Key} {
					if shell.L(k) == k {
						t.Errorf("%s: %s untranslated", p.ID, k)
					}
				}
			}
		}
	}
	var dynamic []string
	for _, k := range decisionKinds {
		dynamic = append(dynamic, "decision.kind."+k)
	}
	for _, k := range impacts {
		dynamic = append(dynamic, "decision.impact."+k)
	}
	for _, k := range []string{review.Agree, review.Disagree, review.Return} {
		dynamic = append(dynamic, "review.opinion."+k)
	}
	dynamic = append(dynamic, "review.method.collective", "review.method.head")
	for _, k := range publish.ExemptReasons {
		dynamic = append(dynamic, "publish.reason."+k)
	}
	for _, k := range publish.WithdrawCauses {
		dynamic = append(dynamic, "publish.cause."+k)
	}
	for _, e := range []error{publish.ErrNotDecided, publish.ErrNoDocument, publish.ErrDone, publish.ErrNoReason, publish.ErrNotPublic, publish.ErrExplanation} {
		dynamic = append(dynamic, publish.ErrorKey(e))
	}
	for _, k := range []string{publish.KindPublish, publish.KindExempt, publish.KindWithdraw, review.KindRemoteOpinion} {
		dynamic = append(dynamic, "record."+k)
	}
	for _, e := range []error{review.ErrPending, review.ErrNoPending, review.ErrNotReviewer, review.ErrFirstTime,
		review.ErrIncomplete, review.ErrInconsistent, review.ErrBadRef, review.ErrNoReview, review.ErrReviewNotPassed,
		review.ErrOtherCase, review.ErrDecisionDiffers, review.ErrDecisionMissing, review.ErrNoDisagreement} {
		dynamic = append(dynamic, review.ErrorKey(e))
	}
	for _, k := range dynamic {
		if shell.L(k) == k {
			t.Errorf("%s untranslated", k)
		}
	}
	for _, k := range []string{casefile.KindOpen, casefile.KindStage, casefile.KindNote, casefile.KindMedia, casefile.KindCorrection,
		casefile.KindDocument, review.KindSubmit, review.KindOpinion, review.KindCoordinate} {
		if shell.L("record."+k) == "record."+k {
			t.Errorf("record.%s untranslated", k)
		}
	}
}

func TestOfficerMakesADocumentAndExportsTheCase(t *testing.T) {
	d, l := signedInWithCases(t)
	c := d.Cases
	ctx := context.Background()
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	c.ShowCase(id)
	test.Tap(findButton(t, c, "制作文书"))
	f := c.Doc() // the first document is chosen at once: there is no "no template" to save
	f.Template.SetSelected("行政处罚事先告知书")
	f.Save()
	if !strings.Contains(f.Message.Text, "违法事实") {
		t.Fatalf("empty fields: %q", f.Message.Text)
	}
	f.Inputs["facts"].SetText("当事人发布虚假广告。")
	f.Inputs["basis"].SetText("《中华人民共和国广告法》第二十八条")
	f.Inputs["proposed"].SetText("罚款人民币二万元")
	if !strings.Contains(f.Draft.Text, "罚款人民币二万元") || len(f.Preview.Objects) == 0 {
		t.Fatalf("preview %q, %d pages", f.Draft.Text, len(f.Preview.Objects))
	}
	f.Save()
	recs, _ := l.Records(ctx, id)
	if len(recs) != 2 || recs[1].Kind != casefile.KindDocument || !strings.Contains(string(recs[1].Body), "罚款人民币二万元") {
		t.Fatalf("document record: %d records", len(recs))
	}
	var buf bytes.Buffer
	if err := c.ExportTo(id, &buf); err != nil {
		t.Fatal(err)
	}
	rep, m, err := casefile.VerifyBundle(bytes.NewReader(buf.Bytes()), int64(buf.Len()), l.Verifier)
	if err != nil || rep.Records != 2 || len(m.Extra) != 1 || m.Extra[0] != "casefile.pdf" {
		t.Fatalf("bundle: %+v %v %v", rep, m.Extra, err)
	}
}

func TestDeskLocksWhenLeftAlone(t *testing.T) {
	d, _ := signedInWithCases(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	d.SetClock(func() time.Time { return now })
	now = now.Add(4 * time.Minute)
	d.CheckLock()
	if d.Locked {
		t.Fatal("locked before five minutes")
	}
	d.Cases.ShowList() // activity
	now = now.Add(4 * time.Minute)
	d.CheckLock()
	if d.Locked {
		t.Fatal("activity did not restart the lock timer")
	}
	now = now.Add(time.Minute)
	d.CheckLock()
	if !d.Locked {
		t.Fatal("not locked after five idle minutes")
	}
	test.Type(d.LockPIN, "000001")
	test.Tap(d.Unlock)
	if !d.Locked || d.Message.Text == "" {
		t.Fatal("a wrong PIN unlocked the desk")
	}
	test.Type(d.LockPIN, demo.PIN)
	test.Tap(d.Unlock)
	if d.Locked || d.Me == nil || d.Cases == nil {
		t.Fatal("the right PIN did not unlock the desk")
	}
}

func TestOfficerCorrectsARecordByAppending(t *testing.T) {
	d, l := signedInWithCases(t)
	c := d.Cases
	ctx := context.Background()
	id, _ := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1",
		ItemName: "检查", Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: "990101000001"}}})
	note, _ := l.AddNote(ctx, id, "990101000001", "检查时间 10:00")
	c.ShowCase(id)
	c.ShowCorrectionForm(note.Seq)
	c.Form.Submit()
	if !strings.Contains(c.Form.Message.Text, "更正原因") {
		t.Fatalf("empty correction: %q", c.Form.Message.Text)
	}
	c.Form.HearingOn.SetText("笔误")
	c.Form.Note.SetText("检查时间 10:30")
	c.Form.Submit()
	recs, _ := l.Records(ctx, id)
	last := recs[len(recs)-1]
	if last.Kind != casefile.KindCorrection || last.Corrects == nil || *last.Corrects != note.Seq {
		t.Fatalf("last record %+v", last)
	}
	if !strings.Contains(string(recs[1].Body), "10:00") {
		t.Fatal("the corrected record changed")
	}
}

// onCanvas says whether o is shown in w: reachable from its content or
// overlays through visible objects only.
func onCanvas(w fyne.Window, o fyne.CanvasObject) bool {
	var walk func(x fyne.CanvasObject) bool
	walk = func(x fyne.CanvasObject) bool {
		if x == nil || !x.Visible() {
			return false
		}
		if x == o {
			return true
		}
		switch v := x.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				if walk(c) {
					return true
				}
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	if walk(w.Canvas().Content()) {
		return true
	}
	for _, ov := range w.Canvas().Overlays().List() {
		if walk(ov) {
			return true
		}
	}
	return false
}

// texts are the texts of the labels shown in o.
func texts(o fyne.CanvasObject) string {
	var out []string
	shelltest.Walk(o, func(x fyne.CanvasObject) bool {
		if !x.Visible() {
			return false
		}
		if l, ok := x.(*widget.Label); ok {
			out = append(out, l.Text)
			return false
		}
		return true
	})
	return strings.Join(out, "\n")
}

// cardText is the text of the open case's timeline card of its last
// record of stage.
func cardText(c *Cases, stage string) string {
	r, ok := c.Open.Done[stage]
	if !ok {
		return ""
	}
	n := c.Open.Number(r.Ref())
	if n < 1 || n > len(c.Cards) {
		return ""
	}
	return texts(c.Cards[n-1])
}

// twoOfficers are the demo agency 01's two officers, as records name them.
var twoOfficers = []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

// stageIndex is the index of stage in the case's procedure, as the stage
// form lists them.
func stageIndex(t *testing.T, cs *casefile.Case, stage string) int {
	t.Helper()
	for i, st := range cs.Procedure().Stages {
		if st.Key == stage {
			return i
		}
	}
	t.Fatalf("no stage %s in %s", stage, cs.Procedure().ID)
	return -1
}

// A penalty cannot be decided on the desk before 告知: the stage form says
// what is missing and offers an exception; without one, or with a reason
// but no approver, it is refused in words and nothing is written; with
// both it goes through, the timeline shows it, and supervision counts it.
func TestDeskRefusesOutOfOrder(t *testing.T) {
	d, l := signedInWithCases(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	c := d.Cases
	ctx := context.Background()
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "person", Name: "王某"}, Officers: twoOfficers})
	if err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, "990101000001", twoOfficers, "notify") // 立案, 调查取证
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	f, s := c.Form, c.Form.StageForm
	decide := stageIndex(t, c.Open, "decide")
	if f.Stage.Selected != "告知" || !strings.Contains(s.Prereq.Text, "前置环节均已完成") || onCanvas(d.win, s.ExceptionReason) {
		t.Fatalf("next stage %q, %q, exception shown %v", f.Stage.Selected, s.Prereq.Text, onCanvas(d.win, s.ExceptionReason))
	}
	if s.Steps[0].Text != "已完成" || !strings.Contains(s.Steps[decide].Text, "尚缺：告知、陈述申辩或听证") {
		t.Fatalf("steps: register %q, decide %q", s.Steps[0].Text, s.Steps[decide].Text)
	}
	if onCanvas(d.win, s.DecisionCard) {
		t.Fatal("the decision form shows for 告知")
	}

	f.Stage.SetSelected("决定")
	if !onCanvas(d.win, s.ExceptionReason) || !onCanvas(d.win, s.ExceptionApprover) || !onCanvas(d.win, s.DecisionCard) ||
		!strings.Contains(s.Prereq.Text, "尚缺：告知、陈述申辩或听证") {
		t.Fatalf("decide chosen: exception %v, decision %v, %q", onCanvas(d.win, s.ExceptionReason), onCanvas(d.win, s.DecisionCard), s.Prereq.Text)
	}
	before, _ := l.Records(ctx, id)
	f.Decision.Fine.SetText("500")
	f.Decision.Kinds.SetSelected([]string{"罚款"})
	f.Submit()
	want := shell.L("case.why.out_of_order", map[string]any{"Missing": "告知、陈述申辩或听证"})
	if f.Message.Text != want {
		t.Fatalf("decided before 告知: %q, want %q", f.Message.Text, want)
	}
	test.Type(s.ExceptionReason, "当事人当场承认违法事实并放弃陈述申辩，要求立即处理")
	f.Submit()
	if f.Message.Text != shell.L("case.why.bad_exception") {
		t.Fatalf("an exception without approver: %q", f.Message.Text)
	}
	if after, _ := l.Records(ctx, id); len(after) != len(before) {
		t.Fatalf("a refused stage was written: %d → %d records", len(before), len(after))
	}
	relayout(d.win.Canvas().Overlays().Top())
	shelltest.Shot(t, d.win, "stage-exception")

	test.Type(s.ExceptionApprover, "李局长")
	f.Submit()
	if c.Open.Current != "decide" {
		t.Fatalf("the exception did not go through: %q", f.Message.Text)
	}
	if got := cardText(c, "decide"); !strings.Contains(got, "例外办理：当事人当场承认违法事实并放弃陈述申辩，要求立即处理（批准人：李局长）") {
		t.Fatalf("the timeline does not show the exception: %q", got)
	}
	cs, _ := l.Case(ctx, id)
	var body casefile.StageBody
	json.Unmarshal(cs.Done["decide"].Body, &body)
	if body.Exception == nil || strings.Join(body.Exception.Missing, ",") != "notify,defend|hearing" {
		t.Fatalf("the record's exception: %+v", body.Exception)
	}
	devs := cs.Procedure().Deviations(cs)
	if len(devs) != 1 || devs[0].Kind != casefile.DeviationException || devs[0].Stage != "decide" {
		t.Fatalf("supervision counts %+v", devs)
	}
}

// The summary procedure (当场处罚) is chosen on the new-case form; its
// stage form says what it may decide, refuses a fine beyond it in the
// law's words, and records one within it on the spot, with two officers.
func TestDeskSummaryProcedure(t *testing.T) {
	d, l := signedInWithCases(t)
	c := d.Cases
	test.Tap(c.NewCase)
	f := c.Form
	f.Act.SetSelected(shell.L("act.penalty"))
	f.Procedure.SetSelected(shell.L("procedure.penalty.summary"))
	f.Item.SetSelectedIndex(0)
	test.Type(f.PartyName, "赵某")
	f.Submit()
	if c.Open == nil || c.Open.Opening.Procedure != "penalty.summary" {
		t.Fatalf("summary case not opened: %q", f.Message.Text)
	}
	id := c.Open.ID
	test.Tap(findButton(t, c, "记录办理环节"))
	f, s := c.Form, c.Form.StageForm
	if f.Stage.Selected != "决定" || !onCanvas(d.win, s.Limits) || !strings.Contains(s.Limits.Text, "对公民不超过200元") ||
		!strings.Contains(s.Limits.Text, "警告、罚款") {
		t.Fatalf("summary decision: %q, limits %q", f.Stage.Selected, s.Limits.Text)
	}
	f.Decision.Fine.SetText("500")
	f.Decision.Kinds.SetSelected([]string{"罚款"})
	f.Submit()
	if f.Message.Text != shell.L("case.why.summary_limit") {
		t.Fatalf("a 500 yuan fine on the spot: %q", f.Message.Text)
	}
	f.Decision.Fine.SetText("200")
	f.Submit()
	if !strings.Contains(f.Message.Text, "两名以上") {
		t.Fatalf("on the spot with one officer: %q", f.Message.Text)
	}
	pickOfficer(t, f.Officer2, "990101000002")
	f.Submit()
	test.Type(c.Confirm.PIN, demo.PIN)
	test.Tap(c.Confirm.OK)
	if c.Open.Current != "decide" {
		t.Fatalf("a 200 yuan fine on the spot: %q", f.Message.Text)
	}
	cs, _ := l.Case(context.Background(), id)
	var body casefile.StageBody
	json.Unmarshal(cs.Done["decide"].Body, &body)
	var p review.Proposal
	json.Unmarshal(body.Decision, &p)
	if p.Fine != 200 || len(p.Kinds) != 1 || p.Kinds[0] != "fine" {
		t.Fatalf("decision recorded %+v", p)
	}
}

// A 催告 sets its time to comply, typed as a date; the enforcement decision
// waits for it, the form saying until when; the case shows the limit; the
// day after, the decision goes through.
func TestDeskStageDates(t *testing.T) {
	d, l := signedInWithCases(t)
	c := d.Cases
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, cst)
	l.SetClock(func() time.Time { return now })
	c.now = func() time.Time { return now }
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActCoercion, Agency: "01", ItemID: "E1",
		ItemName: "强制执行", Procedure: "coercion.execute", Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: twoOfficers})
	if err != nil {
		t.Fatal(err)
	}
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	f, s := c.Form, c.Form.StageForm
	comply := s.Dates["comply_by"]
	if f.Stage.Selected != "催告" || comply == nil || !onCanvas(d.win, comply) || onCanvas(d.win, s.Approver) {
		t.Fatalf("催告: %q, date shown %v", f.Stage.Selected, comply != nil && onCanvas(d.win, comply))
	}
	pickOfficer(t, f.Officer2, "990101000002")
	test.Type(comply, "2026/3/12")
	f.Submit()
	if !strings.Contains(f.Message.Text, shell.L("case.why.bad_date")) || !strings.Contains(f.Message.Text, "履行期限") {
		t.Fatalf("a date not a date: %q", f.Message.Text)
	}
	comply.SetText("2026-03-12")
	f.Submit()
	test.Type(c.Confirm.PIN, demo.PIN)
	test.Tap(c.Confirm.OK)
	if c.Open.Current != "remind" {
		t.Fatalf("催告 not recorded: %q", f.Message.Text)
	}
	if !strings.Contains(cardText(c, "remind"), shell.KeepNumbers("履行期限：2026-03-12")) {
		t.Fatalf("the card does not show the date: %q", cardText(c, "remind"))
	}
	if side := texts(c.root); !strings.Contains(side, shell.KeepNumbers("履行期限（行政强制法第三十五条）：2026-03-12　进行中")) {
		t.Fatalf("the case does not show the time to comply:\n%s", side)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "defend", Note: "当事人未陈述申辩"}); err != nil {
		t.Fatal(err)
	}
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	f, s = c.Form, c.Form.StageForm
	f.Stage.SetSelected("决定")
	if !strings.Contains(s.Prereq.Text, "须等到：催告·履行期限 2026-03-12") {
		t.Fatalf("waiting: %q", s.Prereq.Text)
	}
	f.Decision.Kinds.SetSelected([]string{"强制执行"})
	f.Submit()
	if want := shell.L("case.why.too_early", map[string]any{"Missing": "催告·履行期限 2026-03-12"}); f.Message.Text != want {
		t.Fatalf("decided before the time to comply: %q, want %q", f.Message.Text, want)
	}
	now = time.Date(2026, 3, 13, 9, 0, 0, 0, cst)
	f.Submit()
	if c.Open.Current != "decide" {
		t.Fatalf("decided after the time to comply: %q", f.Message.Text)
	}
}

// A seizure made on the spot before its approval (行政强制法 art. 19) is an
// exception with its reason; the case then shows the 24 hours to report
// and seek approval, to the hour, and approval within them meets it.
func TestDeskOnTheSpotSeizure(t *testing.T) {
	d, l := signedInWithCases(t)
	c := d.Cases
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 3, 22, 40, 0, 0, cst)
	l.SetClock(func() time.Time { return now })
	c.now = func() time.Time { return now }
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActCoercion, Agency: "01", ItemID: "E1",
		ItemName: "扣押", Party: casefile.Party{Kind: "person", Name: "钱某"}, Officers: twoOfficers})
	if err != nil {
		t.Fatal(err)
	}
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	f, s := c.Form, c.Form.StageForm
	f.Stage.SetSelected("实施")
	if !strings.Contains(s.Prereq.Text, "尚缺：决定") || !onCanvas(d.win, s.ExceptionReason) {
		t.Fatalf("enforce first: %q", s.Prereq.Text)
	}
	pickOfficer(t, f.Officer2, "990101000002")
	test.Type(s.ExceptionReason, "夜间发现正在销售过期食品，情况紧急，当场扣押")
	test.Type(s.ExceptionApprover, "李局长（电话请示）")
	f.Submit()
	test.Type(c.Confirm.PIN, demo.PIN)
	test.Tap(c.Confirm.OK)
	if c.Open.Current != "enforce" {
		t.Fatalf("on-the-spot seizure refused: %q", f.Message.Text)
	}
	report := shell.L("clock.report_24h")
	if side := texts(c.root); !strings.Contains(side, shell.KeepNumbers(report+"：2026-03-04 22:40　进行中")) {
		t.Fatalf("the 24 hours are not shown to the hour:\n%s", side)
	}
	now = now.Add(20 * time.Hour)
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	if c.Form.Stage.Selected != "审批" {
		t.Fatalf("next stage %q", c.Form.Stage.Selected)
	}
	test.Type(c.Form.StageForm.Approver, "李局长")
	c.Form.Submit()
	if c.Open.Current != "approve" {
		t.Fatalf("approval after the fact: %q", c.Form.Message.Text)
	}
	if side := texts(c.root); !strings.Contains(side, shell.KeepNumbers(report+"：2026-03-04 22:40　已按时完成")) {
		t.Fatalf("the approval did not meet the 24 hours:\n%s", side)
	}
}
