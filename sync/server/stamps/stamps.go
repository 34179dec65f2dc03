// Package stamps gets RFC 3161 time-stamp tokens for what the platform
// signs for devices (each receipt; each cosigned checkpoint) from the
// configured time-stamping authority, verifies each against the roots it
// was configured with, and keeps them for the devices to read.
//
// Asking is never in sync's way: Stamp only writes down what is owed, and
// a background loop asks the authority, retrying while it is down. A
// token that does not verify is not kept; it raises an alert
// (AlertInvalid) and stays owed.
package stamps

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// AlertInvalid is the alert raised when the authority answers a token
// that does not verify against the configured roots.
const AlertInvalid = "timestamp_invalid"

// Config is a time-stamping authority and what its tokens are checked by.
type Config struct {
	// URL is the authority's RFC 3161 endpoint; empty: nothing is stamped.
	URL string
	// Roots are the certificates its tokens must chain to (with the
	// timeStamping key usage); Intermediates help build that chain.
	Roots, Intermediates *x509.CertPool
	// Client makes the requests (nil: one with a 30 s timeout).
	Client *http.Client
	// Retry is how often owed stamps are asked for again (zero: a minute).
	Retry time.Duration
}

// Stamps is the platform's time-stamping.
type Stamps struct {
	db    *sqldb.DB
	cfg   Config
	now   func() time.Time
	log   *slog.Logger
	alert func(ctx context.Context, device, kind, detail string)

	nudge    chan struct{}
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	flushMu  sync.Mutex // one round of asking at a time
}

// Open starts the stamping loop (when cfg.URL is set).
func Open(db *sqldb.DB, cfg Config, now func() time.Time, log *slog.Logger, alert func(ctx context.Context, device, kind, detail string)) *Stamps {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Retry == 0 {
		cfg.Retry = time.Minute
	}
	s := &Stamps{db: db, cfg: cfg, now: now, log: log, alert: alert,
		nudge: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if cfg.URL == "" {
		close(s.done)
		return s
	}
	go s.loop()
	return s
}

// Enabled says whether an authority is configured.
func (s *Stamps) Enabled() bool { return s != nil && s.cfg.URL != "" }

// Close stops the loop; what is owed stays owed for the next start.
func (s *Stamps) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
}

func (s *Stamps) loop() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.Retry)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	for {
		if _, err := s.Flush(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("time-stamps owed", "err", err)
		}
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.nudge:
		}
	}
}

// Stamp writes down that data, covering device's log up to size, is to
// be time-stamped, and wakes the loop. It never waits for the authority;
// the same bytes asked twice are one request. Without an authority it
// does nothing.
func (s *Stamps) Stamp(ctx context.Context, device string, size int64, data []byte) error {
	if !s.Enabled() {
		return nil
	}
	sum := sha256.Sum256(data)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO timestamp_requests (device, size, sha, data, asked) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (device, size, sha) DO NOTHING`,
		device, size, hex.EncodeToString(sum[:]), data, s.now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("time-stamp %s at %d: %w", device, size, err)
	}
	select {
	case s.nudge <- struct{}{}:
	default:
	}
	return nil
}

type owed struct {
	device string
	size   int64
	sha    string
	data   []byte
}

// ErrInvalid is a token the authority answered that does not verify.
var ErrInvalid = errors.New("the time-stamping authority answered a token that does not verify")

// Flush asks the authority for every stamp owed, oldest first, and keeps
// each token that verifies. It stops at the first request the authority
// does not answer (it is down: the rest wait for the next round) and
// returns how many it kept.
func (s *Stamps) Flush(ctx context.Context) (int, error) {
	if !s.Enabled() {
		return 0, nil
	}
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	rows, err := s.db.QueryContext(ctx, `SELECT r.device, r.size, r.sha, r.data FROM timestamp_requests r
		LEFT JOIN timestamps t ON t.device = r.device AND t.size = r.size AND t.sha = r.sha
		WHERE t.seq IS NULL ORDER BY r.asked, r.device, r.size`)
	if err != nil {
		return 0, fmt.Errorf("time-stamps owed: %w", err)
	}
	var todo []owed
	for rows.Next() {
		var o owed
		if err := rows.Scan(&o.device, &o.size, &o.sha, &o.data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("time-stamps owed: %w", err)
		}
		todo = append(todo, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("time-stamps owed: %w", err)
	}
	kept := 0
	var invalid error
	for _, o := range todo {
		token, err := timestamp.Request(ctx, s.cfg.Client, s.cfg.URL, o.data)
		if err != nil {
			return kept, fmt.Errorf("time-stamp %s at %d: %w", o.device, o.size, err)
		}
		st, err := timestamp.Verify(token, o.data, s.cfg.Roots, s.cfg.Intermediates)
		if err != nil {
			// Garbage from the authority is not evidence: it is not kept,
			// people are told, and the stamp stays owed.
			s.alert(ctx, o.device, AlertInvalid, words.L("platform.alert.timestamp_invalid", map[string]any{"Size": o.size, "Err": err}))
			invalid = errors.Join(invalid, fmt.Errorf("time-stamp %s at %d: %w: %w", o.device, o.size, ErrInvalid, err))
			continue
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO timestamps (device, size, sha, token, tsa_time, tsa, stamped) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (device, size, sha) DO NOTHING`,
			o.device, o.size, o.sha, token, st.Time.UTC().Format(time.RFC3339Nano), st.TSA, s.now().UTC().Format(time.RFC3339)); err != nil {
			return kept, fmt.Errorf("keep time-stamp %s at %d: %w", o.device, o.size, err)
		}
		kept++
	}
	return kept, invalid
}

// Since is device's tokens after seq, oldest first, with the bytes each
// stamps; at most limit.
func (s *Stamps) Since(ctx context.Context, device string, seq int64, limit int) ([]api.Timestamp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.seq, t.size, r.data, t.token FROM timestamps t
		JOIN timestamp_requests r ON r.device = t.device AND r.size = t.size AND r.sha = t.sha
		WHERE t.device = ? AND t.seq > ? ORDER BY t.seq LIMIT ?`, device, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("time-stamps of %s: %w", device, err)
	}
	defer rows.Close()
	out := []api.Timestamp{}
	for rows.Next() {
		var t api.Timestamp
		if err := rows.Scan(&t.Seq, &t.Size, &t.Data, &t.Token); err != nil {
			return nil, fmt.Errorf("time-stamps of %s: %w", device, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("time-stamps of %s: %w", device, err)
	}
	return out, nil
}

// Owed is how many stamps wait for the authority.
func (s *Stamps) Owed(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM timestamp_requests r
		LEFT JOIN timestamps t ON t.device = r.device AND t.size = r.size AND t.sha = r.sha WHERE t.seq IS NULL`).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("time-stamps owed: %w", err)
	}
	return n, nil
}
