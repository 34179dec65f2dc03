package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// SetProcedures replaces the procedures of every agency list names with
// list's versions for it (other agencies' stay): the whole list is checked
// first, with the national defaults (casefile.NewSet), and refused whole
// if one procedure is malformed, names an unknown act or no agency. A
// procedure that changes gets the next version number (or the one given,
// if higher), so that cases opened before keep, in their opening record,
// the version they were opened under. It returns the list as stored.
func (s *Server) SetProcedures(ctx context.Context, list []casefile.Procedure) (_ []casefile.Procedure, err error) {
	defer wrap.Err(&err, "set procedures")
	if _, err := casefile.WithAgencies(list); err != nil {
		return nil, err
	}
	seen := map[[2]string]bool{}
	for _, p := range list {
		k := [2]string{p.Agency, p.ID}
		if seen[k] {
			return nil, fmt.Errorf("%w: procedure %s of agency %s given twice", casefile.ErrBadProcedure, p.ID, p.Agency)
		}
		seen[k] = true
	}
	old, err := s.Procedures(ctx)
	if err != nil {
		return nil, err
	}
	before := map[[2]string]casefile.Procedure{}
	for _, p := range old {
		before[[2]string{p.Agency, p.ID}] = p
	}
	out := make([]casefile.Procedure, len(list))
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		done := map[string]bool{}
		for _, p := range list {
			if !done[p.Agency] {
				if _, err := tx.ExecContext(ctx, `DELETE FROM procedures WHERE agency = ?`, p.Agency); err != nil {
					return err
				}
				done[p.Agency] = true
			}
		}
		for i, p := range list {
			prev, had := before[[2]string{p.Agency, p.ID}]
			switch {
			case had && sameProcedure(prev, p):
				p.Version = max(p.Version, prev.Version)
			case had:
				p.Version = max(p.Version, prev.Version+1)
			default:
				p.Version = max(p.Version, 1)
			}
			data, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO procedures (agency, id, version, data) VALUES (?, ?, ?, ?)`,
				p.Agency, p.ID, p.Version, string(data)); err != nil {
				return err
			}
			out[i] = p
		}
		return nil
	})
	return out, err
}

// sameProcedure says whether two versions of a procedure say the same,
// their version numbers aside.
func sameProcedure(a, b casefile.Procedure) bool {
	a.Version, b.Version = 0, 0
	return reflect.DeepEqual(a, b)
}

// Procedures are the agencies' versions the platform holds, in agency and
// ID order; none until an administrator sets them (every agency on the
// national defaults).
func (s *Server) Procedures(ctx context.Context) (_ []casefile.Procedure, err error) {
	defer wrap.Err(&err, "procedures")
	rows, err := s.db.QueryContext(ctx, `SELECT agency, id, data FROM procedures ORDER BY agency, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []casefile.Procedure{}
	for rows.Next() {
		var agency, id, data string
		if err := rows.Scan(&agency, &id, &data); err != nil {
			return nil, err
		}
		var p casefile.Procedure
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			return nil, fmt.Errorf("procedure %s of %s: %w", id, agency, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProcedureSet is the procedures in force on the platform: the national
// defaults with the agencies' versions. Intake and supervision judge
// cases by it.
func (s *Server) ProcedureSet(ctx context.Context) (*casefile.Set, error) {
	list, err := s.Procedures(ctx)
	if err != nil {
		return nil, err
	}
	set, err := casefile.WithAgencies(list)
	if err != nil {
		return nil, fmt.Errorf("procedures in force: %w", err)
	}
	return set, nil
}

// procedures: GET /api/v1/procedures, the agencies' own versions, for
// officers' devices to install on their case logs.
func (s *Server) procedures(w http.ResponseWriter, r *http.Request, _ Device) {
	list, err := s.Procedures(r.Context())
	web.Respond(w, r, list, err)
}
