package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrReceivedDiffers refuses a received record whose device and index are
// already held here with other bytes: one log cannot hold two records at
// one place, so one of the two copies is not that log's.
var ErrReceivedDiffers = errors.New("a received record differs from the one already held at its place")

// DeviceID is the device named in the log's origin line.
func (l *Log) DeviceID() string { return strings.TrimPrefix(l.origin, "sanxiang/device/") }

// Receive keeps records of a case that another device's log holds (a
// case handed over to this device), as their bytes came, in one
// transaction. A record already held is skipped when its bytes are the
// same, and refused when not. Checking what they say and who signed them
// is the caller's (casefile.Log.Receive). In a sealed log the bytes are
// kept sealed, and a record already held is compared opened.
func (l *Log) Receive(ctx context.Context, device, caseID string, recs []RawRecord) error {
	if device == "" || device == l.DeviceID() {
		return fmt.Errorf("receive records of %s: they must come from another device's log, not %q", caseID, device)
	}
	now := l.now().UTC().Format(time.RFC3339)
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range recs {
			var have []byte
			err := tx.QueryRowContext(ctx, `SELECT data FROM received_records WHERE device = ? AND seq = ?`, device, r.Seq).Scan(&have)
			if err == nil {
				if have, err = l.openRecv(device, r.Seq, have); err != nil {
					return err
				}
				if !bytes.Equal(have, r.Data) {
					return fmt.Errorf("%w: %s #%d", ErrReceivedDiffers, device, r.Seq)
				}
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			stored, err := l.sealRecv(device, r.Seq, r.Data)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO received_records (device, seq, case_id, data, received) VALUES (?, ?, ?, ?, ?)`,
				device, r.Seq, caseID, stored, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("receive records of %s from %s: %w", caseID, device, err)
	}
	return nil
}

// Received lists the records of a case received from other devices' logs,
// in the order they were received, each with its Device set.
func (l *Log) Received(ctx context.Context, caseID string) ([]Record, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT device, seq, data FROM received_records WHERE case_id = ? ORDER BY rowid`, caseID)
	if err != nil {
		return nil, fmt.Errorf("received records of %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var dev string
		var seq int64
		var data []byte
		if err := rows.Scan(&dev, &seq, &data); err != nil {
			return nil, fmt.Errorf("received records of %s: %w", caseID, err)
		}
		if data, err = l.openRecv(dev, seq, data); err != nil {
			return nil, fmt.Errorf("received records of %s: %w", caseID, err)
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("received record of %s from %s: %w", caseID, dev, err)
		}
		r.Device = dev
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("received records of %s: %w", caseID, err)
	}
	return out, nil
}

// ReceivedCases lists the cases with records received here, newest first.
func (l *Log) ReceivedCases(ctx context.Context) ([]string, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT case_id FROM received_records GROUP BY case_id ORDER BY max(rowid) DESC`)
	if err != nil {
		return nil, fmt.Errorf("received cases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("received cases: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("received cases: %w", err)
	}
	return out, nil
}

// EncodeRecord is the exact byte form of a record, whose leaf hash the log
// keeps (RecordHash): a record read back from its bytes encodes to them.
func EncodeRecord(r *Record) ([]byte, error) { return r.encode() }

// LastKind is the kind of the case's last record in this log; held is
// false when the log holds none of the case's records.
func (l *Log) LastKind(ctx context.Context, caseID string) (kind string, held bool, err error) {
	err = l.db.QueryRowContext(ctx, `SELECT kind FROM records WHERE case_id = ? ORDER BY seq DESC LIMIT 1`, caseID).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("last record of %s: %w", caseID, err)
	}
	return kind, true, nil
}

// ReceivedCount is how many records of the case were received here.
func (l *Log) ReceivedCount(ctx context.Context, caseID string) (int64, error) {
	var n int64
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM received_records WHERE case_id = ?`, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("received records of %s: %w", caseID, err)
	}
	return n, nil
}
