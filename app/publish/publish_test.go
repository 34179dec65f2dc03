package publish

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/assets"
)

func cal(t *testing.T) *calendar.Calendar {
	c, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func day(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s, time.Local)
	return t.Add(10 * time.Hour)
}

// Deadlines count working days with the holiday calendar: 7 for licensing
// and penalty decisions, 20 for the others.
func TestDeadlinesAcrossHolidays(t *testing.T) {
	for _, tc := range []struct {
		act     catalog.Act
		decided string
		due     string
	}{
		// National Day: Oct 1–7 off, Sat Oct 10 worked.
		{catalog.ActPenalty, "2026-09-30", "2026-10-15"},
		// Spring Festival: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked.
		{catalog.ActLicensing, "2026-02-13", "2026-03-02"},
		// An ordinary week.
		{catalog.ActPenalty, "2026-11-02", "2026-11-11"},
		// Others: 20 working days, across May Day (May 1–5 off, Sat May 9 worked).
		{catalog.ActCoercion, "2026-04-28", "2026-05-28"},
	} {
		c := &casefile.Case{Opening: casefile.Opening{Act: tc.act}, Done: map[string]casefile.Record{DecisionStage[tc.act]: {At: day(tc.decided)}}}
		st := StateOf(c, cal(t))
		if got := st.Due.Format(time.DateOnly); got != tc.due {
			t.Errorf("%s decided %s: due %s, want %s", tc.act, tc.decided, got, tc.due)
		}
		if st.Late(day(tc.due)) || !st.Late(day(tc.due).AddDate(0, 0, 1)) {
			t.Errorf("%s: late on the due day, or not the day after", tc.decided)
		}
	}
}

func decidedCase(t *testing.T) (*casefile.Log, string) {
	t.Helper()
	ctx := context.Background()
	l := casefiletest.Open(t, "PT")
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1", ItemName: "处罚",
		Party:    casefile.Party{Kind: "person", Name: "王小明", IDNo: "330104199202150022"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	body, _ := json.Marshal(document.Doc{Template: "penalty_decision", Inputs: map[string]string{"doc_no": "X〔2026〕1号"},
		Text: "当事人：王小明　证件号码：330104199202150022\n其女儿王丽丽在场。现场位于明湖区政和路88号。决定：罚款人民币500元。"})
	if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide"}); err != nil {
		t.Fatal(err)
	}
	return l, id
}

// Both versions stay in the log; what the officer masks by hand is masked
// and listed; a decision is published once, and only a published one is
// withdrawn, with its explanation.
func TestPublishExemptWithdraw(t *testing.T) {
	ctx := context.Background()
	l, id := decidedCase(t)
	c := cal(t)
	if _, err := Withdraw(ctx, l, c, id, "990101000001", Withdrawal{Cause: "revoked", Explanation: "撤销"}); err != ErrNotPublic {
		t.Fatalf("withdrawing what is not published: %v", err)
	}
	r, err := Publish(ctx, l, c, id, "990101000001", []string{"王丽丽", " "})
	if err != nil {
		t.Fatal(err)
	}
	var p Publication
	json.Unmarshal(r.Body, &p)
	if !strings.Contains(p.Original, "王小明") || strings.Contains(p.Redacted, "王小明") || strings.Contains(p.Redacted, "王丽丽") ||
		strings.Contains(p.Redacted, "199202150022") || p.Party != "王某某" || len(p.Manual) != 1 || p.DocNo != "X〔2026〕1号" {
		t.Fatalf("publication %+v", p)
	}
	if _, err := Publish(ctx, l, c, id, "990101000001", nil); err != ErrDone {
		t.Fatalf("published twice: %v", err)
	}
	if _, err := Exempt(ctx, l, c, id, "990101000001", Exemption{Reason: "privacy"}); err != ErrDone {
		t.Fatalf("exempted after publication: %v", err)
	}
	if _, err := Withdraw(ctx, l, c, id, "990101000001", Withdrawal{Cause: "tired", Explanation: "x"}); err != ErrNoReason {
		t.Fatalf("a cause not in the list: %v", err)
	}
	for _, on := range []string{"", "2026-13-01", "明天", l.Now().AddDate(0, 0, 2).Format(time.DateOnly)} {
		if _, err := Withdraw(ctx, l, c, id, "990101000001", Withdrawal{Cause: "changed", Explanation: "决定已变更", EffectiveOn: on}); err != ErrEffective {
			t.Fatalf("effective on %q: %v", on, err)
		}
	}
	// Changed 2026-09-29: three working days over National Day end on Oct 9
	// (Oct 1–7 off, Thu Oct 8 and Fri Oct 9 worked).
	l.SeedHistory(func() time.Time { return day("2026-10-09") })
	if _, err := Withdraw(ctx, l, c, id, "990101000001", Withdrawal{Cause: "changed", Explanation: "决定已变更", EffectiveOn: " 2026-09-29 "}); err != nil {
		t.Fatal(err)
	}
	cs, _ := l.Case(ctx, id)
	st := StateOf(cs, c)
	if st.Withdrawn == nil || st.Published == nil || st.Withdrawn.EffectiveOn != "2026-09-29" ||
		st.WithdrawDue.Format(time.DateOnly) != "2026-10-09" || st.WithdrawnLate() {
		t.Fatalf("state %+v", st)
	}
	st.WithdrawnAt = day("2026-10-10")
	if !st.WithdrawnLate() {
		t.Fatal("withdrawn the day after its third working day is not late")
	}
	// A changed decision is published anew; a revoked one stays down.
	if !st.CanPublish() {
		t.Fatal("a changed decision cannot be published again")
	}
	st.Withdrawn.Cause = "revoked"
	if st.CanPublish() {
		t.Fatal("a revoked decision can be published again")
	}
}

func TestExemptNeedsALegalReason(t *testing.T) {
	ctx := context.Background()
	l, id := decidedCase(t)
	c := cal(t)
	if _, err := Exempt(ctx, l, c, id, "990101000001", Exemption{Reason: "busy"}); err != ErrNoReason {
		t.Fatalf("a reason not in the list: %v", err)
	}
	if _, err := Exempt(ctx, l, c, id, "990101000001", Exemption{Reason: "state_secret", Note: "涉密"}); err != nil {
		t.Fatal(err)
	}
	cs, _ := l.Case(ctx, id)
	st := StateOf(cs, c)
	if st.Pending() || st.Exempt.Reason != "state_secret" || st.Late(day("2030-01-01")) {
		t.Fatalf("state %+v", st)
	}
	if _, err := Publish(ctx, l, c, id, "990101000001", nil); err != ErrDone {
		t.Fatalf("published an exempted decision: %v", err)
	}
}

// Records keep UTC; the deadline counts from the agency's day. A decision
// at 07:30 in Beijing on Wednesday 4 November is 23:30 UTC on the 3rd:
// its 7 working days end on Friday the 13th, not the 12th.
func TestDeadlineCountsFromTheLocalDay(t *testing.T) {
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	local := time.Local
	time.Local = time.FixedZone("CST", 8*3600)
	defer func() { time.Local = local }()
	c := &casefile.Case{Opening: casefile.Opening{Act: catalog.ActPenalty},
		Done: map[string]casefile.Record{"decide": {At: time.Date(2026, 11, 3, 23, 30, 0, 0, time.UTC)}}}
	st := StateOf(c, cal)
	if got := st.Due.Format(time.DateOnly); got != "2026-11-13" {
		t.Fatalf("due %s, want 2026-11-13", got)
	}
	if got := st.DecidedAt.Format(time.DateOnly); got != "2026-11-04" {
		t.Fatalf("decided on %s, want 2026-11-04", got)
	}
	if st.Late(time.Date(2026, 11, 13, 17, 0, 0, 0, time.Local)) {
		t.Fatal("late on its due day")
	}
}

// A licensing decision is published as a penalty is: its template is the
// act's decision document, and the applicant's name is masked.
func TestLicensingDecisionIsPublished(t *testing.T) {
	ctx := context.Background()
	l := casefiletest.Open(t, "PT")
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActLicensing, Agency: "01", ItemID: "L1", ItemName: "食品经营许可",
		Party:    casefile.Party{Kind: "person", Name: "李春华", IDNo: "330104199202150022", Address: "青禾市松林路8号"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := document.TemplateByID(DecisionTemplate[catalog.ActLicensing])
	if err != nil {
		t.Fatal(err)
	}
	c, _ := l.Case(ctx, id)
	doc, err := document.Fill(tpl, c, "青禾市市场监督管理局", map[string]string{"doc_no": "青市监许〔2026〕9号",
		"matter": "食品经营许可", "basis": "《中华人民共和国食品安全法》第三十五条"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(doc)
	if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(ctx, l, cal(t), id, "990101000001", nil); err != nil {
		t.Fatal(err)
	}
	c, _ = l.Case(ctx, id)
	st := StateOf(c, cal(t))
	if st.Published == nil || st.DocNo != "青市监许〔2026〕9号" || st.Pending() {
		t.Fatalf("state %+v", st)
	}
	if strings.Contains(st.Published.Redacted, "李春华") || !strings.Contains(st.Published.Redacted, "李某某") ||
		strings.Contains(st.Published.Redacted, "330104199202150022") || !strings.Contains(st.Published.Redacted, "准予行政许可") {
		t.Fatalf("published text:\n%s", st.Published.Redacted)
	}
}

// The review shows where each mask stands in the published text and what
// still looks like a person's; what the officer confirms stays public and
// is recorded, and a record without confirmations reads as before.
func TestReviewMarksMaskedAndDoubtful(t *testing.T) {
	ctx := context.Background()
	l, id := decidedCase(t)
	c := cal(t)
	cs, _ := l.Case(ctx, id)
	r, err := ReviewOf(cs, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Masked) == 0 {
		t.Fatal("nothing masked")
	}
	for _, sp := range r.Masked {
		if r.Redacted[sp.Start:sp.End] != sp.Masked || !strings.Contains(r.Original, sp.Original) {
			t.Fatalf("masked span %+v is not where it stands in %q", sp, r.Redacted)
		}
	}
	// The engine masks the daughter's name; the street address beside
	// the place of the facts is left, and doubtful.
	if strings.Contains(r.Redacted, "王丽丽") {
		t.Fatalf("the daughter's name is published: %q", r.Redacted)
	}
	if open := r.Open(); len(open) != 1 || open[0] != "政和路88号" {
		t.Fatalf("doubtful %v in %q", open, r.Redacted)
	}
	if r, _ := ReviewOf(cs, c, nil, "政和路88号"); len(r.Open()) != 0 || len(r.Suspects) != 1 {
		t.Fatalf("confirmed, still open: %v", r.Open())
	}
	if r, _ := ReviewOf(cs, c, []string{"政和路88号"}); len(r.Suspects) != 0 || r.Masked[len(r.Masked)-1].Kind != "manual" {
		t.Fatalf("masked by hand, still doubtful: %+v in %q", r.Suspects, r.Redacted)
	}
	rec, err := Publish(ctx, l, c, id, "990101000001", nil, "政和路88号", " ", "政和路88号")
	if err != nil {
		t.Fatal(err)
	}
	var p Publication
	json.Unmarshal(rec.Body, &p)
	if len(p.Confirmed) != 1 || p.Confirmed[0] != "政和路88号" || !strings.Contains(p.Redacted, "政和路88号") {
		t.Fatalf("confirmed not recorded: %+v", p)
	}
	old, _ := json.Marshal(Publication{DocNo: "X", Redacted: "r"})
	if strings.Contains(string(old), "confirmed") {
		t.Fatalf("a record without confirmations changed shape: %s", old)
	}
}
