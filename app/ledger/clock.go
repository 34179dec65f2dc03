package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrClockBehind refuses an append while the device's clock is behind the
// newest record of its log, or behind the platform's time in the newest
// receipt it kept, by more than the tolerance: a record stamped then
// would be dated before what the log, or the platform, already knows
// happened. The error is a *ClockBehindError, which says by how much.
var ErrClockBehind = errors.New("the device clock is behind the log's last record or the platform's last receipt")

// DefaultClockTolerance is how far the clock may be behind before appends
// are refused. Clocks kept by NTP (or Windows Time) agree within seconds;
// two minutes covers a clock that drifted between synchronisations and a
// platform a little ahead, and still catches what matters: a clock set
// back by hours, days or years, or a dead battery that resets it.
const DefaultClockTolerance = 2 * time.Minute

// What a clock is behind.
const (
	BehindRecord  = "record"  // the log's newest record
	BehindReceipt = "receipt" // the platform's time in the newest receipt
)

// ClockBehindError is ErrClockBehind with its figures.
type ClockBehindError struct {
	Clock time.Time // the device's clock
	Ref   time.Time // the time it is behind
	What  string    // BehindRecord or BehindReceipt
}

func (e *ClockBehindError) Error() string {
	return fmt.Sprintf("%v: clock %s, %s %s (%s behind)", ErrClockBehind,
		e.Clock.UTC().Format(time.RFC3339), e.What, e.Ref.UTC().Format(time.RFC3339), e.Behind())
}

// Is makes errors.Is(err, ErrClockBehind) hold.
func (e *ClockBehindError) Is(target error) bool { return target == ErrClockBehind }

// Behind is how far the clock is behind, to the second.
func (e *ClockBehindError) Behind() time.Duration { return e.Ref.Sub(e.Clock).Truncate(time.Second) }

// SeedHistory writes records at the times now gives, in any order, without
// the clock check: demo seeds write a month of history backwards and
// forwards. A nil now ends it: the real clock, checked again.
func (l *Log) SeedHistory(now func() time.Time) {
	if now == nil {
		l.now, l.seeding = time.Now, false
		return
	}
	l.now, l.seeding = now, true
}

// checkClock is the clock check of an append, in its transaction.
func (l *Log) checkClock(ctx context.Context, tx *sql.Tx) error {
	if l.seeding {
		return nil
	}
	var last, receipt sql.NullString
	if err := tx.StmtContext(ctx, l.stmt.clock).QueryRowContext(ctx).Scan(&last, &receipt); err != nil {
		return fmt.Errorf("append: clock check: %w", err)
	}
	tolerance := l.opt.ClockTolerance
	if tolerance <= 0 {
		tolerance = DefaultClockTolerance
	}
	clock := l.now()
	for _, ref := range []struct {
		at   sql.NullString
		what string
	}{{receipt, BehindReceipt}, {last, BehindRecord}} {
		if !ref.at.Valid {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, ref.at.String)
		if err != nil {
			return fmt.Errorf("append: clock check: %s time %q: %w", ref.what, ref.at.String, err)
		}
		if clock.Add(tolerance).Before(t) {
			return &ClockBehindError{Clock: clock, Ref: t, What: ref.what}
		}
	}
	return nil
}
