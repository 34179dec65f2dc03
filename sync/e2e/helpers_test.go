// Package e2e tests the platform end to end: real platforms (in-process
// and as processes), real devices' logs and the device's sync client,
// over HTTP, on every storage the platform supports here.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"io"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

const admin = "admin-secret"

var (
	eachBackend = servertest.Each
	mustCase    = casefiletest.Case
	appendN     = casefiletest.Notes
)

// testPeople sign the records of the tests' logs: two officers of agency
// 01 and its legal reviewer.
var testPeople = []string{"990101000001", "990101000002", "990101000003"}

// keysOf holds each test log's people's keys, which enrol activates on
// the platform for the log's device.
var keysOf sync.Map // *casefile.Log → casefiletest.Keys

// openLog opens a device's log whose records the test people sign (or
// those named).
func openLog(t testing.TB, origin string, people ...string) *casefile.Log {
	t.Helper()
	if len(people) == 0 {
		people = testPeople
	}
	l := casefiletest.Open(t, origin)
	keysOf.Store(l, casefiletest.SignAs(t, l, people...))
	t.Cleanup(func() { keysOf.Delete(l) })
	return l
}

// deviceLog is openLog with n notes appended.
func deviceLog(t testing.TB, origin string, n int) *casefile.Log {
	t.Helper()
	l := openLog(t, origin)
	casefiletest.Notes(t, l, n, "note")
	return l
}

// signerOn is person's key on l's device, to sign requests with.
func signerOn(t *testing.T, l *casefile.Log, person string) ledger.Signer {
	t.Helper()
	v, ok := keysOf.Load(l)
	if !ok {
		t.Fatalf("no keys on %s", l.Origin())
	}
	k, ok := v.(casefiletest.Keys)[person]
	if !ok {
		t.Fatalf("%s has no key on %s", person, l.Origin())
	}
	return ledger.KeySigner{ID: person, Key: k}
}

// activateKeys registers the keys l's people sign with, for the device
// enrolled as id, through the platform's activation (a person the platform
// does not know yet is added as an officer of agency 01).
func activateKeys(t testing.TB, s *server.Server, id client.Identity, l *casefile.Log) {
	t.Helper()
	v, ok := keysOf.Load(l)
	if !ok {
		return
	}
	ctx := context.Background()
	for person, key := range v.(casefiletest.Keys) {
		if _, err := s.People().Get(ctx, person); errors.Is(err, people.ErrNoPerson) {
			if err := s.People().Put(ctx, api.Person{ID: person, Name: "执法员" + person[len(person)-2:], Agency: "01",
				Role: api.RoleOfficer, Active: true}); err != nil {
				t.Fatal(err)
			}
		}
		code, _, err := s.People().NewActivationCode(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.New(id).Activate(ctx, code, key); err != nil {
			t.Fatalf("activate %s on %s: %v", person, id.DeviceID, err)
		}
	}
}

func platform(t *testing.T, b servertest.Backend) (*server.Server, *httptest.Server) {
	t.Helper()
	return b.Serve(t, server.Options{AdminToken: admin})
}

// demoPlatform is a platform on backend b that holds the demo city's
// people and lists (demoload), served on loopback.
func demoPlatform(t *testing.T, b servertest.Backend) (*server.Server, *httptest.Server) {
	t.Helper()
	s, h := platform(t, b)
	if err := demoload.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s, h
}

func enrol(t testing.TB, s *server.Server, h *httptest.Server, l *casefile.Log) client.Identity {
	t.Helper()
	code, err := s.NewEnrolCode(context.Background(), "officer")
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(context.Background(), h.URL, code, "laptop", "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	// A code works once.
	if _, err := client.Enrol(context.Background(), h.URL, code, "laptop", "officer", l.Verifier); err == nil {
		t.Fatal("an enrolment code was used twice")
	}
	activateKeys(t, s, id, l)
	return id
}

func readMedia(s *server.Server, sha string) ([]byte, error) {
	r, err := s.OpenMedia(context.Background(), sha)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// testChunk is the PATCH size the upload tests use, so that small files
// still take several.
const testChunk = 4 << 20

// publishedDecision opens a penalty case in l, walks it to its decision
// through the procedure, decides it with its decision
// document, and publishes it after technical processing (the address's
// street masked by hand); it returns the case's ID.
func publishedDecision(t *testing.T, l *casefile.Log, cal *calendar.Calendar) string {
	t.Helper()
	ctx := context.Background()
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对未取得食品经营许可从事食品经营活动的处罚",
		Party: casefile.Party{Kind: "person", Name: "张建国", IDNo: "33010619780312451X",
			Address: "浙江省青禾市明湖区翠苑街道文三路88号"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	tpl, err := document.TemplateByID("penalty_decision")
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := l.Case(ctx, id)
	doc, err := document.Fill(tpl, cs, "青禾市明湖区市场监督管理局", map[string]string{"doc_no": "青明市监处罚〔2026〕37号",
		"facts": "张建国未取得食品经营许可从事食品经营活动，手机13857124567。", "basis": "《食品安全法》第三十五条",
		"decision": "罚款人民币5000元", "payment": "十五日内缴纳"}, cs.OpenedAt)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(doc)
	if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.Publish(ctx, l, cal, id, "990101000001", nil); err != publish.ErrNotDecided {
		t.Fatalf("published before the decision: %v", err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide", Decision: json.RawMessage(`{"fine":5000}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.Publish(ctx, l, cal, id, "990101000001", []string{"文三路"}); err != nil {
		t.Fatal(err)
	}
	return id
}
