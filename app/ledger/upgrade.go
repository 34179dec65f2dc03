package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// ErrCopyDiffers is a sealed copy that does not open to the plaintext log
// it was made from: the copy is discarded, the plaintext log kept.
var ErrCopyDiffers = errors.New("the sealed copy differs from the log")

// SealBatch is how many records SealCopy seals in one transaction: the
// points an interrupted copy resumes from.
const SealBatch = 1000

// SealCopy writes a sealed copy of the plaintext log at src into dst, for
// a folder sealed on its first start under this version. dst only ever
// holds sealed blobs (its pages, free list and WAL never saw plaintext);
// src is read, never changed beyond its own migrations.
//
// It resumes: an interrupted copy goes on from the last record dst holds.
// hook, if not nil, is called at each point an interruption may fall
// ("records:N" after each batch, "copied", "verified"); an error from it
// stops the copy. Before returning, the copy is checked row by row
// against src (every record's bytes, hashes and checkpoint, every other
// table's rows): a difference is ErrCopyDiffers. dst is left closed in
// rollback-journal mode, so no -wal file stands beside it for a rename.
func SealCopy(ctx context.Context, src, dst string, keys seal.Keys, hook func(point string) error) (err error) {
	if hook == nil {
		hook = func(string) error { return nil }
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("seal %s: %w", src, err)
		}
	}()
	old, err := store.Open(ctx, src, store.Options{Durability: store.Evidence, Migrations: Migrations})
	if err != nil {
		return err
	}
	defer old.Close()
	var n int
	if err := old.QueryRowContext(ctx, `SELECT count(*) FROM sealing`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errors.New("the log is sealed already")
	}
	// The old log's WAL is folded into it first: the device moves the WAL
	// aside before the file, and nothing may be left only there.
	if err := old.Scrub(ctx); err != nil {
		return err
	}
	cur, err := keys.Current()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, dst, store.Options{Durability: store.Evidence, Migrations: Migrations})
	if err != nil {
		return err
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()

	// The device key and the sealing row, once.
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM device_key`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		var origin, signer, verifier string
		if err := old.QueryRowContext(ctx, `SELECT origin, signer, verifier FROM device_key WHERE id = 1`).Scan(&origin, &signer, &verifier); err != nil {
			return fmt.Errorf("device key: %w", err)
		}
		sealed, err := sealSigner(keys, signer)
		if err != nil {
			return err
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO device_key (id, origin, signer, verifier) VALUES (1, ?, ?, ?)`, origin, sealed, verifier); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO sealing (id, key_id, since) VALUES (1, ?, ?)`, cur.ID.String(), sinceNow(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("device key: %w", err)
		}
	}

	// The records, in batches, sealed each at its place.
	for {
		var last int64
		if err := db.QueryRowContext(ctx, `SELECT COALESCE(max(seq), -1) FROM records`).Scan(&last); err != nil {
			return err
		}
		done, err := sealBatch(ctx, old, db, keys, last)
		if err != nil {
			return err
		}
		if done == 0 {
			break
		}
		if err := hook(fmt.Sprintf("records:%d", last+1+int64(done))); err != nil {
			return err
		}
	}

	// Every other table, in one transaction: all of them or none.
	tables, err := otherTables(ctx, old)
	if err != nil {
		return err
	}
	state, err := copyState(ctx, db)
	if err != nil {
		return err
	}
	if state == "" {
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			for _, t := range tables {
				if err := copyTable(ctx, old, tx, keys, t); err != nil {
					return fmt.Errorf("copy %s: %w", t, err)
				}
			}
			_, err := tx.ExecContext(ctx, `CREATE TABLE upgrade_marker (state TEXT NOT NULL); INSERT INTO upgrade_marker VALUES ('copied')`)
			return err
		})
		if err != nil {
			return err
		}
		state = "copied"
	}
	if err := hook("copied"); err != nil {
		return err
	}
	if state == "copied" {
		if err := checkCopy(ctx, old, db, keys, tables); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `UPDATE upgrade_marker SET state = 'verified'`); err != nil {
			return err
		}
	}
	if err := hook("verified"); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode = DELETE`); err != nil {
		return err
	}
	err = db.Close()
	db = nil
	return err
}

// sealBatch copies up to SealBatch records after seq last, sealed.
func sealBatch(ctx context.Context, old, db *store.DB, keys seal.Keys, last int64) (int, error) {
	rows, err := old.QueryContext(ctx, `SELECT seq, case_id, kind, at, author, corrects, data, hashes, checkpoint FROM records WHERE seq > ? ORDER BY seq LIMIT ?`, last, SealBatch)
	if err != nil {
		return 0, err
	}
	type row struct {
		seq                    int64
		caseID, kind, at, auth string
		corrects               sql.NullInt64
		data, hashes           []byte
		checkpoint             sql.NullString
	}
	var batch []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.caseID, &r.kind, &r.at, &r.auth, &r.corrects, &r.data, &r.hashes, &r.checkpoint); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	if len(batch) == 0 {
		return 0, nil
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range batch {
			b, err := sealRecordBytes(keys, r.seq, r.data)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO records (seq, case_id, kind, at, author, corrects, data, hashes, checkpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.seq, r.caseID, r.kind, r.at, r.auth, r.corrects, b, r.hashes, r.checkpoint); err != nil {
				return fmt.Errorf("record %d: %w", r.seq, err)
			}
		}
		return nil
	})
	return len(batch), err
}

// copyState is how far a copy got: "" (the records at most), "copied"
// (every table), "verified" (checked against the old log).
func copyState(ctx context.Context, db *store.DB) (string, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'upgrade_marker'`).Scan(&n); err != nil || n == 0 {
		return "", err
	}
	var state string
	err := db.QueryRowContext(ctx, `SELECT state FROM upgrade_marker`).Scan(&state)
	return state, err
}

// otherTables are the log's tables besides the records, the device key
// and the sealing row.
func otherTables(ctx context.Context, db *store.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('records', 'device_key', 'sealing', 'upgrade_marker') ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// columns are a table's columns in order.
func columns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// tableRows reads every row of a table, in rowid order; received records'
// data is opened when keys are given and the table is sealed.
func tableRows(ctx context.Context, db *store.DB, table string) ([]string, [][]any, error) {
	cols, err := columns(ctx, db, table)
	if err != nil {
		return nil, nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT `+quoteCols(cols)+` FROM "`+table+`" ORDER BY rowid`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		out = append(out, vals)
	}
	return cols, out, rows.Err()
}

func quoteCols(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = `"` + c + `"`
	}
	return strings.Join(q, ", ")
}

// copyTable copies one table's rows; received records are sealed.
func copyTable(ctx context.Context, old *store.DB, tx *sql.Tx, keys seal.Keys, table string) error {
	cols, rows, err := tableRows(ctx, old, table)
	if err != nil {
		return err
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	stmt := `INSERT INTO "` + table + `" (` + quoteCols(cols) + `) VALUES (` + marks + `)`
	for _, vals := range rows {
		if table == "received_records" {
			if err := sealReceivedRow(keys, cols, vals); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, stmt, vals...); err != nil {
			return err
		}
	}
	return nil
}

// sealReceivedRow seals a received record's data in place in vals.
func sealReceivedRow(keys seal.Keys, cols []string, vals []any) error {
	return receivedRow(cols, vals, func(dev string, seq int64, b []byte) ([]byte, error) {
		return sealReceivedBytes(keys, dev, seq, b)
	})
}

// openReceivedRow opens a received record's data in place in vals.
func openReceivedRow(keys seal.Keys, cols []string, vals []any) error {
	return receivedRow(cols, vals, func(dev string, seq int64, b []byte) ([]byte, error) {
		return seal.Open(keys, b, recvContext(dev, seq))
	})
}

// receivedRow replaces a received_records row's data (in vals, by its
// columns cols) with what fn makes of it.
func receivedRow(cols []string, vals []any, fn func(dev string, seq int64, data []byte) ([]byte, error)) error {
	dev, seq, data := -1, -1, -1
	for i, c := range cols {
		switch c {
		case "device":
			dev = i
		case "seq":
			seq = i
		case "data":
			data = i
		}
	}
	if dev < 0 || seq < 0 || data < 0 {
		return fmt.Errorf("received_records has no device, seq or data column")
	}
	d, _ := vals[dev].(string)
	s, _ := vals[seq].(int64)
	b, _ := vals[data].([]byte)
	out, err := fn(d, s, b)
	if err != nil {
		return err
	}
	vals[data] = out
	return nil
}

// checkCopy compares the sealed copy with the plaintext log, row by row.
func checkCopy(ctx context.Context, old, db *store.DB, keys seal.Keys, tables []string) error {
	differs := func(what string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrCopyDiffers, fmt.Sprintf(what, args...))
	}
	var o1, v1, o2, v2, s1, s2 string
	if err := old.QueryRowContext(ctx, `SELECT origin, verifier, signer FROM device_key`).Scan(&o1, &v1, &s1); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT origin, verifier, signer FROM device_key`).Scan(&o2, &v2, &s2); err != nil {
		return err
	}
	if o1 != o2 || v1 != v2 {
		return differs("device key")
	}
	sealedSigner, err := openSigner(keys, s2)
	if err != nil || sealedSigner != s1 {
		return differs("device key: %v", err)
	}
	a, err := old.QueryContext(ctx, `SELECT seq, case_id, kind, at, author, COALESCE(corrects, -1), data, hashes, COALESCE(checkpoint, '') FROM records ORDER BY seq`)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := db.QueryContext(ctx, `SELECT seq, case_id, kind, at, author, COALESCE(corrects, -1), data, hashes, COALESCE(checkpoint, '') FROM records ORDER BY seq`)
	if err != nil {
		return err
	}
	defer b.Close()
	count := 0
	for a.Next() {
		if !b.Next() {
			return differs("record %d missing", count)
		}
		var s1, s2, c1, c2 int64
		var k1, k2 [5]string
		var d1, d2, h1, h2 []byte
		if err := a.Scan(&s1, &k1[0], &k1[1], &k1[2], &k1[3], &c1, &d1, &h1, &k1[4]); err != nil {
			return err
		}
		if err := b.Scan(&s2, &k2[0], &k2[1], &k2[2], &k2[3], &c2, &d2, &h2, &k2[4]); err != nil {
			return err
		}
		p, err := seal.Open(keys, d2, recContext(s2))
		if s1 != s2 || c1 != c2 || k1 != k2 || !bytes.Equal(h1, h2) || err != nil || !bytes.Equal(p, d1) {
			return differs("record %d (%v)", s1, err)
		}
		count++
	}
	if b.Next() {
		return differs("extra records after %d", count)
	}
	if err := errors.Join(a.Err(), b.Err()); err != nil {
		return err
	}
	for _, t := range tables {
		_, ra, err := tableRows(ctx, old, t)
		if err != nil {
			return err
		}
		cols, rb, err := tableRows(ctx, db, t)
		if err != nil {
			return err
		}
		if len(ra) != len(rb) {
			return differs("%s: %d rows, not %d", t, len(rb), len(ra))
		}
		for i := range ra {
			if t == "received_records" {
				if err := openReceivedRow(keys, cols, rb[i]); err != nil {
					return differs("%s row %d: %v", t, i, err)
				}
			}
			if fmt.Sprint(ra[i]) != fmt.Sprint(rb[i]) {
				return differs("%s row %d", t, i)
			}
		}
	}
	return nil
}

// openSigner opens device_key.signer as sealSigner wrote it.
func openSigner(keys seal.Keys, stored string) (string, error) {
	blob, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		return "", seal.ErrCorrupt
	}
	p, err := seal.Open(keys, blob, deviceKeyContext)
	return string(p), err
}
