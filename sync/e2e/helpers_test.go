// Package e2e tests the platform end to end: real platforms (in-process
// and as processes), real devices' logs and the device's sync client,
// over HTTP, on every storage the platform supports here.
package e2e

import (
	"context"
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

func mustCase(t *testing.T, l *casefile.Log) string {
	t.Helper()
	id, err := l.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: "inspection", Agency: "01", ItemID: "E1",
		ItemName: "检查", Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: "990101000001"}}})
	if err != nil {
		t.Fatal(err)
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
