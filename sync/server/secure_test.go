package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
)

// TestSecondInstanceOnSameSQLiteRefused (in process): a second serving
// instance on the same SQLite file is refused with ErrSecondInstance and a
// message saying so, Chinese first; the administrator's commands (not
// exclusive) still open the file; once the first closes, a new one serves.
// The process test of the same name is in sync/e2e.
func TestSecondInstanceOnSameSQLiteRefused(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "platform.db")
	first, err := Open(ctx, db, Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = Open(ctx, db, Options{Exclusive: true})
	if !errors.Is(err, ErrSecondInstance) || !strings.HasPrefix(err.Error(), "open platform: 已有另一个平台实例在使用数据库 "+db) {
		t.Fatalf("second instance: err = %v", err)
	}
	tool, err := Open(ctx, db, Options{})
	if err != nil {
		t.Fatalf("an administrator's command beside the serving instance: %v", err)
	}
	tool.Close()
	first.Close()
	next, err := Open(ctx, db, Options{Exclusive: true})
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	next.Close()
}

// A 500 names only an error ID, the message for people Chinese first; the
// log carries the whole error under that ID.
func TestInternalErrorShowsOnlyItsID(t *testing.T) {
	var logs bytes.Buffer
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	// The database loses a table under the platform.
	if _, err := s.db.ExecContext(context.Background(), `DROP TABLE platform_verifiers`); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(h.URL + api.PathPubKey)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	id, ok := strings.CutPrefix(p.Detail, "error ID ")
	if p.Code != "internal" || !ok || len(id) != 13 || !strings.HasPrefix(p.Message, "平台内部错误，错误编号 "+id) {
		t.Fatalf("problem %+v", p)
	}
	for _, leak := range []string{"platform_verifiers", "no such table", "SQL", "sqlite"} {
		if strings.Contains(string(body), leak) {
			t.Fatalf("the answer shows %q: %s", leak, body)
		}
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "error_id="+id) {
			line = l
		}
	}
	if !strings.Contains(line, "no such table: platform_verifiers") {
		t.Fatalf("no log line with error_id=%s and the error:\n%s", id, logs.String())
	}
}

// Every answer carries the security headers: a public page, the console,
// the API, and a page not found.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	for _, path := range []string{"/p/", "/admin/login", api.PathPubKey, api.PathHealth, "/no/such/page"} {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "same-origin",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "script-src") {
			t.Errorf("%s: CSP %q allows scripts; the platform has none", path, csp)
		}
	}
}
