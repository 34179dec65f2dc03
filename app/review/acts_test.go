package review

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
)

// newDeviceFixture is the gate as a device runs it: every record signed
// by its people (their keys, as the people signed in on a device sign),
// and an opinion counted only under its reviewer's registered key
// (Service.Signatures). R1 is a registered reviewer who signs here; R9 is
// registered too, with a key this device does not hold, so what R9
// "signs" here carries no signature.
func newDeviceFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	keys := casefiletest.SignAs(t, f.log, two[0].CertNo, two[1].CertNo, "R1")
	pub := func(k ed25519.PrivateKey) string {
		return base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey))
	}
	_, other, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Reviewers = reviewers{
		"R1": {ID: "R1", Name: "程律", Qualification: QualLegalProfessional, Keys: []string{pub(keys["R1"])}},
		"R9": {ID: "R9", Name: "孟审", Qualification: QualLegalProfessional, Keys: []string{pub(other)}},
	}
	f.svc.Signatures = true
	return f
}

// openAct opens a case of procedure proc (an act's general procedure or a
// variant) for agency, against a party of kind partyKind.
func (f *fixture) openAct(t *testing.T, agency, proc, partyKind string) string {
	t.Helper()
	p, ok := casefile.National().Get(agency, proc)
	if !ok {
		t.Fatalf("no procedure %s", proc)
	}
	o := casefile.Opening{Act: p.Act, Agency: agency, ItemID: "E1", ItemName: p.Title,
		Party: casefile.Party{Kind: partyKind, Name: "青禾市某某当事人", IDNo: "91990104MA0000003Z"}, Officers: two}
	if proc != string(p.Act) {
		o.Procedure = proc
	}
	id, err := f.log.OpenCase(context.Background(), two[0].CertNo, o)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// decideAt records the decision stage of the case's procedure with what
// it decides, by the two officers (the stage is on site in some
// procedures, and names them in all).
func (f *fixture) decideAt(id, stage string, p Proposal) error {
	d, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = f.log.AddStage(context.Background(), id, two[0].CertNo, casefile.StageBody{Stage: stage, Decision: d, Officers: two})
	return err
}

func (f *fixture) submitMajor(t *testing.T, id string, p Proposal, rule string) int64 {
	t.Helper()
	r, err := f.svc.Submit(context.Background(), id, two[0].CertNo, Submission{Proposal: p, Facts: "经调查查明的事实",
		LegalBasis: "《中华人民共和国行政强制法》第二十二条", Discretion: "一般情节"})
	if err != nil {
		t.Fatal(err)
	}
	var sub Submission
	if err := json.Unmarshal(r.Body, &sub); err != nil {
		t.Fatal(err)
	}
	if !sub.Major || len(sub.Rules) == 0 || sub.Rules[0].ID != rule {
		t.Fatalf("submission of %v: major %v by %v, want by %s", p.Kinds, sub.Major, sub.Rules, rule)
	}
	return r.Seq
}

// remindThenWait records the 催告 of an enforcement case with its time to
// comply, and the party's statement; the decision must wait for the day
// after the time to comply, and the clock moves there.
func (f *fixture) remindThenWait(t *testing.T, id string) {
	t.Helper()
	comply := f.now.AddDate(0, 0, 10)
	if _, err := f.log.AddStage(context.Background(), id, two[0].CertNo, casefile.StageBody{Stage: "remind", Officers: two,
		Dates: map[string]string{"comply_by": comply.Format(time.DateOnly)}}); err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, f.log, id, two[0].CertNo, two, "decide")
	if err := f.decideAt(id, "decide", Proposal{Kinds: []string{"enforce"}, Text: "强制执行"}); !errors.Is(err, casefile.ErrTooEarly) {
		t.Fatalf("enforcement decided within the time to comply: %v", err)
	}
	f.now = comply.AddDate(0, 0, 1)
}

// TestCoercionMajorDecisionNeedsReview: the decisions of coercive acts that
// an agency's list makes major — 查封、扣押 of polluting equipment
// (03-seize) and a forced demolition (02-demolish) — are refused by the
// device's gate until a review of the same decision passes with an
// agreeing opinion its registered reviewer signed; the same decision of
// an agency whose list does not name it needs none.
func TestCoercionMajorDecisionNeedsReview(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, agency, proc, rule string
		decision, other          Proposal
	}{
		{"查封扣押", "03", "coercion", "03-seize",
			Proposal{Kinds: []string{"seize"}, Text: "查封造成污染物排放的废气处理设备2台"},
			Proposal{Kinds: []string{"seize", "order_closure"}, Text: "查封设备并责令停产整治"}},
		{"强制执行", "02", "coercion.execute", "02-demolish",
			Proposal{Kinds: []string{"enforce", "demolish"}, Text: "强制拆除违法搭建的构筑物"},
			Proposal{Kinds: []string{"demolish"}, Text: "强制拆除"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDeviceFixture(t)
			id := f.openAct(t, tc.agency, tc.proc, "org")
			if tc.proc == "coercion.execute" {
				f.remindThenWait(t, id)
			} else {
				casefiletest.WalkTo(t, f.log, id, two[0].CertNo, two, "decide")
			}
			decide := func(p Proposal) error { return f.decideAt(id, "decide", p) }

			if err := decide(tc.decision); !errors.Is(err, ErrNoReview) {
				t.Fatalf("major decision before any review: %v", err)
			}
			sub := f.submitMajor(t, id, tc.decision, tc.rule)
			if err := decide(tc.decision); !errors.Is(err, ErrNoReview) {
				t.Fatalf("major decision while the review is pending: %v", err)
			}
			if err := f.opine(t, id, "R1", sub, Return); err != nil {
				t.Fatal(err)
			}
			if err := decide(tc.decision); !errors.Is(err, ErrReviewNotPassed) {
				t.Fatalf("after the review returned it: %v", err)
			}
			sub = f.submitMajor(t, id, tc.decision, tc.rule)
			if err := f.opine(t, id, "R1", sub, Disagree); err != nil {
				t.Fatal(err)
			}
			if err := decide(tc.decision); !errors.Is(err, ErrReviewNotPassed) {
				t.Fatalf("after the reviewer disagreed: %v", err)
			}
			// An agreeing opinion that carries no signature under the
			// reviewer's registered key does not count on a device.
			sub = f.submitMajor(t, id, tc.decision, tc.rule)
			if err := f.opine(t, id, "R9", sub, Agree); err != nil {
				t.Fatal(err)
			}
			if err := decide(tc.decision); !errors.Is(err, ErrUnsignedOpinion) {
				t.Fatalf("after an unsigned agreeing opinion: %v", err)
			}
			sub = f.submitMajor(t, id, tc.decision, tc.rule)
			if err := f.opine(t, id, "R1", sub, Agree); err != nil {
				t.Fatal(err)
			}
			if err := decide(tc.other); !errors.Is(err, ErrDecisionDiffers) {
				t.Fatalf("a decision other than the one reviewed: %v", err)
			}
			if c, _ := f.log.Case(ctx, id); c.Done["decide"].Seq != 0 {
				t.Fatal("a refused decision was recorded")
			}
			if err := decide(tc.decision); err != nil {
				t.Fatalf("the reviewed decision after a signed agreeing opinion: %v", err)
			}
			c, err := f.log.Case(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Done["decide"]; !ok || !f.svc.Major(c) {
				t.Fatalf("decided %v, major %v", ok, f.svc.Major(c))
			}
			if v := f.svc.Violations(c); len(v) != 0 {
				t.Fatalf("the reviewed case flagged: %v", v)
			}
			if d := c.Procedure().Deviations(c); len(d) != 0 {
				t.Fatalf("the case departs from its procedure: %+v", d)
			}
			if _, err := f.log.Verify(ctx, nil); err != nil {
				t.Fatal(err)
			}

			// Agency 04's list names neither measure: the same decision
			// needs no review there.
			g := newDeviceFixture(t)
			other := g.openAct(t, "04", tc.proc, "org")
			if tc.proc == "coercion.execute" {
				g.remindThenWait(t, other)
			} else {
				casefiletest.WalkTo(t, g.log, other, two[0].CertNo, two, "decide")
			}
			if err := g.decideAt(other, "decide", tc.decision); err != nil {
				t.Fatalf("the same decision in agency 04: %v", err)
			}
		})
	}
}

// majorRow is a major decision of one procedure, by an agency of the
// demo city whose list (assets/demo/major.json) makes it major.
type majorRow struct {
	proc, agency, party string
	decision            Proposal
	rule                string
}

// majorRows: every procedure with a decision stage has a row. The
// summary procedure (当场处罚) decides warnings and fines of at most 200
// yuan (3,000 for an organisation), below every agency's fine threshold;
// what makes one major is its impact (a warning that touches the public
// interest), which its limits do not bound.
var majorRows = []majorRow{
	{"penalty", "01", "org", Proposal{Fine: 200000, Text: "罚款人民币二十万元"}, "01-fine"},
	{"penalty.summary", "01", "person", Proposal{Kinds: []string{"warning"}, Impacts: []string{"public_interest"}, Text: "警告"}, "01-impact"},
	{"licensing", "05", "org", Proposal{Kinds: []string{"revoke_licence"}, Text: "撤销医疗机构执业许可"}, "05-revoke"},
	{"licensing", "05", "org", Proposal{Kinds: []string{"deny_licence"}, Impacts: []string{"health"}, Text: "不予行政许可"}, "05-impact"},
	{"coercion", "03", "org", Proposal{Kinds: []string{"seize"}, Text: "查封废气处理设备"}, "03-seize"},
	{"coercion.execute", "02", "person", Proposal{Kinds: []string{"enforce", "demolish"}, Text: "强制拆除违法建筑"}, "02-demolish"},
	{"levy", "06", "org", Proposal{Impacts: []string{"public_interest"}, Text: "征收土地复垦费"}, "06-impact"},
	{"inspection", "03", "org", Proposal{Kinds: []string{"order_closure"}, Text: "责令停产整治"}, "03-closure"},
	{"fee", "06", "org", Proposal{Impacts: []string{"major_impact"}, Text: "收取不动产登记费"}, "06-impact"},
}

// TestEveryActMajorDecisionNeedsReview (the device's half): for every
// procedure of the national set that has a decision stage — whatever the
// stage is called (决定, 征收决定, 检查处理, 收费核定) — a case walked to it
// through the procedure's rules cannot record a major decision without a
// review, and can after an agreeing opinion its reviewer signed.
func TestEveryActMajorDecisionNeedsReview(t *testing.T) {
	ctx := context.Background()
	covered := map[string]bool{}
	for _, r := range majorRows {
		covered[r.proc] = true
	}
	stages := map[string]string{}
	for _, a := range act.All {
		for _, p := range casefile.National().Variants("", a) {
			if st := p.DecisionStage(); st != "" {
				stages[p.ID] = st
				if !covered[p.ID] {
					t.Errorf("procedure %s decides at %s: no major decision of it is tried", p.ID, st)
				}
			}
		}
	}
	if len(stages) < 8 {
		t.Fatalf("only %d procedures decide: %v", len(stages), stages)
	}
	// The summary's limits lie below every agency's fine thresholds.
	summary, _ := casefile.National().Get("", "penalty.summary")
	for agency, pol := range demoPolicies(t) {
		for kind, fine := range map[string]int64{"person": summary.Limits.FinePerson, "org": summary.Limits.FineOrg} {
			if m := pol.Major(Proposal{Act: act.Penalty, PartyKind: kind, Fine: fine, Kinds: summary.Limits.Kinds}); len(m) != 0 {
				t.Errorf("agency %s: a summary fine of %d on a %s is major by %v", agency, fine, kind, m)
			}
		}
	}
	notDecide := 0
	for _, r := range majorRows {
		stage, ok := stages[r.proc]
		if !ok {
			t.Errorf("row for %s: no such procedure with a decision", r.proc)
			continue
		}
		if stage != "decide" {
			notDecide++
		}
		t.Run(r.proc+"/"+r.rule, func(t *testing.T) {
			f := newDeviceFixture(t)
			id := f.openAct(t, r.agency, r.proc, r.party)
			if r.proc == "coercion.execute" {
				f.remindThenWait(t, id)
			} else {
				casefiletest.WalkTo(t, f.log, id, two[0].CertNo, two, stage)
			}
			if err := f.decideAt(id, stage, r.decision); !errors.Is(err, ErrNoReview) {
				t.Fatalf("%s %s without review: %v", r.proc, stage, err)
			}
			sub := f.submitMajor(t, id, r.decision, r.rule)
			if err := f.opine(t, id, "R1", sub, Agree); err != nil {
				t.Fatal(err)
			}
			if err := f.decideAt(id, stage, r.decision); err != nil {
				t.Fatalf("%s %s after a passed review: %v", r.proc, stage, err)
			}
			c, err := f.log.Case(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Done[stage]; !ok || c.Procedure().ID != r.proc {
				t.Fatalf("case of %s: %s done %v", c.Procedure().ID, stage, ok)
			}
			if v := f.svc.Violations(c); len(v) != 0 {
				t.Fatalf("flagged: %v", v)
			}
		})
	}
	if notDecide < 3 {
		t.Errorf("only %d procedures decide at a stage not called decide: the table would not notice a gate limited to it", notDecide)
	}
}

// A decision after a hearing is major wherever the agency's list names
// decisions that need one (依法应当组织听证的), however small its fine: the
// hearing on the case says so, whatever the officer ticks.
func TestDecisionAfterAHearingIsMajor(t *testing.T) {
	ctx := context.Background()
	f := newDeviceFixture(t)
	heard, plain := f.openAct(t, "01", "penalty", "person"), f.openAct(t, "01", "penalty", "person")
	for _, id := range []string{heard, plain} {
		casefiletest.WalkTo(t, f.log, id, two[0].CertNo, two, "hearing_notice")
	}
	for _, s := range []casefile.StageBody{{Stage: "hearing_notice", HearingOn: time.Now().AddDate(0, 0, 8).Format(time.DateOnly)},
		{Stage: "hearing", Officers: two}} {
		if _, err := f.log.AddStage(ctx, heard, two[0].CertNo, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.log.AddStage(ctx, plain, two[0].CertNo, casefile.StageBody{Stage: "defend"}); err != nil {
		t.Fatal(err)
	}
	small := Proposal{Fine: 500, Text: "罚款五百元"}
	if err := f.decideAt(heard, "decide", small); !errors.Is(err, ErrNoReview) {
		t.Fatalf("a decision after a hearing, unreviewed: %v", err)
	}
	if err := f.decideAt(plain, "decide", small); err != nil {
		t.Fatalf("the same decision without a hearing: %v", err)
	}
}
