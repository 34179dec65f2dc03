package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
)

// heldDesk gives the console the publications the intake held on
// arrival (issue 18, item 3), and the intake's errors as the console's.
type heldDesk struct{ s *Server }

func consoleHeld(h intake.Held) console.HeldPublication {
	out := console.HeldPublication{Decision: h.Decision, Device: h.Device, HeldAt: h.HeldAt, DeviceParty: h.DeviceParty, PlatformParty: h.PlatformParty,
		DeviceText: h.DeviceText, PlatformText: h.PlatformText, State: h.State, DecidedAt: h.DecidedAt, DecidedBy: h.DecidedBy,
		DecidedRole: h.DecidedRole, Reason: h.Reason}
	for _, sp := range h.Extra {
		out.Extra = append(out.Extra, console.HeldSpan(sp))
	}
	return out
}

func (d heldDesk) List(ctx context.Context, agency string) ([]console.HeldPublication, error) {
	list, err := d.s.intake.HeldList(ctx, agency)
	out := make([]console.HeldPublication, 0, len(list))
	for _, h := range list {
		out = append(out, consoleHeld(h))
	}
	return out, err
}

func (d heldDesk) Get(ctx context.Context, id string) (console.HeldPublication, error) {
	h, err := d.s.intake.HeldOne(ctx, id)
	return consoleHeld(h), heldError(err)
}

func (d heldDesk) Decide(ctx context.Context, id, scope, choice, actor, role, reason string) (console.HeldPublication, error) {
	h, err := d.s.intake.DecideHeld(ctx, id, scope, choice, actor, role, reason)
	return consoleHeld(h), heldError(err)
}

func heldError(err error) error {
	for _, e := range []struct{ from, to error }{
		{intake.ErrNoHeld, console.ErrNoHeld}, {intake.ErrHeldDecided, console.ErrHeldDecided},
		{intake.ErrHeldNeedReason, console.ErrNeedReason}, {intake.ErrHeldChoice, console.ErrHeldChoice},
		{intake.ErrHeldElsewhere, console.ErrOtherAgency},
	} {
		if errors.Is(err, e.from) {
			return fmt.Errorf("%w: %v", e.to, err)
		}
	}
	return err
}

// Held is the held publication of a case (the intake's row).
func (s *Server) Held(ctx context.Context, caseID string) (intake.Held, error) {
	return s.intake.HeldOne(ctx, caseID)
}
