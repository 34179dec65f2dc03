package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// adminDo sends body as JSON to path with the administrator's token and
// returns the status and the answer's bytes.
func adminDo(t *testing.T, method, base, path string, body any) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// adminPost posts body and decodes the JSON answer.
func adminPost(t *testing.T, base, path string, body any) (int, map[string]any) {
	t.Helper()
	status, data := adminDo(t, http.MethodPost, base, path, body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("POST %s: %d %s", path, status, data)
	}
	return status, out
}

// adminPut puts fields, which must be taken.
func adminPut(t *testing.T, base, path string, fields any) {
	t.Helper()
	if status, data := adminDo(t, http.MethodPut, base, path, fields); status != http.StatusNoContent {
		t.Fatalf("PUT %s: %d %s", path, status, data)
	}
}

// editPerson changes fields of a person's record (their certificate's
// included) as an administrator does: read it, change it, put it back.
func editPerson(t *testing.T, base, id string, fields map[string]string) {
	t.Helper()
	status, data := adminDo(t, http.MethodGet, base, api.PathPeople+id, nil)
	rec := map[string]any{}
	if err := json.Unmarshal(data, &rec); status != http.StatusOK || err != nil {
		t.Fatalf("GET person %s: %d %s", id, status, data)
	}
	for k, v := range fields {
		rec[k] = v
	}
	adminPut(t, base, api.PathPeople+id, rec)
}

// A device is of the kind its enrolment code was made for. A kiosk's code
// asking to enrol an officer's device (or a kind that does not exist) is
// refused with its own error and raised as an alert, and the code is not
// spent; a code cannot be made for a kind that does not exist.
func TestEnrolmentKindComesFromCode(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		status, out := adminPost(t, h.URL, api.PathCodes, map[string]string{"kind": "anything-i-like"})
		if status != http.StatusBadRequest || out["code"] != "bad_kind" {
			t.Fatalf("a code for a made-up kind: %d %v", status, out)
		}
		status, out = adminPost(t, h.URL, api.PathCodes, map[string]string{"kind": api.DeviceKiosk})
		code, _ := out["code"].(string)
		if status != http.StatusCreated || code == "" {
			t.Fatalf("kiosk code: %d %v", status, out)
		}

		hall := casefiletest.Open(t, "HALL-1")
		for _, asked := range []string{api.DeviceOfficer, "anything-i-like"} {
			_, err := client.Enrol(ctx, h.URL, code, "hall", asked, hall.Verifier)
			var pe *client.Error
			if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != "kind_mismatch" {
				t.Fatalf("kiosk code asking for %q: %v", asked, err)
			}
			if !strings.Contains(pe.Problem.Message, "另一类设备") {
				t.Errorf("the refusal does not say why in Chinese: %q", pe.Problem.Message)
			}
		}
		alerts, err := s.AlertList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mismatches := 0
		for _, a := range alerts {
			if a.Kind == "kind_mismatch" {
				mismatches++
			}
		}
		if mismatches != 2 {
			t.Fatalf("alerts %+v: want 2 kind_mismatch", alerts)
		}
		devices, err := s.Devices(ctx)
		if err != nil || len(devices) != 0 {
			t.Fatalf("devices after refusals: %+v %v", devices, err)
		}

		// The code was not spent: the kiosk enrols as a kiosk, and so does a
		// device that does not say what it is.
		if _, err := client.Enrol(ctx, h.URL, code, "hall", api.DeviceKiosk, hall.Verifier); err != nil {
			t.Fatalf("kiosk code for a kiosk: %v", err)
		}
		status, out = adminPost(t, h.URL, api.PathCodes, map[string]string{"kind": api.DeviceWindow})
		code2, _ := out["code"].(string)
		if status != http.StatusCreated {
			t.Fatalf("window code: %d %v", status, out)
		}
		desk := casefiletest.Open(t, "WIN-1")
		if _, err := client.Enrol(ctx, h.URL, code2, "window 3", "", desk.Verifier); err != nil {
			t.Fatalf("window code, no kind asked: %v", err)
		}
		devices, err = s.Devices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, d := range devices {
			kinds[d.Name] = d.Kind
		}
		if kinds["hall"] != api.DeviceKiosk || kinds["window 3"] != api.DeviceWindow || len(kinds) != 2 {
			t.Fatalf("enrolled kinds: %v", kinds)
		}
		if _, err := s.NewEnrolCode(ctx, "anything-i-like"); err == nil {
			t.Fatal("the Go API made a code for a made-up kind")
		}
	})
}

// Only an officer's device handles cases: a kiosk's token (enrolled with a
// kiosk's code) cannot push a case log, upload evidence or read the review
// queue, the reviewer registry or the agencies' rules. Each attempt is
// refused with wrong_kind and raised as an alert; the public lists stay
// open to it, and the officer's device does all of it as before.
func TestOnlyOfficerDevicesHandleCases(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		code, err := s.NewEnrolCode(ctx, api.DeviceKiosk)
		if err != nil {
			t.Fatal(err)
		}
		hall := deviceLog(t, "HALL-2", 3)
		id, err := client.Enrol(ctx, h.URL, code, "hall", api.DeviceKiosk, hall.Verifier)
		if err != nil {
			t.Fatal(err)
		}
		kiosk := client.New(id)
		refused := func(what string, err error) {
			t.Helper()
			var pe *client.Error
			if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != "wrong_kind" {
				t.Errorf("a kiosk's %s: %v", what, err)
			}
		}
		_, err = kiosk.Push(ctx, hall)
		refused("push", err)
		_, anyKey, _ := ed25519.GenerateKey(rand.Reader)
		_, err = kiosk.PullReviewQueue(ctx, "01", ledger.KeySigner{ID: "990101000003", Key: anyKey})
		refused("review queue", err)
		_, err = kiosk.PullReviewers(ctx)
		refused("reviewer registry", err)
		_, err = kiosk.PullPolicies(ctx)
		refused("major-decision lists", err)
		_, err = kiosk.PullAVLists(ctx)
		refused("A/V lists", err)
		alerts, err := s.AlertList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range alerts {
			if a.Kind == "wrong_kind" && a.Device == id.DeviceID {
				n++
			}
		}
		if n != 5 {
			t.Fatalf("%d wrong_kind alerts for the kiosk, want 5: %+v", n, alerts)
		}
		if st, _ := s.Devices(ctx); len(st) != 1 || st[0].RecordsAcknowledged != 0 {
			t.Fatalf("the kiosk's records were taken: %+v", st)
		}

		// The officer's device does all of it.
		desk := deviceLog(t, "DESK-2", 3)
		officer := client.New(enrol(t, s, h, desk))
		if res, err := officer.Push(ctx, desk); err != nil || res.Receipts == 0 {
			t.Fatalf("officer push: %+v %v", res, err)
		}
		if _, err := officer.PullReviewers(ctx); err != nil {
			t.Fatalf("officer reviewers: %v", err)
		}
	})
}

// A second enrolled officer's device cannot write into a case another
// device opened: a publication of its own text under that case's ID, a
// withdrawal of the published decision, or a case opened ahead of time under
// the other device's next ID. Each push is refused with case_elsewhere and
// raised as an alert, and the public decision stays as its owner published
// it. The owner's own withdrawal still takes it down.
func TestDeviceCannotOverwriteOrWithdrawAnotherDevicesDecision(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		cal, err := calendar.Parse(assets.Calendar)
		if err != nil {
			t.Fatal(err)
		}
		owner := deviceLog(t, "OWN-1", 0)
		id := publishedDecision(t, owner, cal)
		oc := client.New(enrol(t, s, h, owner))
		if _, err := oc.Push(ctx, owner); err != nil {
			t.Fatal(err)
		}
		published := func() *catalog.Decision {
			t.Helper()
			m, err := s.Item(ctx, catalog.KindDecision, id)
			if err != nil {
				t.Fatalf("the decision left the public list: %v", err)
			}
			data, _ := json.Marshal(m)
			var d catalog.Decision
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			return &d
		}
		before := published()

		// Each attack comes from a fresh enrolled officer's device: a refused
		// push leaves that device's log stuck, as it should.
		attack := func(name string, write func(l *casefile.Log)) {
			t.Helper()
			l := deviceLog(t, name, 0)
			write(l)
			_, err := client.New(enrol(t, s, h, l)).Push(ctx, l)
			var pe *client.Error
			if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != "case_elsewhere" {
				t.Fatalf("%s: push %v", name, err)
			}
			if !strings.Contains(pe.Problem.Message, "其他设备") {
				t.Errorf("%s: the refusal does not say why in Chinese: %q", name, pe.Problem.Message)
			}
		}
		forged := publish.Publication{DocNo: before.DocNo, Party: before.Party, Redacted: "请将罚款汇入个人账户6222021234567890123", DecidedOn: before.DecidedOn}
		body, _ := json.Marshal(forged)
		attack("ATK-1", func(l *casefile.Log) {
			if err := l.Append(ctx, &casefile.Record{Case: id, Kind: publish.KindPublish, Author: "990101000009", Body: body}); err != nil {
				t.Fatal(err)
			}
		})
		wbody, _ := json.Marshal(publish.Withdrawal{Cause: "revoked", Explanation: "撤销", EffectiveOn: "2026-12-01"})
		attack("ATK-2", func(l *casefile.Log) {
			if err := l.Append(ctx, &casefile.Record{Case: id, Kind: publish.KindWithdraw, Author: "990101000009", Body: wbody}); err != nil {
				t.Fatal(err)
			}
		})
		// The owner's next case ID, claimed first by another device.
		next := strings.Replace(id, "-0001", "-0002", 1)
		attack("ATK-3", func(l *casefile.Log) {
			obody, _ := json.Marshal(casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1", ItemName: "x",
				Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: "990101000009"}}})
			if err := l.Append(ctx, &casefile.Record{Case: next, Kind: casefile.KindOpen, Author: "990101000009", Body: obody}); err != nil {
				t.Fatal(err)
			}
		})
		if after := published(); after.Content != before.Content || after.Content == forged.Redacted {
			t.Fatalf("the public decision changed: %q", after.Content)
		}
		alerts, err := s.AlertList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range alerts {
			if a.Kind == "case_elsewhere" {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("%d case_elsewhere alerts, want 3: %+v", n, alerts)
		}

		// The owner withdraws its own decision.
		if _, err := publish.Withdraw(ctx, owner, cal, id, "990101000001", publish.Withdrawal{Cause: "revoked", Explanation: "经复议撤销", EffectiveOn: owner.Now().Format(time.DateOnly)}); err != nil {
			t.Fatal(err)
		}
		if _, err := oc.Push(ctx, owner); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, id); !errors.Is(err, server.ErrNoItem) {
			t.Fatalf("the owner's withdrawal: %v", err)
		}
	})
}

// A certificate the platform revokes, suspends or lets expire stops its
// holder on a device as soon as the device has pulled the change: sign-in
// (and so unlock and signing an opinion) is refused with the right PIN,
// each with its own error, the refusal is in the account's event log, and
// an on-site record naming that officer is refused. Holders in force are
// not affected.
func TestRevokedCertificateCannotSignIn(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		if err := demoload.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		dev, err := device.Open(ctx, t.TempDir(), device.Catalog|device.Ledger)
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		dev.Book.SetKDF(account.Quick)
		if _, err := client.PullPublic(ctx, h.URL, dev.Catalog); err != nil {
			t.Fatal(err)
		}
		ds, err := demo.Dataset(demo.Standard)
		if err != nil {
			t.Fatal(err)
		}
		var people []account.Account
		for _, a := range demo.Accounts(ds) {
			if a.Agency == "01" && a.Role != account.RoleStaff {
				if err := dev.Book.Enrol(ctx, a, demo.PIN); err != nil {
					t.Fatal(err)
				}
				people = append(people, a)
			}
		}
		if len(people) < 3 {
			t.Fatalf("demo agency 01 has %d officers and reviewers", len(people))
		}
		revoked, suspended, expired := people[0].ID, people[1].ID, people[2].ID
		for _, p := range people {
			if _, _, err := dev.Book.SignIn(ctx, p.ID, demo.PIN, "officer"); err != nil {
				t.Fatalf("%s before any change: %v", p.ID, err)
			}
		}

		// The platform changes three certificates in the people registry
		// (which writes the officers list); the device pulls.
		editPerson(t, h.URL, revoked, map[string]string{"status": catalog.CertRevoked})
		editPerson(t, h.URL, suspended, map[string]string{"status": catalog.CertSuspended})
		editPerson(t, h.URL, expired, map[string]string{"valid_until": time.Now().AddDate(0, 0, -1).Format(time.DateOnly)})
		if _, err := client.PullPublic(ctx, h.URL, dev.Catalog); err != nil {
			t.Fatal(err)
		}
		for id, why := range map[string]error{revoked: catalog.ErrCertRevoked, suspended: catalog.ErrCertSuspended, expired: catalog.ErrCertExpired} {
			_, _, err := dev.Book.SignIn(ctx, id, demo.PIN, "officer")
			if !errors.Is(err, account.ErrCertificate) || !errors.Is(err, why) {
				t.Errorf("%s signs in: %v (want %v)", id, err, why)
			}
		}
		events, err := dev.Book.Events(ctx)
		if err != nil {
			t.Fatal(err)
		}
		refusals := 0
		for _, e := range events {
			if e.Kind == "refused" {
				refusals++
			}
		}
		if refusals != 3 {
			t.Errorf("%d refusals in the event log, want 3", refusals)
		}
		// A wrong PIN still counts as one, and says nothing of the certificate.
		if _, _, err := dev.Book.SignIn(ctx, revoked, "000001", "officer"); !errors.Is(err, account.ErrWrongPIN) {
			t.Errorf("a wrong PIN for a revoked certificate: %v", err)
		}

		// An on-site record naming the revoked officer is refused; one naming
		// two officers in force is taken.
		var inForce []string
		for _, o := range ds.Officers {
			if o.AgencyCode == "01" && o.Status == catalog.CertValid && o.CertNo != revoked && o.CertNo != suspended && o.CertNo != expired {
				inForce = append(inForce, o.CertNo)
			}
		}
		if len(inForce) < 2 {
			t.Fatalf("officers in force: %v", inForce)
		}
		for _, o := range inForce[:2] {
			if err := dev.Book.Enrol(ctx, account.Account{ID: o, Name: o, Agency: "01", Unit: "u", Role: account.RoleOfficer}, demo.PIN); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := dev.Book.SignIn(ctx, inForce[0], demo.PIN, "officer"); err != nil {
			t.Fatal(err)
		}
		id, err := dev.Log.OpenCase(ctx, inForce[0], casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "检查",
			Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: inForce[0]}, {CertNo: inForce[1]}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = dev.Log.AddStage(ctx, id, inForce[0], casefile.StageBody{Stage: "inspect",
			Officers: []casefile.Officer{{CertNo: inForce[0]}, {CertNo: revoked}}})
		if !errors.Is(err, account.ErrCertificate) || !errors.Is(err, catalog.ErrCertRevoked) {
			t.Fatalf("an on-site record naming a revoked certificate: %v", err)
		}
		if _, _, err := dev.Book.Confirm(ctx, inForce[1], demo.PIN); err != nil {
			t.Fatal(err)
		}
		if _, err := dev.Log.AddStage(ctx, id, inForce[0], casefile.StageBody{Stage: "inspect",
			Officers: []casefile.Officer{{CertNo: inForce[0]}, {CertNo: inForce[1]}}}); err != nil {
			t.Fatalf("two officers in force: %v", err)
		}
	})
}

// The forged approval of issue 16's first finding, staged as found: a
// device enrolled with a kiosk's code signs an agreeing opinion naming the
// registered reviewer for an officer's major decision and pushes it. The
// push is refused (wrong_kind) and alerted, the opinion never reaches the
// officer's device, and the decision gate stays shut. Then the same forgery
// from an officer's device, which may push opinions: the reviewer's name
// with a key the rogue made (unknown_key), with only the officer's own
// signature (unsigned_opinion), and an officer opining as themselves
// (not_reviewer): each refused and alerted. The real reviewer's signed
// opinion then opens the gate.
func TestKioskDeviceCannotForgeReviewOpinion(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		rv := reviewPlatform(t, s)
		la, sa, ca := reviewDevice(t, s, h.URL, "OFFICER-K", review.Registry{})
		caseID, prop := submittedMajorCase(t, la, sa)
		if _, err := ca.Push(ctx, la); err != nil {
			t.Fatal(err)
		}
		// What the attacker knows of the case: the queue as a reviewer's
		// device would see it (a kiosk cannot pull it itself).
		lb, _, cb := reviewDevice(t, s, h.URL, "LEGAL-K", review.NewRegistry([]review.Reviewer{rv}), rv.ID)
		lbK := lb
		remote, err := cb.PullReviewQueue(ctx, "01", signerOn(t, lbK, rv.ID))
		if err != nil || len(remote) != 1 {
			t.Fatalf("queue %+v %v", remote, err)
		}

		// The kiosk's device writes the forged opinion into its own log.
		code, err := s.NewEnrolCode(ctx, api.DeviceKiosk)
		if err != nil {
			t.Fatal(err)
		}
		kl := casefiletest.Open(t, "HALL-K")
		cls, _ := review.Checklists()
		cal, _ := calendar.Parse(assets.Calendar)
		pols, _ := demo.Policies()
		sk := &review.Service{Log: kl, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: review.NewRegistry([]review.Reviewer{rv}),
			Remote: func() []review.RemoteCase { return remote }}
		q, err := sk.Queue(ctx, "01")
		if err != nil || len(q) != 1 {
			t.Fatalf("forger's queue %+v %v", q, err)
		}
		op := review.Opinion{Submission: q[0].Seq, Opinion: review.Agree}
		for _, p := range sk.ChecklistOf(q[0].Case).Points {
			op.Points = append(op.Points, review.PointResult{Key: p.Key, Status: review.Met})
		}
		if _, err := sk.OpineRemote(ctx, q[0], rv.ID, op); err != nil {
			t.Fatal(err)
		}
		kid, err := client.Enrol(ctx, h.URL, code, "hall", api.DeviceKiosk, kl.Verifier)
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.New(kid).Push(ctx, kl)
		var pe *client.Error
		if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != "wrong_kind" {
			t.Fatalf("the kiosk's forged opinion: %v", err)
		}
		alerts, _ := s.AlertList(ctx)
		if len(alerts) != 1 || alerts[0].Kind != "wrong_kind" || alerts[0].Device != kid.DeviceID {
			t.Fatalf("alerts %+v", alerts)
		}
		if n, err := ca.TakeOpinions(ctx, sa); err != nil || n != 0 {
			t.Fatalf("the officer's device took %d opinions (%v)", n, err)
		}
		d, _ := json.Marshal(prop)
		if _, err := la.AddStage(ctx, caseID, "990101000001", casefile.StageBody{Stage: "decide", Decision: d}); err == nil {
			t.Fatal("the major decision was taken on a forged approval")
		}
		if left, _ := cb.PullReviewQueue(ctx, "01", signerOn(t, lbK, rv.ID)); len(left) != 1 {
			t.Fatal("the forged opinion took the case off the queue")
		}

		// An officer's device, with an officer's key activated on it.
		forge := func(name, author string, sign func(l *casefile.Log) casefile.Signer) {
			t.Helper()
			l, sv, c := reviewDevice(t, s, h.URL, name, review.NewRegistry([]review.Reviewer{rv, {ID: "990101000002", Name: "执法员", Qualification: review.QualLegalProfessional}}), "990101000002")
			l.SetSigner(sign(l))
			sv.Remote = func() []review.RemoteCase { return remote }
			q, err := sv.Queue(ctx, "01")
			if err != nil || len(q) != 1 {
				t.Fatalf("%s's queue %+v %v", name, q, err)
			}
			if _, err := sv.OpineRemote(ctx, q[0], author, op); err != nil {
				t.Fatal(err)
			}
			_, err = c.Push(ctx, l)
			want := map[string]string{"ROGUE-K1": "unknown_key", "ROGUE-K2": "unsigned_opinion", "ROGUE-K3": "not_reviewer"}[name]
			refused(t, s, err, want, name)
		}
		officerKey := func(l *casefile.Log) ledger.Signer { return signerOn(t, l, "990101000002") }
		forge("ROGUE-K1", rv.ID, func(l *casefile.Log) casefile.Signer {
			_, fake, _ := ed25519.GenerateKey(rand.Reader)
			return func(_ context.Context, r *casefile.Record, _ []string) error {
				return r.AddSig(l.Origin(), ledger.KeySigner{ID: r.Author, Key: fake})
			}
		})
		forge("ROGUE-K2", rv.ID, func(l *casefile.Log) casefile.Signer {
			return func(_ context.Context, r *casefile.Record, _ []string) error {
				return r.AddSig(l.Origin(), officerKey(l))
			}
		})
		forge("ROGUE-K3", "990101000002", func(l *casefile.Log) casefile.Signer {
			return func(_ context.Context, r *casefile.Record, _ []string) error {
				return r.AddSig(l.Origin(), officerKey(l))
			}
		})
		if n, err := ca.TakeOpinions(ctx, sa); err != nil || n != 0 {
			t.Fatalf("the officer's device took %d forged opinions (%v)", n, err)
		}

		// The reviewer signs on their own device: the gate opens.
		cr := cb
		real, err := cr.PullReviewQueue(ctx, "01", signerOn(t, lbK, rv.ID))
		if err != nil || len(real) != 1 {
			t.Fatal(err)
		}
		sb := &review.Service{Log: lb, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: review.NewRegistry([]review.Reviewer{rv}),
			Remote: func() []review.RemoteCase { return real }}
		qb, err := sb.Queue(ctx, "01")
		if err != nil || len(qb) != 1 {
			t.Fatal(err)
		}
		if _, err := sb.OpineRemote(ctx, qb[0], rv.ID, op); err != nil {
			t.Fatal(err)
		}
		if _, err := cr.Push(ctx, lb); err != nil {
			t.Fatal(err)
		}
		list, err := ca.PullReviewers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sa.Reviewers = review.NewRegistry(list)
		if n, err := ca.TakeOpinions(ctx, sa); err != nil || n != 1 {
			t.Fatalf("the reviewer's signed opinion: took %d (%v)", n, err)
		}
		if _, err := la.AddStage(ctx, caseID, "990101000001", casefile.StageBody{Stage: "decide", Decision: d}); err != nil {
			t.Fatalf("the reviewed decision: %v", err)
		}
	})
}
