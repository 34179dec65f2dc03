package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// officerDevice opens a new officer's device named name (its data folder,
// accounts and log) and enrols it with the platform, as `sanxiang enrol`
// does; its keys are sealed at the quick cost, for the test's speed.
func officerDevice(t *testing.T, s *server.Server, url, name string) *device.Device {
	t.Helper()
	dev, _ := enrolledDevice(t, s, url, name, api.DeviceOfficer)
	return dev
}

// person adds someone to the platform and returns their activation code.
func person(t *testing.T, s *server.Server, p api.Person) string {
	t.Helper()
	p.Active = true
	if err := s.People().Put(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	code, _, err := s.People().NewActivationCode(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// refused asserts a push was refused with code, and that the platform's
// newest alert is of that kind, about device.
func refused(t *testing.T, s *server.Server, err error, code, device string) {
	t.Helper()
	var pe *client.Error
	if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != code {
		t.Fatalf("want a 403 %s, got %v", code, err)
	}
	alerts, err := s.AlertList(context.Background())
	if err != nil || len(alerts) == 0 || alerts[0].Kind != code || alerts[0].Device != device {
		t.Fatalf("want a %s alert about %s, got %+v (%v)", code, device, alerts, err)
	}
}

// An on-site record (行政处罚法 art. 42) is signed by both officers, each
// with their own key on the device, the second confirming with their own
// PIN. The legitimate flow works end to end: two people activated on a
// device through the platform, one signed in, the other confirming, the
// push taken. Then what an attacker with a second enrolled officer's
// device would try, each refused with its own error and an alert: a
// record naming a second officer who never signed, a second signature
// made with a key the platform never registered to that officer, a
// signature with a bad byte, and the first device's valid signatures
// replayed onto another record.
func TestOnSiteRecordNeedsSecondOfficersSignature(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		const first, second = "990101000011", "990101000012"
		code1 := person(t, s, api.Person{ID: first, Name: "李明", Agency: "01", Role: api.RoleOfficer})
		code2 := person(t, s, api.Person{ID: second, Name: "王芳", Agency: "01", Role: api.RoleOfficer})

		desk := officerDevice(t, s, h.URL, "DESK-A")
		if _, err := client.ActivatePerson(ctx, desk, code1, "123456"); !errors.Is(err, account.ErrWeakPIN) {
			t.Fatalf("a weak PIN: %v", err)
		}
		a1, err := client.ActivatePerson(ctx, desk, code1, "147258")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.ActivatePerson(ctx, desk, code2, "258369"); err != nil {
			t.Fatal(err)
		}
		var pe *client.Error
		if _, err := client.ActivatePerson(ctx, desk, code1, "147258"); !errors.As(err, &pe) || pe.Problem.Code != "bad_activation_code" {
			t.Fatalf("a code used twice: %v", err)
		}
		keys, err := s.People().Keys(ctx, first)
		if err != nil || len(keys) != 1 || keys[0].Key != a1.PubKey || keys[0].Device != "DESK-A" {
			t.Fatalf("registered keys of %s: %+v %v", first, keys, err)
		}

		// Offline from here: sign-in unseals the key.
		if _, _, err := desk.Book.SignIn(ctx, first, "147258", "officer"); err != nil {
			t.Fatal(err)
		}
		both := []casefile.Officer{{CertNo: first}, {CertNo: second}}
		id, err := desk.Log.OpenCase(ctx, first, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "检查",
			Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: both})
		if err != nil {
			t.Fatal(err)
		}
		onSite := casefile.StageBody{Stage: "inspect", Note: "现场检查", Officers: both}
		if _, err := desk.Log.AddStage(ctx, id, first, onSite); !errors.Is(err, casefile.ErrNotSigned) {
			t.Fatalf("an on-site record without the second officer's confirmation: %v", err)
		}
		if _, _, err := desk.Book.Confirm(ctx, second, "147258"); !errors.Is(err, account.ErrWrongPIN) {
			t.Fatalf("the first officer's PIN for the second: %v", err)
		}
		if _, _, err := desk.Book.Confirm(ctx, second, "258369"); err != nil {
			t.Fatal(err)
		}
		rec, err := desk.Log.AddStage(ctx, id, first, onSite)
		if err != nil {
			t.Fatalf("both officers signed: %v", err)
		}
		if len(rec.Sigs) != 2 || ledger.VerifySigs(desk.Log.Origin(), rec) != nil {
			t.Fatalf("signatures %+v", rec.Sigs)
		}
		if _, err := desk.Log.AddStage(ctx, id, first, onSite); !errors.Is(err, casefile.ErrNotSigned) {
			t.Fatalf("a confirmation served a second record: %v", err)
		}
		res, err := client.Round(ctx, desk, nil)
		if err != nil {
			t.Fatalf("the legitimate push: %v", err)
		}
		for _, d := range res.Done {
			if d.Key == "cli.flagged" {
				t.Fatalf("the legitimate push was flagged: %+v", d)
			}
		}

		// A second enrolled officer's device, with the first officer's key
		// activated on it: a record naming the second officer, who never
		// signed it.
		rogue := func(name string, sign func(l *casefile.Log, key ed25519.PrivateKey) casefile.Signer) (*casefile.Log, client.Identity) {
			l := casefiletest.Open(t, name)
			code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
			if err != nil {
				t.Fatal(err)
			}
			cid, err := client.Enrol(ctx, h.URL, code, name, api.DeviceOfficer, l.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			_, key, _ := ed25519.GenerateKey(rand.Reader)
			code, _, err = s.People().NewActivationCode(ctx, first)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.New(cid).Activate(ctx, code, key); err != nil {
				t.Fatal(err)
			}
			l.SetSigner(sign(l, key))
			rid, err := l.OpenCase(ctx, first, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "检查",
				Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: both})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.AddStage(ctx, rid, first, onSite); err != nil {
				t.Fatal(err)
			}
			return l, cid
		}
		asFirst := func(l *casefile.Log, key ed25519.PrivateKey) casefile.Signer {
			return func(_ context.Context, r *casefile.Record, _ []string) error {
				return r.AddSig(l.Origin(), ledger.KeySigner{ID: first, Key: key})
			}
		}
		l, cid := rogue("ROGUE-1", asFirst)
		_, err = client.New(cid).Push(ctx, l)
		refused(t, s, err, "missing_cosign", "ROGUE-1")

		// The second officer's signature forged with a key of the rogue's.
		l, cid = rogue("ROGUE-2", func(l *casefile.Log, key ed25519.PrivateKey) casefile.Signer {
			_, forged, _ := ed25519.GenerateKey(rand.Reader)
			return func(ctx context.Context, r *casefile.Record, others []string) error {
				if err := asFirst(l, key)(ctx, r, others); err != nil {
					return err
				}
				if len(others) > 0 {
					return r.AddSig(l.Origin(), ledger.KeySigner{ID: second, Key: forged})
				}
				return nil
			}
		})
		_, err = client.New(cid).Push(ctx, l)
		refused(t, s, err, "unknown_key", "ROGUE-2")

		// A bad byte in the signature.
		l, cid = rogue("ROGUE-3", func(l *casefile.Log, key ed25519.PrivateKey) casefile.Signer {
			return func(ctx context.Context, r *casefile.Record, others []string) error {
				if err := asFirst(l, key)(ctx, r, others); err != nil {
					return err
				}
				sig, _ := base64.StdEncoding.DecodeString(r.Sigs[0].Sig)
				sig[7] ^= 1
				r.Sigs[0].Sig = base64.StdEncoding.EncodeToString(sig)
				return nil
			}
		})
		_, err = client.New(cid).Push(ctx, l)
		refused(t, s, err, "bad_person_signature", "ROGUE-3")

		// Both officers' valid signatures from the first device, replayed
		// onto the rogue's own record: they sign another statement.
		l, cid = rogue("ROGUE-4", func(l *casefile.Log, key ed25519.PrivateKey) casefile.Signer {
			return func(_ context.Context, r *casefile.Record, others []string) error {
				if r.Kind == casefile.KindStage {
					r.Sigs = append(r.Sigs, rec.Sigs...)
				}
				return nil
			}
		})
		_, err = client.New(cid).Push(ctx, l)
		refused(t, s, err, "bad_person_signature", "ROGUE-4")

		// The first device is not held up by any of it.
		if _, _, err := desk.Book.Confirm(ctx, second, "258369"); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.Log.AddStage(ctx, id, first, casefile.StageBody{Stage: "inspect", Note: "复查", Officers: both}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Round(ctx, desk, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// A key the platform revokes (a laptop reported lost): what the device
// signed with it before hearing of it arrives and is taken, flagged and
// alerted for the supervisors; once the device has synced, the person can
// neither sign in with that key nor sign with it, though signed in before.
func TestRevokedKeyIsFlaggedThenRefused(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		const officer = "990101000021"
		code := person(t, s, api.Person{ID: officer, Name: "赵强", Agency: "01", Role: api.RoleOfficer})
		desk := officerDevice(t, s, h.URL, "DESK-R")
		me, err := client.ActivatePerson(ctx, desk, code, "147258")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := desk.Book.SignIn(ctx, officer, "147258", "officer"); err != nil {
			t.Fatal(err)
		}
		casefiletest.Case(t, desk.Log)
		if _, err := client.Round(ctx, desk, nil); err != nil {
			t.Fatal(err)
		}

		// The administrator revokes the key, with a reason; the device,
		// offline, still signs with it.
		status, _ := adminDo(t, http.MethodPost, h.URL, api.PathPersonKeys+url.PathEscape(me.PubKey)+"/revoke", map[string]string{"reason": "笔记本电脑遗失"})
		if status != http.StatusNoContent && status != http.StatusOK {
			t.Fatalf("revoke: %d", status)
		}
		cid := casefiletest.Case(t, desk.Log)
		if _, err := desk.Log.AddRecord(ctx, cid, officer, casefile.KindNote, []byte(`{"text":"遗失后记录"}`), nil); err != nil {
			t.Fatal(err)
		}
		res, err := client.Round(ctx, desk, nil)
		if err != nil {
			t.Fatal(err)
		}
		flagged := 0
		for _, d := range res.Done {
			if d.Key == "cli.flagged" {
				flagged++
			}
		}
		if flagged != 1 { // the note (the case was opened by another officer, unsigned here)
			t.Fatalf("%d records flagged, want 1: %+v", flagged, res.Done)
		}
		alerts, _ := s.AlertList(ctx)
		if len(alerts) == 0 || alerts[0].Kind != "signed_after_revocation" || alerts[0].Device != "DESK-R" {
			t.Fatalf("alerts %+v", alerts)
		}

		// The device has heard: no signing, no signing in.
		if _, err := desk.Log.AddRecord(ctx, cid, officer, casefile.KindNote, []byte(`{"text":"再记"}`), nil); !errors.Is(err, account.ErrKeyRevoked) {
			t.Fatalf("signing with a revoked key: %v", err)
		}
		if _, _, err := desk.Book.SignIn(ctx, officer, "147258", "officer"); !errors.Is(err, account.ErrKeyRevoked) {
			t.Fatalf("signing in with a revoked key: %v", err)
		}
	})
}

// An officer's certificate revoked on the platform (through the people
// API): what the officer signed before the device heard arrives flagged,
// naming the certificate; after the next sync the device refuses them.
// What they signed before the revocation stays unflagged.
func TestRecordsSignedAfterCertificateRevocationAreFlagged(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		if err := demoload.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		var rec people.Record
		officers, err := s.People().List(ctx, "01", api.RoleOfficer)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range officers {
			if r, err := s.People().GetRecord(ctx, p.ID); err == nil && p.Active && r.Status == catalog.CertValid {
				rec = r
				break
			}
		}
		if rec.ID == "" {
			t.Fatal("no officer of 01 in force in the demo")
		}
		code, _, err := s.People().NewActivationCode(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		desk := officerDevice(t, s, h.URL, "DESK-C")
		if _, err := client.ActivatePerson(ctx, desk, code, "147258"); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Round(ctx, desk, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := desk.Book.SignIn(ctx, rec.ID, "147258", "officer"); err != nil {
			t.Fatal(err)
		}
		cid := casefiletest.Case(t, desk.Log)
		note := func(text string) error {
			_, err := desk.Log.AddRecord(ctx, cid, rec.ID, casefile.KindNote, []byte(`{"text":"`+text+`"}`), nil)
			return err
		}
		if err := note("吊销前"); err != nil {
			t.Fatal(err)
		}
		rec.Status = catalog.CertRevoked
		if status, body := adminDo(t, http.MethodPut, h.URL, api.PathPeople+rec.ID, rec); status != http.StatusNoContent {
			t.Fatalf("revoke the certificate: %d %s", status, body)
		}
		if err := note("吊销后，设备尚未得知"); err != nil {
			t.Fatal(err)
		}
		res, err := client.Round(ctx, desk, nil)
		if err != nil {
			t.Fatal(err)
		}
		var flags []string
		for _, d := range res.Done {
			if d.Key == "cli.flagged" {
				flags = append(flags, d.Args["Flag"].(string))
			}
		}
		if len(flags) != 1 || !strings.Contains(flags[0], "certificate") || !strings.Contains(flags[0], "record 2") {
			t.Fatalf("flags %q, want one for record 2's certificate", flags)
		}
		if err := note("同步后"); !errors.Is(err, catalog.ErrCertRevoked) {
			t.Fatalf("signing after the device heard: %v", err)
		}
	})
}
