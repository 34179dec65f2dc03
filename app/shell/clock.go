package shell

import (
	"errors"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// ClockError says, in people's words, that the device's clock is behind
// its log (ledger.ErrClockBehind): by how much, behind what, and to set
// the clock right; "" for any other error. Every mode that appends
// records shows it where the append was asked for.
func ClockError(err error) string {
	var cb *ledger.ClockBehindError
	if !errors.As(err, &cb) {
		return ""
	}
	what := L("clock.behind_record")
	if cb.What == ledger.BehindReceipt {
		what = L("clock.behind_receipt")
	}
	return L("clock.err_behind", map[string]any{"What": what, "Behind": Span(cb.Behind())})
}

// Span words a duration for people, to the minute: days and hours, hours
// and minutes, or minutes.
func Span(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return L("clock.span_days", map[string]any{"D": days, "H": hours})
	case hours > 0:
		return L("clock.span_hours", map[string]any{"H": hours, "M": mins})
	}
	return L("clock.span_minutes", map[string]any{"M": max(mins, 1)})
}
