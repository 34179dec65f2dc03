package client

import (
	"context"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
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
