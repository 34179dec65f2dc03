package supervise

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

type fixture struct {
	t     *testing.T
	l     *casefile.Log
	clock time.Time
	rules Rules
}

func day(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s, time.Local)
	return t.Add(10 * time.Hour)
}

func newFixture(t *testing.T) *fixture {
	l := casefiletest.Open(t, "PT")
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	pols, err := demo.Policies()
	if err != nil {
		t.Fatal(err)
	}
	av, err := demo.AVList()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, l: l}
	l.SeedHistory(func() time.Time { return f.clock })
	f.rules = Rules{Review: &review.Service{Policies: pols, Reviewers: review.NewRegistry(nil)}, AV: av, Cal: cal}
	return f
}

var two = []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

// open opens a case of agency 01 on the day.
func (f *fixture) open(act catalog.Act, on string) string {
	f.clock = day(on)
	id, err := f.l.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: act, Agency: "01", ItemID: "E1", ItemName: "事项",
		Party: casefile.Party{Kind: "org", Name: "青禾市某某公司", IDNo: "91990104MA0000003Z"}, Officers: two})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// stage does a stage on the day, with a document of the template (if any)
// and a media file (if av).
func (f *fixture) stage(id, key, on, tpl string, av bool, decision *review.Proposal) {
	ctx := context.Background()
	f.clock = day(on)
	if tpl != "" {
		body, _ := json.Marshal(document.Doc{Template: tpl, Inputs: map[string]string{"doc_no": "青市监罚〔2026〕9号"},
			Text: "当事人：青禾市某某公司。决定：罚款人民币3000元。"})
		if _, err := f.l.AddDocument(ctx, id, "990101000001", body); err != nil {
			f.t.Fatal(err)
		}
	}
	var media []string
	if av {
		d, _, err := f.l.Media().Put(strings.NewReader(id + key))
		if err != nil {
			f.t.Fatal(err)
		}
		media = append(media, d.String())
	}
	st := casefile.StageBody{Stage: key, Officers: two}
	c, err := f.l.Case(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	if ps, _ := c.Procedure().Stage(key); ps.Approval {
		st.Approver = casefiletest.Approver
	}
	if decision != nil {
		st.Decision, _ = json.Marshal(decision)
	}
	if _, err := f.l.AddStage(ctx, id, "990101000001", st, media...); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) eval(id, now string) Evaluation {
	c, err := f.l.Case(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	r := f.rules
	r.Now = day(now)
	return Evaluate("D1", c, r)
}

func checkOf(e Evaluation, key string) *Check {
	for i := range e.Checks {
		if e.Checks[i].Key == key {
			return &e.Checks[i]
		}
	}
	return nil
}

// A complete penalty file scores 100; each fault costs its check's weight
// over the checks that apply.
func TestEvaluateScoresCheckableItems(t *testing.T) {
	f := newFixture(t)
	small := &review.Proposal{Fine: 3000, Text: "罚款3000元"}

	good := f.open(catalog.ActPenalty, "2026-03-02")
	f.stage(good, "register", "2026-03-02", "register_approval", false, nil)
	f.stage(good, "investigate", "2026-03-03", "inspection_record", true, nil)
	f.stage(good, "notify", "2026-03-10", "prior_notice", true, nil)
	f.stage(good, "defend", "2026-03-12", "", true, nil)
	f.stage(good, "decide", "2026-03-20", "penalty_decision", false, small)
	f.clock = day("2026-03-24")
	if _, err := publish.Publish(context.Background(), f.l, f.rules.Cal, good, "990101000001", nil); err != nil {
		t.Fatal(err)
	}
	e := f.eval(good, "2026-06-01")
	if e.Score != 100 || len(e.Failed()) != 0 || e.Publish != PubOnTime || e.AVNeeded != 3 || e.AVPresent != 3 || e.Major {
		t.Fatalf("complete file: %+v", e)
	}
	for _, k := range []string{CheckDocuments, CheckDeadlines, CheckOrder, CheckAV, CheckPublish} {
		if checkOf(e, k) == nil {
			t.Errorf("check %s does not apply to a decided, published penalty", k)
		}
	}
	if checkOf(e, CheckReview) != nil {
		t.Error("the review check applies to a decision that is not major")
	}

	// No prior notice, no A/V at the notice, decided after 90 days,
	// published after its 7 working days; in order.
	bad := f.open(catalog.ActPenalty, "2026-01-05")
	f.stage(bad, "register", "2026-01-05", "register_approval", false, nil)
	f.stage(bad, "investigate", "2026-01-06", "inspection_record", true, nil)
	f.stage(bad, "notify", "2026-02-02", "", false, nil)
	f.stage(bad, "defend", "2026-02-03", "", true, nil)
	f.stage(bad, "decide", "2026-04-10", "penalty_decision", false, small)
	f.clock = day("2026-05-06")
	publish.Publish(context.Background(), f.l, f.rules.Cal, bad, "990101000001", nil)
	e = f.eval(bad, "2026-06-01")
	// documents 30 ✗, deadlines 25 ✗, order 20 ✓, A/V 15 ✗, publication 10 ✗: 20 of 100.
	if e.Score != 20 || e.Publish != PubLate || e.AVNeeded != 3 || e.AVPresent != 2 {
		t.Fatalf("faulty file: %+v", e)
	}
	if c := checkOf(e, CheckDocuments); c == nil || c.Met || strings.Join(c.Missing, ",") != "prior_notice" {
		t.Fatalf("documents: %+v", c)
	}
	if c := checkOf(e, CheckDeadlines); c == nil || c.Met || strings.Join(c.Missing, ",") != "decide_90" {
		t.Fatalf("deadlines: %+v", c)
	}
	if c := checkOf(e, CheckAV); c == nil || c.Met || strings.Join(c.Missing, ",") != "notify" {
		t.Fatalf("A/V: %+v", c)
	}
	if c := checkOf(e, CheckOrder); c == nil || !c.Met || e.OutOfOrder != 0 || e.Skipped != 0 {
		t.Fatalf("order: %+v", c)
	}

	// Only the documents fail: 30 of 100 lost → 70. The investigation
	// needs either of its records ("inspection_record|inquiry_record").
	some := f.open(catalog.ActPenalty, "2026-03-02")
	f.stage(some, "register", "2026-03-02", "", false, nil)
	f.stage(some, "investigate", "2026-03-03", "", true, nil)
	f.stage(some, "notify", "2026-03-10", "prior_notice", true, nil)
	f.stage(some, "defend", "2026-03-12", "", true, nil)
	f.stage(some, "decide", "2026-03-20", "penalty_decision", false, small)
	f.clock = day("2026-03-24")
	publish.Publish(context.Background(), f.l, f.rules.Cal, some, "990101000001", nil)
	e = f.eval(some, "2026-06-01")
	if e.Score != 70 {
		t.Fatalf("two documents missing: score %d, %+v", e.Score, e.Failed())
	}
	if c := checkOf(e, CheckDocuments); strings.Join(c.Missing, ",") != "register_approval,inspection_record|inquiry_record" {
		t.Fatalf("documents missing: %q", c.Missing)
	}
	f.clock = day("2026-06-02")
	body, _ := json.Marshal(document.Doc{Template: "inquiry_record", Text: "询问笔录"})
	if _, err := f.l.AddDocument(context.Background(), some, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	if c := checkOf(f.eval(some, "2026-06-02"), CheckDocuments); strings.Join(c.Missing, ",") != "register_approval" {
		t.Fatalf("an inquiry record does for the investigation: %q", c.Missing)
	}

	// Decided, not published: pending within the 7 days, overdue after.
	wait := f.open(catalog.ActPenalty, "2026-03-02")
	f.stage(wait, "register", "2026-03-02", "register_approval", false, nil)
	f.stage(wait, "investigate", "2026-03-03", "inspection_record", true, nil)
	f.stage(wait, "notify", "2026-03-10", "prior_notice", true, nil)
	f.stage(wait, "defend", "2026-03-12", "", true, nil)
	f.stage(wait, "decide", "2026-03-20", "penalty_decision", false, small)
	if e := f.eval(wait, "2026-03-23"); e.Publish != PubPending || checkOf(e, CheckPublish) != nil || e.Score != 100 {
		t.Fatalf("within its days: %+v", e)
	}
	if e := f.eval(wait, "2026-04-20"); e.Publish != PubOverdue || checkOf(e, CheckPublish).Met {
		t.Fatalf("past its days: %+v", e)
	}
}

// A major decision recorded without a passed review fails the review
// check, and the file says which rule was broken.
func TestEvaluateMajorDecisionWithoutReview(t *testing.T) {
	f := newFixture(t)
	id := f.open(catalog.ActPenalty, "2026-03-02")
	f.stage(id, "register", "2026-03-02", "register_approval", false, nil)
	f.stage(id, "investigate", "2026-03-03", "inspection_record", true, nil)
	f.stage(id, "notify", "2026-03-10", "prior_notice", true, nil)
	f.stage(id, "defend", "2026-03-12", "", true, nil)
	f.stage(id, "decide", "2026-03-20", "penalty_decision", false, &review.Proposal{Fine: 200000, Text: "罚款20万元"})
	e := f.eval(id, "2026-03-21")
	c := checkOf(e, CheckReview)
	if !e.Major || c == nil || c.Met || len(c.Missing) != 1 || !strings.HasPrefix(c.Missing[0], "review.err.") {
		t.Fatalf("major without review: %+v %+v", e, c)
	}
}

// Order: a penalty decided without its prior notice (recorded on a device
// whose procedures were patched to allow it) fails the order check and is
// counted; a stage done early with a recorded exception is counted and
// listed with its reason, and fails nothing; a closed case that never did
// a required stage counts it as skipped. Judged by the procedures in
// force on the platform, not the device's.
func TestEvaluateCountsOrderDeviations(t *testing.T) {
	f := newFixture(t)
	small := &review.Proposal{Fine: 3000, Text: "罚款3000元"}
	patched := casefile.National().Of(&casefile.Case{Opening: casefile.Opening{Act: catalog.ActPenalty}})
	patched.Stages = slices.Clone(patched.Stages) // the national set's own stay as they are
	for i := range patched.Stages {
		patched.Stages[i].Requires = nil
	}
	patched.Agency = "01"
	lax, err := casefile.WithAgencies([]casefile.Procedure{patched})
	if err != nil {
		t.Fatal(err)
	}
	f.rules.Procedures = casefile.National()

	skip := f.open(catalog.ActPenalty, "2026-03-02")
	f.stage(skip, "register", "2026-03-02", "register_approval", false, nil)
	f.stage(skip, "investigate", "2026-03-03", "inspection_record", true, nil)
	f.l.SetProcedures(lax)
	f.stage(skip, "decide", "2026-03-20", "penalty_decision", false, small)
	f.l.SetProcedures(nil)
	e := f.eval(skip, "2026-03-21")
	if c := checkOf(e, CheckOrder); c == nil || c.Met || strings.Join(c.Missing, ",") != "out_of_order:decide:notify,defend|hearing" || e.OutOfOrder != 1 || e.Score == 100 {
		t.Fatalf("decided without notice: %+v %+v", e, c)
	}

	except := f.open(catalog.ActPenalty, "2026-03-02")
	f.stage(except, "register", "2026-03-02", "register_approval", false, nil)
	f.clock = day("2026-03-03")
	if _, err := f.l.AddStage(context.Background(), except, "990101000001", casefile.StageBody{Stage: "notify", Officers: two,
		Exception: &casefile.Exception{Reason: "当事人当场承认违法事实，证据已固定", Approver: "王局长"}}); err != nil {
		t.Fatal(err)
	}
	e = f.eval(except, "2026-03-04")
	if c := checkOf(e, CheckOrder); c == nil || !c.Met || e.OutOfOrder != 0 || len(e.Exceptions) != 1 ||
		e.Exceptions[0].Stage != "notify" || e.Exceptions[0].Reason != "当事人当场承认违法事实，证据已固定" {
		t.Fatalf("an exception: %+v %+v", e, c)
	}

	closed := f.open(catalog.ActInspection, "2026-03-02")
	f.stage(closed, "inspect", "2026-03-02", "inspection_record", true, nil)
	f.clock = day("2026-03-03")
	if _, err := f.l.AddStage(context.Background(), closed, "990101000001", casefile.StageBody{Stage: "close",
		Exception: &casefile.Exception{Reason: "检查未发现问题", Approver: "王局长"}}); err != nil {
		t.Fatal(err)
	}
	e = f.eval(closed, "2026-03-04")
	if c := checkOf(e, CheckOrder); c == nil || c.Met || strings.Join(c.Missing, ",") != "skipped:handle" || e.Skipped != 1 || len(e.Exceptions) != 1 {
		t.Fatalf("closed without handling: %+v %+v", e, c)
	}
	rep := Summarize([]Evaluation{f.eval(skip, "2026-03-21"), f.eval(except, "2026-03-21"), e}, day("2026-01-01"), day("2027-01-01"), day("2026-03-21"), nil)
	if rep.Total.OutOfOrder != 1 || rep.Total.Skipped != 1 || rep.Total.Exceptions != 2 || rep.Total.Failed[CheckOrder] != 2 ||
		rep.ByAgency[0].Tally.OutOfOrder != 1 {
		t.Fatalf("tally %+v", rep.Total)
	}
}

// Summaries count by agency, act and month; rates are shares in percent
// and -1 when nothing was counted; staffing flags agencies under 5 %.
func TestSummarize(t *testing.T) {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), time.Date(2027, 1, 1, 0, 0, 0, 0, time.Local)
	evals := []Evaluation{
		{Case: "a", Agency: "01", Act: catalog.ActPenalty, Opened: day("2026-01-10"), Decided: true, Score: 100, Opinions: 2, Passed: 1, Returned: 1, Publish: PubOnTime, AVNeeded: 3, AVPresent: 3},
		{Case: "b", Agency: "01", Act: catalog.ActPenalty, Opened: day("2026-01-20"), Decided: true, Score: 50, Opinions: 1, Passed: 1, Publish: PubLate, AVNeeded: 2, AVPresent: 1,
			Checks: []Check{{Key: CheckAV, Missing: []string{"notify"}}}},
		{Case: "c", Agency: "02", Act: catalog.ActInspection, Opened: day("2026-03-05"), Score: 80, Publish: PubNone},
		{Case: "d", Agency: "02", Act: catalog.ActLicensing, Opened: day("2026-03-06"), Decided: true, Score: 90, Publish: PubOverdue},
	}
	rep := Summarize(evals, from, to, day("2026-12-01"), StaffingOf(map[string]int{"01": 40, "02": 10}, map[string]int{"01": 1, "02": 1}))
	tot := rep.Total
	if tot.Cases != 4 || tot.Decided != 3 || tot.PassRate() != 66.7 || tot.ReturnRate() != 33.3 || tot.MeanScore() != 80 ||
		tot.OnTimeRate() != 33.3 || tot.AVRate() != 80 || tot.Failed[CheckAV] != 1 {
		t.Fatalf("total %+v", tot)
	}
	if len(rep.ByMonth) != 12 || rep.ByMonth[0].Key != "2026-01" || rep.ByMonth[0].Tally.Cases != 2 || rep.ByMonth[2].Tally.Cases != 2 || rep.ByMonth[1].Tally.Cases != 0 {
		t.Fatalf("by month %+v", rep.ByMonth)
	}
	if len(rep.ByAct) != len(catalog.Acts) || len(rep.ByAgency) != 2 || rep.ByAgency[1].Tally.Cases != 2 {
		t.Fatalf("by act %d, by agency %+v", len(rep.ByAct), rep.ByAgency)
	}
	if rep.Cases[0].Case != "b" || rep.Cases[3].Case != "a" {
		t.Fatalf("worst first: %v", rep.Cases)
	}
	if (Tally{}).PassRate() != -1 || (Tally{}).MeanScore() != -1 {
		t.Fatal("an empty tally has rates")
	}
	if s := rep.Staffing; len(s) != 2 || s[0].Share != 2.5 || s[0].Enough || s[1].Share != 10 || !s[1].Enough {
		t.Fatalf("staffing %+v", s)
	}
	if d := AnnualDue(2026); d.Format(time.DateOnly) != "2027-01-31" {
		t.Fatalf("annual report due %v", d)
	}
}

// A levy is decided at its assessment and has the 20-working-day deadline
// for its publication, or its agency's own: overdue by the national rule
// on a day when a 45-day agency deadline still runs.
func TestLevyDecidedAtAssessmentWithAgencyDeadline(t *testing.T) {
	f := newFixture(t)
	id := f.open(catalog.ActLevy, "2026-06-01")
	f.stage(id, "assess", "2026-06-01", "levy_decision", false, nil)
	e := f.eval(id, "2026-07-15")
	if !e.Decided || e.Publish != PubOverdue || checkOf(e, CheckDocuments) == nil || !checkOf(e, CheckDocuments).Met {
		t.Fatalf("national deadline: decided %v, publish %s, documents %+v", e.Decided, e.Publish, checkOf(e, CheckDocuments))
	}
	f.rules.Deadlines = publish.Deadlines{{Agency: "01", Act: catalog.ActLevy, Days: 45}}
	if e := f.eval(id, "2026-07-15"); e.Publish != PubPending {
		t.Fatalf("with the agency's 45 days: %s", e.Publish)
	}
}

// A drawn task is on time with its result by the end of its day, late
// after it, pending before it and overdue once it has passed without one;
// the share on time counts the tasks whose day has come.
func TestDrawnTaskStates(t *testing.T) {
	day := func(s string, h int) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(time.Duration(h) * time.Hour)
	}
	now := day("2026-05-10", 12)
	tasks := []DrawnTask{
		{ID: "1-1", Agency: "01", Due: "2026-05-01", Done: day("2026-05-01", 23)},
		{ID: "1-2", Agency: "01", Due: "2026-05-01", Done: day("2026-05-02", 0)},
		{ID: "1-3", Agency: "01", Due: "2026-05-01"},
		{ID: "2-1", Agency: "02", Due: "2026-05-10"},
		{ID: "2-2", Agency: "02", Due: "2026-04-30"},
		{ID: "2-3", Agency: "02", Due: "not a day"},
	}
	want := []string{TaskOnTime, TaskLate, TaskOverdue, TaskPending, TaskOverdue, TaskPending}
	for i, tk := range tasks {
		if got := tk.State(now); got != want[i] {
			t.Errorf("%s: %s, want %s", tk.ID, got, want[i])
		}
	}
	in := SummarizeTasks(tasks, now)
	if in.Total != (TaskTally{Drawn: 6, OnTime: 1, Late: 1, Pending: 2, Overdue: 2}) || in.Total.OnTimeRate() != 25 {
		t.Fatalf("total: %+v %v", in.Total, in.Total.OnTimeRate())
	}
	if len(in.ByAgency) != 2 || in.ByAgency[0].Agency != "01" || in.ByAgency[0].Tally.OnTimeRate() != 33.3 || in.ByAgency[1].Tally.OnTimeRate() != 0 {
		t.Fatalf("by agency: %+v", in.ByAgency)
	}
	if len(in.Overdue) != 2 || in.Overdue[0].ID != "2-2" || in.Overdue[1].ID != "1-3" {
		t.Fatalf("overdue, longest first: %+v", in.Overdue)
	}
	if (TaskTally{Drawn: 1, Pending: 1}).OnTimeRate() != -1 {
		t.Fatal("a share of nothing due")
	}
}
