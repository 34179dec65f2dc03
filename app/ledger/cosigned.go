package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KeepCosigned keeps a cosigned checkpoint of this log (the device's own
// signed note with witnesses' cosignature lines after it): its device
// signature must hold and its root be this log's own tree of its size.
// Whose cosignatures they are is a policy's to say (app/witness); the
// device keeps the note whole, for bundles. A later note of the same size
// (more witnesses) replaces the earlier.
func (l *Log) KeepCosigned(ctx context.Context, msg []byte) (int64, error) {
	cp, err := ParseCheckpoint(msg, l.Verifier)
	if err != nil {
		return 0, fmt.Errorf("keep cosigned checkpoint: %w", err)
	}
	if cp.Origin != l.origin {
		return 0, fmt.Errorf("keep cosigned checkpoint: %w: origin %s", ErrBadReceipt, cp.Origin)
	}
	root, err := treeRoot(cp.Size, l.cachedReader(ctx, l.db))
	if err != nil {
		return 0, fmt.Errorf("keep cosigned checkpoint %d: %w", cp.Size, err)
	}
	if root != cp.Root {
		return 0, fmt.Errorf("keep cosigned checkpoint: %w: another tree of size %d", ErrFork, cp.Size)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO cosigned (size, note, received) VALUES (?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note`,
		cp.Size, string(msg), l.now().UTC().Format(time.RFC3339)); err != nil {
		return 0, fmt.Errorf("keep cosigned checkpoint %d: %w", cp.Size, err)
	}
	return cp.Size, nil
}

// Cosigned is the newest cosigned checkpoint kept: its size, note and when
// the device received it; size 0 when none is.
func (l *Log) Cosigned(ctx context.Context) (size int64, note []byte, received time.Time, err error) {
	var s, at string
	err = l.db.QueryRowContext(ctx, `SELECT size, note, received FROM cosigned ORDER BY size DESC LIMIT 1`).Scan(&size, &s, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, time.Time{}, nil
	}
	if err != nil {
		return 0, nil, time.Time{}, fmt.Errorf("cosigned checkpoint: %w", err)
	}
	received, _ = time.Parse(time.RFC3339, at)
	return size, []byte(s), received, nil
}
