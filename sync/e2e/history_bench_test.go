package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// BenchmarkPushHistory: ours pushes 10 records onto a device log of which
// the platform holds 100,000; the baseline pushes 10 onto one of 100, on
// the same platform in the same run (PostgreSQL and S3 where configured,
// the city's storage; SQLite otherwise). A push costs what its records
// cost, not what the device pushed before: the ratio stays near 1. The
// long history is put into the platform's tables as pushes leave it (the
// device's records and tree hashes, copied from its log) rather than
// pushed, which on PostgreSQL would take minutes.
func BenchmarkPushHistory(b *testing.B) {
	ctx := context.Background()
	bes := servertest.Backends(b)
	be := bes[len(bes)-1]
	dbURL, media := be.Where(b)
	s, err := server.Open(ctx, dbURL, server.Options{Media: media, AdminToken: admin, KeyFile: servertest.KeyFile(dbURL)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(s.Handler())
	defer h.Close()
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.Logf("on %s", be.Name)
	for _, c := range []struct {
		name string
		held int
	}{{"baseline", 100}, {"ours", 100_000}} {
		l := casefiletest.Open(b, "HIST-"+c.name)
		for start := 0; start < c.held; start += 1000 {
			batch := make([]*casefile.Record, min(1000, c.held-start))
			for i := range batch {
				batch[i] = &casefile.Record{Case: "H", Kind: "note", Author: "990101000001",
					Body: json.RawMessage(fmt.Sprintf(`{"text":"现场检查笔录第%d页"}`, start+i))}
			}
			if err := l.AppendBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		code, _ := s.NewEnrolCode(ctx, "officer")
		id, err := client.Enrol(ctx, h.URL, code, "bench", "officer", l.Verifier)
		if err != nil {
			b.Fatal(err)
		}
		seedHistory(b, db, id.DeviceID, l)
		n := 0
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				batch := make([]*casefile.Record, 10)
				for i := range batch {
					batch[i] = &casefile.Record{Case: "P", Kind: "note", Author: "990101000001",
						Body: json.RawMessage(fmt.Sprintf(`{"text":"今日笔录第%d页"}`, n))}
					n++
				}
				if err := l.AppendBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
				recs, cp, err := l.Since(ctx, int64(c.held+n-10))
				if err != nil || len(recs) != 10 {
					b.Fatalf("%d records: %v", len(recs), err)
				}
				req := api.PushRequest{Checkpoint: string(cp.Note)}
				for _, r := range recs {
					req.Records = append(req.Records, api.WireRecord{Seq: r.Seq, Data: r.Data})
				}
				body, _ := json.Marshal(req)
				b.StartTimer()
				// The device's push of what the platform lacks, and its
				// check of the receipt against its own tree.
				hr, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.URL+api.PathPush, bytes.NewReader(body))
				hr.Header.Set("Authorization", "Bearer "+id.Token)
				hr.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(hr)
				if err != nil {
					b.Fatal(err)
				}
				var rc api.Receipt
				err = json.NewDecoder(resp.Body).Decode(&rc)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("push: %d %v", resp.StatusCode, err)
				}
				if size, err := l.KeepReceipt(ctx, rc.Note, id.PlatformKey); err != nil || size != cp.Size {
					b.Fatalf("receipt of %d: %v", size, err)
				}
			}
		})
	}
}

// seedHistory puts l's records and tree hashes into the platform's tables
// for device, as pushes of them would have left them.
func seedHistory(b *testing.B, db *sqldb.DB, device string, l *casefile.Log) {
	ctx := context.Background()
	// The records' bytes as a push sends them (opened, when the log is
	// sealed); their tree hashes straight from the table.
	raw, _, err := l.Since(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := l.DB().QueryContext(ctx, `SELECT seq, hashes FROM records ORDER BY seq`)
	if err != nil {
		b.Fatal(err)
	}
	type row struct {
		seq          int64
		data, hashes []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.hashes); err != nil {
			b.Fatal(err)
		}
		if r.seq >= int64(len(raw)) || raw[r.seq].Seq != r.seq {
			b.Fatalf("record %d is not covered by a checkpoint", r.seq)
		}
		r.data = raw[r.seq].Data
		all = append(all, r)
	}
	rows.Close()
	// Many rows to a statement (sqldb.Tx.InsertRows, as a push does):
	// 300,000 round trips would take minutes.
	var recs, hashes [][]any
	for _, r := range all {
		recs = append(recs, []any{device, r.seq, r.data})
		base := ledger.FirstHashIndex(r.seq)
		for j := 0; j*32 < len(r.hashes); j++ {
			hashes = append(hashes, []any{device, base + int64(j), r.hashes[j*32 : (j+1)*32]})
		}
	}
	err = db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.InsertRows(ctx, "log_records", []string{"device", "seq", "data"}, recs); err != nil {
			return err
		}
		return tx.InsertRows(ctx, "log_hashes", []string{"device", "idx", "hash"}, hashes)
	})
	if err != nil {
		b.Fatal(err)
	}
}
