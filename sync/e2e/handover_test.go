package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// roundOK runs a sync round that must finish every step.
func roundOK(t *testing.T, dev *device.Device) client.Result {
	t.Helper()
	res, err := client.Round(context.Background(), dev, nil)
	if err != nil {
		t.Fatalf("sync round of %s: %v", dev.Log.DeviceID(), err)
	}
	return res
}

// activated adds an officer of agency to the platform and activates them
// on dev with pin, signed in.
func activated(t *testing.T, s *server.Server, dev *device.Device, id, name, agency, pin string) {
	t.Helper()
	ctx := context.Background()
	code := person(t, s, api.Person{ID: id, Name: name, Agency: agency, Role: api.RoleOfficer})
	if _, err := client.ActivatePerson(ctx, dev, code, pin); err != nil {
		t.Fatalf("activate %s: %v", id, err)
	}
	if _, _, err := dev.Book.SignIn(ctx, id, pin, "officer"); err != nil {
		t.Fatal(err)
	}
}

// A case moves from one officer's device to another officer's (移交)
// through signed records on both sides, carried by the platform: the
// holder's handover names the officer, the platform gives the case's
// records only to that officer's signed request, their device checks and
// keeps them, and their takeover (naming the handover by place and hash)
// moves the case; the earlier records stay in the first device's log with
// their signatures, and the case reads whole on the platform and on the
// new device. Then what others would try, each refused with its own error
// and alert: the first device writing on after the handover, a third
// device taking the case over for itself or forging the named officer's
// signature, a handover to an officer of another agency, a request for
// the handovers not signed by the officer.
func TestCaseHandoverBetweenDevices(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		const first, second, third = "990101000031", "990101000032", "990101000033"
		deskA := officerDevice(t, s, h.URL, "DESK-A")
		activated(t, s, deskA, first, "李明", "01", "147258")
		deskB := officerDevice(t, s, h.URL, "DESK-B")
		activated(t, s, deskB, second, "王芳", "01", "258369")

		id, err := deskA.Log.OpenCase(ctx, first, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "检查",
			Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: first, Name: "李明"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := deskA.Log.AddNote(ctx, id, first, "已调取监控"); err != nil {
			t.Fatal(err)
		}
		if _, err := deskA.Log.HandOver(ctx, id, first, casefile.Handover{To: second, ToName: "王芳", Reason: "李明调岗，由王芳继续办理"}); err != nil {
			t.Fatal(err)
		}
		if _, err := deskA.Log.AddNote(ctx, id, first, "移交之后"); !errors.Is(err, casefile.ErrHandedOver) {
			t.Fatalf("a record after the handover, on the device: %v", err)
		}
		roundOK(t, deskA)

		// The first device, its software changed, writes on anyway.
		raw := rawLedger(t, deskA)
		if err := raw.Append(ctx, &casefile.Record{Case: id, Kind: casefile.KindNote, Author: first, Body: json.RawMessage(`{"text":"补记"}`)}); err != nil {
			t.Fatal(err)
		}
		_, err = client.New(identity(t, deskA)).Push(ctx, deskA.Log)
		refused(t, s, err, "case_handed_over", "DESK-A")

		// Third officers' devices, while the handover waits.
		hand, err := deskA.Log.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var last casefile.Record // the handover
		for _, r := range hand.Records {
			if r.Kind == casefile.KindHandover {
				last = r
			}
		}
		// A takeover written past the case file's rules (the device holds
		// none of the case), signed by whoever the device has keys for.
		takeover := func(l *casefile.Log, cid client.Identity, author string, keys casefiletest.Keys) error {
			body, _ := json.Marshal(casefile.Takeover{FromDevice: "DESK-A", FromSeq: last.Seq, Handover: hashOf(t, last)})
			r := &casefile.Record{Case: id, Kind: casefile.KindTakeover, Author: author, Body: body, At: time.Now().UTC().Truncate(time.Millisecond)}
			if k, ok := keys[author]; ok {
				if err := r.AddSig(l.Origin(), ledger.KeySigner{ID: author, Key: k}); err != nil {
					t.Fatal(err)
				}
			}
			if err := rawLog(t, l).Append(ctx, r); err != nil {
				t.Fatal(err)
			}
			_, err := client.New(cid).Push(ctx, l)
			return err
		}
		// Taking the case over for oneself.
		deskC, _ := logAt(t, "DESK-C")
		keysC := casefiletest.SignAs(t, deskC, third)
		keysOf.Store(deskC, keysC)
		idC := enrol(t, s, h, deskC)
		refused(t, s, takeover(deskC, idC, third, keysC), "not_handed_over", "DESK-C")
		// In the named officer's name, signed with a key of the device's own.
		deskD, _ := logAt(t, "DESK-D")
		keysOf.Store(deskD, casefiletest.SignAs(t, deskD, third))
		idD := enrol(t, s, h, deskD)
		refused(t, s, takeover(deskD, idD, second, casefiletest.SignAs(t, deskD, second)), "unknown_key", "DESK-D")
		// Asking for the officer's handovers without their key.
		_, forged, _ := ed25519.GenerateKey(rand.Reader)
		_, err = client.New(idD).PullHandovers(ctx, ledger.KeySigner{ID: second, Key: forged})
		var pe *client.Error
		if !errors.As(err, &pe) || pe.Problem.Code != "person_required" {
			t.Fatalf("handovers asked for with a forged key: %v", err)
		}
		if list, err := client.New(idC).PullHandovers(ctx, signerOn(t, deskC, third)); err != nil || len(list) != 0 {
			t.Fatalf("another officer's handovers: %+v %v", list, err)
		}
		// Handing a case to an officer of another agency.
		const elsewhere = "990102000034"
		person(t, s, api.Person{ID: elsewhere, Name: "赵强", Agency: "02", Role: api.RoleOfficer})
		deskE := openLog(t, "DESK-E", third)
		idE := enrol(t, s, h, deskE)
		own := casefiletest.Case(t, deskE)
		if _, err := deskE.HandOver(ctx, own, "990101000001", casefile.Handover{To: elsewhere, Reason: "移交"}); err != nil {
			t.Fatal(err)
		}
		_, err = client.New(idE).Push(ctx, deskE)
		refused(t, s, err, "bad_handover", "DESK-E")

		// The new officer's device hears of it in its next round.
		res := roundOK(t, deskB)
		if !hasDone(res, "cli.handovers_received") {
			t.Fatalf("round of DESK-B: %+v", res.Done)
		}
		in, err := deskB.Log.Incoming(ctx)
		if err != nil || len(in) != 1 || in[0].ID != id || in[0].Pending.To != second {
			t.Fatalf("incoming on DESK-B: %+v %v", in, err)
		}
		if _, err := deskB.Log.TakeOver(ctx, id, second); err != nil {
			t.Fatal(err)
		}
		if _, err := deskB.Log.AddNote(ctx, id, second, "继续调查"); err != nil {
			t.Fatal(err)
		}
		roundOK(t, deskB)

		holder, c, err := s.HeldCase(ctx, id)
		if err != nil || holder != "DESK-B" {
			t.Fatalf("held by %q: %v", holder, err)
		}
		var kinds []string
		for _, r := range c.Records {
			kinds = append(kinds, r.Kind+"@"+r.Device)
			origin := "sanxiang/device/" + r.Device
			if r.Device == "" {
				origin = "sanxiang/device/DESK-B"
			}
			if len(r.Sigs) == 0 || ledger.VerifySigs(origin, &r) != nil {
				t.Fatalf("record %s #%d is not signed as it was: %+v", r.Device, r.Seq, r.Sigs)
			}
		}
		if got, want := fmtKinds(kinds), "case.open@DESK-A note@DESK-A case.handover@DESK-A case.takeover@ note@"; got != want {
			t.Fatalf("the case on the platform: %s, want %s", got, want)
		}
		if c.Holder != second {
			t.Fatalf("holder %s", c.Holder)
		}
		rep, err := s.Supervision(ctx, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range rep.Cases {
			if e.Case == id {
				n++
				if e.Device != "DESK-B" {
					t.Fatalf("supervision reads the case on %s", e.Device)
				}
			}
		}
		if n != 1 {
			t.Fatalf("supervision counts the case %d times", n)
		}
		// Taken over, the case is no longer the first device's to write in.
		_, err = client.New(identity(t, deskA)).Push(ctx, deskA.Log)
		refused(t, s, err, "case_elsewhere", "DESK-A")
	})
}

func hasDone(res client.Result, key string) bool {
	for _, d := range res.Done {
		if d.Key == key {
			return true
		}
	}
	return false
}

func fmtKinds(k []string) string {
	out := ""
	for i, x := range k {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// logAt opens a new case log for origin in a temporary folder, and
// returns it with its file's path.
func logAt(t *testing.T, origin string) (*casefile.Log, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "casefile.db")
	l, err := casefile.Open(context.Background(), path, filepath.Join(dir, "media"), origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(); keysOf.Delete(l) })
	logPaths.Store(l, path)
	return l, path
}

// logPaths remembers where logAt put each log.
var logPaths sync.Map // *casefile.Log → string

// rawLog opens a log made by logAt as software that skips the case
// file's rules would: the same file and device key, no hook.
func rawLog(t *testing.T, l *casefile.Log) *ledger.Log {
	t.Helper()
	p, ok := logPaths.Load(l)
	if !ok {
		t.Fatal("rawLog: not a log of logAt")
	}
	path := p.(string)
	raw, err := ledger.Open(context.Background(), path, filepath.Join(filepath.Dir(path), "media"), l.DeviceID(), ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// rawLedger opens dev's log as software that skips the case file's rules
// would: the same file, device key and (someone being signed in) data
// key, no hook.
func rawLedger(t *testing.T, dev *device.Device) *ledger.Log {
	t.Helper()
	l, err := ledger.Open(context.Background(), filepath.Join(dev.Dir, config.CasefileDB), filepath.Join(dev.Dir, config.MediaDir), dev.Log.DeviceID(), ledger.Options{Keys: dev.Keys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func identity(t *testing.T, dev *device.Device) client.Identity {
	t.Helper()
	id, err := client.LoadIdentity(dev.Dir, dev.Keys())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func hashOf(t *testing.T, r casefile.Record) string {
	t.Helper()
	r.Device = ""
	data, err := ledger.EncodeRecord(&r)
	if err != nil {
		t.Fatal(err)
	}
	sum := ledger.RecordHash(data)
	return hex.EncodeToString(sum[:])
}
