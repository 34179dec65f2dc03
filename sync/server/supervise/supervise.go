// Package supervise evaluates case files (案卷评查) and sums them up for
// supervision: counts by agency, act and month, legal review pass and
// return rates, publications on time and late, audio/video present where
// the agency's list requires it, and each agency's legal reviewers as a
// share of its officers, and the drawn inspection tasks (双随机) done on
// time. It reads cases as the platform rebuilds them from
// the logs devices push; it is pure and knows no screens.
package supervise

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// Check keys, also translation key suffixes ("supervise.check." + key).
const (
	CheckDocuments  = "documents"  // the documents each stage done needs are in the file
	CheckDeadlines  = "deadlines"  // statutory time limits kept
	CheckReview     = "review"     // a major decision passed legal review
	CheckAV         = "av"         // audio/video where the agency's list requires it
	CheckPublish    = "publish"    // the decision published on time (or a legal reason not to)
	CheckWithdrawal = "withdrawal" // a revoked decision withdrawn within 3 working days
	CheckOrder      = "order"      // every stage done after what its procedure requires, none skipped
)

// Weights of the checks in the score: what weighs most in a case file
// review is that the file is complete and the limits kept.
var Weights = map[string]int{CheckDocuments: 30, CheckDeadlines: 25, CheckReview: 20, CheckOrder: 20, CheckAV: 15, CheckPublish: 10, CheckWithdrawal: 10}

// checkOrder is the order checks are listed in.
var checkOrder = []string{CheckDocuments, CheckDeadlines, CheckReview, CheckOrder, CheckAV, CheckPublish, CheckWithdrawal}

// Check is one checkable item of a case file. Missing lists what fails it:
// template ids ("a|b" for either), stage keys or clock keys, by check; for
// the order, "out_of_order:<stage>:<what it needed, comma-separated>" and
// "skipped:<stage>".
type Check struct {
	Key     string   `json:"key"`
	Met     bool     `json:"met"`
	Weight  int      `json:"weight"`
	Missing []string `json:"missing,omitempty"`
}

// Publication states of a decided case.
const (
	PubNone    = ""        // not decided
	PubOnTime  = "on_time" // published by its day
	PubLate    = "late"    // published after its day
	PubPending = "pending" // not yet, and its day has not passed
	PubOverdue = "overdue" // not yet, and its day has passed
	PubExempt  = "exempt"  // not for publication, with a legal reason
)

// Evaluation is one case file reviewed.
type Evaluation struct {
	Device  string      `json:"device"`
	Case    string      `json:"case"`
	Agency  string      `json:"agency"`
	Act     catalog.Act `json:"act"`
	Opened  time.Time   `json:"opened"`
	Decided bool        `json:"decided"`
	Major   bool        `json:"major"`
	Checks  []Check     `json:"checks"` // the ones that apply
	Score   int         `json:"score"`  // 0–100 over the checks that apply
	// Legal review: opinions given, and how many agreed or sent it back
	// (disagree or return).
	Opinions int `json:"opinions"`
	Passed   int `json:"passed"`
	Returned int `json:"returned"`
	// Stages done that the A/V list covers, and how many of them have it.
	AVNeeded  int    `json:"av_needed"`
	AVPresent int    `json:"av_present"`
	Publish   string `json:"publish"`
	// Withdrawal is "on_time" or "late" once a published decision is
	// withdrawn with the day it was revoked.
	Withdrawal string `json:"withdrawal,omitempty"`
	// The procedure's order (casefile.Procedure.Deviations): stages done
	// before what they require with no exception, required stages a
	// closed case never did, and the exceptions recorded, with reasons.
	Procedure  string               `json:"procedure,omitempty"`
	OutOfOrder int                  `json:"out_of_order"`
	Skipped    int                  `json:"skipped"`
	Exceptions []casefile.Deviation `json:"exceptions,omitempty"`
}

// Failed lists the checks the case fails.
func (e Evaluation) Failed() []Check {
	var out []Check
	for _, c := range e.Checks {
		if !c.Met {
			out = append(out, c)
		}
	}
	return out
}

// Rules are what cases are evaluated against.
type Rules struct {
	Review *review.Service // the agencies' major-decision lists
	// Procedures are the procedures in force (the national defaults with
	// the agencies' versions); nil: the national ones.
	Procedures *casefile.Set
	AV         []casefile.AVRequirement
	Cal        *calendar.Calendar
	Now        time.Time
	// Deadlines are the agencies' publication deadlines (the national
	// defaults where an agency set none).
	Deadlines publish.Deadlines
}

// Evaluate reviews one case file.
func Evaluate(device string, c *casefile.Case, r Rules) Evaluation {
	if r.Procedures != nil {
		attached := *c // the caller's case stays as it is
		c = r.Procedures.Attach(&attached)
	}
	proc := c.Procedure()
	e := Evaluation{Device: device, Case: c.ID, Agency: c.Opening.Agency, Act: c.Opening.Act, Opened: c.OpenedAt, Procedure: proc.ID}
	// Each act is decided at its own stage (publish.DecisionStage).
	_, e.Decided = c.Done[publish.DecisionStage[c.Opening.Act]]
	checks := map[string]*Check{}
	add := func(key string, missing []string) {
		checks[key] = &Check{Key: key, Met: len(missing) == 0, Weight: Weights[key], Missing: missing}
	}

	// Documents.
	have := map[string]bool{}
	for _, rec := range c.Records {
		if rec.Kind == casefile.KindDocument {
			var d document.Doc
			if json.Unmarshal(rec.Body, &d) == nil {
				have[d.Template] = true
			}
		}
	}
	// The documents the case's procedure names for each stage done; an
	// entry "a|b" is met by either.
	needDocs, missingDocs := false, []string{}
	for _, st := range proc.Stages {
		if _, done := c.Done[st.Key]; !done || len(st.Documents) == 0 {
			continue
		}
		needDocs = true
		for _, entry := range st.Documents {
			if !slices.ContainsFunc(strings.Split(entry, "|"), func(t string) bool { return have[t] }) && !slices.Contains(missingDocs, entry) {
				missingDocs = append(missingDocs, entry)
			}
		}
	}
	if needDocs {
		add(CheckDocuments, missingDocs)
	}

	// Order: a stage done before what it requires, with no exception, or
	// a required stage a closed case never did. Exceptions, each with its
	// reason and approver, are counted and listed, not held against it.
	var disorder []string
	for _, d := range proc.Deviations(c) {
		switch d.Kind {
		case casefile.DeviationOutOfOrder:
			e.OutOfOrder++
			disorder = append(disorder, d.Kind+":"+d.Stage+":"+strings.Join(d.Missing, ","))
		case casefile.DeviationSkipped:
			e.Skipped++
			disorder = append(disorder, d.Kind+":"+d.Stage)
		case casefile.DeviationException:
			e.Exceptions = append(e.Exceptions, d)
		}
	}
	if len(c.Done) > 0 {
		add(CheckOrder, disorder)
	}

	// Deadlines: the agency's own limits (a party's unused right is no fault).
	var clocks []string
	applies := false
	for _, k := range c.Clocks(r.Cal, r.Now) {
		if k.Party {
			continue
		}
		if k.Met || k.Missed || k.Overdue {
			applies = true
		}
		if k.Missed || k.Overdue {
			clocks = append(clocks, k.Key)
		}
	}
	if applies {
		add(CheckDeadlines, clocks)
	}

	// Legal review.
	if r.Review != nil {
		e.Major = r.Review.Major(c)
		for _, rec := range c.Records {
			if rec.Kind != review.KindOpinion {
				continue
			}
			var op review.Opinion
			if json.Unmarshal(rec.Body, &op) != nil {
				continue
			}
			e.Opinions++
			switch op.Opinion {
			case review.Agree:
				e.Passed++
			case review.Disagree, review.Return:
				e.Returned++
			}
		}
		if e.Major && e.Decided {
			var bad []string
			for _, v := range r.Review.ViolationsOf(c) {
				if key := review.ErrorKey(v.Err); key != "" {
					bad = append(bad, key)
				} else {
					bad = append(bad, v.Err.Error())
				}
			}
			add(CheckReview, bad)
		}
	}

	// Audio and video.
	need, _ := c.AVStages(r.AV)
	missingAV := c.MissingAV(r.AV)
	e.AVNeeded, e.AVPresent = len(need), len(need)-len(missingAV)
	if len(need) > 0 {
		add(CheckAV, missingAV)
	}

	// Publication and withdrawal.
	if e.Decided {
		st := publish.StateWith(c, r.Cal, r.Deadlines)
		switch {
		case st.Exempt != nil:
			e.Publish = PubExempt
		case st.Published != nil && st.Late(r.Now):
			e.Publish = PubLate
		case st.Published != nil:
			e.Publish = PubOnTime
		case st.Late(r.Now):
			e.Publish = PubOverdue
		default:
			e.Publish = PubPending
		}
		switch e.Publish {
		case PubLate, PubOverdue:
			add(CheckPublish, []string{e.Publish})
		case PubOnTime, PubExempt:
			add(CheckPublish, nil)
		}
		if st.Withdrawn != nil && !st.WithdrawDue.IsZero() {
			e.Withdrawal = PubOnTime
			if st.WithdrawnLate() {
				e.Withdrawal = PubLate
				add(CheckWithdrawal, []string{PubLate})
			} else {
				add(CheckWithdrawal, nil)
			}
		}
	}

	total, met := 0, 0
	for _, key := range checkOrder {
		if ch := checks[key]; ch != nil {
			e.Checks = append(e.Checks, *ch)
			total += ch.Weight
			if ch.Met {
				met += ch.Weight
			}
		}
	}
	e.Score = 100
	if total > 0 {
		e.Score = int(math.Round(100 * float64(met) / float64(total)))
	}
	return e
}

// Tally sums evaluations up.
type Tally struct {
	Cases    int `json:"cases"`
	Decided  int `json:"decided"`
	Major    int `json:"major"`
	Opinions int `json:"opinions"`
	Passed   int `json:"passed"`
	Returned int `json:"returned"`
	// Publications by state (PubOnTime, PubLate, …).
	Publish        map[string]int `json:"publish"`
	WithdrawOnTime int            `json:"withdraw_on_time"`
	WithdrawLate   int            `json:"withdraw_late"`
	AVNeeded       int            `json:"av_needed"`
	AVPresent      int            `json:"av_present"`
	ScoreSum       int            `json:"score_sum"`
	// Failed counts the cases failing each check.
	Failed map[string]int `json:"failed"`
	// The procedures' order: stages out of order, required stages
	// skipped in closed cases, exceptions recorded.
	OutOfOrder int `json:"out_of_order"`
	Skipped    int `json:"skipped"`
	Exceptions int `json:"exceptions"`
}

func (t *Tally) add(e Evaluation) {
	if t.Publish == nil {
		t.Publish, t.Failed = map[string]int{}, map[string]int{}
	}
	t.Cases++
	if e.Decided {
		t.Decided++
	}
	if e.Major {
		t.Major++
	}
	t.Opinions += e.Opinions
	t.Passed += e.Passed
	t.Returned += e.Returned
	if e.Publish != PubNone {
		t.Publish[e.Publish]++
	}
	switch e.Withdrawal {
	case PubOnTime:
		t.WithdrawOnTime++
	case PubLate:
		t.WithdrawLate++
	}
	t.AVNeeded += e.AVNeeded
	t.AVPresent += e.AVPresent
	t.ScoreSum += e.Score
	t.OutOfOrder += e.OutOfOrder
	t.Skipped += e.Skipped
	t.Exceptions += len(e.Exceptions)
	for _, c := range e.Failed() {
		t.Failed[c.Key]++
	}
}

// ratio is part of whole in percent, or -1 when there is no whole.
func ratio(part, whole int) float64 {
	if whole == 0 {
		return -1
	}
	return math.Round(1000*float64(part)/float64(whole)) / 10
}

// MeanScore is the cases' mean score, -1 with no cases.
func (t Tally) MeanScore() float64 { return ratio(t.ScoreSum, t.Cases*100) }

// PassRate is the share of opinions that agreed, in percent (-1: none).
func (t Tally) PassRate() float64 { return ratio(t.Passed, t.Opinions) }

// ReturnRate is the share of opinions that disagreed or sent it back.
func (t Tally) ReturnRate() float64 { return ratio(t.Returned, t.Opinions) }

// OnTimeRate is the share of decisions due for publication that were
// published (or exempted) on time.
func (t Tally) OnTimeRate() float64 {
	done := t.Publish[PubOnTime] + t.Publish[PubExempt]
	return ratio(done, done+t.Publish[PubLate]+t.Publish[PubOverdue])
}

// AVRate is the share of stages needing audio/video that have it.
func (t Tally) AVRate() float64 { return ratio(t.AVPresent, t.AVNeeded) }

// Row is one line of a breakdown.
type Row struct {
	Key   string `json:"key"` // agency code, act, or month "2026-03"
	Tally Tally  `json:"tally"`
}

// Staffing is one agency's legal reviewers against its officers: the
// national guideline asks for at least 5 %.
type Staffing struct {
	Agency    string  `json:"agency"`
	Officers  int     `json:"officers"`
	Reviewers int     `json:"reviewers"`
	Share     float64 `json:"share"` // percent, -1 with no officers
	Enough    bool    `json:"enough"`
}

// MinReviewerShare is the guideline's least share of reviewers, in percent.
const MinReviewerShare = 5.0

// StaffingOf counts reviewers against officers per agency.
func StaffingOf(officers, reviewers map[string]int) []Staffing {
	keys := map[string]bool{}
	for k := range officers {
		keys[k] = true
	}
	for k := range reviewers {
		keys[k] = true
	}
	var out []Staffing
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		s := Staffing{Agency: k, Officers: officers[k], Reviewers: reviewers[k], Share: ratio(reviewers[k], officers[k])}
		s.Enough = s.Share >= MinReviewerShare
		out = append(out, s)
	}
	return out
}

// Report sums up the cases opened in [From, To).
type Report struct {
	From     time.Time    `json:"from"`
	To       time.Time    `json:"to"`
	Made     time.Time    `json:"made"`
	Total    Tally        `json:"total"`
	ByAgency []Row        `json:"by_agency"`
	ByAct    []Row        `json:"by_act"`
	ByMonth  []Row        `json:"by_month"`
	Staffing []Staffing   `json:"staffing"`
	Cases    []Evaluation `json:"cases"` // worst score first
	// Inspections are the drawn inspection tasks (双随机) of the draws
	// made in the period.
	Inspections Inspections `json:"inspections"`
}

// Summarize sums evaluations up by agency, act and month (of opening).
// Every month of the period has a row, empty or not.
func Summarize(evals []Evaluation, from, to, made time.Time, staffing []Staffing) Report {
	// Lists are [] when empty, never null (the API's contract).
	rep := Report{From: from, To: to, Made: made, Staffing: append([]Staffing{}, staffing...), Cases: append([]Evaluation{}, evals...),
		ByAgency: []Row{}}
	rep.Total = Tally{Publish: map[string]int{}, Failed: map[string]int{}}
	by := func(rows *[]Row, key string) *Tally {
		for i := range *rows {
			if (*rows)[i].Key == key {
				return &(*rows)[i].Tally
			}
		}
		*rows = append(*rows, Row{Key: key, Tally: Tally{Publish: map[string]int{}, Failed: map[string]int{}}})
		return &(*rows)[len(*rows)-1].Tally
	}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, from.Location()); m.Before(to); m = m.AddDate(0, 1, 0) {
		by(&rep.ByMonth, m.Format("2006-01"))
	}
	for _, a := range catalog.Acts {
		by(&rep.ByAct, string(a))
	}
	for _, e := range evals {
		rep.Total.add(e)
		by(&rep.ByAgency, e.Agency).add(e)
		by(&rep.ByAct, string(e.Act)).add(e)
		by(&rep.ByMonth, e.Opened.In(from.Location()).Format("2006-01")).add(e)
	}
	slices.SortFunc(rep.ByAgency, func(a, b Row) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(rep.ByMonth, func(a, b Row) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortStableFunc(rep.Cases, func(a, b Evaluation) int {
		return cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(a.Case, b.Case))
	})
	return rep
}

// AnnualDue is the day the statistics of a year must be published by
// (31 January of the next year).
func AnnualDue(year int) time.Time {
	return time.Date(year+1, time.January, 31, 0, 0, 0, 0, time.Local)
}

// States of a drawn inspection task (双随机).
const (
	TaskOnTime  = "on_time" // its result recorded by the end of its due day
	TaskLate    = "late"    // recorded after it
	TaskPending = "pending" // none yet, and its day has not passed
	TaskOverdue = "overdue" // none yet, and its day has passed
)

// DrawnTask is one drawn target of a plan's draw, as supervision counts it.
type DrawnTask struct {
	ID         string    `json:"id"` // "12-3"
	Draw       int64     `json:"draw"`
	Agency     string    `json:"agency"`
	Target     string    `json:"target"`
	Inspectors string    `json:"inspectors"` // names and certificate numbers
	Due        string    `json:"due"`        // YYYY-MM-DD
	Done       time.Time `json:"done"`       // when its result was recorded; zero: not yet
	Case       string    `json:"case,omitempty"`
	Device     string    `json:"device,omitempty"` // where it was taken up
}

// State is the task's state as of now (TaskOnTime, …); a due day that
// cannot be read is never late.
func (t DrawnTask) State(now time.Time) string {
	due, err := time.ParseInLocation(time.DateOnly, t.Due, time.Local)
	if err != nil {
		if t.Done.IsZero() {
			return TaskPending
		}
		return TaskOnTime
	}
	end := due.AddDate(0, 0, 1)
	switch {
	case !t.Done.IsZero() && t.Done.Before(end):
		return TaskOnTime
	case !t.Done.IsZero():
		return TaskLate
	case now.Before(end):
		return TaskPending
	}
	return TaskOverdue
}

// TaskTally counts drawn tasks by state.
type TaskTally struct {
	Drawn   int `json:"drawn"`
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Pending int `json:"pending"`
	Overdue int `json:"overdue"`
}

// OnTimeRate is the share of drawn targets inspected on time among those
// whose day has come (done, or overdue), in percent (-1: none).
func (t TaskTally) OnTimeRate() float64 { return ratio(t.OnTime, t.OnTime+t.Late+t.Overdue) }

func (t *TaskTally) add(state string) {
	t.Drawn++
	switch state {
	case TaskOnTime:
		t.OnTime++
	case TaskLate:
		t.Late++
	case TaskPending:
		t.Pending++
	case TaskOverdue:
		t.Overdue++
	}
}

// TaskRow is one agency's drawn tasks.
type TaskRow struct {
	Agency string    `json:"agency"`
	Tally  TaskTally `json:"tally"`
}

// Inspections sums the drawn inspection tasks up: overall, by agency, and
// the tasks overdue, the longest overdue first.
type Inspections struct {
	Total    TaskTally   `json:"total"`
	ByAgency []TaskRow   `json:"by_agency"`
	Overdue  []DrawnTask `json:"overdue"`
}

// SummarizeTasks counts drawn tasks as of now.
func SummarizeTasks(tasks []DrawnTask, now time.Time) Inspections {
	// Lists are [] when empty, never null (the API's contract).
	out := Inspections{ByAgency: []TaskRow{}, Overdue: []DrawnTask{}}
	rows := map[string]*TaskTally{}
	for _, t := range tasks {
		st := t.State(now)
		out.Total.add(st)
		if rows[t.Agency] == nil {
			rows[t.Agency] = &TaskTally{}
		}
		rows[t.Agency].add(st)
		if st == TaskOverdue {
			out.Overdue = append(out.Overdue, t)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(rows)) {
		out.ByAgency = append(out.ByAgency, TaskRow{Agency: k, Tally: *rows[k]})
	}
	slices.SortStableFunc(out.Overdue, func(a, b DrawnTask) int { return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID)) })
	return out
}
