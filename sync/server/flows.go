package server

import (
	"context"

	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
)

// reviewRules are the agencies' review policies as the platform holds
// them and the bundled checklists: what the legal review's flowchart
// (/p/flows/review) draws.
func (s *Server) reviewRules(ctx context.Context) (_ review.Policies, _ map[string]review.Checklist, err error) {
	defer wrap.Err(&err, "review rules for the flowchart")
	svc, err := s.reviewService(ctx)
	if err != nil {
		return nil, nil, err
	}
	cls, err := review.Checklists()
	if err != nil {
		return nil, nil, err
	}
	return svc.Policies, cls, nil
}
