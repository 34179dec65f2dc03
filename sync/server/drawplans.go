package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Plan is what an administrator decides when planning a draw (双随机抽查计划).
type Plan struct {
	Item     string `json:"item"` // the random-inspection item (随机抽查事项)
	ItemName string `json:"item_name"`
	Agency   string `json:"agency"`
	// Count targets are drawn, or Share per cent of the list (rounded up)
	// when Count is 0.
	Count int `json:"count"`
	Share int `json:"share,omitempty"`
	// DrawAt is when the draw is made (RFC 3339); "" lets an administrator
	// draw at any time after the plan is published.
	DrawAt string `json:"draw_at,omitempty"`
	// Due is the day (YYYY-MM-DD) the inspections are to be done by.
	Due string `json:"due"`
	// By is the administrator who made the plan; Note says what it is for.
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	// TargetsFile names the imported target list and its SHA-256 (of the
	// file's bytes), for the record.
	TargetsFile string `json:"targets_file,omitempty"`
	TargetsSHA  string `json:"targets_file_sha256,omitempty"`
	PlannedAt   string `json:"planned_at"` // RFC 3339 UTC
	// Cancelled is the reason a plan was cancelled, by CancelledBy.
	Cancelled   string `json:"cancelled,omitempty"`
	CancelledBy string `json:"cancelled_by,omitempty"`
	// Witness is the value a witness gave at the draw (见证随机数, mixed into
	// the seed; "" for none), entered by WitnessBy; DrawnBy made the draw
	// ("platform" when it drew at the plan's time).
	Witness   string `json:"witness,omitempty"`
	WitnessBy string `json:"witness_by,omitempty"`
	DrawnBy   string `json:"drawn_by,omitempty"`
}

// Draw statuses.
const (
	DrawPlanned   = "planned"
	DrawDrawn     = "drawn"
	DrawCancelled = "cancelled"
)

// DrawTask is one drawn target as the platform tracks it.
type DrawTask struct {
	Draw       int64            `json:"draw"`
	N          int              `json:"n"`
	Target     draw.Target      `json:"target"`
	Inspectors []draw.Inspector `json:"inspectors"`
	Due        string           `json:"due"`
	Device     string           `json:"device,omitempty"`
	ClaimedBy  string           `json:"claimed_by,omitempty"`
	ClaimedAt  string           `json:"claimed_at,omitempty"`
	CaseID     string           `json:"case_id,omitempty"`
	Result     string           `json:"result,omitempty"`
	ResultAt   string           `json:"result_at,omitempty"`
}

// ID is the task's number, as its published result's: "12-3".
func (t DrawTask) ID() string { return TaskID(t.Draw, t.N) }

// TaskID is the number of the n-th task of a draw.
func TaskID(drawID int64, n int) string { return fmt.Sprintf("%d-%d", drawID, n) }

// ParseTaskID reads "12-3".
func ParseTaskID(id string) (drawID int64, n int, ok bool) {
	a, b, found := strings.Cut(id, "-")
	d, err1 := strconv.ParseInt(a, 10, 64)
	k, err2 := strconv.Atoi(b)
	return d, k, found && err1 == nil && err2 == nil && d > 0 && k > 0
}

// Overdue says whether the task was not done by its day (as of now).
func (t DrawTask) Overdue(now time.Time) bool {
	due, err := time.ParseInLocation(time.DateOnly, t.Due, time.Local)
	if err != nil {
		return false
	}
	end := due.AddDate(0, 0, 1)
	if t.ResultAt != "" {
		at, err := time.Parse(time.RFC3339, t.ResultAt)
		return err == nil && !at.Before(end)
	}
	return !now.Before(end)
}

// PlanRecord is a plan with its lists and, once drawn, its tasks.
type PlanRecord struct {
	ID     int64
	Plan   Plan
	Status string // DrawPlanned, DrawDrawn, DrawCancelled
	Lists  draw.Lists
	// Commit is the hash of the seed, published with the plan; Seed is the
	// seed, revealed at the draw ("" until then); DrawnAt is when (RFC 3339).
	Commit, Seed, DrawnAt string
	Tasks                 []DrawTask
}

// Published is the draw as its public page offers it for checking
// (draw.Rederive reads it); the seed only once drawn.
func (r PlanRecord) Published() draw.Published {
	p := draw.Published{Version: draw.Version2, Commit: r.Commit, Seed: r.Seed, Witness: r.Plan.Witness, Count: r.Plan.Count,
		Lists: r.Lists, SHA: r.Lists.SHA(), Picks: []draw.Pick{}} // an empty list before the draw, never null
	p.Lists.Inspectors = slices.Clone(p.Lists.Inspectors)
	for i := range p.Lists.Inspectors {
		p.Lists.Inspectors[i].Person = "" // people's IDs are the platform's, not the public's
	}
	for _, t := range r.Tasks {
		p.Picks = append(p.Picks, draw.Pick{Target: t.Target, Inspectors: slices.Clone(t.Inspectors)})
	}
	for i := range p.Picks {
		for j := range p.Picks[i].Inspectors {
			p.Picks[i].Inspectors[j].Person = ""
		}
	}
	return p
}

// Errors of plans and draws; each has its own stable code on the wire.
var (
	ErrPlanItem    = errors.New("the plan's item is not in the random-inspection list")
	ErrPlanAgency  = errors.New("the item is another agency's")
	ErrPlanDue     = errors.New("the plan needs the day the inspections are due, after the draw")
	ErrPlanDrawAt  = errors.New("the time to draw is not a time, or has passed")
	ErrPlanCount   = errors.New("the plan needs a count of targets or a share (1–100 per cent) within the list")
	ErrNotInPool   = errors.New("an officer chosen for the pool is not a certified officer of the agency")
	ErrNotPlanned  = errors.New("the draw is no longer planned: drawn or cancelled")
	ErrTooEarly    = errors.New("the plan's time to draw has not come")
	ErrNoTask      = errors.New("no such task")
	ErrNotAssigned = errors.New("the officer is not one of the task's inspectors")
	ErrTaskClaimed = errors.New("the task is taken up on another device")
	ErrBadConflict = errors.New("a conflict needs an officer of the agency, a target code and a reason")
)

// NewPlan makes a plan for a draw and publishes it with the commitment to
// its seed: the agency's certified officers chosen (pool: their
// certificate numbers; nil for all of them), the declared conflicts and
// last time's inspectors of these targets, fixed and fingerprinted now.
// agency, when not "", is the only agency the plan may be of (an agency
// administrator's).
func (s *Server) NewPlan(ctx context.Context, agency string, p Plan, targets []draw.Target, pool []string) (rec PlanRecord, err error) {
	defer wrap.Err(&err, "plan a draw of %s", p.Item)
	it, err := s.Item(ctx, catalog.KindInspection, p.Item)
	if errors.Is(err, ErrNoItem) {
		return rec, ErrPlanItem
	}
	if err != nil {
		return rec, err
	}
	p.Agency, _ = it["agency"].(string)
	p.ItemName, _ = it["name"].(string)
	if agency != "" && p.Agency != agency {
		return rec, ErrPlanAgency
	}
	now := s.now()
	if p.DrawAt != "" {
		at, err := time.Parse(time.RFC3339, p.DrawAt)
		if err != nil || at.Before(now.Add(-time.Minute)) {
			return rec, ErrPlanDrawAt
		}
		p.DrawAt = at.UTC().Format(time.RFC3339)
	}
	due, err := time.ParseInLocation(time.DateOnly, p.Due, time.Local)
	drawDay := now
	if p.DrawAt != "" {
		drawDay, _ = time.Parse(time.RFC3339, p.DrawAt)
	}
	if err != nil || due.AddDate(0, 0, 1).Before(drawDay) {
		return rec, ErrPlanDue
	}
	lists := draw.Lists{Targets: targets}
	officers, err := s.certified(ctx, p.Agency)
	if err != nil {
		return rec, err
	}
	for _, o := range officers {
		if pool == nil || slices.Contains(pool, o.CertNo) {
			lists.Inspectors = append(lists.Inspectors, draw.Inspector{CertNo: o.CertNo, Name: o.Name, Unit: o.Unit, Person: o.ID})
		}
	}
	for _, c := range pool {
		if !slices.ContainsFunc(lists.Inspectors, func(o draw.Inspector) bool { return o.CertNo == c }) {
			return rec, fmt.Errorf("%w: %s", ErrNotInPool, c)
		}
	}
	if err := lists.Check(); err != nil {
		return rec, err
	}
	switch {
	case p.Count > 0 && p.Count <= len(targets):
		p.Share = 0
	case p.Count == 0 && p.Share >= 1 && p.Share <= 100:
		p.Count = draw.CountOf(len(targets), p.Share)
	default:
		return rec, ErrPlanCount
	}
	if lists.Conflicts, err = s.conflictsFor(ctx, p.Agency, lists); err != nil {
		return rec, err
	}
	if lists.Last, err = s.lastInspectors(ctx, p.Agency, lists.Targets); err != nil {
		return rec, err
	}
	seed := draw.NewSeed()
	commit, err := draw.Commit(seed)
	if err != nil {
		return rec, err
	}
	p.PlannedAt = now.UTC().Format(time.RFC3339)
	planJSON, err := json.Marshal(p)
	if err != nil {
		return rec, err
	}
	listsJSON, err := json.Marshal(lists)
	if err != nil {
		return rec, err
	}
	body, err := json.Marshal(draw.Draw{Item: p.Item, Agency: p.Agency, Count: p.Count, ListsSHA: lists.SHA()})
	if err != nil {
		return rec, err
	}
	rec = PlanRecord{Plan: p, Status: DrawPlanned, Lists: lists}
	err = s.db.QueryRowContext(ctx, `INSERT INTO draws (at, item, agency, seed, lists, draw, version, status, plan, commit_hash, draw_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.PlannedAt, p.Item, p.Agency, seed, string(listsJSON), string(body), draw.Version2, DrawPlanned, string(planJSON), commit, p.DrawAt).Scan(&rec.ID)
	if err != nil {
		return rec, err
	}
	return s.Plan(ctx, rec.ID)
}

// certified are an agency's officers with a valid certificate, in
// certificate order (the pool's order is part of the draw).
func (s *Server) certified(ctx context.Context, agency string) ([]catalog.Officer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM catalog WHERE kind = ? AND deleted = 0`, string(catalog.KindOfficer))
	if err != nil {
		return nil, fmt.Errorf("officers of %s: %w", agency, err)
	}
	defer rows.Close()
	var all []catalog.Officer
	for rows.Next() {
		var data string
		var o catalog.Officer
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("officers of %s: %w", agency, err)
		}
		if json.Unmarshal([]byte(data), &o) == nil {
			all = append(all, o)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("officers of %s: %w", agency, err)
	}
	return draw.Inspectors(all, agency), nil
}

// conflictsFor are the agency's declared conflicts between the lists'
// inspectors and targets.
func (s *Server) conflictsFor(ctx context.Context, agency string, l draw.Lists) ([]draw.Conflict, error) {
	all, err := s.Conflicts(ctx, agency)
	if err != nil {
		return nil, err
	}
	var out []draw.Conflict
	for _, c := range all {
		in := slices.ContainsFunc(l.Inspectors, func(o draw.Inspector) bool { return o.CertNo == c.CertNo }) &&
			slices.ContainsFunc(l.Targets, func(t draw.Target) bool { return t.ID == c.Target })
		if in {
			out = append(out, draw.Conflict{CertNo: c.CertNo, Target: c.Target})
		}
	}
	return out, nil
}

// lastInspectors are, for each target of the list, the two inspectors of
// the agency's latest drawn task on it.
func (s *Server) lastInspectors(ctx context.Context, agency string, targets []draw.Target) (map[string][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.target, t.cert_a, t.cert_b FROM draw_tasks t JOIN draws d ON d.id = t.draw
		WHERE d.agency = ? AND d.status = ? ORDER BY t.draw, t.n`, agency, DrawDrawn)
	if err != nil {
		return nil, fmt.Errorf("last inspectors: %w", err)
	}
	defer rows.Close()
	in := map[string]bool{}
	for _, t := range targets {
		in[t.ID] = true
	}
	out := map[string][]string{}
	for rows.Next() {
		var target, a, b string
		if err := rows.Scan(&target, &a, &b); err != nil {
			return nil, fmt.Errorf("last inspectors: %w", err)
		}
		if in[target] {
			out[target] = []string{a, b} // later draws overwrite earlier
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, rows.Err()
}

// Plan reads a plan (a draw of version 2), drawing it first when its time
// has come.
func (s *Server) Plan(ctx context.Context, id int64) (PlanRecord, error) {
	if err := s.drawIfDue(ctx, id); err != nil {
		return PlanRecord{}, err
	}
	return s.plan(ctx, s.db, id)
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func (s *Server) plan(ctx context.Context, q querier, id int64) (rec PlanRecord, err error) {
	defer wrap.Err(&err, "draw %d", id)
	rec.ID = id
	var planJSON, listsJSON, seed, commit, drawnAt string
	var version int
	err = q.QueryRowContext(ctx, `SELECT version, status, plan, lists, seed, commit_hash, drawn_at FROM draws WHERE id = ?`, id).
		Scan(&version, &rec.Status, &planJSON, &listsJSON, &seed, &commit, &drawnAt)
	if errors.Is(err, sql.ErrNoRows) || err == nil && version != draw.Version2 {
		return rec, ErrNoDraw
	}
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal([]byte(planJSON), &rec.Plan); err != nil {
		return rec, err
	}
	if err := json.Unmarshal([]byte(listsJSON), &rec.Lists); err != nil {
		return rec, err
	}
	rec.Commit = commit
	if rec.Status == DrawDrawn {
		rec.Seed, rec.DrawnAt = seed, drawnAt
		if rec.Tasks, err = s.tasksOf(ctx, q, `WHERE t.draw = ?`, id); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// Plans lists the plans of version 2, newest first: all, or one agency's.
func (s *Server) Plans(ctx context.Context, agency string) (_ []PlanRecord, err error) {
	defer wrap.Err(&err, "plans")
	if err := s.DrawDue(ctx); err != nil {
		return nil, err
	}
	ids, err := s.drawIDs(ctx, `SELECT id FROM draws WHERE version = ? AND (? = '' OR agency = ?) ORDER BY id DESC LIMIT 500`, draw.Version2, agency, agency)
	if err != nil {
		return nil, err
	}
	out := make([]PlanRecord, 0, len(ids))
	for _, id := range ids {
		rec, err := s.plan(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// drawIDs are the draws' numbers a query selects.
func (s *Server) drawIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DrawDue makes every planned draw whose time has come (the platform
// draws them itself; a page or a desk asking first sees them drawn).
func (s *Server) DrawDue(ctx context.Context) (err error) {
	defer wrap.Err(&err, "draws due")
	ids, err := s.drawIDs(ctx, `SELECT id FROM draws WHERE version = ? AND status = ? AND draw_at <> '' AND draw_at <= ?`,
		draw.Version2, DrawPlanned, s.now().UTC().Format(time.RFC3339))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.drawIfDue(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) drawIfDue(ctx context.Context, id int64) error {
	var status, at string
	err := s.db.QueryRowContext(ctx, `SELECT status, draw_at FROM draws WHERE id = ? AND version = ?`, id, draw.Version2).Scan(&status, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoDraw
	}
	if err != nil {
		return fmt.Errorf("draw %d: %w", id, err)
	}
	if status != DrawPlanned || at == "" || at > s.now().UTC().Format(time.RFC3339) {
		return nil
	}
	_, err = s.MakeDraw(ctx, "", id, "", "platform")
	if errors.Is(err, ErrNotPlanned) { // another reader drew it first
		return nil
	}
	return err
}

// MakeDraw makes a planned draw: reveals its seed, draws targets and
// inspectors from it with the witness's value ("" for none) and keeps the
// tasks, which reach the inspectors' desks at their next sync. agency,
// when not "", is the only agency it may be of.
func (s *Server) MakeDraw(ctx context.Context, agency string, id int64, witness, by string) (rec PlanRecord, err error) {
	defer wrap.Err(&err, "draw %d", id)
	witness = strings.TrimSpace(witness)
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		cur, err := s.planned(ctx, tx, agency, id)
		if err != nil {
			return err
		}
		if cur.Plan.DrawAt != "" && by != "platform" && cur.Plan.DrawAt > s.now().UTC().Format(time.RFC3339) {
			return ErrTooEarly
		}
		var seed string
		if err := tx.QueryRowContext(ctx, `SELECT seed FROM draws WHERE id = ?`, id).Scan(&seed); err != nil {
			return err
		}
		picks, err := draw.Draw2(cur.Lists, seed, witness, cur.Plan.Count)
		if err != nil {
			return err
		}
		p := cur.Plan
		p.Witness, p.DrawnBy = witness, by
		if witness != "" {
			p.WitnessBy = by
		}
		planJSON, err := json.Marshal(p)
		if err != nil {
			return err
		}
		now := s.now().UTC().Format(time.RFC3339)
		// The tasks are draw_tasks' rows; the draw column keeps what the
		// plan fixed (item, agency, count, the lists' fingerprint).
		if _, err := tx.ExecContext(ctx, `UPDATE draws SET status = ?, plan = ?, drawn_at = ? WHERE id = ?`,
			DrawDrawn, string(planJSON), now, id); err != nil {
			return err
		}
		for i, pk := range picks {
			a, b := pk.Inspectors[0], pk.Inspectors[1]
			if _, err := tx.ExecContext(ctx, `INSERT INTO draw_tasks (draw, n, target, cert_a, cert_b, person_a, person_b, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, i+1, pk.Target.ID, a.CertNo, b.CertNo, a.Person, b.Person, p.Due); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rec, err
	}
	return s.plan(ctx, s.db, id)
}

// planned reads a plan still to be drawn, in tx, holding the draws' lock:
// ErrNoDraw for another agency's (agency, when not "", is the only one it
// may be of: they learn nothing of others'), ErrNotPlanned once drawn or
// cancelled.
func (s *Server) planned(ctx context.Context, tx *sqldb.Tx, agency string, id int64) (PlanRecord, error) {
	if err := tx.Lock(ctx, "draw"); err != nil {
		return PlanRecord{}, err
	}
	cur, err := s.plan(ctx, tx, id)
	if err != nil {
		return cur, err
	}
	if agency != "" && cur.Plan.Agency != agency {
		return cur, ErrNoDraw
	}
	if cur.Status != DrawPlanned {
		return cur, ErrNotPlanned
	}
	return cur, nil
}

// CancelPlan cancels a planned draw, for a reason shown on its public
// page (a plan made again to fish for another draw shows).
func (s *Server) CancelPlan(ctx context.Context, agency string, id int64, reason, by string) (err error) {
	defer wrap.Err(&err, "cancel draw %d", id)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrNeedReason
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		cur, err := s.planned(ctx, tx, agency, id)
		if err != nil {
			return err
		}
		p := cur.Plan
		p.Cancelled, p.CancelledBy = reason, by
		planJSON, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE draws SET status = ?, plan = ? WHERE id = ?`, DrawCancelled, string(planJSON), id)
		return err
	})
}

// tasksOf reads tasks (where: a WHERE clause with its arguments).
func (s *Server) tasksOf(ctx context.Context, q querier, where string, args ...any) ([]DrawTask, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.draw, t.n, t.target, t.cert_a, t.cert_b, t.person_a, t.person_b, t.due, t.device, t.claimed_by,
		t.claimed_at, t.case_id, t.result, t.result_at, d.lists FROM draw_tasks t JOIN draws d ON d.id = t.draw `+where+` ORDER BY t.draw, t.n`, args...)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	defer rows.Close()
	var out []DrawTask
	lists := map[int64]draw.Lists{}
	for rows.Next() {
		var t DrawTask
		var target, ca, cb, pa, pb, listsJSON string
		if err := rows.Scan(&t.Draw, &t.N, &target, &ca, &cb, &pa, &pb, &t.Due, &t.Device, &t.ClaimedBy, &t.ClaimedAt, &t.CaseID, &t.Result, &t.ResultAt, &listsJSON); err != nil {
			return nil, fmt.Errorf("tasks: %w", err)
		}
		l, ok := lists[t.Draw]
		if !ok {
			if err := json.Unmarshal([]byte(listsJSON), &l); err != nil {
				return nil, fmt.Errorf("tasks of draw %d: %w", t.Draw, err)
			}
			lists[t.Draw] = l
		}
		t.Target = draw.Target{ID: target, Name: target}
		for _, x := range l.Targets {
			if x.ID == target {
				t.Target = x
			}
		}
		for _, c := range [][2]string{{ca, pa}, {cb, pb}} {
			o := draw.Inspector{CertNo: c[0], Person: c[1]}
			for _, x := range l.Inspectors {
				if x.CertNo == c[0] {
					o = x
				}
			}
			t.Inspectors = append(t.Inspectors, o)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TasksFor are the drawn tasks an officer (by certificate number) is one
// of the two inspectors of and that have no result yet, with the draw's
// item for the desk.
func (s *Server) TasksFor(ctx context.Context, certNo string) (_ []api.Task, err error) {
	defer wrap.Err(&err, "tasks of %s", certNo)
	if err := s.DrawDue(ctx); err != nil {
		return nil, err
	}
	tasks, err := s.tasksOf(ctx, s.db, `WHERE (t.cert_a = ? OR t.cert_b = ?) AND t.result = '' AND d.status = ?`, certNo, certNo, DrawDrawn)
	if err != nil {
		return nil, err
	}
	out := []api.Task{}
	plans := map[int64]Plan{} // an officer's tasks come from few draws
	for _, t := range tasks {
		p, ok := plans[t.Draw]
		if !ok {
			if p, err = planOf(ctx, s.db, t.Draw); err != nil {
				return nil, err
			}
			plans[t.Draw] = p
		}
		out = append(out, taskWire(p, t))
	}
	return out, nil
}

// planOf reads what a draw's plan decided (its item and agency for a
// task), without its lists and tasks.
func planOf(ctx context.Context, q querier, id int64) (p Plan, err error) {
	var data string
	if err := q.QueryRowContext(ctx, `SELECT plan FROM draws WHERE id = ?`, id).Scan(&data); err != nil {
		return p, fmt.Errorf("plan of draw %d: %w", id, err)
	}
	return p, json.Unmarshal([]byte(data), &p)
}

func taskWire(p Plan, t DrawTask) api.Task {
	w := api.Task{ID: t.ID(), Draw: t.Draw, N: t.N, Item: p.Item, ItemName: p.ItemName, Agency: p.Agency, Due: t.Due,
		Target: api.TaskTarget{ID: t.Target.ID, Name: t.Target.Name, Unit: t.Target.Unit, Address: t.Target.Address},
		Device: t.Device, ClaimedBy: t.ClaimedBy, CaseID: t.CaseID}
	for _, o := range t.Inspectors {
		w.Inspectors = append(w.Inspectors, api.TaskInspector{CertNo: o.CertNo, Name: o.Name, Person: o.Person})
	}
	return w
}

// ClaimTask takes a task up on a device for one of its inspectors (the
// first of the pair's desks to sync): it is the device where the case is
// opened. Claiming again from the same device answers the same; another
// device's claim is ErrTaskClaimed.
func (s *Server) ClaimTask(ctx context.Context, id, device, certNo string) (out api.Task, err error) {
	defer wrap.Err(&err, "claim task %s", id)
	drawID, n, ok := ParseTaskID(id)
	if !ok {
		return out, ErrNoTask
	}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.Lock(ctx, "draw"); err != nil {
			return err
		}
		ts, err := s.tasksOf(ctx, tx, `WHERE t.draw = ? AND t.n = ?`, drawID, n)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return ErrNoTask
		}
		t := ts[0]
		if t.Inspectors[0].CertNo != certNo && t.Inspectors[1].CertNo != certNo {
			return ErrNotAssigned
		}
		switch {
		case t.Device == device:
		case t.Device != "":
			out = taskWire(Plan{}, t)
			return ErrTaskClaimed
		default:
			t.Device, t.ClaimedBy, t.ClaimedAt = device, certNo, s.now().UTC().Format(time.RFC3339)
			if _, err := tx.ExecContext(ctx, `UPDATE draw_tasks SET device = ?, claimed_by = ?, claimed_at = ? WHERE draw = ? AND n = ?`,
				t.Device, t.ClaimedBy, t.ClaimedAt, drawID, n); err != nil {
				return err
			}
		}
		p, err := planOf(ctx, tx, drawID)
		out = taskWire(p, t)
		return err
	})
	return out, err
}

// ConflictEntry is one declared conflict in an agency's register.
type ConflictEntry struct {
	Agency string `json:"agency"`
	CertNo string `json:"cert_no"`
	Target string `json:"target"`
	Reason string `json:"reason"`
	At     string `json:"at"`
	By     string `json:"by"`
}

// Conflicts is an agency's register of declared conflicts ("" for all).
func (s *Server) Conflicts(ctx context.Context, agency string) (_ []ConflictEntry, err error) {
	defer wrap.Err(&err, "conflicts of %s", agency)
	rows, err := s.db.QueryContext(ctx, `SELECT agency, cert_no, target, reason, at, by_admin FROM draw_conflicts WHERE ? = '' OR agency = ? ORDER BY agency, cert_no, target`, agency, agency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConflictEntry
	for rows.Next() {
		var c ConflictEntry
		if err := rows.Scan(&c.Agency, &c.CertNo, &c.Target, &c.Reason, &c.At, &c.By); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeclareConflict adds a conflict to an agency's register (or replaces
// its reason): the officer must be a certified officer of the agency.
func (s *Server) DeclareConflict(ctx context.Context, c ConflictEntry) (err error) {
	defer wrap.Err(&err, "declare a conflict of %s", c.CertNo)
	c.CertNo, c.Target, c.Reason = strings.TrimSpace(c.CertNo), strings.TrimSpace(c.Target), strings.TrimSpace(c.Reason)
	officers, err := s.certified(ctx, c.Agency)
	if err != nil {
		return err
	}
	if c.Target == "" || c.Reason == "" || !slices.ContainsFunc(officers, func(o catalog.Officer) bool { return o.CertNo == c.CertNo }) {
		return ErrBadConflict
	}
	c.At = s.now().UTC().Format(time.RFC3339)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM draw_conflicts WHERE agency = ? AND cert_no = ? AND target = ?`, c.Agency, c.CertNo, c.Target); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO draw_conflicts (agency, cert_no, target, reason, at, by_admin) VALUES (?, ?, ?, ?, ?, ?)`,
		c.Agency, c.CertNo, c.Target, c.Reason, c.At, c.By)
	return err
}

// WithdrawConflict removes a conflict from an agency's register.
func (s *Server) WithdrawConflict(ctx context.Context, agency, certNo, target string) (err error) {
	defer wrap.Err(&err, "withdraw a conflict of %s", certNo)
	_, err = s.db.ExecContext(ctx, `DELETE FROM draw_conflicts WHERE agency = ? AND cert_no = ? AND target = ?`, agency, certNo, target)
	return err
}
