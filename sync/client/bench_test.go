package client

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/sync/api"
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
	l, err := casefile.Open(ctx, filepath.Join(dir, "dev.db"), filepath.Join(dir, "m"), "BENCH", nil)
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

// BenchmarkUpload1GiB: ours uploads a 1 GiB evidence file to a fresh
// platform on loopback by tus (32 MiB PATCHes, the default; the platform
// hashes every byte as it arrives and fsyncs the file before signing the
// receipt); the baseline copies the same file on the same disk with cp and
// then runs sync. Both begin each run on a synced disk. SANXIANG_UPLOAD_MB
// changes the size for a quick run.
func BenchmarkUpload1GiB(b *testing.B) {
	ctx := context.Background()
	size := int64(1 << 30)
	if mb, err := strconv.Atoi(os.Getenv("SANXIANG_UPLOAD_MB")); err == nil && mb > 0 {
		size = int64(mb) << 20
	}
	dir := b.TempDir()
	media := filepath.Join(dir, "m")
	l, err := casefile.Open(ctx, filepath.Join(dir, "dev.db"), media, "UPLOAD", nil)
	if err != nil {
		b.Fatal(err)
	}
	// Incompressible content: a random block, each copy stamped with its index.
	block := make([]byte, 16<<20)
	rand.Read(block)
	pr, pw := io.Pipe()
	go func() {
		for i := int64(0); i*int64(len(block)) < size; i++ {
			binary.LittleEndian.PutUint64(block, uint64(i))
			n := min(int64(len(block)), size-i*int64(len(block)))
			if _, err := pw.Write(block[:n]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	d, n, err := l.Media().Put(pr)
	l.Close()
	if err != nil || n != size {
		b.Fatalf("put %d of %d: %v", n, size, err)
	}
	src := l.Media().Path(d)
	exec.Command("sync").Run()
	// Each run, ours or the baseline, starts on a quiet disk: what the
	// last one left behind (a 1 GiB file removed) is synced first, untimed.
	quiet := func(b *testing.B) {
		b.StopTimer()
		exec.Command("sync").Run()
		b.StartTimer()
	}
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			quiet(b)
			dst := filepath.Join(dir, "copy")
			if out, err := exec.Command("sh", "-c", `cp "$1" "$2" && sync`, "cp", src, dst).CombinedOutput(); err != nil {
				b.Fatalf("cp: %v %s", err, out)
			}
			b.StopTimer()
			os.Remove(dst)
			b.StartTimer()
		}
	})
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(size)
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			pdir := filepath.Join(dir, fmt.Sprintf("p%d", i))
			s, h := benchPlatform(b, pdir)
			dl, err := casefile.Open(ctx, filepath.Join(dir, fmt.Sprintf("dev%d.db", i)), media, "UPLOAD", nil)
			if err != nil {
				b.Fatal(err)
			}
			code, _ := s.NewEnrolCode(ctx, "officer")
			id, err := Enrol(ctx, h.URL, code, "bench", "officer", dl.Verifier)
			if err != nil {
				b.Fatal(err)
			}
			exec.Command("sync").Run()
			b.StartTimer()
			if err := New(id).UploadMedia(ctx, dl, d, nil); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if rc, _ := dl.MediaReceipt(ctx, d); rc == "" {
				b.Fatal("no receipt")
			}
			dl.Close()
			h.Close()
			s.Close()
			os.RemoveAll(pdir)
			b.StartTimer()
		}
	})
}

// BenchmarkSupervision1k: ours evaluates 1,000 pushed cases (5,000
// records) from a freshly opened platform, as the dashboard's first
// request does: each case rebuilt through its record chain, evaluated and
// summed up; the baseline reads and decodes the same records in one scan.
func BenchmarkSupervision1k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.Local)
	// The cases arrive the day they were written, as a device syncing
	// daily has them: none is flagged for its time (judging a flagged
	// record by its arrival is TestBackdatedDecisionJudgedByArrival's).
	s, err := server.Open(ctx, filepath.Join(dir, "platform.db"), server.Options{Now: func() time.Time { return day.Add(time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	h := httptest.NewServer(s.Handler())
	l, err := casefile.Open(ctx, filepath.Join(dir, "dev.db"), filepath.Join(dir, "m"), "SUP", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	// Both officers sign every on-site record, as on a desk.
	keys := casefiletest.SignAs(b, l, "990101000001", "990101000002")
	two := []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}
	l.SetClock(func() time.Time { return day })
	for i := range 1000 {
		id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: fmt.Sprintf("0%d", 1+i%6), ItemID: "E1",
			ItemName: "处罚", Party: casefile.Party{Kind: "org", Name: fmt.Sprintf("青禾市第%d号商店", i), IDNo: "91990104MA0000003Z"}, Officers: two})
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range []string{"register", "investigate", "notify"} {
			body, _ := json.Marshal(map[string]string{"template": "inspection_record", "text": "笔录"})
			l.AddDocument(ctx, id, "990101000001", body)
			sb := casefile.StageBody{Stage: st, Officers: two}
			if st == "register" {
				sb.Approver = casefiletest.Approver
			}
			if _, err := l.AddStage(ctx, id, "990101000001", sb); err != nil {
				b.Fatal(err)
			}
		}
	}
	code, _ := s.NewEnrolCode(ctx, "officer")
	id, err := Enrol(ctx, h.URL, code, "bench", "officer", l.Verifier)
	if err != nil {
		b.Fatal(err)
	}
	for person, key := range keys {
		if err := s.People().Put(ctx, api.Person{ID: person, Name: "执法员", Agency: "01", Role: api.RoleOfficer, Active: true}); err != nil {
			b.Fatal(err)
		}
		code, _, err := s.People().NewActivationCode(ctx, person)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(id).Activate(ctx, code, key); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := New(id).Push(ctx, l); err != nil {
		b.Fatal(err)
	}
	h.Close()
	s.Close()
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), time.Date(2027, 1, 1, 0, 0, 0, 0, time.Local)
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s, err := server.Open(ctx, filepath.Join(dir, "platform.db"), server.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			rep, err := s.Supervision(ctx, from, to)
			if err != nil || rep.Total.Cases != 1000 {
				b.Fatalf("%d cases, %v", rep.Total.Cases, err)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	})
	b.Run("baseline", func(b *testing.B) {
		db, err := store.Open(ctx, filepath.Join(dir, "platform.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			rows, err := db.QueryContext(ctx, `SELECT data FROM log_records`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var data []byte
				var r casefile.Record
				rows.Scan(&data)
				if json.Unmarshal(data, &r) == nil {
					n++
				}
			}
			rows.Close()
			if n < 7000 {
				b.Fatalf("%d records", n)
			}
		}
	})
}
