package intake

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// arrivalFlags runs the rules over every case in which newly arrived
// records record a stage, judged by the procedures in force (the
// agencies' versions among them): a decision the device's gate should
// have refused (a major decision without a passed review by a registered
// reviewer, or not the decision reviewed) and a stage recorded before
// what its procedure requires, with no exception recorded, are flagged in
// the receipt and raised as alerts. The log is kept regardless: it is
// evidence.
func (s *Intake) arrivalFlags(ctx context.Context, device string, recs []casefile.Record, svc *review.Service, set *casefile.Set) (_ []string, err error) {
	defer wrap.Err(&err, "review and order checks of %s", device)
	last := map[string]int64{} // case → its newest stage record among recs
	decided := map[string]bool{}
	arrived := map[int64]bool{}
	var cases []string
	for _, r := range recs {
		if r.Kind != casefile.KindStage {
			continue
		}
		var st casefile.StageBody
		if json.Unmarshal(r.Body, &st) != nil {
			continue
		}
		if _, seen := last[r.Case]; !seen {
			cases = append(cases, r.Case)
		}
		last[r.Case], arrived[r.Seq] = r.Seq, true
		decided[r.Case] = decided[r.Case] || set.Decides(st.Stage)
	}
	var flags []string
	for _, id := range cases {
		cached, err := s.caseAt(ctx, device, id, last[id])
		if errors.Is(err, errBrokenChain) {
			f := words.L("platform.flag.broken_chain", map[string]any{"Case": id, "Err": err})
			flags = append(flags, f)
			s.Alert(ctx, device, "review", f)
			continue
		}
		if err != nil {
			return flags, err // the database's trouble: checked again later
		}
		c := *cached // the cache's copy stays as it is
		set.Attach(&c)
		if decided[id] {
			for _, v := range svc.ViolationsOf(&c) {
				why := v.Err.Error()
				if key := review.ErrorKey(v.Err); key != "" {
					why = words.L(key)
				}
				f := words.L("platform.flag.violation", map[string]any{"Case": id, "Seq": v.Seq, "Why": why})
				flags = append(flags, f)
				s.Alert(ctx, device, "review", f+" ("+v.Err.Error()+")")
			}
		}
		for _, d := range c.Procedure().Deviations(&c) {
			if d.Kind != casefile.DeviationOutOfOrder || !arrived[d.Seq] || recordOf(&c, d.Seq).Device != "" {
				continue
			}
			f := words.L("platform.flag.out_of_order", map[string]any{"Case": id, "Seq": d.Seq,
				"Stage": words.L("stage." + d.Stage), "Missing": stageNames(d.Missing)})
			flags = append(flags, f)
			s.Alert(ctx, device, "order", f)
		}
	}
	return flags, nil
}

// recordOf is the case's record seq of the pushing device's log.
func recordOf(c *casefile.Case, seq int64) casefile.Record {
	for _, r := range c.Records {
		if r.Seq == seq && r.Device == "" {
			return r
		}
	}
	return casefile.Record{Device: "?"}
}

// stageNames words what a stage was done before, for people: stage keys
// ("a|b" for either) and dates it had to wait for ("remind.comply_by=
// 2026-06-01").
func stageNames(keys []string) string {
	var out []string
	for _, k := range keys {
		var alts []string
		for _, a := range strings.Split(k, "|") {
			if field, day, wait := strings.Cut(a, "="); wait {
				st, _, _ := strings.Cut(field, ".")
				alts = append(alts, words.L("platform.not_before", map[string]any{"Stage": words.L("stage." + st), "Date": day}))
				continue
			}
			alts = append(alts, words.L("stage."+a))
		}
		out = append(out, strings.Join(alts, words.L("platform.or")))
	}
	return strings.Join(out, "、")
}

// trackReview takes in, from one push, the opinions signed on this device
// for other devices' cases, which wait for those devices. An opinion whose
// author is not a registered reviewer is refused and raised as an alert.
// (The cases submitted for review are marked in the case index, in the
// push's own transaction.)
func (s *Intake) trackReview(ctx context.Context, device string, recs []casefile.Record, reviewers review.Reviewers) (err error) {
	defer wrap.Err(&err, "track opinions pushed by %s", device)
	var refused []string // raised after the transaction, which holds the write lock
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		refused = refused[:0]
		for _, r := range recs {
			if r.Kind != review.KindRemoteOpinion {
				continue
			}
			var ro review.RemoteOpinion
			if err := json.Unmarshal(r.Body, &ro); err != nil {
				continue
			}
			if _, ok := reviewers.Reviewer(r.Author); !ok || ro.Opinion.Reviewer.ID != r.Author {
				refused = append(refused, words.L("platform.alert.not_reviewer", map[string]any{"Seq": r.Seq, "Author": r.Author}))
				continue
			}
			op, err := json.Marshal(ro.Opinion)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO review_opinions (reviewer_device, reviewer_seq, device, case_id, submission, opinion)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reviewer_device, reviewer_seq) DO NOTHING`,
				device, r.Seq, ro.Device, ro.Case, ro.Opinion.Submission, string(op)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, a := range refused {
			s.Alert(ctx, device, "review", a)
		}
	}
	return err
}
