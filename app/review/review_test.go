package review

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/assets"
)

func demoPolicies(t *testing.T) Policies {
	t.Helper()
	data, err := assets.Demo.ReadFile("demo/major.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicies(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMajorDecisionRules(t *testing.T) {
	pol := demoPolicies(t)["01"]
	for _, tc := range []struct {
		name string
		p    Proposal
		want []string
	}{
		{"small fine, person", Proposal{Act: catalog.ActPenalty, PartyKind: "person", Fine: 9999}, nil},
		{"fine at the person threshold", Proposal{Act: catalog.ActPenalty, PartyKind: "person", Fine: 10000}, []string{"01-fine"}},
		{"same fine, organisation", Proposal{Act: catalog.ActPenalty, PartyKind: "org", Fine: 10000}, nil},
		{"organisation threshold", Proposal{Act: catalog.ActPenalty, PartyKind: "org", Fine: 100000}, []string{"01-fine"}},
		{"large confiscation", Proposal{Act: catalog.ActPenalty, Confiscate: 50000}, []string{"01-confiscate"}},
		{"confiscation in a coercion act does not count", Proposal{Act: catalog.ActCoercion, Confiscate: 90000}, nil},
		{"revoking a licence", Proposal{Act: catalog.ActPenalty, Kinds: []string{"revoke_licence"}}, []string{"01-revoke"}},
		{"closure and hearing", Proposal{Act: catalog.ActPenalty, Kinds: []string{"order_closure", "hearing"}}, []string{"01-closure", "01-hearing"}},
		{"public interest", Proposal{Act: catalog.ActLicensing, Impacts: []string{"public_interest"}}, []string{"01-impact"}},
		{"everything", Proposal{Act: catalog.ActPenalty, PartyKind: "org", Fine: 200000, Confiscate: 60000, Kinds: []string{"revoke_licence"}},
			[]string{"01-fine", "01-confiscate", "01-revoke"}},
	} {
		var got []string
		for _, r := range pol.Major(tc.p) {
			got = append(got, r.ID)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	}
	// Each agency's thresholds are its own.
	p := Proposal{Act: catalog.ActPenalty, PartyKind: "person", Fine: 6000}
	if len(demoPolicies(t)["02"].Major(p)) == 0 || len(demoPolicies(t)["01"].Major(p)) != 0 {
		t.Error("a 6,000 yuan fine on a person: major for urban management, not for market regulation")
	}
}

func TestChecklists(t *testing.T) {
	all, err := Checklists()
	if err != nil {
		t.Fatal(err)
	}
	if len(all["seed10"].Points) != 10 || len(all["national8"].Points) != 8 {
		t.Fatalf("seed10 %d points, national8 %d", len(all["seed10"].Points), len(all["national8"].Points))
	}
	pols := demoPolicies(t)
	if c := pols["01"].ChecklistFor(all); len(c.Points) != 11 || c.ID != "seed10+01" {
		t.Errorf("agency 01 adds a point to the ten: %s, %d", c.ID, len(c.Points))
	}
	if c := pols["06"].ChecklistFor(all); len(c.Points) != 8 || c.ID != "national8" {
		t.Errorf("agency 06 uses the eight: %s, %d", c.ID, len(c.Points))
	}
}

type reviewers map[string]Reviewer

func (r reviewers) Reviewer(id string) (Reviewer, bool) { rv, ok := r[id]; return rv, ok }

type fixture struct {
	svc *Service
	log *casefile.Log
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "RV1", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cal, _ := calendar.Parse(assets.Calendar)
	cls, _ := Checklists()
	f := &fixture{log: l, now: time.Date(2026, 9, 28, 10, 0, 0, 0, time.Local)}
	f.svc = &Service{Log: l, Policies: demoPolicies(t), Checklists: cls, Calendar: cal, Now: func() time.Time { return f.now },
		Reviewers: reviewers{
			"R1": {ID: "R1", Name: "程律", Qualification: QualLegalProfessional},
			"R2": {ID: "R2", Name: "新人", Qualification: QualDesignated},
		}}
	l.SetGate(f.svc.Gate())
	l.SetClock(func() time.Time { return f.now })
	return f
}

var two = []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

func (f *fixture) openCase(t *testing.T) string {
	t.Helper()
	id, err := f.log.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01",
		ItemID: "E1", ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某公司"}, Officers: two})
	if err != nil {
		t.Fatal(err)
	}
	// Registered, investigated, notified and heard: ready to be decided.
	casefiletest.WalkTo(t, f.log, id, "990101000001", two, "decide")
	return id
}

var bigFine = Proposal{Fine: 200000, Text: "罚款人民币二十万元"}

func (f *fixture) submit(t *testing.T, id string, p Proposal) int64 {
	t.Helper()
	r, err := f.svc.Submit(context.Background(), id, "990101000001", Submission{Proposal: p, Facts: "发布虚假广告",
		LegalBasis: "《中华人民共和国广告法》第五十五条", Discretion: "一般情节"})
	if err != nil {
		t.Fatal(err)
	}
	return r.Seq
}

func (f *fixture) answers(c *casefile.Case, status string) []PointResult {
	var out []PointResult
	for _, p := range f.svc.ChecklistOf(c).Points {
		out = append(out, PointResult{Key: p.Key, Status: status})
	}
	return out
}

func (f *fixture) opine(t *testing.T, id, reviewer string, sub int64, opinion string) error {
	t.Helper()
	c, _ := f.log.Case(context.Background(), id)
	status := Met
	if opinion != Agree {
		status = NotMet
	}
	_, err := f.svc.Opine(context.Background(), id, reviewer, Opinion{Submission: sub, Points: f.answers(c, status), Opinion: opinion, Reasons: "理由"})
	return err
}

func (f *fixture) decide(id string, p Proposal) error {
	d, _ := json.Marshal(p)
	_, err := f.log.AddStage(context.Background(), id, "990101000001", casefile.StageBody{Stage: "decide", Decision: d})
	return err
}

func TestSubmissionFlagsMajorAndSetsTheDueDay(t *testing.T) {
	f := newFixture(t)
	id := f.openCase(t)
	f.submit(t, id, bigFine)
	c, _ := f.log.Case(context.Background(), id)
	st := StateOf(c)
	if !st.Submission.Major || st.Submission.Rules[0].ID != "01-fine" || st.Submission.Checklist != "seed10+01" {
		t.Fatalf("submission %+v", st.Submission)
	}
	// Monday 28 September + 5 working days: 29, 30, then the holiday, 8, 9, 10 (a Saturday worked).
	if st.Submission.Due != "2026-10-10" {
		t.Fatalf("due %s", st.Submission.Due)
	}
	if _, err := f.svc.Submit(context.Background(), id, "x", Submission{Proposal: bigFine, Facts: "f", LegalBasis: "b"}); !errors.Is(err, ErrPending) {
		t.Fatalf("second submission while pending: %v", err)
	}
	q, _ := f.svc.Queue(context.Background(), "01")
	if len(q) != 1 || q[0].DaysLeft != 5 || q[0].Overdue {
		t.Fatalf("queue %+v", q)
	}
	f.now = time.Date(2026, 10, 12, 9, 0, 0, 0, time.Local)
	if q, _ := f.svc.Queue(context.Background(), "01"); !q[0].Overdue {
		t.Fatalf("queue after the due day %+v", q[0])
	}
}

func TestTheGateRefusesEveryWayAround(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)

	// No review at all.
	a := f.openCase(t)
	if err := f.decide(a, bigFine); !errors.Is(err, ErrNoReview) {
		t.Fatalf("major decision without review: %v", err)
	}
	// A small fine needs none.
	b := f.openCase(t)
	if err := f.decide(b, Proposal{Fine: 2000, Text: "罚款二千元"}); err != nil {
		t.Fatalf("small fine: %v", err)
	}
	// A decision that says nothing of what it decides.
	if _, err := f.log.AddStage(ctx, a, "x", casefile.StageBody{Stage: "decide"}); !errors.Is(err, ErrDecisionMissing) {
		t.Fatalf("empty decision: %v", err)
	}
	// A failed review: returned, then refused.
	sub := f.submit(t, a, bigFine)
	if err := f.opine(t, a, "R1", sub, Return); err != nil {
		t.Fatal(err)
	}
	if err := f.decide(a, bigFine); !errors.Is(err, ErrReviewNotPassed) {
		t.Fatalf("after a return: %v", err)
	}
	sub = f.submit(t, a, bigFine)
	if err := f.opine(t, a, "R1", sub, Disagree); err != nil {
		t.Fatal(err)
	}
	if err := f.decide(a, bigFine); !errors.Is(err, ErrReviewNotPassed) {
		t.Fatalf("after disagreement: %v", err)
	}
	if _, err := f.svc.Coordinate(ctx, a, "990101000001", Coordination{Method: "collective", Outcome: "按审核意见修改后重新送审"}); err != nil {
		t.Fatal(err)
	}
	if err := f.decide(a, bigFine); !errors.Is(err, ErrReviewNotPassed) {
		t.Fatalf("coordination is not a review: %v", err)
	}
	// A review of another case: forged into this case through the log.
	c := f.openCase(t)
	csub := f.submit(t, c, bigFine)
	if err := f.opine(t, c, "R1", csub, Agree); err != nil {
		t.Fatal(err)
	}
	d := f.openCase(t)
	f.submit(t, d, bigFine)
	forged, _ := json.Marshal(Opinion{Submission: csub, Opinion: Agree, Reviewer: Reviewer{ID: "R1"}})
	if _, err := f.log.AddRecord(ctx, d, "R1", KindOpinion, forged, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.decide(d, bigFine); !errors.Is(err, ErrOtherCase) {
		t.Fatalf("decision on the strength of another case's review: %v", err)
	}
	// A review signed by someone who is not a reviewer.
	if _, err := f.svc.Opine(ctx, a, "990101000001", Opinion{}); !errors.Is(err, ErrNotReviewer) {
		t.Fatalf("officer signing an opinion: %v", err)
	}
	e := f.openCase(t)
	esub := f.submit(t, e, bigFine)
	fake, _ := json.Marshal(Opinion{Submission: esub, Opinion: Agree, Reviewer: Reviewer{ID: "990101000001"}})
	f.log.AddRecord(ctx, e, "990101000001", KindOpinion, fake, nil)
	if err := f.decide(e, bigFine); !errors.Is(err, ErrNotReviewer) {
		t.Fatalf("decision on a non-reviewer's opinion: %v", err)
	}
	// The reviewed decision passes; a different one does not.
	if err := f.decide(c, Proposal{Fine: 300000, Text: "罚款三十万元"}); !errors.Is(err, ErrDecisionDiffers) {
		t.Fatalf("decision other than reviewed: %v", err)
	}
	if err := f.decide(c, bigFine); err != nil {
		t.Fatalf("reviewed decision: %v", err)
	}
	// The platform's check finds the forged ones written around the gate.
	fc, _ := f.log.Case(ctx, c)
	if v := f.svc.Violations(fc); len(v) != 0 {
		t.Fatalf("clean case flagged: %v", v)
	}
	bad, _ := json.Marshal(bigFine)
	body, _ := json.Marshal(casefile.StageBody{Stage: "decide", Decision: bad})
	// Every stage append passes the gate, AddRecord's too; a device
	// running without it is how one gets around.
	if _, err := f.log.AddRecord(ctx, d, "990101000001", casefile.KindStage, body, nil); !errors.Is(err, ErrOtherCase) {
		t.Fatalf("decision through AddRecord: %v", err)
	}
	f.log.SetGate(nil)
	if _, err := f.log.AddRecord(ctx, d, "990101000001", casefile.KindStage, body, nil); err != nil {
		t.Fatal(err)
	}
	f.log.SetGate(f.svc.Gate())
	dc, _ := f.log.Case(ctx, d)
	if v := f.svc.Violations(dc); len(v) != 1 {
		t.Fatalf("decision written around the gate not flagged: %v", v)
	}
}

func TestReviewerRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.openCase(t)
	sub := f.submit(t, a, bigFine)
	// A designated reviewer without the national qualification cannot review a first time.
	if err := f.opine(t, a, "R2", sub, Agree); !errors.Is(err, ErrFirstTime) {
		t.Fatalf("first-time reviewer without qualification: %v", err)
	}
	c, _ := f.log.Case(ctx, a)
	// Every point needs an answer; agreeing with a point not met is inconsistent.
	if _, err := f.svc.Opine(ctx, a, "R1", Opinion{Submission: sub, Points: f.answers(c, Met)[:3], Opinion: Agree}); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("three points answered: %v", err)
	}
	if _, err := f.svc.Opine(ctx, a, "R1", Opinion{Submission: sub, Points: f.answers(c, NotMet), Opinion: Agree}); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("agree with points not met: %v", err)
	}
	if _, err := f.svc.Opine(ctx, a, "R1", Opinion{Submission: sub, Points: f.answers(c, NotMet), Opinion: Return}); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("return without reasons: %v", err)
	}
	pts := f.answers(c, Met)
	pts[2].Refs = []int64{9999}
	if _, err := f.svc.Opine(ctx, a, "R1", Opinion{Submission: sub, Points: pts, Opinion: Agree}); !errors.Is(err, ErrBadRef) {
		t.Fatalf("reference outside the case: %v", err)
	}
	pts[2].Refs = []int64{sub}
	r, err := f.svc.Opine(ctx, a, "R1", Opinion{Submission: sub, Points: pts, Opinion: Agree})
	if err != nil {
		t.Fatal(err)
	}
	var op Opinion
	json.Unmarshal(r.Body, &op)
	if op.Reviewer.Qualification != QualLegalProfessional || op.Points[0].Text == "" || op.Checklist != "seed10+01" {
		t.Fatalf("recorded opinion %+v", op)
	}
	if _, err := f.log.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
