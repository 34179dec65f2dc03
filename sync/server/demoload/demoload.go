// Package demoload gives an empty platform the demo city. It is the only
// package of the platform that reads app/demo: a real city's platform never
// holds the fictional city's lists unless asked to (--demo).
package demoload

import (
	"context"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Load gives an empty platform the demo city: its public lists, each
// agency's major-decision list and the registry of its legal reviewers.
// It publishes nothing if the catalog already holds something.
func Load(ctx context.Context, s *server.Server) error {
	ch, err := s.Changes(ctx, 0, 1)
	if err != nil {
		return fmt.Errorf("load demo: read the catalog: %w", err)
	}
	if len(ch.Changes) > 0 {
		return nil
	}
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	ds.Results = nil // published by the draw below, as the platform's own
	if err := s.Publish(ctx, ds.AllItems(), ds.Agencies); err != nil {
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
	for _, a := range demo.Accounts(ds) {
		if a.Role == account.RoleReviewer {
			if err := s.SetReviewer(ctx, a.Agency, review.Reviewer{ID: a.ID, Name: a.Name, Qualification: a.Qualification}); err != nil {
				return fmt.Errorf("load demo: reviewer %s: %w", a.ID, err)
			}
		}
	}
	// Each agency but the last has a second legal reviewer in the registry
	// (a certified officer with no account on the demo device), so the
	// staffing chart shows agencies at the guideline's 5 % and one below.
	taken := map[string]int{}
	for _, o := range ds.Officers {
		if o.Status != catalog.CertValid || o.AgencyCode == ds.Agencies[len(ds.Agencies)-1].Code {
			continue
		}
		if taken[o.AgencyCode]++; taken[o.AgencyCode] == 5 { // the first four have demo accounts
			if err := s.SetReviewer(ctx, o.AgencyCode, review.Reviewer{ID: o.CertNo, Name: o.Name, Qualification: "legal_professional"}); err != nil {
				return fmt.Errorf("load demo: reviewer %s: %w", o.CertNo, err)
			}
		}
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
