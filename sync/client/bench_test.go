package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

func benchPlatform(b *testing.B, dir string) (*server.Server, *httptest.Server) {
	s, err := server.Open(context.Background(), filepath.Join(dir, "platform.db"), server.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s, httptest.NewServer(s.Handler())
}

// BenchmarkPush10k: ours pushes 10,000 records from a device log to a
// fresh platform on loopback and keeps the receipts; the baseline writes
// the same records' bytes into a local SQLite table in one transaction.
func BenchmarkPush10k(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	dir := b.TempDir()
	l, err := casefile.Open(ctx, filepath.Join(dir, "dev.db"), filepath.Join(dir, "m"), "BENCH")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for start := 0; start < n; start += 1000 {
		batch := make([]*casefile.Record, 1000)
		for i := range batch {
			batch[i] = &casefile.Record{Case: fmt.Sprintf("C%d", (start+i)%300), Kind: "note", Author: "990101000001",
				Body: json.RawMessage(fmt.Sprintf(`{"text":"现场检查笔录第%d页"}`, start+i))}
		}
		if err := l.AppendBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	recs, _, _ := l.Since(ctx, 0)
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			pdir, _ := os.MkdirTemp(dir, "p")
			s, h := benchPlatform(b, pdir)
			code, _ := s.NewEnrolCode(ctx, "officer")
			id, err := Enrol(ctx, h.URL, code, "bench", "officer", l.Verifier)
			if err != nil {
				b.Fatal(err)
			}
			// A fresh device copy of the log with no receipts.
			l.DB().Exec(`DROP TRIGGER IF EXISTS receipts_no_delete`)
			l.DB().Exec(`DELETE FROM receipts`)
			b.StartTimer()
			res, err := New(id).Push(ctx, l)
			if err != nil || res.Size != n {
				b.Fatalf("%+v %v", res, err)
			}
			b.StopTimer()
			h.Close()
			s.Close()
			b.StartTimer()
		}
	})
	b.Run("baseline", func(b *testing.B) {
		db, err := store.Open(ctx, filepath.Join(dir, "bare.db"), store.Options{Durability: store.Evidence})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.Exec(`CREATE TABLE bare (device TEXT, seq INTEGER, data BLOB, PRIMARY KEY (device, seq))`)
		for b.Loop() {
			db.Exec(`DELETE FROM bare`)
			db.Tx(ctx, func(tx *sql.Tx) error {
				for _, r := range recs {
					if _, err := tx.Exec(`INSERT INTO bare VALUES ('d', ?, ?)`, r.Seq, r.Data); err != nil {
						return err
					}
				}
				return nil
			})
		}
	})
}

// BenchmarkPull100k: ours pulls a 100,000-officer change feed from the
// platform on loopback into an empty kiosk catalog; the baseline loads the
// same officers into an empty catalog from memory (catalog.Replace).
func BenchmarkPull100k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	ds, err := demo.Dataset(demo.Size{Officers: 100_000, Fees: 1, Guides: 1})
	if err != nil {
		b.Fatal(err)
	}
	officers := &catalog.Dataset{Agencies: ds.Agencies, Officers: ds.Officers}
	s, h := benchPlatform(b, dir)
	defer s.Close()
	defer h.Close()
	if err := s.Publish(ctx, officers.AllItems(), nil); err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			cdir, _ := os.MkdirTemp(dir, "k")
			cat, err := catalog.Open(ctx, filepath.Join(cdir, "catalog.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n, err := PullPublic(ctx, h.URL, cat)
			if err != nil || n != 100_000 {
				b.Fatalf("%d %v", n, err)
			}
			b.StopTimer()
			cat.Close()
			b.StartTimer()
		}
	})
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			cdir, _ := os.MkdirTemp(dir, "r")
			cat, err := catalog.Open(ctx, filepath.Join(cdir, "catalog.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := cat.Replace(ctx, officers, time.Now()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cat.Close()
			b.StartTimer()
		}
	})
}
