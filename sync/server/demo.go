package server

import (
	"context"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// LoadDemo gives an empty platform the demo city: its public lists, each
// agency's major-decision list and the registry of its legal reviewers.
// It publishes nothing if the catalog already holds something.
func (s *Server) LoadDemo(ctx context.Context) error {
	ch, err := s.Changes(ctx, 0, 1)
	if err != nil || len(ch.Changes) > 0 {
		return err
	}
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		return err
	}
	ds.Results = nil // published by the draw below, as the platform's own
	if err := s.Publish(ctx, ds.AllItems(), ds.Agencies); err != nil {
		return err
	}
	pols, err := demo.Policies()
	if err != nil {
		return err
	}
	if err := s.SetPolicies(ctx, pols); err != nil {
		return err
	}
	for _, a := range demo.Accounts(ds) {
		if a.Role == account.RoleReviewer {
			if err := s.SetReviewer(ctx, a.Agency, review.Reviewer{ID: a.ID, Name: a.Name, Qualification: a.Qualification}); err != nil {
				return err
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
				return err
			}
		}
	}
	return s.demoDraw(ctx, ds)
}

// demoDraw makes the demo's random inspection as the platform's own draw
// and publishes its results.
func (s *Server) demoDraw(ctx context.Context, ds *catalog.Dataset) error {
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
			return err
		}
	}
	return nil
}
