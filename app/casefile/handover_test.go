package casefile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// carry is what the platform does for a handover: the case's records from
// the log that holds them, as their bytes, each with its device.
func carry(t *testing.T, from *casefile.Log, id string) []casefile.ReceivedRecord {
	t.Helper()
	c, err := from.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := from.Since(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []casefile.ReceivedRecord
	for _, r := range c.Records {
		dev := r.Device
		if dev == "" {
			dev = from.DeviceID()
		}
		if dev != from.DeviceID() {
			t.Fatalf("carry: record of %s", dev)
		}
		out = append(out, casefile.ReceivedRecord{Device: dev, Seq: r.Seq, Data: raw[r.Seq].Data})
	}
	return out
}

func TestHandoverAcrossDevices(t *testing.T) {
	ctx := context.Background()
	a, b := casefiletest.Open(t, "QH01"), casefiletest.Open(t, "QH02")
	casefiletest.SignAs(t, a, "990101000001")
	casefiletest.SignAs(t, b, "990101000003", "990101000001")
	id := casefiletest.Case(t, a)
	if _, err := a.AddNote(ctx, id, "990101000001", "现场检查记录"); err != nil {
		t.Fatal(err)
	}
	// Only the holder hands over, to someone else, for a reason.
	if _, err := a.HandOver(ctx, id, "990101000002", casefile.Handover{To: "990101000003", Reason: "调岗"}); !errors.Is(err, casefile.ErrNotHolder) {
		t.Fatalf("handover by a non-holder: %v", err)
	}
	if _, err := a.HandOver(ctx, id, "990101000001", casefile.Handover{To: "990101000001", Reason: "调岗"}); !errors.Is(err, casefile.ErrHandoverSelf) {
		t.Fatalf("handover to oneself: %v", err)
	}
	if _, err := a.HandOver(ctx, id, "990101000001", casefile.Handover{To: "990101000003", Reason: "调岗，由乙继续办理"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddNote(ctx, id, "990101000001", "after"); !errors.Is(err, casefile.ErrHandedOver) {
		t.Fatalf("a note after the handover: %v", err)
	}

	recs := carry(t, a, id)
	// A bad byte in a carried record is refused before anything is kept.
	bad := append([]casefile.ReceivedRecord(nil), recs...)
	bad[1].Data = []byte(strings.Replace(string(bad[1].Data), "现场检查记录", "未见异常", 1))
	if err := b.Receive(ctx, id, bad); !errors.Is(err, ledger.ErrBadSig) {
		t.Fatalf("a tampered record: %v", err)
	}
	if in, _ := b.Incoming(ctx); len(in) != 0 {
		t.Fatalf("after a refused receipt %d cases came in", len(in))
	}
	if err := b.Receive(ctx, id, recs); err != nil {
		t.Fatal(err)
	}
	in, err := b.Incoming(ctx)
	if err != nil || len(in) != 1 || in[0].Pending == nil || in[0].Pending.To != "990101000003" {
		t.Fatalf("incoming: %v %+v", err, in)
	}
	if _, err := b.AddNote(ctx, id, "990101000003", "too early"); !errors.Is(err, casefile.ErrHandedOver) {
		t.Fatalf("a note before taking over: %v", err)
	}
	if _, err := b.TakeOver(ctx, id, "990101000001"); !errors.Is(err, casefile.ErrNotHandedToYou) {
		t.Fatalf("taken over by someone else: %v", err)
	}
	if _, err := b.TakeOver(ctx, id, "990101000003"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddNote(ctx, id, "990101000003", "继续调查"); err != nil {
		t.Fatal(err)
	}
	c, err := b.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{}
	for _, r := range c.Records {
		kinds = append(kinds, r.Kind+"@"+r.Device)
	}
	want := "[case.open@QH01 note@QH01 case.handover@QH01 case.takeover@ note@]"
	if got := fmtList(kinds); got != want {
		t.Fatalf("records: %s, want %s", got, want)
	}
	if c.Holder != "990101000003" || c.Pending != nil {
		t.Fatalf("holder %s pending %v", c.Holder, c.Pending)
	}
	for _, r := range c.Records {
		origin := "sanxiang/device/" + r.Device
		if r.Device == "" {
			origin = b.Origin()
		}
		if err := ledger.VerifySigs(origin, &r); err != nil || len(r.Sigs) == 0 {
			t.Fatalf("record %s #%d: %v (%d sigs)", r.Device, r.Seq, err, len(r.Sigs))
		}
	}
	if ids, _ := b.CaseIDs(ctx); len(ids) != 1 || ids[0] != id {
		t.Fatalf("case list on the new device: %v", ids)
	}
	if in, _ := b.Incoming(ctx); len(in) != 0 {
		t.Fatalf("still incoming after the takeover: %d", len(in))
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
