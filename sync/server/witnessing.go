package server

import (
	"context"

	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
)

// witnessing is the intake's witness policy from the options, having
// each cosigned note time-stamped and handing it to OnCosigned as it
// stands when the note is kept.
func (s *Server) witnessing(o Options) *intake.Witnessing {
	if o.Witnesses == nil {
		return nil
	}
	stamp := s.stampNote("cosigned checkpoint")
	return &intake.Witnessing{Policy: *o.Witnesses, Retry: o.WitnessRetry,
		OnCosigned: func(ctx context.Context, device string, size int64, note []byte) {
			stamp(ctx, device, size, note) // each cosigned checkpoint gets its RFC 3161 token
			if f := s.OnCosigned; f != nil {
				f(ctx, device, size, note)
			}
		}}
}

// WitnessRound asks lagging witnesses now (tests; the loop does it on its own).
func (s *Server) WitnessRound(ctx context.Context) error { return s.intake.WitnessRound(ctx) }
