package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// Two hundred devices push at once to one platform on loopback: every
// record arrives, none twice, and the push latency's 99th percentile is
// printed. Bounded: 200 devices, 10 records each, one push a device.
func TestTwoHundredDevicesPushAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		if testing.Short() {
			t.Skip("load test")
		}
		ctx := context.Background()
		s, h := platform(t, b)
		const devices, records = 200, 10
		type dev struct {
			log *casefile.Log
			id  client.Identity
		}
		var ds []dev
		dir := t.TempDir()
		for i := range devices {
			name := fmt.Sprintf("LOAD-%03d", i)
			l, err := casefile.Open(ctx, filepath.Join(dir, name+".db"), filepath.Join(dir, "m"), name, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			batch := make([]*casefile.Record, records)
			for j := range batch {
				batch[j] = &casefile.Record{Case: "C", Kind: "note", Author: "x", Body: json.RawMessage(fmt.Sprintf(`{"n":%d}`, j))}
			}
			if err := l.AppendBatch(ctx, batch); err != nil {
				t.Fatal(err)
			}
			code, _ := s.NewEnrolCode(ctx, "officer")
			id, err := client.Enrol(ctx, h.URL, code, name, "officer", l.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, dev{l, id})
		}
		lat := make([]time.Duration, devices)
		errs := make([]error, devices)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, d := range ds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				t0 := time.Now()
				_, errs[i] = client.New(d.id).Push(ctx, d.log)
				lat[i] = time.Since(t0)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("device %d: %v", i, err)
			}
		}
		total := 0
		for _, d := range ds {
			held, _ := s.LogRecords(ctx, d.id.DeviceID)
			if len(held) != records {
				t.Fatalf("%s: platform holds %d of %d records", d.id.DeviceID, len(held), records)
			}
			if n, _ := d.log.Receipted(ctx); n != records {
				t.Fatalf("%s: receipt covers %d", d.id.DeviceID, n)
			}
			total += len(held)
		}
		slices.Sort(lat)
		t.Logf("%d devices pushed %d records at once: none lost; push latency p50 %v, p99 %v, max %v",
			devices, total, lat[devices/2], lat[devices*99/100], lat[devices-1])
	})
}
