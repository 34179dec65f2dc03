package server

import (
	"context"

	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
)

// witnessing is the intake's witness policy from the options, handing
// each cosigned note to OnCosigned as it stands when the note is kept.
func (s *Server) witnessing(o Options) *intake.Witnessing {
	if o.Witnesses == nil {
		return nil
	}
	return &intake.Witnessing{Policy: *o.Witnesses, Retry: o.WitnessRetry,
		OnCosigned: func(ctx context.Context, device string, size int64, note []byte) {
			if f := s.OnCosigned; f != nil {
				f(ctx, device, size, note)
			}
		}}
}

// WitnessRound asks lagging witnesses now (tests; the loop does it on its own).
func (s *Server) WitnessRound(ctx context.Context) error { return s.intake.WitnessRound(ctx) }
