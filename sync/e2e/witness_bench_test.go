package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// BenchmarkWitnessLatency is the time from a record appended to its first
// checkpoint cosigned by both of two witnesses on loopback (quorum 2), as
// the checkpoint alone with the device's consistency proof (ours), against the time to a platform receipt by the
// one-record push alone (baseline), in the same process. It reports the
// p95 of each, and req-bytes: the checkpoint-only request's body (ours)
// against the one-record push's (baseline).
func BenchmarkWitnessLatency(b *testing.B) {
	ctx := context.Background()
	_, wa := inProcessWitness(b, "procuratorate.test")
	_, wb := inProcessWitness(b, "legal-office.test")
	policy := witness.Policy{Witnesses: []witness.Witness{wa, wb}, Quorum: 2}
	s, h := servertest.Backends(b)[0].Serve(b, server.Options{AdminToken: admin, Witnesses: &policy, WitnessRetry: time.Minute})
	cosigned := make(chan int64, 64)
	s.OnCosigned = func(_ context.Context, _ string, size int64, _ []byte) { cosigned <- size }
	l := deviceLog(b, "bench-witness", 1)
	c := client.New(enrol(b, s, h, l))
	if _, err := c.Push(ctx, l); err != nil {
		b.Fatal(err)
	}
	<-cosigned
	// The device keeps the cosigned note: its next proof starts there.
	if _, err := c.SendCheckpoint(ctx, l); err != nil {
		b.Fatal(err)
	}
	p95 := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[(len(ds)*95)/100].Microseconds()) / 1000
	}
	b.Run("ours", func(b *testing.B) {
		var ds []time.Duration
		var size int
		for b.Loop() {
			start := time.Now()
			casefiletest.Notes(b, l, 1, "bench")
			cp, _ := l.Latest(ctx)
			body, _ := json.Marshal(api.CheckpointRequest{Checkpoint: string(cp.Note)})
			size = len(body)
			if _, err := c.SendCheckpoint(ctx, l); err != nil {
				b.Fatal(err)
			}
			for n := range cosigned {
				if n == cp.Size {
					break
				}
			}
			ds = append(ds, time.Since(start))
			// Outside the measure: the device keeps the cosigned note, as
			// the next answer brings it.
			if _, err := c.SendCheckpoint(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(p95(ds), "p95-ms")
		b.ReportMetric(float64(size), "req-bytes")
	})
	b.Run("baseline", func(b *testing.B) {
		var ds []time.Duration
		var size int
		for b.Loop() {
			start := time.Now()
			casefiletest.Notes(b, l, 1, "bench")
			done, _ := l.Receipted(ctx)
			recs, cp, _ := l.Since(ctx, done)
			req := api.PushRequest{Checkpoint: string(cp.Note)}
			for _, r := range recs {
				req.Records = append(req.Records, api.WireRecord{Seq: r.Seq, Data: r.Data})
			}
			body, _ := json.Marshal(req)
			size = len(body)
			if _, err := c.Push(ctx, l); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
		b.ReportMetric(p95(ds), "p95-ms")
		b.ReportMetric(float64(size), "req-bytes")
	})
}
