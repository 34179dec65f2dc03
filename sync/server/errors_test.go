package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Every error has one shape on every route — an API refusal, a bad
// parameter, the router's 404 and 405, tus's own errors, a public page
// asked for JSON — with a stable code, and a message for people in the
// language Accept-Language prefers: Chinese by default, English when asked,
// the code unchanged.
func TestErrorsInBothLanguages(t *testing.T) {
	h, token := platformWithOfficer(t)
	cases := []struct {
		name, method, path, token string
		header                    map[string]string
		status                    int
		code, param               string
	}{
		{"bad since", "GET", "/api/v1/catalog/changes?since=abc", "", nil, 400, "bad_param", "since"},
		{"limit over the maximum", "GET", "/api/v1/catalog/changes?limit=5001", "", nil, 400, "bad_param", "limit"},
		{"negative since", "GET", "/api/v1/catalog/changes?since=-1", "", nil, 400, "bad_param", "since"},
		{"not a sha", "GET", "/api/v1/media-by-sha/not-hex", token, nil, 400, "bad_param", "sha"},
		{"no token", "GET", "/api/v1/admin/devices", "", nil, 401, "unauthorized", ""},
		{"no route", "GET", "/api/v1/nowhere", "", nil, 404, "not_found", ""},
		{"wrong method", "DELETE", "/api/v1/platform/key", "", nil, 405, "method_not_allowed", ""},
		{"tus without its version", "POST", "/api/v1/media/", token, map[string]string{"Upload-Length": "10"}, 412, "unsupported_version", ""},
		{"tus unknown upload", "HEAD", "/api/v1/media/0123456789abcdef0123456789abcdef", token, map[string]string{"Tus-Resumable": "1.0.0"}, 404, "", ""},
		{"page as JSON", "GET", "/p/officer/NOBODY", "", map[string]string{"Accept": "application/json"}, 404, "not_found", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var msgs [2]string
			for i, lang := range []string{"", "en-US,en;q=0.9,zh;q=0.5"} {
				req, _ := http.NewRequest(c.method, h.URL+c.path, nil)
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				if lang != "" {
					req.Header.Set("Accept-Language", lang)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var p api.Problem
				decErr := json.NewDecoder(resp.Body).Decode(&p)
				resp.Body.Close()
				if resp.StatusCode != c.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
				}
				if c.method == http.MethodHead {
					return // no body, the status says it
				}
				if decErr != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("not a Problem: %s, %v", resp.Header.Get("Content-Type"), decErr)
				}
				if p.Code != c.code || p.Param != c.param || p.Status != c.status || p.Message == "" {
					t.Errorf("problem %+v, want code %q param %q", p, c.code, c.param)
				}
				want := []string{"zh-Hans", "en"}[i]
				if got := resp.Header.Get("Content-Language"); got != want {
					t.Errorf("Content-Language %q, want %q", got, want)
				}
				if !slices.Contains(resp.Header.Values("Vary"), "Accept-Language") {
					t.Errorf("Vary %q: a cache would answer every language alike", resp.Header.Values("Vary"))
				}
				msgs[i] = p.Message
			}
			if msgs[0] == msgs[1] || !hasHan(msgs[0]) || hasHan(msgs[1]) {
				t.Errorf("messages: Chinese %q, English %q", msgs[0], msgs[1])
			}
		})
	}
}

// platformWithOfficer serves a fresh platform (administrator token
// "admin-token"), every answer checked against the document, with one
// officer's device enrolled: its token.
func platformWithOfficer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	s, err := server.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), server.Options{AdminToken: "admin-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	t.Cleanup(h.Close)
	return h, enrolOfficer(t, s, h.URL)
}

// A fresh platform answers every list it has with [] — never null — and
// every answer as the document says (apitest.Checked reports a null where
// the document has an array).
func TestEmptyListsAreEmpty(t *testing.T) {
	h, device := platformWithOfficer(t)
	for _, c := range []struct{ path, token, field string }{
		{"/api/v1/catalog/changes?since=0", "", "changes"},
		{"/api/v1/admin/devices", "admin-token", ""},
		{"/api/v1/admin/alerts", "admin-token", ""},
		{"/api/v1/admin/people/", "admin-token", ""},
		{"/api/v1/admin/audit", "admin-token", "entries"},
		{"/api/v1/review/opinions", device, ""},
		{"/api/v1/review/reviewers", device, ""},
		{"/api/v1/hall/windows", device, ""},
		{"/api/v1/deadlines", device, ""},
		{"/api/v1/av-requirements", device, ""},
	} {
		req, _ := http.NewRequest("GET", h.URL+c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body any
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Errorf("%s: %d, %v", c.path, resp.StatusCode, err)
			continue
		}
		if resp.StatusCode >= 300 {
			// A refusal is checked against the document too; the lists
			// behind it are not this test's.
			t.Logf("%s: %d %v", c.path, resp.StatusCode, body)
			continue
		}
		list := body
		if c.field != "" {
			list = body.(map[string]any)[c.field]
		}
		if _, ok := list.([]any); !ok {
			t.Errorf("%s: %v is not a list", c.path, list)
		}
	}
}
