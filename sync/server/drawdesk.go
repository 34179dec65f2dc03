package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
)

// drawDesk gives the console the plans and draws (双随机), the items and
// officers its plan form offers, and the register of conflicts; this
// package's errors reach it as *console.DrawError with their codes.
type drawDesk struct{ s *Server }

var _ console.Draws = drawDesk{}

// drawCodes are the console's codes of the refusals an administrator can
// mend, first match wins.
var drawCodes = []struct {
	err  error
	code string
}{
	{ErrNoDraw, "not_found"},
	{ErrPlanItem, "plan_item"},
	{ErrPlanAgency, "plan_agency"},
	{ErrPlanDue, "plan_due"},
	{ErrPlanDrawAt, "plan_draw_at"},
	{ErrPlanCount, "plan_count"},
	{draw.ErrCount, "plan_count"},
	{ErrNotInPool, "not_in_pool"},
	{draw.ErrPool, "pool"},
	{draw.ErrPoolTwice, "pool"},
	{draw.ErrNoPair, "no_pair"},
	{ErrNotPlanned, "not_planned"},
	{ErrTooEarly, "too_early"},
	{ErrNeedReason, "need_reason"},
	{ErrBadConflict, "bad_conflict"},
	{draw.ErrNoTargets, console.TargetsEmpty},
	{draw.ErrTargetID, console.TargetsNoName},
	{draw.ErrDuplicate, console.TargetsDuplicate},
}

func drawError(err error) error {
	for _, c := range drawCodes {
		if errors.Is(err, c.err) {
			return &console.DrawError{Code: c.code, Err: err}
		}
	}
	return err
}

func consolePlan(rec PlanRecord) console.DrawPlan {
	p := rec.Plan
	out := console.DrawPlan{ID: rec.ID, Status: rec.Status, Item: p.Item, ItemName: p.ItemName, Agency: p.Agency, Count: p.Count, Share: p.Share,
		DrawAt: p.DrawAt, Due: p.Due, By: p.By, Note: p.Note, TargetsFile: p.TargetsFile, TargetsSHA: p.TargetsSHA, PlannedAt: p.PlannedAt,
		Cancelled: p.Cancelled, CancelledBy: p.CancelledBy, Witness: p.Witness, WitnessBy: p.WitnessBy, DrawnBy: p.DrawnBy, DrawnAt: rec.DrawnAt,
		Commit: rec.Commit, Seed: rec.Seed, ListsSHA: rec.Lists.SHA(), Targets: len(rec.Lists.Targets), Pool: len(rec.Lists.Inspectors),
		Conflicts: len(rec.Lists.Conflicts)}
	return out
}

func (d drawDesk) withTasks(rec PlanRecord) console.DrawPlan {
	out := consolePlan(rec)
	now := d.s.now()
	for _, t := range rec.Tasks {
		ct := console.DrawTask{ID: t.ID(), Target: t.Target, Inspectors: t.Inspectors, Due: t.Due, Device: t.Device, ClaimedBy: t.ClaimedBy,
			ClaimedAt: t.ClaimedAt, CaseID: t.CaseID, Result: t.Result, ResultAt: t.ResultAt, Overdue: t.Overdue(now), ClaimedName: t.ClaimedBy}
		if i := slices.IndexFunc(t.Inspectors, func(o draw.Inspector) bool { return o.CertNo == t.ClaimedBy }); i >= 0 {
			ct.ClaimedName = t.Inspectors[i].Name
		}
		switch {
		case ct.Result != "":
			out.Done++
		case ct.Device == "":
			out.Unassigned++
		}
		if ct.Overdue {
			out.Overdue++
		}
		out.Tasks = append(out.Tasks, ct)
	}
	return out
}

func (d drawDesk) Plans(ctx context.Context, agency string) ([]console.DrawPlan, error) {
	list, err := d.s.Plans(ctx, agency)
	out := make([]console.DrawPlan, 0, len(list))
	for _, rec := range list {
		out = append(out, d.withTasks(rec))
	}
	return out, err
}

func (d drawDesk) Plan(ctx context.Context, id int64) (console.DrawPlan, error) {
	rec, err := d.s.Plan(ctx, id)
	if err != nil {
		return console.DrawPlan{}, drawError(err)
	}
	return d.withTasks(rec), nil
}

func (d drawDesk) NewPlan(ctx context.Context, scope string, p console.NewDrawPlan) (console.DrawPlan, error) {
	plan := Plan{Item: p.Item, Count: p.Count, Share: p.Share, DrawAt: p.DrawAt, Due: p.Due, By: p.By, Note: p.Note,
		TargetsFile: p.TargetsFile, TargetsSHA: p.TargetsSHA}
	// The form lists every officer an administrator may choose (the
	// city's office: of every agency); the pool is those of the item's.
	pool := p.Pool
	if it, err := d.s.Item(ctx, catalog.KindInspection, p.Item); err == nil {
		agency, _ := it["agency"].(string)
		officers, err := d.s.certified(ctx, agency)
		if err != nil {
			return console.DrawPlan{}, err
		}
		if scope == "" {
			pool = slices.DeleteFunc(slices.Clone(pool), func(c string) bool {
				return !slices.ContainsFunc(officers, func(o catalog.Officer) bool { return o.CertNo == c })
			})
		}
		if len(pool) == 0 {
			return console.DrawPlan{}, drawError(draw.ErrPool)
		}
	}
	rec, err := d.s.NewPlan(ctx, scope, plan, p.Targets, pool)
	if err != nil {
		return console.DrawPlan{}, drawError(err)
	}
	return d.withTasks(rec), nil
}

func (d drawDesk) Draw(ctx context.Context, scope string, id int64, witness, by string) (console.DrawPlan, error) {
	rec, err := d.s.MakeDraw(ctx, scope, id, witness, by)
	if err != nil {
		return console.DrawPlan{}, drawError(err)
	}
	return d.withTasks(rec), nil
}

func (d drawDesk) Cancel(ctx context.Context, scope string, id int64, reason, by string) error {
	return drawError(d.s.CancelPlan(ctx, scope, id, reason, by))
}

func (d drawDesk) Items(ctx context.Context, agency string) (_ []console.DrawItem, err error) {
	defer wrap.Err(&err, "inspection items of %q", agency)
	rows, err := d.s.db.QueryContext(ctx, `SELECT data FROM catalog WHERE kind = ? AND deleted = 0 ORDER BY id`, string(catalog.KindInspection))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []console.DrawItem
	for rows.Next() {
		var data string
		var it catalog.InspectionItem
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &it); err != nil {
			return nil, fmt.Errorf("item: %w", err)
		}
		if agency == "" || it.AgencyCode == agency {
			out = append(out, console.DrawItem{ID: it.ID, Name: it.Name, Agency: it.AgencyCode})
		}
	}
	return out, rows.Err()
}

// Officers are the certified officers of an agency, or of every agency
// of the lists in their order.
func (d drawDesk) Officers(ctx context.Context, agency string) ([]console.DrawOfficer, error) {
	agencies := []string{agency}
	if agency == "" {
		ags, err := d.s.Agencies(ctx)
		if err != nil {
			return nil, err
		}
		agencies = agencies[:0]
		for _, a := range ags {
			agencies = append(agencies, a.Code)
		}
	}
	var out []console.DrawOfficer
	for _, a := range agencies {
		list, err := d.s.certified(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			out = append(out, console.DrawOfficer{CertNo: o.CertNo, Name: o.Name, Unit: o.Unit, Agency: o.AgencyCode})
		}
	}
	return out, nil
}

func (d drawDesk) Conflicts(ctx context.Context, agency string) ([]console.DrawConflict, error) {
	list, err := d.s.Conflicts(ctx, agency)
	out := make([]console.DrawConflict, 0, len(list))
	for _, c := range list {
		out = append(out, console.DrawConflict(c))
	}
	return out, err
}

func (d drawDesk) DeclareConflict(ctx context.Context, c console.DrawConflict) error {
	return drawError(d.s.DeclareConflict(ctx, ConflictEntry(c)))
}

func (d drawDesk) WithdrawConflict(ctx context.Context, agency, certNo, target string) error {
	return d.s.WithdrawConflict(ctx, agency, certNo, target)
}
