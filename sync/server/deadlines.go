package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Deadlines are the agencies' own deadlines to publish decisions, in
// agency and act order; an agency and act not listed keep the national
// default (publish.DefaultDays).
func (s *Server) Deadlines(ctx context.Context) (_ publish.Deadlines, err error) {
	defer wrap.Err(&err, "publication deadlines")
	rows, err := s.db.QueryContext(ctx, `SELECT agency, act, days FROM publish_deadlines ORDER BY agency, act`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := publish.Deadlines{}
	for rows.Next() {
		var d publish.Deadline
		var act string
		if err := rows.Scan(&d.Agency, &act, &d.Days); err != nil {
			return nil, err
		}
		d.Act = catalog.Act(act)
		out = append(out, d)
	}
	return out, rows.Err()
}

// SetDeadlines replaces the deadlines of each agency ds names with ds's
// rows for it; other agencies' rows stay. An agency given with no row
// cannot be said this way: SetDeadlines(agency, nil) clears one agency.
func (s *Server) SetDeadlines(ctx context.Context, agencies []string, ds publish.Deadlines) (err error) {
	defer wrap.Err(&err, "set publication deadlines")
	if err := ds.Check(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, a := range agencies {
			if _, err := tx.ExecContext(ctx, `DELETE FROM publish_deadlines WHERE agency = ?`, a); err != nil {
				return err
			}
		}
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO publish_deadlines (agency, act, days) VALUES (?, ?, ?)`, d.Agency, string(d.Act), d.Days); err != nil {
				return err
			}
		}
		return nil
	})
}

// setDeadlines: PUT /api/v1/admin/deadlines with {"agencies": […],
// "deadlines": [{"agency", "act", "days"}…]}: each agency named (and each
// a row names) has its deadlines replaced by its rows; an agency named
// with no rows goes back to the national defaults. 422 bad_deadline for a
// row without an agency, with an unknown act, twice, or with days out of
// 1–60; 403 other_agency for a token held to another agency. The answer
// is the whole table.
func (s *Server) setDeadlines(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Agencies  []string          `json:"agencies"`
		Deadlines publish.Deadlines `json:"deadlines"`
	}
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	agencies := []string{}
	for _, a := range req.Agencies {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(agencies, a) {
			agencies = append(agencies, a)
		}
	}
	for i, d := range req.Deadlines {
		req.Deadlines[i].Agency = strings.TrimSpace(d.Agency)
		if a := req.Deadlines[i].Agency; a != "" && !slices.Contains(agencies, a) {
			agencies = append(agencies, a)
		}
	}
	if t.Agency != "" && slices.ContainsFunc(agencies, func(a string) bool { return a != t.Agency }) {
		web.Problem(w, r, http.StatusForbidden, "other_agency", words.M("platform.deadline_other_agency"), t.Agency)
		return
	}
	err := s.SetDeadlines(r.Context(), agencies, req.Deadlines)
	if errors.Is(err, publish.ErrBadDeadline) {
		web.Problem(w, r, http.StatusUnprocessableEntity, "bad_deadline", words.M("platform.bad_deadline"), err.Error())
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	s.audit(r.Context(), console.Entry{Actor: t.Name, Role: console.RoleToken, Agency: t.Agency, Action: "deadlines.set",
		Object: strings.Join(agencies, ","), IP: console.ClientIP(r)})
	ds, err := s.Deadlines(r.Context())
	web.Respond(w, r, ds, err)
}

// deadlines: GET /api/v1/deadlines, for officers' devices.
func (s *Server) deadlines(w http.ResponseWriter, r *http.Request, _ Device) {
	ds, err := s.Deadlines(r.Context())
	web.Respond(w, r, ds, err)
}
