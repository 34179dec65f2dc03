package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/store"
)

func benchRecord(i int) *Record {
	return &Record{Case: fmt.Sprintf("C%04d", i%500), Kind: "note", Author: "990101000001",
		Body: json.RawMessage(fmt.Sprintf(`{"text":"现场检查笔录第%d页：当事人在场，执法人员出示证件。"}`, i))}
}

// BenchmarkAppend: ours appends a record with its tree hashes and a signed
// checkpoint; the baseline is a bare single-row INSERT of the same record
// into a table of the same shape (same columns and index), in its own
// transaction: what storing the record costs without the log. Both
// synchronous=FULL, on the same disk. One op is 200 appends, so that fsync's
// jitter averages out.
// settle starts a run on a synced disk, so neither side pays for what the
// one before left to write back.
func settle() { exec.Command("sync").Run() }

func BenchmarkAppend(b *testing.B) {
	b.Run("ours", func(b *testing.B) { benchAppend(b, Options{}) })
	b.Run("baseline", func(b *testing.B) { benchBareInsert(b, nil) })
}

// BenchmarkAppendSigned: as BenchmarkAppend, with the author's personal
// Ed25519 signature added to every record (as a device's signer does,
// through BeforeAppend); the baseline is the bare INSERT of the same
// signed row, its signature made off the clock, so ours pays for signing
// and the baseline does not. Issue 16 asks it to stay at or above 0.8×.
func BenchmarkAppendSigned(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := KeySigner{ID: "990101000001", Key: key}
	b.Run("ours", func(b *testing.B) {
		var l *Log
		benchAppend(b, Options{BeforeAppend: func(_ context.Context, r *Record) error { return r.AddSig(l.Origin(), signer) }}, &l)
	})
	b.Run("baseline", func(b *testing.B) {
		benchBareInsert(b, func(r *Record) { r.AddSig("sanxiang/device/bench", signer) })
	})
}

// benchAppend appends 200 records an op to a new log opened with o (and
// tells at where it is, for hooks that need it).
func benchAppend(b *testing.B, o Options, at ...**Log) {
	ctx := context.Background()
	dir := b.TempDir()
	l, err := Open(ctx, filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "bench", o)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for _, p := range at {
		*p = l
	}
	settle()
	i := 0
	for b.Loop() {
		for range 200 {
			if err := l.Append(ctx, benchRecord(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
}

// benchBareInsert inserts the same records, 200 an op, each alone in its
// transaction, into a table of the log's shape; prepare (if not nil)
// completes a record as the log's hook would before it is encoded.
func benchBareInsert(b *testing.B, prepare func(*Record)) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bare.db"), store.Options{Durability: store.Evidence})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Exec(`CREATE TABLE bare (seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
		author TEXT NOT NULL, corrects INTEGER, data BLOB NOT NULL, hashes BLOB NOT NULL, checkpoint TEXT) STRICT`)
	db.Exec(`CREATE INDEX bare_by_case ON bare (case_id, seq)`)
	settle()
	i := 0
	for b.Loop() {
		for range 200 {
			r := benchRecord(i)
			r.At = time.Now()
			if prepare != nil {
				b.StopTimer()
				prepare(r)
				b.StartTimer()
			}
			data, _ := r.encode()
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO bare (case_id, kind, at, author, data, hashes) VALUES (?, ?, ?, ?, ?, x'')`,
					r.Case, r.Kind, r.At.Format(time.RFC3339Nano), r.Author, data)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
}

var bigLog struct {
	once  sync.Once
	log   *Log
	bytes int64
	err   error
}

// BenchmarkVerify100k: ours verifies a whole log of 100,000 records; the
// baseline only SHA-256es the same record bytes, the floor of any check.
func BenchmarkVerify100k(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	bigLog.once.Do(func() {
		dir, err := makeBenchDir()
		if err != nil {
			bigLog.err = err
			return
		}
		l, err := Open(ctx, filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "bench", Options{})
		if err != nil {
			bigLog.err = err
			return
		}
		l.SetClock(func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) })
		for start := 0; start < n && bigLog.err == nil; start += 5000 {
			batch := make([]*Record, 5000)
			for i := range batch {
				batch[i] = benchRecord(start + i)
			}
			bigLog.err = l.AppendBatch(ctx, batch)
		}
		l.db.QueryRow(`SELECT sum(length(data)) FROM records`).Scan(&bigLog.bytes)
		bigLog.log = l
	})
	if bigLog.err != nil {
		b.Fatal(bigLog.err)
	}
	l := bigLog.log
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			rep, err := l.Verify(ctx, nil)
			if err != nil || rep.Records != n {
				b.Fatalf("%+v %v", rep, err)
			}
		}
		b.SetBytes(bigLog.bytes)
	})
	b.Run("baseline", func(b *testing.B) {
		rows, err := l.db.Query(`SELECT data FROM records ORDER BY seq`)
		if err != nil {
			b.Fatal(err)
		}
		var all [][]byte
		for rows.Next() {
			var d []byte
			rows.Scan(&d)
			all = append(all, d)
		}
		rows.Close()
		for b.Loop() {
			for _, d := range all {
				sha256.Sum256(d)
			}
		}
		b.SetBytes(bigLog.bytes)
	})
}
