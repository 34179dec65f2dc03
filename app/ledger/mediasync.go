package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// MediaPending lists the evidence files the log references that have no
// platform receipt yet.
func (l *Log) MediaPending(ctx context.Context) ([]Digest, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT DISTINCT sha256 FROM record_media
		WHERE sha256 NOT IN (SELECT sha256 FROM media_receipts) ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("media pending: %w", err)
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("media pending: %w", err)
		}
		d, err := ParseDigest(s)
		if err != nil {
			return nil, fmt.Errorf("media pending: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("media pending: %w", err)
	}
	return out, nil
}

// VerifyMediaReceipt checks a media receipt, the platform's signature over
// the file's SHA-256 and size and the time it received the file, with the
// platform's key, and returns that time (zero for a receipt signed before
// receipts carried one). One whose signature does not hold is
// ErrReceiptForged; every refusal is an ErrBadReceipt. Whoever checks a
// media receipt (the desk, a test of another client) checks it here.
func VerifyMediaReceipt(msg, platformKey string, d Digest, size int64) (time.Time, error) {
	v, err := note.NewVerifier(platformKey)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %v", ErrBadReceipt, err)
	}
	n, err := openReceipt(msg, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w: %v", ErrBadReceipt, ErrReceiptForged, err)
	}
	want := "sanxiang-media\n" + d.String() + "\n" + strconv.FormatInt(size, 10) + "\n"
	rest, ok := strings.CutPrefix(n.Text, want)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: it names another file", ErrBadReceipt)
	}
	if rest == "" { // receipts signed before they carried a time have none
		return time.Time{}, nil
	}
	at, ok := strings.CutPrefix(strings.TrimSuffix(rest, "\n"), receiptTimePrefix)
	t, err := time.Parse(time.RFC3339, at)
	if !ok || err != nil {
		return time.Time{}, fmt.Errorf("%w: time line %q", ErrBadReceipt, rest)
	}
	return t.UTC(), nil
}

// KeepMediaReceipt checks a media receipt (VerifyMediaReceipt) and keeps
// it with the platform's time of receipt.
func (l *Log) KeepMediaReceipt(ctx context.Context, d Digest, size int64, msg, platformKey string) error {
	at, err := VerifyMediaReceipt(msg, platformKey, d, size)
	if err != nil {
		return err
	}
	var platformTime *string
	if !at.IsZero() {
		s := at.Format(time.RFC3339)
		platformTime = &s
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO media_receipts (sha256, note, received, platform_time) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		d.String(), msg, l.now().UTC().Format(time.RFC3339), platformTime); err != nil {
		return fmt.Errorf("keep media receipt %s: %w", d, err)
	}
	return nil
}

// MediaReceipt returns a file's receipt, "" if none.
func (l *Log) MediaReceipt(ctx context.Context, d Digest) (string, error) {
	var msg string
	err := l.db.QueryRowContext(ctx, `SELECT note FROM media_receipts WHERE sha256 = ?`, d.String()).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("media receipt %s: %w", d, err)
	}
	return msg, nil
}

// UploadLocation is where an upload of d in progress lives, "" if none.
func (l *Log) UploadLocation(ctx context.Context, d Digest) (string, error) {
	var loc string
	err := l.db.QueryRowContext(ctx, `SELECT location FROM uploads WHERE sha256 = ?`, d.String()).Scan(&loc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("upload of %s: %w", d, err)
	}
	return loc, nil
}

// SetUploadLocation remembers (loc non-empty) or forgets an upload.
func (l *Log) SetUploadLocation(ctx context.Context, d Digest, loc string) error {
	if strings.TrimSpace(loc) == "" {
		if _, err := l.db.ExecContext(ctx, `DELETE FROM uploads WHERE sha256 = ?`, d.String()); err != nil {
			return fmt.Errorf("forget upload of %s: %w", d, err)
		}
		return nil
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO uploads (sha256, location) VALUES (?, ?)
		ON CONFLICT (sha256) DO UPDATE SET location = excluded.location`, d.String(), loc); err != nil {
		return fmt.Errorf("remember upload of %s: %w", d, err)
	}
	return nil
}
