package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// SetAVLists replaces the audio/video requirement lists (音像记录事项清单)
// the platform holds: devices pull them, supervision scores cases by them.
func (s *Server) SetAVLists(ctx context.Context, lists []casefile.AVRequirement) (err error) {
	defer wrap.Err(&err, "set A/V lists")
	seen := map[string]bool{}
	for _, l := range lists {
		if l.Agency == "" || seen[l.Agency] {
			return fmt.Errorf("A/V lists: an agency code is empty or given twice (%q)", l.Agency)
		}
		seen[l.Agency] = true
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM av_lists`); err != nil {
			return err
		}
		for _, l := range lists {
			data, err := json.Marshal(l)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO av_lists (agency, data) VALUES (?, ?)`, l.Agency, string(data)); err != nil {
				return err
			}
		}
		return nil
	})
}

// AVLists are the lists the platform holds; until an administrator sets
// them, the bundled ones.
func (s *Server) AVLists(ctx context.Context) (_ []casefile.AVRequirement, err error) {
	defer wrap.Err(&err, "A/V lists")
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM av_lists`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casefile.AVRequirement
	for rows.Next() {
		var data string
		var l casefile.AVRequirement
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return s.avList, nil
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agency < out[j].Agency })
	return out, nil
}

// avLists: GET /api/v1/av-requirements, for officers' devices.
func (s *Server) avLists(w http.ResponseWriter, r *http.Request, _ Device) {
	lists, err := s.AVLists(r.Context())
	// Lists are [] when empty, never null (the API's contract).
	for i := range lists {
		if lists[i].Stages == nil {
			lists[i].Stages = []string{}
		}
		if lists[i].FullProcess == nil {
			lists[i].FullProcess = []string{}
		}
	}
	web.Respond(w, r, lists, err)
}
