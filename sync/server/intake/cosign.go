package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/witness"
)

// Witnessing is the platform's witness policy at work (issue 25): after
// the platform accepts a device checkpoint, each witness of the policy is
// asked to cosign it, with the consistency proof from the size that
// witness last cosigned. It runs beside the sync, never in it: a push is
// answered before any witness is asked, and a witness that is down only
// delays cosigning — the loop retries every Retry and asks for the newest
// checkpoint of each log, so a witness back up catches up in one step.
type Witnessing struct {
	Policy witness.Policy
	// Retry is how often the loop looks again for checkpoints not yet
	// cosigned by every witness (zero: 30 s).
	Retry time.Duration
	// HTTP is the client witnesses are asked with (nil: 10 s timeout).
	HTTP *http.Client
	// OnCosigned is called after each cosigned note is kept (the
	// contract with time-stamping); nil-safe.
	OnCosigned func(ctx context.Context, device string, size int64, note []byte)
}

// AlertSplitView is the alert a witness's refusal raises: it was shown a
// checkpoint of a device's log inconsistent with one it cosigned before.
const AlertSplitView = "witness_split_view"

// cosigner is the witnessing loop of one intake.
type cosigner struct {
	s    *Intake
	w    Witnessing
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex // one round at a time
	// proofs holds, by device, the consistency proof its newest checkpoint
	// sent alone came with (deviceProof).
	proofs sync.Map
}

// deviceProof is a device's own consistency proof from a witnessed size.
type deviceProof struct {
	from, size int64
	proof      []ledger.Hash
}

func (s *Intake) startWitnessing(w *Witnessing) {
	if w == nil || len(w.Policy.Witnesses) == 0 {
		return
	}
	c := &cosigner{s: s, w: *w, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if c.w.Retry <= 0 {
		c.w.Retry = 30 * time.Second
	}
	if c.w.HTTP == nil {
		c.w.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	s.cosign = c
	go c.loop()
}

func (c *cosigner) close() {
	close(c.stop)
	<-c.done
}

// offer notes a checkpoint accepted and wakes the loop: it never waits.
func (c *cosigner) offer() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *cosigner) loop() {
	defer close(c.done)
	t := time.NewTicker(c.w.Retry)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-t.C:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-c.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		if err := c.Round(ctx); err != nil {
			c.s.log.Error("witnessing round", "err", err)
		}
		cancel()
	}
}

// keepCheckpoint keeps a device checkpoint the platform accepted, for the
// witnesses; a size kept before stays as first kept.
func (s *Intake) keepCheckpoint(ctx context.Context, device string, cp ledger.Checkpoint, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO device_checkpoints (device, size, note, at) VALUES (?, ?, ?, ?) ON CONFLICT (device, size) DO NOTHING`,
		device, cp.Size, string(cp.Note), at.UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("keep checkpoint %d of %s: %w", cp.Size, device, err)
	}
	if s.cosign != nil {
		s.cosign.offer()
	}
	return nil
}

// pending is a device's newest checkpoint.
type pending struct {
	device, note, key string
	size              int64
}

// Round asks every witness that lags behind a device's newest checkpoint
// to cosign it, and keeps each note that meets the quorum.
func (c *cosigner) Round(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows, err := c.s.db.QueryContext(ctx, `SELECT d.device, d.size, d.note, v.verifier FROM device_checkpoints d JOIN devices v ON v.id = d.device
		WHERE d.size = (SELECT max(size) FROM device_checkpoints x WHERE x.device = d.device) ORDER BY d.device`)
	if err != nil {
		return fmt.Errorf("checkpoints to witness: %w", err)
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.device, &p.size, &p.note, &p.key); err != nil {
			rows.Close()
			return fmt.Errorf("checkpoints to witness: %w", err)
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("checkpoints to witness: %w", err)
	}
	var errs []error
	for _, p := range todo {
		if err := c.witnessOne(ctx, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// progress is a witness's last cosigned size of a log, with its line.
func (c *cosigner) progress(ctx context.Context, w, device string) (int64, string, error) {
	var size int64
	var line string
	err := c.s.db.QueryRowContext(ctx, `SELECT size, cosig FROM witness_progress WHERE witness = ? AND device = ?`, w, device).Scan(&size, &line)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("progress of %s on %s: %w", w, device, err)
	}
	return size, line, nil
}

// witnessOne brings each witness up to p, in parallel, and keeps the
// cosigned note if the quorum cosigned p.
func (c *cosigner) witnessOne(ctx context.Context, p pending) error {
	lines := make([][]byte, len(c.w.Policy.Witnesses))
	errs := make([]error, len(c.w.Policy.Witnesses))
	var wg sync.WaitGroup
	for i, w := range c.w.Policy.Witnesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lines[i], errs[i] = c.ask(ctx, w, p)
		}()
	}
	wg.Wait()
	var got []string
	var cosigs [][]byte
	for i, w := range c.w.Policy.Witnesses {
		if lines[i] != nil {
			got = append(got, w.Name)
			cosigs = append(cosigs, lines[i])
		}
	}
	if len(got) >= c.w.Policy.Quorum {
		if err := c.keep(ctx, p, got, witness.Merge([]byte(p.note), cosigs...)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ask has one witness cosign p (or returns the line it gave before).
func (c *cosigner) ask(ctx context.Context, w witness.Witness, p pending) ([]byte, error) {
	old, line, err := c.progress(ctx, w.Name, p.device)
	if err != nil {
		return nil, err
	}
	if old == p.size && line != "" {
		return []byte(line), nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		var proof []ledger.Hash
		if old > 0 && old < p.size {
			if proof, err = ledger.ProveTree(heldHashes{ctx, c.s.db, p.device}, p.size, old); err != nil {
				// The platform has not the records between: a checkpoint
				// sent alone, ahead of its push. The device's own proof
				// goes to the witness, which checks it; without one, the
				// push will bring the records.
				v, ok := c.proofs.Load(p.device)
				dp, _ := v.(deviceProof)
				if !ok || dp.from != old || dp.size != p.size {
					return nil, fmt.Errorf("witness %s on %s: %w", w.Name, p.device, err)
				}
				proof = dp.proof
			}
		}
		cosig, err := witness.AddCheckpoint(ctx, c.w.HTTP, w, old, proof, []byte(p.note), p.key)
		var conflict *witness.ConflictError
		switch {
		case errors.As(err, &conflict) && attempt == 0 && conflict.Known <= p.size:
			// The witness holds another size (its state or ours lost a
			// step): prove from the size it holds.
			old = conflict.Known
			continue
		case errors.Is(err, witness.ErrSplitView):
			c.s.Alert(ctx, p.device, AlertSplitView, err.Error())
			return nil, err
		case err != nil:
			return nil, err
		}
		if _, err := c.s.db.ExecContext(ctx, `INSERT INTO witness_progress (witness, device, size, cosig) VALUES (?, ?, ?, ?)
			ON CONFLICT (witness, device) DO UPDATE SET size = excluded.size, cosig = excluded.cosig`, w.Name, p.device, p.size, string(cosig)); err != nil {
			return nil, fmt.Errorf("progress of %s on %s: %w", w.Name, p.device, err)
		}
		return cosig, nil
	}
	return nil, fmt.Errorf("witness %s on %s: conflicting sizes", w.Name, p.device)
}

// keep stores a cosigned note unless one of the same size and witnesses
// is kept already, and hands it on (OnCosigned).
func (c *cosigner) keep(ctx context.Context, p pending, names []string, msg []byte) error {
	list := strings.Join(names, ",")
	var last string
	err := c.s.db.QueryRowContext(ctx, `SELECT witnesses FROM cosigned_checkpoints WHERE device = ? AND size = ? ORDER BY seq DESC LIMIT 1`, p.device, p.size).Scan(&last)
	if err == nil && last == list {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cosigned %d of %s: %w", p.size, p.device, err)
	}
	if _, err := c.s.db.ExecContext(ctx, `INSERT INTO cosigned_checkpoints (device, size, note, witnesses, at) VALUES (?, ?, ?, ?, ?)`,
		p.device, p.size, string(msg), list, c.s.now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("keep cosigned %d of %s: %w", p.size, p.device, err)
	}
	if c.w.OnCosigned != nil {
		c.w.OnCosigned(ctx, p.device, p.size, msg)
	}
	return nil
}

// Cosigned is a device's newest cosigned checkpoint: its size, the note
// and when the platform kept it; size 0 when none is.
func (s *Intake) Cosigned(ctx context.Context, device string) (size int64, note string, at time.Time, err error) {
	var ts string
	err = s.db.QueryRowContext(ctx, `SELECT size, note, at FROM cosigned_checkpoints WHERE device = ? ORDER BY size DESC, seq DESC LIMIT 1`, device).Scan(&size, &note, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", time.Time{}, nil
	}
	if err != nil {
		return 0, "", time.Time{}, fmt.Errorf("cosigned checkpoint of %s: %w", device, err)
	}
	at, _ = time.Parse(time.RFC3339, ts)
	return size, note, at, nil
}

// WitnessRound runs one witnessing round now (tests, and an operator's
// command); without a policy it does nothing.
func (s *Intake) WitnessRound(ctx context.Context) error {
	if s.cosign == nil {
		return nil
	}
	return s.cosign.Round(ctx)
}

// heldHashes reads the platform's copy of a device's tree outside a push.
type heldHashes struct {
	ctx context.Context
	db  interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}
	device string
}

func (h heldHashes) ReadHashes(indexes []int64) ([]ledger.Hash, error) {
	out := make([]ledger.Hash, len(indexes))
	for i, idx := range indexes {
		rows, err := h.db.QueryContext(h.ctx, `SELECT hash FROM log_hashes WHERE device = ? AND idx = ?`, h.device, idx)
		if err != nil {
			return nil, fmt.Errorf("read hash %d: %w", idx, err)
		}
		var b []byte
		found := rows.Next()
		if found {
			err = rows.Scan(&b)
		}
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read hash %d: %w", idx, err)
		}
		if !found {
			return nil, fmt.Errorf("hash %d of %s: %w", idx, h.device, sql.ErrNoRows)
		}
		copy(out[i][:], b)
	}
	return out, nil
}
