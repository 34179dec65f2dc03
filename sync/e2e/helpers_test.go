// Package e2e tests the platform end to end: real platforms (in-process
// and as processes), real devices' logs and the device's sync client,
// over HTTP, on every storage the platform supports here.
package e2e

import (
	"context"
	"encoding/json"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

const admin = "admin-secret"

var (
	eachBackend = servertest.Each
	mustCase    = casefiletest.Case
	deviceLog   = casefiletest.WithNotes
	appendN     = casefiletest.Notes
)

func platform(t *testing.T, b servertest.Backend) (*server.Server, *httptest.Server) {
	t.Helper()
	return b.Serve(t, server.Options{AdminToken: admin})
}

func enrol(t *testing.T, s *server.Server, h *httptest.Server, l *casefile.Log) client.Identity {
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

// publishedDecision opens a penalty case in l, decides it with its decision
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
	ts, _ := document.Templates()
	var tpl document.Template
	for _, x := range ts {
		if x.ID == "penalty_decision" {
			tpl = x
		}
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
