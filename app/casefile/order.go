package casefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors of the procedure's order and limits, each explained to people
// under "case.why.<code>" (see ErrorCode).
var (
	// ErrOutOfOrder refuses a stage whose prerequisites are not done.
	ErrOutOfOrder = errors.New("a stage this one requires is not done")
	// ErrTooEarly refuses a stage before a date it must wait for (the
	// time to comply a 催告书 gave).
	ErrTooEarly = errors.New("the stage must wait for a date set earlier in the case")
	// ErrBadException refuses an exception without a reason or approver.
	ErrBadException = errors.New("an exception needs a reason and the name of who approved it")
	// ErrNoApprover refuses an approval stage that names no approver.
	ErrNoApprover = errors.New("the stage needs the name of the head who approved it")
	// ErrSummaryLimit refuses a decision beyond what the procedure may
	// decide (当场处罚: a warning, or a fine up to 200 yuan for a citizen
	// and 3,000 yuan for an organisation).
	ErrSummaryLimit = errors.New("the decision exceeds what this procedure may decide")
	// ErrNoDecision refuses a decision stage of a limited procedure that
	// does not say what it decides.
	ErrNoDecision = errors.New("the decision stage does not say what it decides")
	// ErrBadDate refuses a date field that is not a date (YYYY-MM-DD).
	ErrBadDate = errors.New("a date of the stage is not a date")
	// ErrClosed refuses a record on a closed or archived case.
	ErrClosed = errors.New("the case is closed")
)

// ErrorCode is the stable code of an order or limit error, "" for others.
func ErrorCode(err error) string {
	for code, e := range map[string]error{
		"out_of_order": ErrOutOfOrder, "too_early": ErrTooEarly, "bad_exception": ErrBadException,
		"no_approver": ErrNoApprover, "summary_limit": ErrSummaryLimit, "no_decision": ErrNoDecision,
		"bad_date": ErrBadDate, "closed": ErrClosed, "bad_stage": ErrBadStage, "two_officers": ErrTwoOfficers,
		"no_procedure": ErrNoProcedure, "archived": ErrArchived, "not_closed": ErrNotClosed, "bad_retention": ErrBadRetention,
	} {
		if errors.Is(err, e) {
			return code
		}
	}
	return ""
}

// Missing lists the prerequisites of stage st not done in c.
func (p Procedure) Missing(c *Case, st Stage) []string {
	var out []string
	for _, req := range st.Requires {
		met := false
		for _, k := range strings.Split(req, "|") {
			_, done := c.Done[k]
			met = met || done
		}
		if !met {
			out = append(out, req)
		}
	}
	return out
}

// Waiting lists the dates stage st must wait for that are after now, as
// "stage.field=YYYY-MM-DD".
func (p Procedure) Waiting(c *Case, st Stage, now time.Time) []string {
	var out []string
	for _, nb := range st.NotBefore {
		key, field, _ := strings.Cut(nb, ".")
		r, ok := c.Done[key]
		if !ok {
			continue // the prerequisite check says so
		}
		var b StageBody
		if json.Unmarshal(r.Body, &b) != nil {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, b.DateOf(field), now.Location())
		if err != nil {
			continue
		}
		// The party has the whole day given; the stage may follow the day after.
		if now.Before(day.AddDate(0, 0, 1)) {
			out = append(out, nb+"="+b.DateOf(field))
		}
	}
	return out
}

// decisionTerms is what the limits read from a decision (review.Proposal's
// JSON form, which this package cannot import).
type decisionTerms struct {
	Fine       int64    `json:"fine"`
	Confiscate int64    `json:"confiscate"`
	Kinds      []string `json:"kinds"`
}

// CheckStage applies the procedure's rules to a stage about to be recorded
// in c at now: the stage is one of the procedure's; the case is not
// closed; its prerequisites are done and its dates passed, unless the
// record carries an exception with a reason and an approver; an approval
// names its approver; its dates read; a decision stays within the
// procedure's limits.
func (p Procedure) CheckStage(c *Case, s StageBody, now time.Time) error {
	st, ok := p.Stage(s.Stage)
	if !ok {
		return fmt.Errorf("%w: %s (%s)", ErrBadStage, s.Stage, p.ID)
	}
	if f := p.final(); f != "" {
		if _, done := c.Done[f]; done {
			return fmt.Errorf("%w: %s", ErrClosed, c.ID)
		}
	}
	for _, f := range st.Dates {
		if v := s.DateOf(f); v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return fmt.Errorf("%w: %s=%q", ErrBadDate, f, v)
			}
		}
	}
	if st.Approval && strings.TrimSpace(s.Approver) == "" {
		return fmt.Errorf("%w: %s", ErrNoApprover, s.Stage)
	}
	missing := append(p.Missing(c, st), p.Waiting(c, st, now)...)
	if e := s.Exception; e != nil {
		if strings.TrimSpace(e.Reason) == "" || strings.TrimSpace(e.Approver) == "" {
			return ErrBadException
		}
	} else if len(missing) > 0 {
		err := ErrOutOfOrder
		if len(p.Missing(c, st)) == 0 {
			err = ErrTooEarly
		}
		return fmt.Errorf("%w: %s needs %s", err, s.Stage, strings.Join(missing, ", "))
	}
	if st.Decision && p.Limits != nil {
		return p.checkLimits(c, s)
	}
	return nil
}

func (p Procedure) final() string {
	for _, s := range p.Stages {
		if s.Final {
			return s.Key
		}
	}
	return ""
}

func (p Procedure) checkLimits(c *Case, s StageBody) error {
	if len(s.Decision) == 0 {
		return ErrNoDecision
	}
	var d decisionTerms
	if err := json.Unmarshal(s.Decision, &d); err != nil {
		return fmt.Errorf("%w: %w", ErrNoDecision, err)
	}
	limit := p.Limits.FinePerson
	if c.Opening.Party.Kind == "org" {
		limit = p.Limits.FineOrg
	}
	switch {
	case d.Fine < 0 || d.Fine > limit:
		return fmt.Errorf("%w: fine %d yuan, at most %d", ErrSummaryLimit, d.Fine, limit)
	case d.Confiscate != 0:
		return fmt.Errorf("%w: confiscation", ErrSummaryLimit)
	case d.Fine == 0 && len(d.Kinds) == 0:
		return ErrNoDecision
	}
	for _, k := range d.Kinds {
		if !slices.Contains(p.Limits.Kinds, k) {
			return fmt.Errorf("%w: %s", ErrSummaryLimit, k)
		}
	}
	return nil
}

// Deviation kinds supervision counts.
const (
	DeviationOutOfOrder = "out_of_order" // done before its prerequisites, with no exception
	DeviationException  = "exception"    // done before them, with a recorded exception
	DeviationSkipped    = "skipped"      // a required stage never done in a closed case
)

// Deviation is one departure from the procedure's order.
type Deviation struct {
	Kind    string   `json:"kind"`
	Stage   string   `json:"stage"`
	Seq     int64    `json:"seq,omitempty"` // the stage record, 0 for a skipped stage
	Missing []string `json:"missing,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

// Deviations walks the case's stage records in order and lists every stage
// recorded before its prerequisites (out of order, or with an exception),
// and, once the case is closed, every required stage it never did. The
// platform runs it on every case it holds, since a record written around
// the device's code would still be in the signed log.
func (p Procedure) Deviations(c *Case) []Deviation {
	var out []Deviation
	partial := &Case{ID: c.ID, Opening: c.Opening, Done: map[string]Record{}}
	for _, r := range c.Records {
		if r.Kind != KindStage {
			continue
		}
		var s StageBody
		if json.Unmarshal(r.Body, &s) != nil {
			continue
		}
		st, ok := p.Stage(s.Stage)
		if !ok {
			out = append(out, Deviation{Kind: DeviationOutOfOrder, Stage: s.Stage, Seq: r.Seq, Missing: []string{"?"}})
			continue
		}
		missing := append(p.Missing(partial, st), p.Waiting(partial, st, r.At)...)
		switch {
		case s.Exception != nil:
			out = append(out, Deviation{Kind: DeviationException, Stage: s.Stage, Seq: r.Seq, Missing: missing, Reason: s.Exception.Reason})
		case len(missing) > 0:
			out = append(out, Deviation{Kind: DeviationOutOfOrder, Stage: s.Stage, Seq: r.Seq, Missing: missing})
		}
		partial.Done[s.Stage] = r
	}
	if f := p.final(); f != "" {
		if _, closed := c.Done[f]; closed {
			// A stage is not skipped where another in its "a|b" was done
			// instead (a hearing in place of a written defence).
			covered := map[string]bool{}
			for _, st := range p.Stages {
				for _, req := range st.Requires {
					alts := strings.Split(req, "|")
					if slices.ContainsFunc(alts, func(k string) bool { _, done := c.Done[k]; return done }) {
						for _, k := range alts {
							covered[k] = true
						}
					}
				}
			}
			for _, st := range p.Stages {
				if _, done := c.Done[st.Key]; !done && !st.Optional && !st.ReviewOnly && !covered[st.Key] {
					out = append(out, Deviation{Kind: DeviationSkipped, Stage: st.Key})
				}
			}
		}
	}
	return out
}
