package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// ErrNoItem is an edit or withdrawal of an item the lists do not hold.
var ErrNoItem = errors.New("no such item")

// Item returns one published item's fields.
// An item the lists do not hold is ErrNoItem itself, as callers compare it.
func (s *Server) Item(ctx context.Context, kind catalog.Kind, id string) (map[string]any, error) {
	var data string
	var deleted int
	err := s.db.QueryRowContext(ctx, `SELECT data, deleted FROM catalog WHERE kind = ? AND id = ?`, string(kind), id).Scan(&data, &deleted)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && deleted != 0) {
		return nil, ErrNoItem
	}
	if err != nil {
		return nil, fmt.Errorf("item %s/%s: %w", kind, id, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return nil, fmt.Errorf("item %s/%s: %w", kind, id, err)
	}
	return m, nil
}

// EditItem changes fields of one item (or creates it), checked as an
// import row is: required fields filled, the act one of the six. The edit
// reaches every kiosk through the change feed.
func (s *Server) EditItem(ctx context.Context, kind catalog.Kind, id string, fields map[string]string) (err error) {
	defer wrap.Err(&err, "edit item %s/%s", kind, id)
	need, ok := required(kind)
	if !ok {
		return &ImportError{Rows: []RowError{{Column: "kind", Reason: "unknown list " + string(kind)}}}
	}
	m, err := s.Item(ctx, kind, id)
	if errors.Is(err, ErrNoItem) {
		m, err = map[string]any{}, nil
	}
	if err != nil {
		return err
	}
	for k, v := range fields {
		m[k] = v
	}
	m["id"] = id
	var bad []RowError
	for _, n := range need {
		if v, _ := m[n].(string); v == "" {
			bad = append(bad, RowError{Column: n, Reason: "empty"})
		}
	}
	if a, ok := m["act"].(string); ok && a != "" && !catalog.Act(a).Valid() {
		bad = append(bad, RowError{Column: "act", Reason: "not one of the six acts"})
	}
	if len(bad) > 0 {
		sort.Slice(bad, func(i, j int) bool { return bad[i].Column < bad[j].Column })
		return &ImportError{Rows: bad}
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	it, err := catalog.Decode(kind, data)
	if err != nil {
		return &ImportError{Rows: []RowError{{Reason: err.Error()}}}
	}
	return s.Publish(ctx, []catalog.Item{it}, nil)
}

// putItem: PUT /api/v1/admin/catalog/items/{kind}/{id} with a JSON object
// of the fields to set.
func (s *Server) putItem(w http.ResponseWriter, r *http.Request) {
	if managedByPeople(w, r, catalog.Kind(r.PathValue("kind"))) {
		return
	}
	var fields map[string]string
	if !web.Decode(w, r, &fields) {
		return
	}
	err := s.EditItem(r.Context(), catalog.Kind(r.PathValue("kind")), r.PathValue("id"), fields)
	var ie *ImportError
	switch {
	case errors.As(err, &ie):
		web.Rows(w, r, "bad_fields", words.M("platform.bad_fields"), ie.Rows)
	case err != nil:
		web.Internal(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// deleteItem withdraws one item from the public lists. A decision needs
// a stated reason, as on its own route (api.PathDecisions + {id}/withdraw):
// {"reason": …} as the body, or ?reason=; without one it is refused 422
// need_reason.
func (s *Server) deleteItem(w http.ResponseWriter, r *http.Request) {
	if managedByPeople(w, r, catalog.Kind(r.PathValue("kind"))) {
		return
	}
	if catalog.Kind(r.PathValue("kind")) == catalog.KindDecision {
		var req api.WithdrawRequest
		if body, err := io.ReadAll(r.Body); err == nil && len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &req) != nil {
			web.Problem(w, r, http.StatusBadRequest, "bad_json", words.M("platform.bad_json"), "")
			return
		}
		if req.Reason == "" {
			req.Reason = r.URL.Query().Get("reason")
		}
		s.withdrawForAdmin(w, r, r.PathValue("id"), req.Reason)
		return
	}
	err := s.Withdraw(r.Context(), catalog.Kind(r.PathValue("kind")), r.PathValue("id"))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_item"), "")
	case err != nil:
		web.Internal(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// Alert is one thing the platform flagged for people.
type Alert struct {
	ID     int64  `json:"id"`
	At     string `json:"at"`
	Device string `json:"device"`
	Kind   string `json:"kind"` // fork, review
	Detail string `json:"detail"`
}

// AlertList returns the alerts, newest first.
func (s *Server) AlertList(ctx context.Context) (_ []Alert, err error) {
	defer wrap.Err(&err, "list alerts")
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, device, kind, detail FROM alerts ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.At, &a.Device, &a.Kind, &a.Detail); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	out, err := s.AlertList(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, out)
}

// DeviceStatus is one device's sync status for administrators.
type DeviceStatus struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	Kind                string `json:"kind"`
	Revoked             bool   `json:"revoked"`
	Enrolled            string `json:"enrolled"`
	LastSeen            string `json:"last_seen"`
	RecordsAcknowledged int64  `json:"records_acknowledged"`
}

// Devices lists enrolled devices with how far their logs are acknowledged.
func (s *Server) Devices(ctx context.Context) (_ []DeviceStatus, err error) {
	defer wrap.Err(&err, "list devices")
	// What this instance saw since its last write, written first.
	if err := s.seen.flush(ctx); err != nil {
		s.log.Warn("devices listed with last seen times up to half a minute old", "err", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.name, d.kind, d.revoked, d.enrolled, d.last_seen,
		coalesce((SELECT max(size) FROM receipts WHERE device = d.id), 0) FROM devices d ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DeviceStatus{}
	for rows.Next() {
		var d DeviceStatus
		if err := rows.Scan(&d.ID, &d.Name, &d.Kind, &d.Revoked, &d.Enrolled, &d.LastSeen, &d.RecordsAcknowledged); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Revoke stops a device's token from working.
func (s *Server) Revoke(ctx context.Context, id string) (err error) {
	defer wrap.Err(&err, "revoke device %s", id)
	res, err := s.db.ExecContext(ctx, `UPDATE devices SET revoked = 1 WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: device %s", ErrNoItem, id)
	}
	return nil
}

// AuditPage is a page of the audit log as GET /api/v1/admin/audit gives it.
type AuditPage struct {
	Entries []console.Entry `json:"entries"`
	Total   int             `json:"total"`
	// Verified says whether the whole chain verified; BrokenAt is the
	// first entry that did not (0 when it did, or when the token is held
	// to one agency and the chain is not checked).
	Verified bool  `json:"verified"`
	BrokenAt int64 `json:"broken_at,omitempty"`
}

// auditJSON: GET /api/v1/admin/audit?offset=&limit= (limit at most 500,
// default 100), newest first; a token held to one agency reads that
// agency's entries.
func (s *Server) auditJSON(w http.ResponseWriter, r *http.Request) {
	offset, ok := web.IntParam(w, r, "offset", 0, 0, math.MaxInt32)
	if !ok {
		return
	}
	limit, ok := web.IntParam(w, r, "limit", 100, 1, 500)
	if !ok {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	var out AuditPage
	var err error
	if out.Entries, out.Total, err = s.console.AuditLog(r.Context(), t.Agency, int(offset), int(limit)); err != nil {
		web.Internal(w, r, err)
		return
	}
	if t.Agency == "" {
		_, err := s.console.VerifyAudit(r.Context())
		var ce *console.ChainError
		switch {
		case errors.As(err, &ce):
			out.BrokenAt = ce.Seq
		case err != nil:
			web.Internal(w, r, err)
			return
		default:
			out.Verified = true
		}
	}
	web.JSON(w, http.StatusOK, out)
}
