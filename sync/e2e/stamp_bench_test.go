package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// BenchmarkStampedPush: the baseline is a device's push of one record and
// its receipt on a platform without a time-stamping authority; ours is the
// same push on a platform with the loopback authority, plus the platform's
// stamp of that receipt: asked, verified against the roots and kept
// (Flush). The ratio is what stamping costs a push end to end; p95-ms is
// the time from the push to its receipt's token kept. (A device never
// waits for it: the push answers first.)
func BenchmarkStampedPush(b *testing.B) {
	ctx := context.Background()
	tsa := tsatest.Start(b)
	for _, c := range []struct {
		name string
		tsa  stamps.Config
	}{{"baseline", stamps.Config{}}, {"ours", stamps.Config{URL: tsa.URL, Roots: tsa.CA.Roots(), Retry: time.Hour}}} {
		be := servertest.Backends(b)[0]
		dbURL, media := be.Where(b)
		s, err := server.Open(ctx, dbURL, server.Options{Media: media, AdminToken: admin, Timestamps: c.tsa})
		if err != nil {
			b.Fatal(err)
		}
		h := httptest.NewServer(s.Handler())
		l := casefiletest.Open(b, "STAMP-"+c.name)
		code, _ := s.NewEnrolCode(ctx, "officer")
		id, err := client.Enrol(ctx, h.URL, code, "bench", "officer", l.Verifier)
		if err != nil {
			b.Fatal(err)
		}
		cl := client.New(id)
		n := 0
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				b.StopTimer()
				if err := l.Append(ctx, &casefile.Record{Case: "S", Kind: "note", Author: "990101000001",
					Body: json.RawMessage(fmt.Sprintf(`{"text":"笔录第%d页"}`, n))}); err != nil {
					b.Fatal(err)
				}
				n++
				b.StartTimer()
				start := time.Now()
				if res, err := cl.Push(ctx, l); err != nil || res.Pushed != 1 {
					b.Fatalf("push: %+v %v", res, err)
				}
				if c.tsa.URL != "" {
					if _, err := s.Stamps().Flush(ctx); err != nil {
						b.Fatal(err)
					}
					if owed, err := s.Stamps().Owed(ctx); err != nil || owed != 0 {
						b.Fatalf("owed %d, %v", owed, err)
					}
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*95/100])/1e6, "p95-ms")
		})
		h.Close()
		s.Close()
	}
}
