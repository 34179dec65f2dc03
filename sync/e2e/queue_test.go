package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The review queue of issue 16's third finding, attacked as found: any
// enrolled device read every agency's queue, whole records and a party's
// unmasked identity number included. Now the queue goes only to a device
// where a legal reviewer of that agency is signed in and signs the
// request; what it sends is masked until the reviewer opens the case, and
// the opening is recorded. Each attempt from a second enrolled device is
// refused with its own code and raised: no reviewer's signature, an
// officer's, a reviewer's request replayed from the reviewer's device, a
// reviewer of another agency; a stale request is refused without alarm.
func TestReviewQueueOnlyForAgencyReviewers(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		rv := reviewPlatform(t, s)
		if err := s.SetReviewer(ctx, "02", review.Reviewer{ID: "990102000003", Name: "他局审核员", Qualification: review.QualLegalProfessional}); err != nil {
			t.Fatal(err)
		}
		la, sa, ca := reviewDevice(t, s, h.URL, "OFFICER-Q", review.Registry{}, "990101000001", "990101000002")
		// The party is a person: name, identity number, address.
		caseID, err := la.OpenCase(ctx, "990101000001", casefile.Opening{Act: "penalty", Agency: "01", ItemID: "E1", ItemName: "处罚",
			Party:    casefile.Party{Kind: "person", Name: "张建国", IDNo: "33010619780312451X", Address: "浙江省青禾市明湖区翠苑街道文三路88号", Phone: "13805711234"},
			Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sa.Submit(ctx, caseID, "990101000001", review.Submission{Proposal: review.Proposal{Fine: 200000, Text: "罚款二十万元"},
			Facts: "当事人张建国（身份证号33010619780312451X）无证经营", LegalBasis: "食品安全法"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ca.Push(ctx, la); err != nil {
			t.Fatal(err)
		}
		lr, _, cr := reviewDevice(t, s, h.URL, "LEGAL-Q", review.Registry{}, rv.ID)
		lx, _, cx := reviewDevice(t, s, h.URL, "OTHER-Q", review.Registry{}, "990101000002", "990102000003")

		// The reviewer of 01 on their own device: the queue, masked.
		reviewer := signerOn(t, lr, rv.ID)
		q, err := cr.PullReviewQueue(ctx, "01", reviewer)
		if err != nil || len(q) != 1 || !q[0].Masked {
			t.Fatalf("queue %+v %v", q, err)
		}
		masked, _ := json.Marshal(q)
		for _, secret := range []string{"33010619780312451X", "张建国", "文三路88号", "13805711234"} {
			if strings.Contains(string(masked), secret) {
				t.Errorf("the queue sends %q unmasked", secret)
			}
		}
		if !strings.Contains(string(masked), "张**") {
			t.Errorf("the masked queue lost the surname: %s", masked)
		}
		if open, _ := s.Openings(ctx, "OFFICER-Q", caseID); len(open) != 0 {
			t.Fatalf("openings before any: %+v", open)
		}

		// What the second device tries.
		var pe *client.Error
		code := func(err error) string {
			if errors.As(err, &pe) {
				return pe.Problem.Code
			}
			return err.Error()
		}
		raw := func(header http.Header) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, h.URL+api.PathQueue+"?agency=01", nil)
			req.Header = header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p api.Problem
			body, _ := io.ReadAll(resp.Body)
			json.Unmarshal(body, &p)
			return resp.StatusCode, p.Code
		}
		lastAlert := func(kind, device string) {
			t.Helper()
			alerts, _ := s.AlertList(ctx)
			if len(alerts) == 0 || alerts[0].Kind != kind || alerts[0].Device != device {
				t.Fatalf("want a %s alert about %s, got %+v", kind, device, alerts)
			}
		}
		xToken := tokenOf(t, cx)
		if st, c := raw(http.Header{"Authorization": {"Bearer " + xToken}}); st != http.StatusForbidden || c != "reviewer_required" {
			t.Fatalf("no reviewer's signature: %d %s", st, c)
		}
		lastAlert("reviewer_required", "OTHER-Q")
		if _, err := cx.PullReviewQueue(ctx, "01", signerOn(t, lx, "990101000002")); code(err) != "not_agency_reviewer" {
			t.Fatalf("an officer's signature: %v", err)
		}
		lastAlert("not_agency_reviewer", "OTHER-Q")
		if _, err := cx.PullReviewQueue(ctx, "01", signerOn(t, lx, "990102000003")); code(err) != "not_agency_reviewer" {
			t.Fatalf("agency 02's reviewer: %v", err)
		}
		// The reviewer's own request, replayed from the other device.
		at := time.Now().UTC().Format(time.RFC3339)
		sig := reviewer.Sign(api.PersonMessage(api.PathQueue, "LEGAL-Q", "queue 01", at))
		replay := http.Header{"Authorization": {"Bearer " + xToken}, api.HeaderPerson: {rv.ID}, api.HeaderPersonTime: {at},
			api.HeaderPersonSig: {b64(sig)}}
		if st, c := raw(replay); st != http.StatusForbidden || c != "reviewer_required" {
			t.Fatalf("a replayed request: %d %s", st, c)
		}
		lastAlert("reviewer_required", "OTHER-Q")
		// A key the reviewer never registered anywhere.
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		if _, err := cx.PullReviewQueue(ctx, "01", ledger.KeySigner{ID: rv.ID, Key: k}); code(err) != "reviewer_required" {
			t.Fatalf("a forged reviewer's key: %v", err)
		}
		// A stale request from the reviewer's own device.
		old := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		stale := http.Header{"Authorization": {"Bearer " + tokenOf(t, cr)}, api.HeaderPerson: {rv.ID}, api.HeaderPersonTime: {old},
			api.HeaderPersonSig: {b64(reviewer.Sign(api.PersonMessage(api.PathQueue, "LEGAL-Q", "queue 01", old)))}}
		if st, c := raw(stale); st != http.StatusForbidden || c != "stale_request" {
			t.Fatalf("a stale request: %d %s", st, c)
		}
		if _, err := cr.PullReviewQueue(ctx, "", reviewer); code(err) != "agency_required" {
			t.Fatalf("no agency: %v", err)
		}
		if _, err := cx.OpenReviewCase(ctx, "OFFICER-Q", caseID, signerOn(t, lx, "990102000003")); code(err) != "not_agency_reviewer" {
			t.Fatalf("agency 02's reviewer opens 01's case: %v", err)
		}

		// The reviewer opens the case: whole, and the opening is kept.
		whole, err := cr.OpenReviewCase(ctx, "OFFICER-Q", caseID, reviewer)
		if err != nil || whole.Masked {
			t.Fatal(err)
		}
		if data, _ := json.Marshal(whole); !strings.Contains(string(data), "33010619780312451X") {
			t.Fatal("the opened case is still masked")
		}
		open, err := s.Openings(ctx, "OFFICER-Q", caseID)
		if err != nil || len(open) != 1 || open[0].Reviewer != rv.ID || open[0].Device != "LEGAL-Q" {
			t.Fatalf("openings %+v %v", open, err)
		}

		// Once the platform revokes the reviewer's key on that device,
		// its requests are refused.
		keys, _ := s.People().Keys(ctx, rv.ID)
		for _, k := range keys {
			if k.Device == "LEGAL-Q" {
				if err := s.People().RevokeKey(ctx, k.Key, "设备遗失"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := cr.PullReviewQueue(ctx, "01", reviewer); code(err) != "reviewer_required" {
			t.Fatalf("a revoked key: %v", err)
		}
	})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// tokens are the device tokens of the clients reviewDevice made, for the
// tests that write requests by hand.
var tokens sync.Map // *client.Client → string

func tokenOf(t *testing.T, c *client.Client) string {
	t.Helper()
	v, ok := tokens.Load(c)
	if !ok {
		t.Fatal("no token for this client")
	}
	return v.(string)
}

// On real devices: a reviewer activated on their device and signed in
// gets the queue in a sync round, masked; opening the case brings it
// whole into the device's queue, and the platform keeps the opening. With
// nobody signed in, the queue is not asked for.
func TestReviewerDeviceOpensAMaskedCase(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		rv := reviewPlatform(t, s)
		la, sa, ca := reviewDevice(t, s, h.URL, "OFFICER-O", review.Registry{}, "990101000001", "990101000002")
		caseID, _ := submittedMajorCase(t, la, sa)
		if _, err := ca.Push(ctx, la); err != nil {
			t.Fatal(err)
		}
		code, _, err := s.People().NewActivationCode(ctx, rv.ID)
		if err != nil {
			t.Fatal(err)
		}
		desk := officerDevice(t, s, h.URL, "LEGAL-O")
		if _, err := client.ActivatePerson(ctx, desk, code, "147258"); err != nil {
			t.Fatal(err)
		}
		queue := func() []review.QueueItem {
			q, err := desk.Review.Queue(ctx, "01")
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		if _, err := client.Round(ctx, desk, nil); err != nil {
			t.Fatal(err)
		}
		if q := queue(); len(q) != 0 {
			t.Fatalf("the queue came with no reviewer signed in: %d", len(q))
		}
		if err := client.OpenForReview(ctx, desk, "01", "OFFICER-O", caseID); !errors.Is(err, client.ErrNoReviewerHere) {
			t.Fatalf("opening with nobody signed in: %v", err)
		}
		if _, _, err := desk.Book.SignIn(ctx, rv.ID, "147258", "officer"); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Round(ctx, desk, nil); err != nil {
			t.Fatal(err)
		}
		q := queue()
		if len(q) != 1 || !q[0].Masked {
			t.Fatalf("queue %+v", q)
		}
		if err := client.OpenForReview(ctx, desk, "01", "OFFICER-O", caseID); err != nil {
			t.Fatal(err)
		}
		q = queue()
		if len(q) != 1 || q[0].Masked {
			t.Fatalf("opened queue %+v", q)
		}
		if open, _ := s.Openings(ctx, "OFFICER-O", caseID); len(open) != 1 || open[0].Device != "LEGAL-O" {
			t.Fatalf("openings %+v", open)
		}
	})
}
