package client

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// agencyFee is agency 01's own fee procedure: an application accepted
// before any fee is assessed (the national one assesses first).
const agencyFee = `[{"id":"fee","act":"fee","agency":"01","title":"行政收费（本机关）","stages":[
 {"key":"accept","documents":["acceptance_notice"]},
 {"key":"assess","decision":true,"requires":["accept"],"documents":["fee_notice"],"dates":["pay_by"]},
 {"key":"collect","requires":["assess"]},
 {"key":"close","final":true,"requires":["collect"]}]}]`

// An administrator sets an agency's procedure on the platform; an
// officer's device pulls it in its sync round and its case log applies it
// from then on, also after the folder is opened again: a fee assessed
// before the application is accepted is refused. A case opened before
// keeps the version it was opened under; one opened after names the
// agency's version, and a change on the platform raises it.
func TestOfficerDeviceInstallsAgencyProcedures(t *testing.T) {
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	list, err := casefile.ParseProcedures([]byte(agencyFee))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetProcedures(ctx, list); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dev, err := device.Open(ctx, dir, device.Catalog|device.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { dev.Close() }()
	dev.Config.PlatformURL = h.URL
	open := func(d *device.Device) *casefile.Case {
		t.Helper()
		id, err := d.Log.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActFee, Agency: "01", ItemID: "F1", ItemName: "证照工本费",
			Party: casefile.Party{Kind: "org", Name: "青禾市某某公司", IDNo: "91990104MA0000003Z"}, Officers: []casefile.Officer{{CertNo: "990101000001"}}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := d.Log.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	assess := func(d *device.Device, id string) error {
		_, err := d.Log.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "assess", Dates: map[string]string{"pay_by": "2026-12-31"}})
		return err
	}
	before := open(dev)
	if before.Opening.ProcedureVersion != 0 || assess(dev, before.ID) != nil {
		t.Fatalf("before the sync, the national fee procedure: version %d", before.Opening.ProcedureVersion)
	}
	id := enrol(t, s, h, dev.Log)
	if err := SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	res, err := Round(ctx, dev, nil)
	if err != nil || !slices.Contains(keys(res.Done), "cli.procedures_pulled") {
		t.Fatalf("round: %v %v", res, err)
	}
	after := open(dev)
	if after.Opening.ProcedureVersion != 1 || after.Procedure().Title != "行政收费（本机关）" {
		t.Fatalf("opened after the sync: version %d, %s", after.Opening.ProcedureVersion, after.Procedure().Title)
	}
	if err := assess(dev, after.ID); !errors.Is(err, casefile.ErrOutOfOrder) || !strings.Contains(err.Error(), "accept") {
		t.Fatalf("assessed before acceptance: %v", err)
	}
	if c, _ := dev.Log.Case(ctx, before.ID); c.Opening.ProcedureVersion != 0 {
		t.Fatalf("the case opened before the change says version %d", c.Opening.ProcedureVersion)
	}

	// The folder opened again applies what the platform sent.
	dev.Close()
	if dev, err = device.Open(ctx, dir, device.Catalog|device.Ledger); err != nil {
		t.Fatal(err)
	}
	dev.Config.PlatformURL = h.URL
	again := open(dev)
	if err := assess(dev, again.ID); !errors.Is(err, casefile.ErrOutOfOrder) {
		t.Fatalf("reopened, assessed before acceptance: %v", err)
	}
	if _, err := dev.Log.AddStage(ctx, again.ID, "990101000001", casefile.StageBody{Stage: "accept"}); err != nil {
		t.Fatal(err)
	}
	if err := assess(dev, again.ID); err != nil {
		t.Fatalf("assessed after acceptance: %v", err)
	}

	// A changed procedure comes as the next version.
	list[0].Title = "行政收费（本机关·修订）"
	if _, err := s.SetProcedures(ctx, list); err != nil {
		t.Fatal(err)
	}
	if _, err := Round(ctx, dev, nil); err != nil {
		t.Fatal(err)
	}
	if c := open(dev); c.Opening.ProcedureVersion != 2 || c.Procedure().Title != "行政收费（本机关·修订）" {
		t.Fatalf("after the change: version %d, %s", c.Opening.ProcedureVersion, c.Procedure().Title)
	}
	if c, _ := dev.Log.Case(ctx, after.ID); c.Opening.ProcedureVersion != 1 {
		t.Fatalf("the case opened under version 1 says %d", c.Opening.ProcedureVersion)
	}

	// A platform sending a malformed set changes nothing on the device.
	if err := dev.SaveProcedures([]casefile.Procedure{{ID: "fee", Act: "fee", Title: "无机关", Stages: list[0].Stages}}); err == nil {
		t.Fatal("a procedure naming no agency was installed")
	}
	if got, err := dev.Procedures(); err != nil || len(got) != 1 || got[0].Version != 2 {
		t.Fatalf("kept: %+v %v", got, err)
	}
}
