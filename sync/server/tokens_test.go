package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// The administrator API takes API tokens by scope: a token reaches the
// routes of its scopes only, stops at revocation, moves to its new secret
// at rotation (no restart), and every call is in the audit log under the
// token's name. The configured --admin-token has every scope.
func TestAdminAPITokens(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), Options{AdminToken: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	call := func(method, path, token string) (int, api.Problem) {
		req, _ := http.NewRequest(method, h.URL+path, strings.NewReader(`{"kind":"kiosk"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p api.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p
	}
	secret, err := s.Console().NewToken(ctx, console.Token{Name: "lists-sync", Scopes: []string{"catalog", "audit"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if code, p := call("GET", api.PathDevices, secret); code != http.StatusForbidden || p.Code != "scope" {
		t.Fatalf("outside its scope: %d %q", code, p.Code)
	}
	if code, _ := call("DELETE", api.PathItems+"fee/F1", secret); code != http.StatusNotFound {
		t.Fatalf("within its scope: %d", code)
	}
	if code, p := call("GET", api.PathDevices, "nonsense"); code != http.StatusUnauthorized || p.Code != "unauthorized" {
		t.Fatalf("unknown token: %d %q", code, p.Code)
	}
	if code, _ := call("POST", api.PathCodes, "a"); code != http.StatusCreated {
		t.Fatalf("the configured token: %d", code)
	}
	fresh, err := s.Console().RotateToken(ctx, "lists-sync")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := call("DELETE", api.PathItems+"fee/F1", secret); code != http.StatusUnauthorized {
		t.Fatalf("the old secret after rotation: %d", code)
	}
	if code, _ := call("DELETE", api.PathItems+"fee/F1", fresh); code != http.StatusNotFound {
		t.Fatalf("the new secret: %d", code)
	}

	// The audit log over the API: every call above, newest first, verified.
	req, _ := http.NewRequest("GET", h.URL+api.PathAudit, nil)
	req.Header.Set("Authorization", "Bearer "+fresh)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page AuditPage
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if resp.StatusCode != 200 || !page.Verified || page.Total != 4 {
		t.Fatalf("audit: %d %+v", resp.StatusCode, page)
	}
	want := []string{"lists-sync DELETE /api/v1/admin/catalog/items/{kind}/{id} status 404",
		"configured POST /api/v1/admin/enrol-codes status 201",
		"lists-sync DELETE /api/v1/admin/catalog/items/{kind}/{id} status 404",
		"lists-sync GET /api/v1/admin/devices refused: scope devices"}
	for i, e := range page.Entries {
		if got := e.Actor + " " + e.Action + " " + e.Detail; got != want[i] || e.Role != console.RoleToken {
			t.Errorf("entry %d = %q (%s), want %q", i, got, e.Role, want[i])
		}
	}

	if err := s.Console().RevokeToken(ctx, "lists-sync"); err != nil {
		t.Fatal(err)
	}
	if code, _ := call("GET", api.PathAudit, fresh); code != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d", code)
	}
}
