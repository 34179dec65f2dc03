package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// SetPolicies replaces the agencies' major-decision lists the platform
// checks arriving decisions against.
func (s *Server) SetPolicies(ctx context.Context, pols review.Policies) error {
	return s.db.Tx(ctx, func(tx *dbTx) error {
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

// registry is the platform's list of reviewers, read once per check.
type registry map[string]review.Reviewer

func (r registry) Reviewer(id string) (review.Reviewer, bool) {
	v, ok := r[id]
	return v, ok
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
	reg := registry{}
	rows, err = s.db.QueryContext(ctx, `SELECT id, name, qualification FROM reviewers`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r review.Reviewer
		if err := rows.Scan(&r.ID, &r.Name, &r.Qualification); err != nil {
			return nil, err
		}
		reg[r.ID] = r
	}
	return &review.Service{Policies: pols, Reviewers: reg}, rows.Err()
}

// checkArrivals runs the review rules over every case in which the newly
// arrived records decide something: a decision the device's gate should
// have refused (a major decision without a passed review by a registered
// reviewer, or not the decision reviewed) is flagged in the receipt and
// raised as an alert. The log is kept regardless: it is evidence.
func (s *Server) checkArrivals(ctx context.Context, d Device, arrived [][]byte) ([]string, error) {
	last := map[string]int64{} // case → its newest decide record in this push
	var cases []string
	for _, data := range arrived {
		var r casefile.Record
		if json.Unmarshal(data, &r) != nil || r.Kind != casefile.KindStage {
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
	if len(cases) == 0 {
		return nil, nil
	}
	svc, err := s.reviewService(ctx)
	if err != nil {
		return nil, err
	}
	var flags []string
	for _, id := range cases {
		recs, err := s.caseRecords(ctx, d.ID, last[id])
		var c *casefile.Case
		if err == nil {
			c, err = casefile.CaseOf(id, recs)
		}
		if err != nil {
			f := fmt.Sprintf("案件 %s：记录链不完整，无法核对法制审核（%v）", id, err)
			flags = append(flags, f)
			s.alert(ctx, d.ID, "review", f)
			continue
		}
		for _, v := range svc.ViolationsOf(c) {
			why := v.Err.Error()
			if key := review.ErrorKey(v.Err); key != "" {
				why = s.label(key)
			}
			f := fmt.Sprintf("案件 %s 第 %d 条记录：%s", id, v.Seq, why)
			flags = append(flags, f)
			s.alert(ctx, d.ID, "review", f+" ("+v.Err.Error()+")")
		}
	}
	return flags, nil
}

// caseRecords reads one case's records up to seq by following each
// record's link to the case's previous one, so a check costs the case's
// length, not the device log's.
func (s *Server) caseRecords(ctx context.Context, device string, seq int64) ([]casefile.Record, error) {
	var out []casefile.Record
	for seq >= 0 {
		var data []byte
		if err := s.db.QueryRowContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq = ?`, device, seq).Scan(&data); err != nil {
			return nil, fmt.Errorf("record %d: %w", seq, err)
		}
		var r casefile.Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("record %d: %w", seq, err)
		}
		if r.Prev >= seq {
			return nil, fmt.Errorf("record %d links forward to %d", seq, r.Prev)
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
		problem(w, http.StatusInternalServerError, "internal", "平台内部错误", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, svc.Policies.List())
}
