package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/pages"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// DrawRecord is a draw as the platform keeps and publishes it.
type DrawRecord struct {
	ID         int64
	At         string
	Draw       draw.Draw
	Targets    []string
	Inspectors []catalog.Officer
}

type drawLists struct {
	Targets    []string          `json:"targets"`
	Inspectors []catalog.Officer `json:"inspectors"`
}

// NewDraw draws count targets for an inspection item of the public lists,
// with inspectors from the item's agency's certified officers in the
// lists, and keeps the draw with its seed and lists. A zero seed is chosen
// at random (and kept, so the draw can be made again).
func (s *Server) NewDraw(ctx context.Context, item string, count int, seed uint64, targets []string) (DrawRecord, error) {
	it, err := s.Item(ctx, catalog.KindInspection, item)
	if err != nil {
		return DrawRecord{}, fmt.Errorf("inspection item %s: %w", item, err)
	}
	agency, _ := it["agency"].(string)
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM catalog WHERE kind = ? AND deleted = 0`, string(catalog.KindOfficer))
	if err != nil {
		return DrawRecord{}, fmt.Errorf("draw for %s: officers: %w", item, err)
	}
	var officers []catalog.Officer
	for rows.Next() {
		var data string
		var o catalog.Officer
		if rows.Scan(&data) == nil && json.Unmarshal([]byte(data), &o) == nil {
			officers = append(officers, o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return DrawRecord{}, fmt.Errorf("draw for %s: officers: %w", item, err)
	}
	ins := draw.Inspectors(officers, agency)
	if seed == 0 {
		seed = randomSeed()
	}
	d, err := draw.Run(item, agency, seed, count, targets, ins)
	if err != nil {
		return DrawRecord{}, err // draw's own errors (ErrCount), as callers compare them
	}
	lists, err := json.Marshal(drawLists{Targets: targets, Inspectors: ins})
	if err != nil {
		return DrawRecord{}, fmt.Errorf("draw for %s: lists: %w", item, err)
	}
	body, err := json.Marshal(d)
	if err != nil {
		return DrawRecord{}, fmt.Errorf("draw for %s: %w", item, err)
	}
	rec := DrawRecord{At: s.now().UTC().Format(time.RFC3339), Draw: d, Targets: targets, Inspectors: ins}
	if err := s.db.QueryRowContext(ctx, `INSERT INTO draws (at, item, agency, seed, lists, draw) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		rec.At, item, agency, strconv.FormatUint(seed, 10), string(lists), string(body)).Scan(&rec.ID); err != nil {
		return rec, fmt.Errorf("keep the draw for %s: %w", item, err)
	}
	return rec, nil
}

// randomSeed is a seed no one chose, from the system's random source.
func randomSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) | 1 // never 0, which means "choose one"
}

// ErrNoDraw is a draw the platform does not hold.
var ErrNoDraw = errors.New("no such draw")

// GetDraw reads a kept draw.
func (s *Server) GetDraw(ctx context.Context, id int64) (DrawRecord, error) {
	rec := DrawRecord{ID: id}
	var lists, body string
	err := s.db.QueryRowContext(ctx, `SELECT at, lists, draw FROM draws WHERE id = ?`, id).Scan(&rec.At, &lists, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, ErrNoDraw
	}
	if err != nil {
		return rec, fmt.Errorf("draw %d: %w", id, err)
	}
	var l drawLists
	if err := json.Unmarshal([]byte(lists), &l); err != nil {
		return rec, fmt.Errorf("draw %d: lists: %w", id, err)
	}
	rec.Targets, rec.Inspectors = l.Targets, l.Inspectors
	if err := json.Unmarshal([]byte(body), &rec.Draw); err != nil {
		return rec, fmt.Errorf("draw %d: %w", id, err)
	}
	return rec, nil
}

// Redraw draws a kept draw again from its seed and lists and says whether
// it comes out the same.
func (s *Server) Redraw(ctx context.Context, id int64) (_ bool, err error) {
	defer wrap.Err(&err, "redraw %d", id)
	rec, err := s.GetDraw(ctx, id)
	if err != nil {
		return false, err
	}
	again, err := draw.Run(rec.Draw.Item, rec.Draw.Agency, rec.Draw.Seed, rec.Draw.Count, rec.Targets, rec.Inspectors)
	if err != nil {
		return false, fmt.Errorf("redraw %d: %w", id, err)
	}
	return draw.Same(rec.Draw, again), nil
}

// SetDrawResult records the result of inspecting one drawn target and
// publishes it: on the draw's public page, and as an inspection result in
// the public lists (the result pages and every kiosk, through the feed).
func (s *Server) SetDrawResult(ctx context.Context, id int64, target, result string) error {
	if strings.TrimSpace(result) == "" {
		return fmt.Errorf("draw %d: the result of inspecting %q is empty", id, target)
	}
	pub := &catalog.InspectionResult{}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		// Two results entered at once must not overwrite each other's
		// (PostgreSQL does not serialise writers as SQLite does).
		if err := tx.Lock(ctx, "draw"); err != nil {
			return err
		}
		var at, body string
		if err := tx.QueryRowContext(ctx, `SELECT at, draw FROM draws WHERE id = ?`, id).Scan(&at, &body); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNoDraw
			}
			return err
		}
		pub.DrawnOn = localDay(at)
		var d draw.Draw
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			return err
		}
		found := false
		for i := range d.Tasks {
			if t := &d.Tasks[i]; t.Target == target {
				t.Result, found = result, true
				pub.ID, pub.DrawID, pub.ItemID, pub.AgencyCode = fmt.Sprintf("%d-%d", id, i+1), id, d.Item, d.Agency
				pub.Target, pub.Result, pub.Inspectors = t.Target, result, t.Team()
			}
		}
		if !found {
			return fmt.Errorf("draw %d did not draw %q", id, target)
		}
		out, err := json.Marshal(d)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE draws SET draw = ? WHERE id = ?`, string(out), id)
		return err
	})
	if errors.Is(err, ErrNoDraw) {
		return err
	}
	if err != nil {
		return fmt.Errorf("result of draw %d: %w", id, err)
	}
	pub.ItemName, pub.AgencyName = s.itemName(ctx, pub.ItemID), s.agencyName(ctx, pub.AgencyCode)
	pub.PublishedOn = s.now().Format(time.DateOnly)
	if err := s.Publish(ctx, []catalog.Item{pub}, nil); err != nil {
		return fmt.Errorf("result of draw %d: %w", id, err)
	}
	return nil
}

// localDay is the local date of a time the platform stored in UTC.
func localDay(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return ""
	}
	return t.In(time.Local).Format(time.DateOnly)
}

// agencyName is an agency's name in the public lists, or its code (also
// when the lists cannot be read: a name is a courtesy on these pages).
func (s *Server) agencyName(ctx context.Context, code string) string {
	ags, err := s.Agencies(ctx)
	if err != nil {
		s.log.Warn("agency name", "code", code, "err", err)
	}
	return catalog.AgencyName(ags, code)
}

// Agencies are the enforcement bodies in the platform's public lists.
func (s *Server) Agencies(ctx context.Context) (_ []catalog.Agency, err error) {
	defer wrap.Err(&err, "agencies")
	return agencies(ctx, s.db)
}

// agencies reads the agencies of the public lists through q (the
// database, or a transaction that holds the lists' lock).
func agencies(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]catalog.Agency, error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM catalog WHERE kind = 'agency' AND deleted = 0 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []catalog.Agency
	for rows.Next() {
		var data string
		var a catalog.Agency
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return nil, fmt.Errorf("agency row: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Server) itemName(ctx context.Context, item string) string {
	if m, err := s.Item(ctx, catalog.KindInspection, item); err == nil {
		if n, ok := m["name"].(string); ok {
			return n
		}
	}
	return item
}

// drawPage is a kept draw for its public page.
func (s *Server) drawPage(ctx context.Context, id int64) (pages.Draw, error) {
	rec, err := s.GetDraw(ctx, id)
	if err != nil {
		return pages.Draw{}, err
	}
	return pages.Draw{At: rec.At, Draw: rec.Draw, Targets: len(rec.Targets), Inspectors: len(rec.Inspectors)}, nil
}

// planPage is a draw of version 2 for its public page; false when there
// is none of that number.
func (s *Server) planPage(ctx context.Context, id int64) (pages.Plan, bool, error) {
	rec, err := s.Plan(ctx, id)
	if errors.Is(err, ErrNoDraw) {
		return pages.Plan{}, false, nil
	}
	if err != nil {
		return pages.Plan{}, false, err
	}
	return s.pagePlan(rec), true, nil
}

// planPages are the draws of version 2 for the list of draws.
func (s *Server) planPages(ctx context.Context) ([]pages.Plan, error) {
	recs, err := s.Plans(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]pages.Plan, 0, len(recs))
	for _, rec := range recs {
		out = append(out, s.pagePlan(rec))
	}
	return out, nil
}

func (s *Server) pagePlan(rec PlanRecord) pages.Plan {
	p := rec.Plan
	out := pages.Plan{ID: rec.ID, Item: p.Item, ItemName: p.ItemName, Agency: p.Agency, Status: rec.Status, Count: p.Count, Share: p.Share,
		DrawAt: p.DrawAt, DrawnAt: rec.DrawnAt, Due: p.Due, PlannedAt: p.PlannedAt, Cancelled: p.Cancelled, Published: rec.Published(),
		Conflicts: len(rec.Lists.Conflicts), LastTime: len(rec.Lists.Last)}
	now := s.now()
	for _, t := range rec.Tasks {
		pt := pages.PlanTask{ID: t.ID(), Target: t.Target, Due: t.Due, Result: t.Result, ResultAt: t.ResultAt, Overdue: t.Overdue(now)}
		for _, o := range t.Inspectors {
			o.Person = "" // the platform's, not the public's
			pt.Inspectors = append(pt.Inspectors, o)
		}
		out.Tasks = append(out.Tasks, pt)
	}
	return out
}
