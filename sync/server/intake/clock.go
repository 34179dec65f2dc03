package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// ClockPolicy is how far a record's own time (the device's clock) may be
// from what the platform knows before the record is flagged. A flagged
// record is kept — it is signed, and history is history — but raised as
// an alert of its kind, and supervision judges it by its arrival.
type ClockPolicy struct {
	// Future is how far after its arrival a record may be dated. Devices
	// and the platform keep NTP time within seconds, and a record cannot
	// be written after it is sent: five minutes (the window the platform
	// already gives a person's signed request, api.PersonWindow) allows
	// drift and nothing else.
	Future time.Duration
	// Past is how long before its arrival a record may be dated. Officer
	// desks work offline and sync when a network is there (every ten
	// minutes while one is); an inspection in a township without coverage,
	// or a laptop left in a drawer over a holiday, explains days or weeks,
	// not more. Thirty days allows a month of offline work; older records
	// arriving for the first time are what backdating looks like.
	Past time.Duration
	// Tolerance is how far before the device's last receipt a new record
	// may be dated: the device's own rule (ledger.DefaultClockTolerance)
	// refuses to append further behind, so only a device whose software
	// or clock was tampered with gets past it.
	Tolerance time.Duration
}

// The defaults of ClockPolicy.
const (
	DefaultClockFuture = 5 * time.Minute
	DefaultClockPast   = 30 * 24 * time.Hour
)

func (p ClockPolicy) withDefaults() ClockPolicy {
	if p.Future <= 0 {
		p.Future = DefaultClockFuture
	}
	if p.Past <= 0 {
		p.Past = DefaultClockPast
	}
	if p.Tolerance <= 0 {
		p.Tolerance = ledger.DefaultClockTolerance
	}
	return p
}

// Kinds of clock flag, which are also the kinds of their alerts.
const (
	ClockBackdated = "clock_backdated" // dated before the device's last receipt
	ClockFuture    = "clock_future"    // dated too far after its arrival
	ClockStale     = "clock_stale"     // dated too long before its arrival
)

// clockFlag is one flagged record of a push.
type clockFlag struct {
	kind             string
	seq              int64
	at, ref, arrived time.Time // ref: the last receipt's time, or the arrival
}

// checkClock flags the records of a push whose time the platform doubts,
// in the push's transaction: before the device's last receipt (the time
// the platform signed; a record written after it cannot be older), or too
// far from their arrival either way (ClockPolicy). Flags are kept in
// clock_flags; the alerts are raised after the push commits.
func (s *Intake) checkClock(ctx context.Context, tx *dbTx, device string, records []casefile.Record, arrived time.Time) ([]clockFlag, error) {
	if len(records) == 0 {
		return nil, nil
	}
	p := s.clock.withDefaults()
	var last time.Time
	var received string
	err := tx.QueryRowContext(ctx, `SELECT received FROM receipts WHERE device = ? ORDER BY size DESC LIMIT 1`, device).Scan(&received)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("clock check: last receipt: %w", err)
	default:
		if last, err = time.Parse(time.RFC3339, received); err != nil {
			return nil, fmt.Errorf("clock check: last receipt time %q: %w", received, err)
		}
	}
	var flags []clockFlag
	for _, r := range records {
		f := clockFlag{seq: r.Seq, at: r.At, arrived: arrived, ref: arrived}
		switch {
		case !last.IsZero() && r.At.Before(last.Add(-p.Tolerance)):
			f.kind, f.ref = ClockBackdated, last
		case r.At.After(arrived.Add(p.Future)):
			f.kind = ClockFuture
		case r.At.Before(arrived.Add(-p.Past)):
			f.kind = ClockStale
		default:
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO clock_flags (device, seq, kind, at, arrived, ref) VALUES (?, ?, ?, ?, ?, ?)`,
			device, r.Seq, f.kind, r.At.UTC().Format(time.RFC3339Nano), arrived.Format(time.RFC3339), f.ref.UTC().Format(time.RFC3339)); err != nil {
			return nil, fmt.Errorf("clock check: flag record %d: %w", r.Seq, err)
		}
		flags = append(flags, f)
	}
	return flags, nil
}

// alertClock raises a push's clock flags as alerts: one for each run of
// records of one kind.
func (s *Intake) alertClock(ctx context.Context, device string, flags []clockFlag) {
	for i := 0; i < len(flags); {
		j := i + 1
		for j < len(flags) && flags[j].kind == flags[i].kind && flags[j].seq == flags[j-1].seq+1 {
			j++
		}
		f := flags[i]
		s.Alert(ctx, device, f.kind, words.L("platform.alert."+f.kind, map[string]any{
			"First": f.seq, "Last": flags[j-1].seq, "At": f.at.UTC().Format(time.RFC3339),
			"Ref": f.ref.UTC().Format(time.RFC3339), "Arrived": f.arrived.UTC().Format(time.RFC3339),
			"Off": f.arrived.Sub(f.at).Round(time.Second).String()}))
		i = j
	}
}

// ClockFlags is what the platform flagged of a device's record times:
// each flagged record's seq, with its arrival, by which it is judged.
func (s *Intake) ClockFlags(ctx context.Context, device string) (map[int64]time.Time, error) {
	return s.clockFlagsIn(ctx, device, 0, math.MaxInt64)
}

// clockFlagsIn is ClockFlags for the records lo to hi of the device's log.
func (s *Intake) clockFlagsIn(ctx context.Context, device string, lo, hi int64) (map[int64]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, arrived FROM clock_flags WHERE device = ? AND seq >= ? AND seq <= ?`, device, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("clock flags of %s: %w", device, err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var seq int64
		var at string
		if err := rows.Scan(&seq, &at); err != nil {
			return nil, fmt.Errorf("clock flags of %s: %w", device, err)
		}
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, fmt.Errorf("clock flags of %s: record %d: %w", device, seq, err)
		}
		out[seq] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clock flags of %s: %w", device, err)
	}
	return out, nil
}

// JudgedCaseAt is a case as supervision judges it: CaseAt, but each
// record whose time the platform flagged (its device's clock is suspect)
// carries its arrival on the platform instead of the time the device
// gave it, so that a backdated record cannot meet a deadline it missed.
// The records' bytes and signatures are untouched; only the judgement
// reads the platform's time.
func (s *Intake) JudgedCaseAt(ctx context.Context, device, id string, seq int64) (*casefile.Case, error) {
	c, err := s.caseAt(ctx, device, id, seq)
	if err != nil {
		return nil, err
	}
	// The flags of the case's own records only: one range of each
	// device's log (a case may hold records of a device it was handed
	// over from), not every flag the device ever had.
	span := map[string][2]int64{}
	for _, r := range c.Records {
		dev := r.Device
		if dev == "" {
			dev = device
		}
		sp, ok := span[dev]
		if !ok {
			sp = [2]int64{r.Seq, r.Seq}
		}
		span[dev] = [2]int64{min(sp[0], r.Seq), max(sp[1], r.Seq)}
	}
	flagged := map[string]map[int64]time.Time{}
	for dev, sp := range span {
		if flagged[dev], err = s.clockFlagsIn(ctx, dev, sp[0], sp[1]); err != nil {
			return nil, err
		}
	}
	judged := false
	recs := make([]casefile.Record, len(c.Records))
	for i, r := range c.Records {
		dev := r.Device
		if dev == "" {
			dev = device
		}
		if at, ok := flagged[dev][r.Seq]; ok {
			r.At, judged = at, true
		}
		recs[i] = r
	}
	if !judged {
		return c, nil
	}
	jc, err := casefile.CaseOf(id, recs)
	if err != nil {
		return nil, fmt.Errorf("judge case %s by arrival: %w", id, err)
	}
	return jc, nil
}
