package server

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// RowError names a bad cell of an import: row 1 is the header.
type RowError = sheet.RowError

// ImportError lists every bad row of an import; nothing was imported.
type ImportError = sheet.ImportError

// required are the columns a list's rows must fill, as app/catalog
// registers them for the kind.
func required(kind catalog.Kind) ([]string, bool) {
	spec, ok := catalog.Spec(kind)
	return spec.Required, ok
}

// ParseCSV reads one public list from CSV whose header names the JSON
// fields of the kind's item. Every bad row is reported by row and column.
func ParseCSV(kind catalog.Kind, r io.Reader) ([]catalog.Item, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var rows [][]string
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if n == 1 {
				return nil, &ImportError{Rows: []RowError{{Row: 1, Reason: "no header: " + err.Error()}}}
			}
			return nil, &ImportError{Rows: []RowError{{Row: n, Reason: err.Error()}}}
		}
		rows = append(rows, rec)
	}
	return parseRows(kind, rows, false)
}

// ParseXLSX reads one public list from the first sheet of an Excel
// workbook laid out as the CSV is; trailing empty cells may be left out.
func ParseXLSX(kind catalog.Kind, r io.Reader) ([]catalog.Item, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, &ImportError{Rows: []RowError{{Row: 0, Reason: "not an Excel workbook: " + err.Error()}}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ImportError{Rows: []RowError{{Row: 0, Reason: "the workbook has no sheet"}}}
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, &ImportError{Rows: []RowError{{Row: 0, Reason: err.Error()}}}
	}
	return parseRows(kind, rows, true)
}

// parseRows checks a header row and data rows; ragged rows are allowed
// from spreadsheets, which drop trailing empty cells.
func parseRows(kind catalog.Kind, rows [][]string, ragged bool) ([]catalog.Item, error) {
	need, ok := required(kind)
	if !ok {
		return nil, &ImportError{Rows: []RowError{{Row: 0, Column: "kind", Reason: "unknown list " + string(kind)}}}
	}
	if len(rows) == 0 {
		return nil, &ImportError{Rows: []RowError{{Row: 1, Reason: "no header"}}}
	}
	header := append([]string(nil), rows[0]...)
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	var bad []RowError
	for _, n := range need {
		found := false
		for _, h := range header {
			found = found || h == n
		}
		if !found {
			bad = append(bad, RowError{Row: 1, Column: n, Reason: "missing column"})
		}
	}
	if len(bad) > 0 {
		return nil, &ImportError{Rows: bad}
	}
	var items []catalog.Item
	seen := map[string]int{}
	for i, rec := range rows[1:] {
		row := i + 2
		if ragged && len(rec) < len(header) {
			rec = append(rec, make([]string, len(header)-len(rec))...)
		}
		if len(rec) != len(header) {
			bad = append(bad, RowError{Row: row, Reason: fmt.Sprintf("%d cells, header has %d", len(rec), len(header))})
			continue
		}
		m := map[string]string{}
		empty := true
		for i, h := range header {
			m[h] = strings.TrimSpace(rec[i])
			empty = empty && m[h] == ""
		}
		if empty && ragged {
			continue // a blank spreadsheet row
		}
		rowBad := false
		for _, n := range need {
			if m[n] == "" {
				bad = append(bad, RowError{Row: row, Column: n, Reason: "empty"})
				rowBad = true
			}
		}
		if a, ok := m["act"]; ok && a != "" && !catalog.Act(a).Valid() {
			bad = append(bad, RowError{Row: row, Column: "act", Reason: "not one of the six acts"})
			rowBad = true
		}
		if st, ok := m["status"]; ok && kind == catalog.KindOfficer && st != catalog.CertValid && st != catalog.CertRevoked && st != catalog.CertSuspended {
			bad = append(bad, RowError{Row: row, Column: "status", Reason: "valid, revoked or suspended"})
			rowBad = true
		}
		if prev, dup := seen[m["id"]]; dup && m["id"] != "" {
			bad = append(bad, RowError{Row: row, Column: "id", Reason: "same id as row " + strconv.Itoa(prev)})
			rowBad = true
		}
		seen[m["id"]] = row
		if rowBad {
			continue
		}
		data, err := json.Marshal(m)
		if err != nil {
			bad = append(bad, RowError{Row: row, Reason: err.Error()})
			continue
		}
		it, err := catalog.Decode(kind, data)
		if err != nil {
			bad = append(bad, RowError{Row: row, Reason: err.Error()})
			continue
		}
		items = append(items, it)
	}
	if len(bad) > 0 {
		return nil, &ImportError{Rows: bad}
	}
	return items, nil
}

// lastCursor takes the catalog's writer lock for the transaction and
// returns the newest cursor: every change then gets the next one, in
// commit order.
func lastCursor(ctx context.Context, tx *sqldb.Tx) (int64, error) {
	if err := tx.Lock(ctx, "catalog"); err != nil {
		return 0, err
	}
	var cur int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(cursor), 0) FROM catalog`).Scan(&cur)
	return cur, err
}

// Publish writes items into the catalog, each a change with the next
// cursor. The cursor is assigned inside the immediate transaction, so a
// reader never sees a later change before an earlier one has committed.
func (s *Server) Publish(ctx context.Context, items []catalog.Item, agencies []catalog.Agency) (err error) {
	defer wrap.Err(&err, "publish")
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error { return publishTx(ctx, tx, items, agencies) })
}

// publishTx is Publish inside a transaction someone else commits: the
// people room's, which writes a person and their public list entry at once.
func publishTx(ctx context.Context, tx *sqldb.Tx, items []catalog.Item, agencies []catalog.Agency) error {
	cur, err := lastCursor(ctx, tx)
	if err != nil {
		return err
	}
	put := func(kind, id string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		cur++
		_, err = tx.ExecContext(ctx, `INSERT INTO catalog (kind, id, data, deleted, cursor) VALUES (?, ?, ?, 0, ?)
			ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, deleted = 0, cursor = excluded.cursor`, kind, id, string(data), cur)
		return err
	}
	for _, a := range agencies {
		if err := put("agency", a.Code, a); err != nil {
			return err
		}
	}
	for _, it := range items {
		if err := put(string(it.Kind()), it.Key(), it); err != nil {
			return err
		}
	}
	return nil
}

// Withdraw removes an item from the public lists, as a tombstone change.
func (s *Server) Withdraw(ctx context.Context, kind catalog.Kind, id string) (err error) {
	defer wrap.Err(&err, "withdraw %s/%s", kind, id)
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error { return withdrawTx(ctx, tx, kind, id) })
}

// withdrawTx is Withdraw inside a transaction someone else commits;
// sql.ErrNoRows if the lists do not hold the item (or withdrew it before).
func withdrawTx(ctx context.Context, tx *sqldb.Tx, kind catalog.Kind, id string) error {
	cur, err := lastCursor(ctx, tx)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE catalog SET deleted = 1, cursor = ? WHERE kind = ? AND id = ? AND deleted = 0`, cur+1, string(kind), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

func (s *Server) importCSV(w http.ResponseWriter, r *http.Request) {
	kind := catalog.Kind(r.URL.Query().Get("kind"))
	if managedByPeople(w, r, kind) {
		return
	}
	parse := ParseCSV
	if strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") || r.URL.Query().Get("format") == "xlsx" {
		parse = ParseXLSX
	}
	items, err := parse(kind, r.Body)
	var ie *ImportError
	if errors.As(err, &ie) {
		web.Rows(w, r, "bad_rows", words.M("platform.bad_rows"), ie.Rows)
		return
	}
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_file", words.M("platform.bad_file"), err.Error())
		return
	}
	if err := s.Publish(r.Context(), items, nil); err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]int{"imported": len(items)})
}

// managedByPeople refuses (422) an administrator's change to the officers
// list other than through the people room, which writes a person and their
// entry in the list together: the list and the registry never disagree.
func managedByPeople(w http.ResponseWriter, r *http.Request, kind catalog.Kind) bool {
	if kind != catalog.KindOfficer {
		return false
	}
	web.Rows(w, r, "managed_by_people", words.M("platform.officers_in_people"), []RowError{{Column: "kind", Reason: words.L("platform.officers_in_people"), Code: "managed_by_people"}})
	return true
}

// Changes returns the feed after cursor since, at most limit entries.
func (s *Server) Changes(ctx context.Context, since int64, limit int) (_ api.ChangesResponse, err error) {
	defer wrap.Err(&err, "changes since %d", since)
	rows, err := s.db.QueryContext(ctx, `SELECT cursor, kind, id, deleted, data FROM catalog WHERE cursor > ? ORDER BY cursor LIMIT ?`, since, limit+1)
	if err != nil {
		return api.ChangesResponse{}, err
	}
	defer rows.Close()
	// A caught-up poll has no changes: an empty list, never null.
	resp := api.ChangesResponse{Next: since, Changes: []api.Change{}}
	for rows.Next() {
		var c api.Change
		var deleted int
		var data string
		if err := rows.Scan(&c.Cursor, &c.Kind, &c.ID, &deleted, &data); err != nil {
			return resp, err
		}
		if len(resp.Changes) == limit {
			resp.More = true
			break
		}
		c.Deleted = deleted != 0
		if !c.Deleted {
			c.Data = []byte(data)
		}
		resp.Changes = append(resp.Changes, c)
		resp.Next = c.Cursor
	}
	return resp, rows.Err()
}

func (s *Server) changes(w http.ResponseWriter, r *http.Request) {
	since, ok := web.IntParam(w, r, "since", 0, 0, math.MaxInt64)
	if !ok {
		return
	}
	limit, ok := web.IntParam(w, r, "limit", api.DefaultChanges, 1, api.MaxChanges)
	if !ok {
		return
	}
	resp, err := s.Changes(r.Context(), since, int(limit))
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, resp)
}
