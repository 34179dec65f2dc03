package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// SetPolicies replaces the agencies' major-decision lists the platform
// checks arriving decisions against.
func (s *Server) SetPolicies(ctx context.Context, pols review.Policies) (err error) {
	defer wrap.Err(&err, "set major-decision lists")
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

// SetReviewer registers (or updates) a legal reviewer of an agency: a
// person whose role is reviewer.
func (s *Server) SetReviewer(ctx context.Context, agency string, r review.Reviewer) error {
	return s.people.Put(ctx, api.Person{ID: r.ID, Name: r.Name, Agency: agency, Role: api.RoleReviewer,
		Qualification: r.Qualification, Active: true})
}

func (s *Server) reviewService(ctx context.Context) (_ *review.Service, err error) {
	defer wrap.Err(&err, "review rules")
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

// ReviewQueue lists the cases of an agency (all agencies if empty) whose
// latest submission waits for an opinion, with their records, for
// reviewers on other devices than the case's own (which holds it already).
func (s *Server) ReviewQueue(ctx context.Context, agency, except string) (_ []review.RemoteCase, err error) {
	defer wrap.Err(&err, "review queue")
	rows, err := s.db.QueryContext(ctx, `SELECT device, case_id, last_seq FROM cases
		WHERE submitted = 1 AND handed_to = '' AND (agency = ? OR ? = '') AND device <> ? ORDER BY device, case_id`, agency, agency, except)
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
		c, err := s.intake.CaseAt(ctx, r.device, r.id, r.last)
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
func (s *Server) OpinionsFor(ctx context.Context, device string) (_ []api.DeliveredOpinion, err error) {
	defer wrap.Err(&err, "opinions for %s", device)
	rows, err := s.db.QueryContext(ctx, `SELECT o.case_id, o.opinion, o.reviewer_device, o.reviewer_seq, l.data, d.origin
		FROM review_opinions o JOIN log_records l ON l.device = o.reviewer_device AND l.seq = o.reviewer_seq
		JOIN devices d ON d.id = o.reviewer_device
		WHERE o.device = ? ORDER BY o.reviewer_device, o.reviewer_seq`, device)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.DeliveredOpinion{}
	for rows.Next() {
		var o api.DeliveredOpinion
		var op, rdev string
		var rseq int64
		var rec []byte
		if err := rows.Scan(&o.Case, &op, &rdev, &rseq, &rec, &o.LogOrigin); err != nil {
			return nil, err
		}
		o.Opinion, o.Record = json.RawMessage(op), json.RawMessage(rec)
		o.Origin = fmt.Sprintf("%s#%d", rdev, rseq)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Reviewers lists the registry of legal reviewers: the active people whose
// role is reviewer.
func (s *Server) Reviewers(ctx context.Context) (_ []review.Reviewer, err error) {
	defer wrap.Err(&err, "reviewers")
	list, err := s.people.List(ctx, "", api.RoleReviewer)
	if err != nil {
		return nil, err
	}
	keys, err := s.people.Keys(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []review.Reviewer{}
	for _, p := range list {
		if !p.Active {
			continue
		}
		rv := review.Reviewer{ID: p.ID, Name: p.Name, Qualification: p.Qualification, Agency: p.Agency}
		for _, k := range keys {
			if k.Person == p.ID && k.Revoked == "" {
				rv.Keys = append(rv.Keys, k.Key)
			}
		}
		out = append(out, rv)
	}
	return out, nil
}

func (s *Server) opinions(w http.ResponseWriter, r *http.Request, d Device) {
	out, err := s.OpinionsFor(r.Context(), d.ID)
	web.Respond(w, r, out, err)
}

func (s *Server) reviewers(w http.ResponseWriter, r *http.Request, _ Device) {
	out, err := s.Reviewers(r.Context())
	web.Respond(w, r, out, err)
}

// policies: GET /api/v1/review/policies, the agencies' major-decision
// lists, for officers' devices to check decisions against offline.
func (s *Server) policies(w http.ResponseWriter, r *http.Request, _ Device) {
	svc, err := s.reviewService(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, svc.Policies.List())
}
