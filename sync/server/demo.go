package server

import (
	"context"

	"github.com/sanxiang-desk/sanxiang/app/account"
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
	return nil
}
