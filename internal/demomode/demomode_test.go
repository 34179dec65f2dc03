package demomode

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// A new demo folder is seeded through the demo's own platform: its device
// enrolled, its officers and reviewers activated with codes from the
// platform's people room, and its cases signed with those keys, so that
// the platform takes the demo's whole log on the first sync. Run again on
// the same folder, the demo keeps its people and its log.
func TestDemoPeopleAreActivatedAndTheirRecordsTaken(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := SeedLists(dir, demo.Standard); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PlatformURL = "http://" + addr
	if err := config.Save(dir, cfg); err != nil {
		t.Fatal(err)
	}
	stop, _, err := Platform(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { stop() }() // the second run's, at the end

	dev, err := device.Open(ctx, dir, device.Catalog|device.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	officers, err := dev.Book.List(ctx, account.RoleOfficer)
	if err != nil || len(officers) < 2 {
		t.Fatalf("officers enrolled: %d (%v)", len(officers), err)
	}
	ids, err := dev.Log.CaseIDs(ctx)
	if err != nil || len(ids) == 0 {
		t.Fatalf("no demo cases: %v", err)
	}
	// The demo's people sign in with the demo's PIN, quickly; that opens
	// the folder's sealed data (its token among it) for the sync.
	if _, _, err := dev.Book.SignIn(ctx, officers[0].ID, demo.PIN, "test"); err != nil {
		t.Fatalf("sign in %s: %v", officers[0].ID, err)
	}
	res, err := client.Round(ctx, dev, nil)
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("the demo's first sync: %v %v", err, res.Failed)
	}
	// The demo's photos came with it: the demo officer's and the demo
	// window staff member's (issue 23), for the kiosk and the display.
	for _, id := range []string{"990101000001", "990102000004"} {
		sha, err := dev.Catalog.PortraitOf(ctx, id)
		if err != nil || sha == "" {
			t.Fatalf("no demo photo named for %s: %v", id, err)
		}
		if _, err := dev.Catalog.Photo(ctx, sha); err != nil {
			t.Fatalf("the demo photo of %s is not on the device: %v", id, err)
		}
	}

	// The demo's two witnesses cosign what the device sent: a later round
	// brings the cosigned checkpoint, which verifies against the policy
	// written to the folder for sanxiang-verify, both witnesses named.
	policyFile := filepath.Join(dir, WitnessPolicyFile)
	policyOf := func() witness.Policy {
		t.Helper()
		b, err := os.ReadFile(policyFile)
		if err != nil {
			t.Fatal(err)
		}
		p, err := witness.ParsePolicy(b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var size int64
	var cosigned []byte
	for deadline := time.Now().Add(30 * time.Second); size == 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		if _, err := client.Round(ctx, dev, nil); err != nil {
			t.Fatal(err)
		}
		if size, cosigned, _, err = dev.Log.Cosigned(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if size == 0 {
		t.Fatal("the demo's witnesses cosigned no checkpoint of the device")
	}
	named, err := witness.VerifyCosigned(cosigned, policyOf())
	if err != nil || len(named) != 2 {
		t.Fatalf("the demo's cosigned checkpoint against %s: %v %v", WitnessPolicyFile, named, err)
	}
	vkeys := func(p witness.Policy) (out []string) {
		for _, w := range p.Witnesses {
			out = append(out, w.Name+" "+w.Key)
		}
		return out
	}
	before := vkeys(policyOf())

	// A second run: the folder keeps its identity, people and records,
	// and its witnesses their keys.
	key := officers[0].PubKey
	stop()
	stop, _, err = Platform(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := dev.Book.KeyOf(ctx, officers[0].ID); err != nil || got != key {
		t.Fatalf("key of %s after a second run: %q %v", officers[0].ID, got, err)
	}
	if after := vkeys(policyOf()); !slices.Equal(before, after) {
		t.Fatalf("the demo's witnesses changed keys between runs:\n%v\n%v", before, after)
	}
}

// TestDemoFinishedCasesHaveTheirAV: a demo folder seeded offline (the
// seed command's way) holds, on every finished case, the audio-visual
// record each stage needs under the folder's A/V list, the nationwide
// baseline and the procedure's own flags — recorded through the desk's
// capture code — so the desk warns of no missing A/V on a finished case.
func TestDemoFinishedCasesHaveTheirAV(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Seed(dir, demo.Standard); err != nil {
		t.Fatal(err)
	}
	dev, err := device.Open(ctx, dir, device.Catalog|device.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	// The folder is sealed: an officer of the demo opens it.
	if _, _, err := dev.Book.SignIn(ctx, "990101000001", demo.PIN, "test"); err != nil {
		t.Fatal(err)
	}
	av, err := AVRequired(dev)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := dev.Log.CaseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	finished, stages, full := 0, 0, 0
	for _, id := range ids {
		c, err := dev.Log.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Closed() {
			continue
		}
		finished++
		need, whole := c.AVStages(av)
		stages += len(need)
		for _, s := range need {
			if whole[s] {
				full++
			}
		}
		if m := c.MissingAV(av); len(m) != 0 {
			t.Errorf("finished case %s (%s): no A/V record of %v", id, c.Procedure().ID, m)
		}
	}
	if finished < 8 || stages < 10 || full < 3 {
		t.Errorf("%d finished cases, %d stages needing A/V, %d of them the whole way: the check checks little", finished, stages, full)
	}
}
