// Package demoload gives an empty platform the demo city. It is the only
// package of the platform that reads app/demo: a real city's platform never
// holds the fictional city's lists unless asked to (--demo).
package demoload

import (
	"context"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Load gives an empty platform the demo city: its agencies and people
// (officers, legal reviewers, window staff) through the people's import
// from the files in assets/demo, as a real city's would come, its other
// public lists, each agency's major-decision list and its A/V lists. It
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
	return demoDraw(ctx, s, ds)
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
