package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// SetPolicies replaces the agencies' major-decision lists the platform
// checks arriving decisions against.
func (s *Server) SetPolicies(ctx context.Context, pols review.Policies) error {
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for agency, p := range pols {
			data, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO policies (agency, data) VALUES (?, ?)
				ON CONFLICT (agency) DO UPDATE SET data = excluded.data`, agency, string(data)); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetReviewer registers (or updates) a legal reviewer of an agency.
func (s *Server) SetReviewer(ctx context.Context, agency string, r review.Reviewer) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO reviewers (id, name, qualification, agency) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, qualification = excluded.qualification, agency = excluded.agency`,
		r.ID, r.Name, r.Qualification, agency)
	return err
}

func (s *Server) reviewService(ctx context.Context) (*review.Service, error) {
	pols := review.Policies{}
	rows, err := s.db.QueryContext(ctx, `SELECT agency, data FROM policies`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var agency, data string
		var p review.Policy
		if err := rows.Scan(&agency, &data); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("policy of %s: %w", agency, err)
		}
		pols[agency] = p
	}
	rows.Close()
	list, err := s.Reviewers(ctx)
	if err != nil {
		return nil, err
	}
	return &review.Service{Policies: pols, Reviewers: review.NewRegistry(list)}, nil
}

// reviewFlags runs the review rules over every case in which newly
// arrived records decide something: a decision the device's gate should
// have refused (a major decision without a passed review by a registered
// reviewer, or not the decision reviewed) is flagged in the receipt and
// raised as an alert. The log is kept regardless: it is evidence.
func (s *Server) reviewFlags(ctx context.Context, device string, recs []casefile.Record, svc *review.Service) ([]string, error) {
	last := map[string]int64{} // case → its newest decide record among recs
	var cases []string
	for _, r := range recs {
		if r.Kind != casefile.KindStage {
			continue
		}
		var st casefile.StageBody
		if json.Unmarshal(r.Body, &st) == nil && st.Stage == "decide" {
			if _, seen := last[r.Case]; !seen {
				cases = append(cases, r.Case)
			}
			last[r.Case] = r.Seq
		}
	}
	var flags []string
	for _, id := range cases {
		c, err := s.caseAt(ctx, device, id, last[id])
		if errors.Is(err, errBrokenChain) {
			f := words.L("platform.flag.broken_chain", map[string]any{"Case": id, "Err": err})
			flags = append(flags, f)
			s.alert(ctx, device, "review", f)
			continue
		}
		if err != nil {
			return flags, err // the database's trouble: checked again later
		}
		for _, v := range svc.ViolationsOf(c) {
			why := v.Err.Error()
			if key := review.ErrorKey(v.Err); key != "" {
				why = words.L(key)
			}
			f := words.L("platform.flag.violation", map[string]any{"Case": id, "Seq": v.Seq, "Why": why})
			flags = append(flags, f)
			s.alert(ctx, device, "review", f+" ("+v.Err.Error()+")")
		}
	}
	return flags, nil
}

// trackReview takes in, from one push, the opinions signed on this device
// for other devices' cases, which wait for those devices. An opinion whose
// author is not a registered reviewer is refused and raised as an alert.
// (The cases submitted for review are marked in the case index, in the
// push's own transaction.)
func (s *Server) trackReview(ctx context.Context, device string, recs []casefile.Record, reviewers review.Reviewers) error {
	var refused []string // raised after the transaction, which holds the write lock
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
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
			op, _ := json.Marshal(ro.Opinion)
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
			s.alert(ctx, device, "review", a)
		}
	}
	return err
}

// ReviewQueue lists the cases of an agency (all agencies if empty) whose
// latest submission waits for an opinion, with their records, for
// reviewers on other devices than the case's own (which holds it already).
func (s *Server) ReviewQueue(ctx context.Context, agency, except string) ([]review.RemoteCase, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT device, case_id, last_seq FROM cases
		WHERE submitted = 1 AND (agency = ? OR ? = '') AND device <> ? ORDER BY device, case_id`, agency, agency, except)
	if err != nil {
		return nil, err
	}
	type ref struct {
		device, id string
		last       int64
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.device, &r.id, &r.last); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	out := []review.RemoteCase{}
	for _, r := range refs {
		c, err := s.caseAt(ctx, r.device, r.id, r.last)
		if err != nil {
			continue
		}
		st := review.StateOf(c)
		if !st.Pending() {
			continue
		}
		var answered int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM review_opinions WHERE device = ? AND case_id = ? AND submission = ?`,
			r.device, r.id, st.SubmissionSeq).Scan(&answered); err != nil {
			return nil, err
		}
		if answered == 0 {
			out = append(out, review.RemoteCase{Device: r.device, Case: r.id, Records: c.Records})
		}
	}
	return out, nil
}

// OpinionsFor lists the opinions signed on other devices for a device's
// cases; the device takes in those still pending and ignores the rest.
func (s *Server) OpinionsFor(ctx context.Context, device string) ([]api.DeliveredOpinion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, opinion, reviewer_device, reviewer_seq FROM review_opinions WHERE device = ?
		ORDER BY reviewer_device, reviewer_seq`, device)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.DeliveredOpinion{}
	for rows.Next() {
		var o api.DeliveredOpinion
		var op, rdev string
		var rseq int64
		if err := rows.Scan(&o.Case, &op, &rdev, &rseq); err != nil {
			return nil, err
		}
		o.Opinion = json.RawMessage(op)
		o.Origin = fmt.Sprintf("%s#%d", rdev, rseq)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Reviewers lists the registry of legal reviewers.
func (s *Server) Reviewers(ctx context.Context) ([]review.Reviewer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, qualification FROM reviewers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []review.Reviewer{}
	for rows.Next() {
		var r review.Reviewer
		if err := rows.Scan(&r.ID, &r.Name, &r.Qualification); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, d Device) {
	out, err := s.ReviewQueue(r.Context(), r.URL.Query().Get("agency"), d.ID)
	web.Respond(w, out, err)
}

func (s *Server) opinions(w http.ResponseWriter, r *http.Request, d Device) {
	out, err := s.OpinionsFor(r.Context(), d.ID)
	web.Respond(w, out, err)
}

func (s *Server) reviewers(w http.ResponseWriter, r *http.Request, _ Device) {
	out, err := s.Reviewers(r.Context())
	web.Respond(w, out, err)
}

// errBrokenChain: a case's records as pushed cannot be followed (one
// missing or unreadable, a link forward); no retry mends it.
var errBrokenChain = errors.New("the case's record chain is broken")

// caseRecords reads one case's records up to seq by following each
// record's link to the case's previous one, so a check costs the case's
// length, not the device log's.
func (s *Server) caseRecords(ctx context.Context, device string, seq int64) ([]casefile.Record, error) {
	var out []casefile.Record
	for seq >= 0 {
		var data []byte
		err := s.db.QueryRowContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq = ?`, device, seq).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: record %d missing", errBrokenChain, seq)
		}
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", seq, err)
		}
		var r casefile.Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%w: record %d: %v", errBrokenChain, seq, err)
		}
		if r.Prev >= seq {
			return nil, fmt.Errorf("%w: record %d links forward to %d", errBrokenChain, seq, r.Prev)
		}
		out = append(out, r)
		seq = r.Prev
	}
	slices.Reverse(out)
	return out, nil
}

// policies: GET /api/v1/review/policies, the agencies' major-decision
// lists, for officers' devices to check decisions against offline.
func (s *Server) policies(w http.ResponseWriter, r *http.Request, _ Device) {
	svc, err := s.reviewService(r.Context())
	if err != nil {
		web.Internal(w, err)
		return
	}
	web.JSON(w, http.StatusOK, svc.Policies.List())
}
