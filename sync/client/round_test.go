package client

import (
	"context"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

func keys(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Key)
	}
	return out
}

// A round says what it did and what failed as keys: a device not enrolled
// pulls the lists and says it is not enrolled; enrolled, it pushes; with
// the platform gone, the first step fails as unreachable and nothing after
// it is tried.
func TestRoundSaysWhatItDidAsKeys(t *testing.T) {
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	dev, err := device.Open(ctx, t.TempDir(), device.Catalog|device.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	dev.Config.PlatformURL = h.URL

	res, err := Round(ctx, dev, nil)
	if err != nil || len(res.Failed) != 0 || len(res.Done) != 2 || res.Done[0].Key != "cli.pulled" || res.Done[1].Key != "cli.not_enrolled" {
		t.Fatalf("not enrolled: %v %v", keys(res.Done), err)
	}

	if _, err := dev.Log.AddNote(ctx, mustCase(t, dev.Log), "990101000001", "现场情况"); err != nil {
		t.Fatal(err)
	}
	id := enrol(t, s, h, dev.Log)
	if err := SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	res, err = Round(ctx, dev, nil)
	if err != nil || len(res.Done) < 2 || res.Done[1].Key != "cli.pushed" {
		t.Fatalf("enrolled: %v %v", res, err)
	}
	if n := res.Done[1].Args["N"]; n != 2 {
		t.Errorf("pushed %v records, want 2", n)
	}

	h.Close()
	var progress []Upload
	res, err = Round(ctx, dev, func(u Upload) { progress = append(progress, u) })
	if err == nil || len(res.Failed) != 1 || res.Failed[0].Step != "catalog" || res.Failed[0].Why.Key != "sync.why_unreachable" {
		t.Fatalf("platform gone: %v %v", res, err)
	}
	if key, args := res.Failed[0].Keyed(); key != "sync.step_failed" || args["Step"].(Message).Key != "sync.step.catalog" {
		t.Fatalf("failure worded as %s %v", key, args)
	}
}

// A round says how many trusted time-stamps it kept: with the platform's
// time-stamping authority on loopback, the receipt of the first push is
// stamped in the background and the next round keeps the token, saying
// so as cli.timestamped.
func TestRoundSaysTimestamps(t *testing.T) {
	ctx := context.Background()
	tsa := tsatest.Start(t)
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin,
		Timestamps: stamps.Config{URL: tsa.URL, Roots: tsa.CA.Roots(), Retry: time.Hour}})
	dev, err := device.Open(ctx, t.TempDir(), device.Catalog|device.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	dev.Config.PlatformURL = h.URL
	if _, err := dev.Log.AddNote(ctx, mustCase(t, dev.Log), "990101000001", "现场情况"); err != nil {
		t.Fatal(err)
	}
	id := enrol(t, s, h, dev.Log)
	if err := SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	kept := 0
	for round := range 2 {
		res, err := Round(ctx, dev, nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, m := range res.Done {
			if m.Key == "cli.timestamped" {
				kept += m.Args["N"].(int)
			}
		}
		if _, err := s.Stamps().Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if kept != 1 {
		t.Fatalf("the rounds said %d time-stamps kept, want 1", kept)
	}
	if ts, err := dev.Log.Timestamps(ctx); err != nil || len(ts) != 1 {
		t.Fatalf("the ledger holds %d tokens, %v", len(ts), err)
	}
}
