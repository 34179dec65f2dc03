// Package demoload gives an empty platform the demo city. It is the only
// package of the platform that reads app/demo: a real city's platform never
// holds the fictional city's lists unless asked to (--demo).
package demoload

import (
	"context"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Load gives an empty platform the demo city: its agencies and people
// (officers, legal reviewers, window staff) through the people's import
// from the files in assets/demo, as a real city's would come, its other
// public lists, each agency's major-decision list and its A/V lists, and
// the demo city's recovery key (demo.RecoveryPublic, a signed note). It
// loads nothing if the catalog already holds something.
func Load(ctx context.Context, s *server.Server) error {
	ch, err := s.Changes(ctx, 0, 1)
	if err != nil {
		return fmt.Errorf("load demo: read the catalog: %w", err)
	}
	if len(ch.Changes) > 0 {
		return nil
	}
	for _, name := range []string{"agencies.csv", "people.csv"} {
		data, err := assets.Demo.ReadFile("demo/" + name)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		if _, err := s.People().Import(ctx, name, data); err != nil {
			return fmt.Errorf("load demo: import %s: %w", name, err)
		}
	}
	if err := Portraits(ctx, s); err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	ds.Results = nil // published by the draw below, as the platform's own
	var items []catalog.Item
	for _, it := range ds.AllItems() {
		if it.Kind() != catalog.KindOfficer { // imported with the people
			items = append(items, it)
		}
	}
	if err := s.Publish(ctx, items, nil); err != nil {
		return fmt.Errorf("load demo: publish the lists: %w", err)
	}
	pols, err := demo.Policies()
	if err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	if err := s.SetPolicies(ctx, pols); err != nil {
		return fmt.Errorf("load demo: major-decision lists: %w", err)
	}
	av, err := demo.AVList()
	if err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	if err := s.SetAVLists(ctx, av); err != nil {
		return fmt.Errorf("load demo: A/V lists: %w", err)
	}
	if _, err := s.AddRecoveryKey(ctx, demo.RecoveryPublic); err != nil {
		return fmt.Errorf("load demo: the demo recovery key: %w", err)
	}
	return demoDraw(ctx, s, ds)
}

// demoInspectors are the pool of the demo's drawn plan: the demo's officer
// (README) and a colleague, so that the tasks reach the demo's desk.
var demoInspectors = []string{"990101000001", "990101000002"}

// Plans gives the demo platform its draws as an agency plans them in the
// console (version 2), dated from today: one drawn, whose tasks reach the
// demo officers' desks at their next sync, and one still planned for
// tomorrow, whose page shows only the hash of its seed. Load leaves them
// out (tests that load the demo city plan their own draws); the demo's
// platform adds them, once: not where any plan is kept.
func Plans(ctx context.Context, s *server.Server) error {
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		return fmt.Errorf("demo plans: %w", err)
	}
	plan := demo.InspectionDraw(ds)
	if plan.Item == "" {
		return nil
	}
	if have, err := s.Plans(ctx, ""); err != nil || len(have) > 0 {
		return err // planned already: once is the demo's
	}
	var targets []draw.Target
	for i, name := range plan.Targets {
		targets = append(targets, draw.Target{ID: fmt.Sprintf("92350102MA%08d", i+1), Name: name,
			Address: fmt.Sprintf("%s%d号", []string{"明湖路", "松川大道", "云台街"}[i%3], 10+i*7)})
	}
	now := time.Now()
	drawn, err := s.NewPlan(ctx, "", server.Plan{Item: plan.Item, Count: 3, Due: now.AddDate(0, 0, 14).Format(time.DateOnly),
		By: "demo", Note: "2026年第四季度食品经营者双随机抽查"}, targets, demoInspectors)
	if err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}
	if _, err := s.MakeDraw(ctx, "", drawn.ID, "", "demo"); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, time.Local)
	if _, err := s.NewPlan(ctx, "", server.Plan{Item: plan.Item, Share: 20, DrawAt: tomorrow.Format(time.RFC3339),
		Due: tomorrow.AddDate(0, 1, 0).Format(time.DateOnly), By: "demo", Note: "2027年第一季度食品经营者双随机抽查"}, targets, nil); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}
	return nil
}

// demoDraw makes the demo's random inspection as the platform's own draw
// and publishes its results.
func demoDraw(ctx context.Context, s *server.Server, ds *catalog.Dataset) error {
	plan := demo.InspectionDraw(ds)
	if plan.Item == "" {
		return nil
	}
	rec, err := s.NewDraw(ctx, plan.Item, plan.Count, plan.Seed, plan.Targets)
	if err != nil {
		return fmt.Errorf("demo draw: %w", err)
	}
	for i, result := range plan.Results {
		if err := s.SetDrawResult(ctx, rec.ID, rec.Draw.Tasks[i].Target, result); err != nil {
			return fmt.Errorf("demo draw: result %d: %w", i+1, err)
		}
	}
	return nil
}
