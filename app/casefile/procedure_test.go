package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/assets"
)

const head = "李局长"

// bodyFor is a stage record that meets every rule of st but its order:
// officers on site, an approver, its dates (a day before now) and, for a
// decision, a warning (within every procedure's limits).
func bodyFor(st Stage, now time.Time) StageBody {
	b := StageBody{Stage: st.Key, Note: "依法办理"}
	if st.OnSite {
		b.Officers = two
	}
	if st.Approval {
		b.Approver = head
	}
	for _, f := range st.Dates {
		if b.Dates == nil {
			b.Dates = map[string]string{}
		}
		b.Dates[f] = now.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if st.Decision {
		b.Decision = json.RawMessage(`{"kinds":["warning"],"text":"警告"}`)
	}
	return b
}

// needed is every stage st needs done first, transitively, in procedure
// order, taking the first of alternatives; skip and all that needs it are
// left out.
func needed(p Procedure, st Stage, skip string) []Stage {
	var needs func(s Stage) bool // s needs skip, directly or through others
	needs = func(s Stage) bool {
		for _, req := range s.Requires {
			k := strings.Split(req, "|")[0]
			if r, _ := p.Stage(k); req == skip || k == skip || needs(r) {
				return true
			}
		}
		return false
	}
	want := map[string]bool{}
	var visit func(s Stage)
	visit = func(s Stage) {
		for _, req := range s.Requires {
			k := strings.Split(req, "|")[0]
			r, _ := p.Stage(k)
			if req == skip || k == skip || want[k] || needs(r) {
				continue
			}
			want[k] = true
			visit(r)
		}
	}
	visit(st)
	var out []Stage
	for _, s := range p.Stages {
		if want[s.Key] {
			out = append(out, s)
		}
	}
	return out
}

func openingFor(p Procedure) Opening {
	o := penaltyOpening()
	o.Act, o.Procedure = p.Act, p.ID
	return o
}

// Every act's procedure, walked in order, records every required stage and
// leaves no deviation; every prerequisite of every stage is refused when
// missing, and goes through as an exception with a reason and an approver,
// which Deviations counts; nothing is recorded after the final stage.
func TestStageOrderEnforced(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	var procs []Procedure
	for _, a := range act.All {
		procs = append(procs, National().Variants("", a)...)
	}
	if len(procs) < 8 {
		t.Fatalf("%d national procedures, want the six acts and the variants", len(procs))
	}
	for _, p := range procs {
		t.Run(p.ID+"/in-order", func(t *testing.T) {
			l := openCaseLog(t, &now)
			id, err := l.OpenCase(ctx, "a", openingFor(p))
			if err != nil {
				t.Fatal(err)
			}
			final := ""
			for _, st := range p.Stages {
				if st.ReviewOnly || st.Optional && st.Key != "extend" {
					continue
				}
				if st.Final {
					final = st.Key
				}
				if _, err := l.AddStage(ctx, id, "a", bodyFor(st, now)); err != nil {
					t.Fatalf("%s in order: %v", st.Key, err)
				}
			}
			c, _ := l.Case(ctx, id)
			if d := p.Deviations(c); len(d) != 0 {
				t.Errorf("deviations of a case walked in order: %+v", d)
			}
			if _, ok := c.Done[final]; !ok {
				t.Fatalf("not closed: %v", c.Current)
			}
			if _, err := l.AddStage(ctx, id, "a", bodyFor(p.Stages[0], now)); !errors.Is(err, ErrClosed) {
				t.Errorf("a stage after %s: %v", final, err)
			}
		})
		for _, st := range p.Stages {
			for _, req := range st.Requires {
				t.Run(p.ID+"/"+st.Key+"-without-"+req, func(t *testing.T) {
					l := openCaseLog(t, &now)
					id, err := l.OpenCase(ctx, "a", openingFor(p))
					if err != nil {
						t.Fatal(err)
					}
					for _, s := range needed(p, st, req) {
						if _, err := l.AddStage(ctx, id, "a", bodyFor(s, now)); err != nil {
							t.Fatalf("prerequisite %s: %v", s.Key, err)
						}
					}
					b := bodyFor(st, now)
					_, err = l.AddStage(ctx, id, "a", b)
					if !errors.Is(err, ErrOutOfOrder) || !strings.Contains(err.Error(), req) || ErrorCode(err) != "out_of_order" {
						t.Fatalf("%s without %s: %v", st.Key, req, err)
					}
					b.Exception = &Exception{Reason: "情况紧急，当场实施"}
					if _, err := l.AddStage(ctx, id, "a", b); !errors.Is(err, ErrBadException) {
						t.Fatalf("exception without approver: %v", err)
					}
					b.Exception.Approver = head
					if _, err := l.AddStage(ctx, id, "a", b); err != nil {
						t.Fatalf("%s as an exception: %v", st.Key, err)
					}
					c, _ := l.Case(ctx, id)
					var d []Deviation
					for _, x := range p.Deviations(c) {
						// A case closed early has skipped what it never did.
						if x.Kind != DeviationSkipped || !st.Final {
							d = append(d, x)
						}
					}
					if len(d) != 1 || d[0].Kind != DeviationException || d[0].Stage != st.Key || d[0].Reason != "情况紧急，当场实施" ||
						!slices.Contains(d[0].Missing, req) {
						t.Fatalf("deviations %+v", d)
					}
				})
			}
		}
	}
}

// What Deviations finds in a log written around the rules (as a platform
// receives it): a stage before its prerequisites, and required stages a
// closed case never did.
func TestDeviationsOfARecordWrittenAroundTheRules(t *testing.T) {
	p, _ := National().Get("", "penalty")
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	rec := func(seq int64, b StageBody) Record {
		body, _ := json.Marshal(b)
		return Record{Seq: seq, Kind: KindStage, At: at.Add(time.Duration(seq) * time.Hour), Body: body}
	}
	open, _ := json.Marshal(penaltyOpening())
	c, err := CaseOf("X", []Record{{Seq: 1, Kind: KindOpen, At: at, Body: open},
		rec(2, StageBody{Stage: "register", Approver: head}), rec(3, StageBody{Stage: "decide"}), rec(4, StageBody{Stage: "close"})})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Deviations(c)
	kinds := map[string][]string{}
	for _, d := range got {
		kinds[d.Kind] = append(kinds[d.Kind], d.Stage)
	}
	if !slices.Equal(kinds[DeviationOutOfOrder], []string{"decide", "close"}) ||
		!slices.Equal(kinds[DeviationSkipped], []string{"investigate", "notify", "defend", "serve"}) {
		t.Fatalf("deviations %+v", got)
	}
	// A hearing held in place of a written defence skips nothing.
	c, err = CaseOf("Y", []Record{{Seq: 1, Kind: KindOpen, At: at, Body: open},
		rec(2, StageBody{Stage: "register", Approver: head}), rec(3, StageBody{Stage: "investigate", Officers: two}),
		rec(4, StageBody{Stage: "notify", Officers: two}), rec(5, StageBody{Stage: "hearing_notice", HearingOn: "2026-09-20"}),
		rec(6, StageBody{Stage: "hearing", Officers: two}), rec(7, StageBody{Stage: "decide"}),
		rec(8, StageBody{Stage: "serve", Officers: two}), rec(9, StageBody{Stage: "close"})})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Deviations(c); len(got) != 0 {
		t.Fatalf("deviations of a case heard instead of defended: %+v", got)
	}
}

// The summary procedure (当场处罚, 行政处罚法 art. 51) decides a warning, or a
// fine up to 200 yuan for a citizen and 3,000 yuan for an organisation, and
// nothing else.
func TestSummaryPenaltyLimits(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		name, party, decision string
		err                   error
	}{
		{"warning", "person", `{"kinds":["warning"]}`, nil},
		{"200 yuan, citizen", "person", `{"fine":200,"kinds":["fine"]}`, nil},
		{"201 yuan, citizen", "person", `{"fine":201,"kinds":["fine"]}`, ErrSummaryLimit},
		{"3000 yuan, organisation", "org", `{"fine":3000}`, nil},
		{"3001 yuan, organisation", "org", `{"fine":3001}`, ErrSummaryLimit},
		{"confiscation", "person", `{"fine":100,"confiscate":50}`, ErrSummaryLimit},
		{"closure", "org", `{"kinds":["order_closure"]}`, ErrSummaryLimit},
		{"negative fine", "person", `{"fine":-5}`, ErrSummaryLimit},
		{"nothing decided", "person", `{"text":"处罚"}`, ErrNoDecision},
		{"no decision", "person", ``, ErrNoDecision},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openCaseLog(t, &now)
			o := penaltyOpening()
			o.Procedure, o.Party.Kind = "penalty.summary", tc.party
			id, err := l.OpenCase(ctx, "a", o)
			if err != nil {
				t.Fatal(err)
			}
			b := StageBody{Stage: "decide", Officers: two, Decision: json.RawMessage(tc.decision)}
			_, err = l.AddStage(ctx, id, "a", b)
			if tc.err == nil && err != nil || tc.err != nil && !errors.Is(err, tc.err) {
				t.Fatalf("decision %s: %v, want %v", tc.decision, err, tc.err)
			}
			if tc.err == ErrSummaryLimit && ErrorCode(err) != "summary_limit" {
				t.Fatalf("code %q", ErrorCode(err))
			}
		})
	}
	// The general procedure has no such limit.
	l := openCaseLog(t, &now)
	id, _ := l.OpenCase(ctx, "a", penaltyOpening())
	for _, s := range []StageBody{{Stage: "register", Approver: head}, {Stage: "investigate", Officers: two},
		{Stage: "notify", Officers: two}, {Stage: "defend"}} {
		if _, err := l.AddStage(ctx, id, "a", s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.AddStage(ctx, id, "a", StageBody{Stage: "decide", Decision: json.RawMessage(`{"fine":50000}`)}); err != nil {
		t.Fatalf("general procedure, large fine: %v", err)
	}
}

// Every act's clock counted from its records, across the National Day
// holidays of the working-day calendar and across extension approvals.
func TestClocksOfEveryAct(t *testing.T) {
	ctx := context.Background()
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, time.Local)
		return d.Add(10 * time.Hour)
	}
	type step struct {
		at   string // date, or date and time "2006-01-02 15:04"
		body StageBody
	}
	for _, tc := range []struct {
		name, proc                             string
		steps                                  []step
		now                                    string
		clock                                  string
		due                                    string // date, or date and time
		met, missed, overdue, lapsed, extended bool
		absent                                 bool
	}{
		// Accepted Monday 21 September 2026: 20 working days skip the
		// Mid-Autumn and National Day holidays and count the Saturday 10
		// October make-up day: due Monday 26 October.
		{name: "licence 20 working days over the holidays", proc: "licensing",
			steps: []step{{"2026-09-21", StageBody{Stage: "accept"}}}, now: "2026-10-20", clock: "licence_20", due: "2026-10-26"},
		{name: "licence overdue", proc: "licensing",
			steps: []step{{"2026-09-21", StageBody{Stage: "accept"}}}, now: "2026-10-27", clock: "licence_20", due: "2026-10-26", overdue: true},
		// The head's extension adds 10 working days: due 9 November.
		{name: "licence extended by 10 working days", proc: "licensing",
			steps: []step{{"2026-09-21", StageBody{Stage: "accept"}}, {"2026-10-22", StageBody{Stage: "extend", Approver: head}},
				{"2026-10-23", StageBody{Stage: "examine"}}, {"2026-11-06", StageBody{Stage: "decide"}}},
			now: "2026-11-10", clock: "licence_20", due: "2026-11-09", met: true, extended: true},
		{name: "penalty 90 days", proc: "penalty",
			steps: []step{{"2026-09-01", StageBody{Stage: "register", Approver: head}}}, now: "2026-12-01", clock: "decide_90", due: "2026-11-30", overdue: true},
		{name: "preserved evidence handled in 7 days", proc: "penalty",
			steps: []step{{"2026-09-01", StageBody{Stage: "register", Approver: head}}, {"2026-09-02", StageBody{Stage: "preserve", Approver: head, Officers: two}},
				{"2026-09-10", StageBody{Stage: "preserve_handle"}}},
			now: "2026-09-11", clock: "preserve_7", due: "2026-09-09", missed: true},
		{name: "hearing request, 5 working days over the holidays, lapsed", proc: "penalty",
			steps: []step{{"2026-09-01", StageBody{Stage: "register", Approver: head}}, {"2026-09-02", StageBody{Stage: "investigate", Officers: two}},
				{"2026-09-30", StageBody{Stage: "notify", Officers: two}}},
			now: "2026-10-15", clock: "hearing_request_5", due: "2026-10-13", lapsed: true},
		{name: "hearing notice 7 days before", proc: "penalty",
			steps: []step{{"2026-09-01", StageBody{Stage: "register", Approver: head}}, {"2026-09-02", StageBody{Stage: "investigate", Officers: two}},
				{"2026-09-03", StageBody{Stage: "notify", Officers: two}}, {"2026-09-08", StageBody{Stage: "hearing_notice", HearingOn: "2026-09-14"}}},
			now: "2026-09-09", clock: "hearing_notice_7", due: "2026-09-07", missed: true},
		// A seizure lasts 30 days, 60 with one extension (行政强制法 art. 25).
		{name: "seizure 30 days", proc: "coercion",
			steps: []step{{"2026-09-01", StageBody{Stage: "approve", Approver: head}}, {"2026-09-01", StageBody{Stage: "decide"}},
				{"2026-09-01", StageBody{Stage: "enforce", Officers: two}}},
			now: "2026-10-02", clock: "seizure_30", due: "2026-10-01", overdue: true},
		{name: "seizure extended to 60 days", proc: "coercion",
			steps: []step{{"2026-09-01", StageBody{Stage: "approve", Approver: head}}, {"2026-09-01", StageBody{Stage: "decide"}},
				{"2026-09-01", StageBody{Stage: "enforce", Officers: two}}, {"2026-09-25", StageBody{Stage: "extend", Approver: head}},
				{"2026-10-20", StageBody{Stage: "release"}}},
			now: "2026-10-21", clock: "seizure_30", due: "2026-10-31", met: true, extended: true},
		// A measure taken on the spot is approved within 24 hours (art. 19).
		{name: "on the spot, approved in 23 hours", proc: "coercion",
			steps: []step{{"2026-09-01 20:00", StageBody{Stage: "enforce", Officers: two, Exception: &Exception{Reason: "情况紧急", Approver: head}}},
				{"2026-09-02 19:00", StageBody{Stage: "approve", Approver: head}}},
			now: "2026-09-03", clock: "report_24h", due: "2026-09-02 20:00", met: true},
		{name: "on the spot, approved late", proc: "coercion",
			steps: []step{{"2026-09-01 20:00", StageBody{Stage: "enforce", Officers: two, Exception: &Exception{Reason: "情况紧急", Approver: head}}},
				{"2026-09-02 21:00", StageBody{Stage: "approve", Approver: head}}},
			now: "2026-09-03", clock: "report_24h", due: "2026-09-02 20:00", missed: true},
		{name: "approved first: no 24-hour clock", proc: "coercion",
			steps: []step{{"2026-09-01", StageBody{Stage: "approve", Approver: head}}, {"2026-09-01", StageBody{Stage: "decide"}},
				{"2026-09-01", StageBody{Stage: "enforce", Officers: two}}},
			now: "2026-09-03", clock: "report_24h", absent: true},
		{name: "time to comply lapses", proc: "coercion.execute",
			steps: []step{{"2026-09-01", StageBody{Stage: "remind", Officers: two, Dates: map[string]string{"comply_by": "2026-09-11"}}}},
			now:   "2026-09-12", clock: "comply_by", due: "2026-09-11", lapsed: true},
		{name: "time to rectify", proc: "inspection",
			steps: []step{{"2026-09-01", StageBody{Stage: "inspect", Officers: two}},
				{"2026-09-02", StageBody{Stage: "handle", Dates: map[string]string{"rectify_by": "2026-09-30"}}}},
			now: "2026-09-12", clock: "rectify_by", due: "2026-09-30"},
		{name: "time to pay a levy", proc: "levy",
			steps: []step{{"2026-09-01", StageBody{Stage: "assess"}}, {"2026-09-02", StageBody{Stage: "notify", Dates: map[string]string{"pay_by": "2026-09-16"}}},
				{"2026-09-15", StageBody{Stage: "collect"}}},
			now: "2026-09-20", clock: "pay_by", due: "2026-09-16", met: true},
		{name: "time to pay a fee", proc: "fee",
			steps: []step{{"2026-09-01", StageBody{Stage: "assess", Dates: map[string]string{"pay_by": "2026-09-08"}}}},
			now:   "2026-09-20", clock: "pay_by", due: "2026-09-08", lapsed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parse := func(s string) time.Time {
				if len(s) > 10 {
					d, err := time.ParseInLocation("2006-01-02 15:04", s, time.Local)
					if err != nil {
						t.Fatal(err)
					}
					return d
				}
				return day(s)
			}
			clock := parse(tc.steps[0].at)
			l := openCaseLog(t, &clock)
			p, _ := National().Get("", tc.proc)
			id, err := l.OpenCase(ctx, "a", openingFor(p))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.steps {
				clock = parse(s.at)
				if _, err := l.AddStage(ctx, id, "a", s.body); err != nil {
					t.Fatalf("%s: %v", s.body.Stage, err)
				}
			}
			c, _ := l.Case(ctx, id)
			var k *Clock
			for _, x := range c.Clocks(cal, parse(tc.now)) {
				if x.Key == tc.clock {
					k = &x
				}
			}
			if tc.absent {
				if k != nil {
					t.Fatalf("clock %s applies: %+v", tc.clock, k)
				}
				return
			}
			if k == nil {
				t.Fatalf("no clock %s in %+v", tc.clock, c.Clocks(cal, parse(tc.now)))
			}
			due := k.Due.Format(time.DateOnly)
			if len(tc.due) > 10 {
				due = k.Due.Format("2006-01-02 15:04")
			}
			if due != tc.due || k.Met != tc.met || k.Missed != tc.missed || k.Overdue != tc.overdue || k.Lapsed != tc.lapsed || k.Extended != tc.extended {
				t.Fatalf("clock %+v, want due %s met=%v missed=%v overdue=%v lapsed=%v extended=%v",
					k, tc.due, tc.met, tc.missed, tc.overdue, tc.lapsed, tc.extended)
			}
		})
	}
}

// The coercive enforcement's decision waits for the time to comply the
// reminder gave (行政强制法 art. 37): before it passes, ErrTooEarly.
func TestEnforcementWaitsForTheTimeToComply(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	l := openCaseLog(t, &now)
	o := penaltyOpening()
	o.Act, o.Procedure = act.Coercion, "coercion.execute"
	id, err := l.OpenCase(ctx, "a", o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, "a", StageBody{Stage: "remind", Officers: two, Dates: map[string]string{"comply_by": "2026-9-11"}}); !errors.Is(err, ErrBadDate) {
		t.Fatalf("a date that is not one: %v", err)
	}
	for _, s := range []StageBody{{Stage: "remind", Officers: two, Dates: map[string]string{"comply_by": "2026-09-11"}}, {Stage: "defend"}} {
		if _, err := l.AddStage(ctx, id, "a", s); err != nil {
			t.Fatal(err)
		}
	}
	now = time.Date(2026, 9, 11, 18, 0, 0, 0, time.Local)
	if _, err := l.AddStage(ctx, id, "a", StageBody{Stage: "decide"}); !errors.Is(err, ErrTooEarly) || ErrorCode(err) != "too_early" {
		t.Fatalf("decided on the last day to comply: %v", err)
	}
	now = time.Date(2026, 9, 12, 9, 0, 0, 0, time.Local)
	if _, err := l.AddStage(ctx, id, "a", StageBody{Stage: "decide"}); err != nil {
		t.Fatalf("decided the day after: %v", err)
	}
}

// The bundled procedures read, and a malformed agency version is refused
// whole.
func TestProceduresValidate(t *testing.T) {
	if _, err := ParseProcedures(assets.Procedures); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"unknown act":          `[{"id":"x","act":"magic","stages":[{"key":"close","final":true}]}]`,
		"id of another act":    `[{"id":"levy.x","act":"fee","stages":[{"key":"close","final":true}]}]`,
		"repeated stage":       `[{"id":"fee","act":"fee","stages":[{"key":"a"},{"key":"a","final":true}]}]`,
		"no final stage":       `[{"id":"fee","act":"fee","stages":[{"key":"a"}]}]`,
		"unknown prerequisite": `[{"id":"fee","act":"fee","stages":[{"key":"a","requires":["b"]},{"key":"c","final":true}]}]`,
		"clock of no stage":    `[{"id":"fee","act":"fee","stages":[{"key":"c","final":true}],"clocks":[{"key":"k","from":"x","days":3}]}]`,
		"clock of no length":   `[{"id":"fee","act":"fee","stages":[{"key":"c","final":true}],"clocks":[{"key":"k","from":"c"}]}]`,
		"bad av":               `[{"id":"fee","act":"fee","stages":[{"key":"c","final":true,"av":"some"}]}]`,
		"not json":             `{`,
	} {
		if _, err := ParseProcedures([]byte(bad)); !errors.Is(err, ErrBadProcedure) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An agency's version replaces the national one for that agency only.
	own := Procedure{ID: "fee", Act: act.Fee, Agency: "07", Version: 2, Stages: []Stage{{Key: "assess", Decision: true}, {Key: "close", Final: true, Requires: []string{"assess"}}}}
	s, err := WithAgencies([]Procedure{own})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Get("07", "fee"); p.Version != 2 || len(p.Stages) != 2 {
		t.Fatalf("agency 07's fee procedure %+v", p)
	}
	if p, _ := s.Get("01", "fee"); p.Version != 0 || len(p.Stages) != 3 {
		t.Fatalf("agency 01's fee procedure %+v", p)
	}
	if _, err := WithAgencies([]Procedure{{ID: "fee", Act: act.Fee, Stages: own.Stages}}); !errors.Is(err, ErrBadProcedure) {
		t.Fatalf("an agency version without its agency: %v", err)
	}
	if _, err := s.For(Opening{Act: act.Fee, Agency: "01", Procedure: "penalty.summary"}); !errors.Is(err, ErrNoProcedure) {
		t.Fatalf("a fee case on the penalty's procedure: %v", err)
	}
}
