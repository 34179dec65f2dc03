package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Timestamp is an RFC 3161 time-stamp token kept with the log: Token is
// over Data, bytes that state this log's tree of Size records.
type Timestamp struct {
	Seq   int64 // the platform's order
	Size  int64
	Data  []byte
	Token []byte
}

// Name is the token's file name in a bundle, without extension: the size
// it covers and the start of the stamped bytes' SHA-256 (a receipt and a
// cosigned checkpoint of one size are two tokens).
func (t Timestamp) Name() string {
	sum := sha256.Sum256(t.Data)
	return fmt.Sprintf("timestamps/%08d-%x", t.Size, sum[:6])
}

// ErrTimestampOther is a token over bytes that do not state this log's
// own tree: another log's, another size's or another root's.
var ErrTimestampOther = errors.New("the time-stamped bytes are not of this log's tree")

// KeepTimestamp keeps a token whose stamped bytes begin as a checkpoint of
// this log does (origin, size, root: a receipt note or a cosigned
// checkpoint), the root this log's own tree of that size. The token's own
// signature is the caller's to check (app/timestamp): this package knows
// no certificates. Kept again, the same seq is a no-op.
func (l *Log) KeepTimestamp(ctx context.Context, t Timestamp) error {
	lines := bytes.SplitN(t.Data, []byte("\n"), 4)
	if len(lines) < 4 || string(lines[0]) != l.origin || string(lines[1]) != strconv.FormatInt(t.Size, 10) {
		return fmt.Errorf("keep time-stamp %d: %w: it does not state %s at %d", t.Seq, ErrTimestampOther, l.origin, t.Size)
	}
	latest, err := l.Latest(ctx)
	if err != nil {
		return fmt.Errorf("keep time-stamp %d: %w", t.Seq, err)
	}
	if t.Size <= 0 || t.Size > latest.Size {
		return fmt.Errorf("keep time-stamp %d: %w: size %d of a log of %d", t.Seq, ErrTimestampOther, t.Size, latest.Size)
	}
	root, err := tlog.TreeHash(t.Size, l.cachedReader(ctx, l.db))
	if err != nil {
		return fmt.Errorf("keep time-stamp %d: %w", t.Seq, err)
	}
	if string(lines[2]) != base64.StdEncoding.EncodeToString(root[:]) {
		return fmt.Errorf("keep time-stamp %d: %w: another root at size %d", t.Seq, ErrTimestampOther, t.Size)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO timestamps (seq, size, data, token, kept) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
		t.Seq, t.Size, t.Data, t.Token, l.now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("keep time-stamp %d: %w", t.Seq, err)
	}
	return nil
}

// TimestampsHeld is the platform's last seq of the tokens kept: the device
// asks for those after it.
func (l *Log) TimestampsHeld(ctx context.Context) (int64, error) {
	var n int64
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM timestamps`).Scan(&n); err != nil {
		return 0, fmt.Errorf("time-stamps held: %w", err)
	}
	return n, nil
}

// Timestamps is every token kept, by size then seq.
func (l *Log) Timestamps(ctx context.Context) ([]Timestamp, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT seq, size, data, token FROM timestamps ORDER BY size, seq`)
	if err != nil {
		return nil, fmt.Errorf("time-stamps: %w", err)
	}
	defer rows.Close()
	var out []Timestamp
	for rows.Next() {
		var t Timestamp
		if err := rows.Scan(&t.Seq, &t.Size, &t.Data, &t.Token); err != nil {
			return nil, fmt.Errorf("time-stamps: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("time-stamps: %w", err)
	}
	return out, nil
}
