package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

const (
	// The one origin the platform of these tests lists.
	listedOrigin = "https://app.example.gov.cn"
	corsAdmin    = "cors-admin-token"
)

// crossAnswer is an answer to a cross-origin call, read whole.
type crossAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a crossAnswer) String() string {
	return strconv.Itoa(a.status) + " " + string(bytes.TrimSpace(a.body))
}

// allow is the Access-Control-Allow-Origin the answer carries.
func (a crossAnswer) allow() string { return a.header.Get("Access-Control-Allow-Origin") }

// lists says whether the comma-separated header name lists every one of want.
func (a crossAnswer) lists(name string, want ...string) bool {
	var got []string
	for _, v := range a.header.Values(name) {
		for f := range strings.SplitSeq(v, ",") {
			got = append(got, strings.ToLower(strings.TrimSpace(f)))
		}
	}
	for _, w := range want {
		if !slices.Contains(got, strings.ToLower(w)) {
			return false
		}
	}
	return true
}

// cross calls the platform as a page of origin would have a browser call
// it: the Origin header, and for a preflight (method OPTIONS, asking for
// hdr["Access-Control-Request-Method"]) nothing else a browser would not
// send. A token is sent as the bearer.
func cross(t *testing.T, method, url, origin, token string, hdr map[string]string, body []byte) crossAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// No redirects followed: an answer is judged as it is.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return crossAnswer{resp.StatusCode, resp.Header, b}
}

// preflight is the browser's question before a call with method and
// headers from origin.
func preflight(t *testing.T, url, origin, method string, headers ...string) crossAnswer {
	t.Helper()
	hdr := map[string]string{"Access-Control-Request-Method": method}
	if len(headers) > 0 {
		hdr["Access-Control-Request-Headers"] = strings.ToLower(strings.Join(headers, ","))
	}
	return cross(t, http.MethodOptions, url, origin, "", hdr, nil)
}

// enrolOfficer enrols an officer's device over HTTP and returns its token.
func enrolOfficer(t *testing.T, s *server.Server, base string) string {
	t.Helper()
	code, err := s.NewEnrolCode(context.Background(), api.DeviceOfficer)
	if err != nil {
		t.Fatal(err)
	}
	_, verifier, err := note.GenerateKey(rand.Reader, "cors-officer")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(api.EnrolRequest{Code: code, Name: "cors-officer", Kind: api.DeviceOfficer, Verifier: verifier})
	resp, err := http.Post(base+api.PathEnrol, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out api.EnrolResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("enrol: %d %v", resp.StatusCode, err)
	}
	return out.Token
}

// tusHeaders begin an upload of data by the tus protocol.
func tusHeaders(data []byte) map[string]string {
	sum := sha256.Sum256(data)
	return map[string]string{
		"Tus-Resumable":   "1.0.0",
		"Upload-Length":   strconv.Itoa(len(data)),
		"Upload-Metadata": "sha256 " + base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:]))),
	}
}

// corsPlatform is the platform of these tests, listing listedOrigin.
func corsPlatform(t *testing.T) (*server.Server, *httptest.Server) {
	t.Helper()
	return servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: corsAdmin, CORSOrigins: []string{listedOrigin}})
}

// The device and administrator API, as an attacker's page and a listed
// application's page would reach it: a preflight is answered before any
// token is asked for (204 for the listed origin with the tus and bearer
// headers allowed, 403 cors_origin otherwise); with a valid device token,
// an unlisted origin is never echoed — by the platform nor by tusd, which
// echoed any — while the listed one is, with Vary: Origin and the receipt
// and tus headers exposed; credentials are never allowed.
func TestCORSDeviceAPIOnlyListedOrigins(t *testing.T) {
	s, h := corsPlatform(t)
	officer := enrolOfficer(t, s, h.URL)
	tusAsks := []string{"Authorization", "Tus-Resumable", "Upload-Length", "Upload-Metadata", "Upload-Offset", "Content-Type"}

	// The preflight of a tus upload: no token, as a browser sends it.
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodHead, http.MethodDelete} {
		a := preflight(t, h.URL+api.PathMedia, listedOrigin, m, tusAsks...)
		if a.status != http.StatusNoContent || a.allow() != listedOrigin || !a.lists("Vary", "Origin") ||
			!a.lists("Access-Control-Allow-Methods", m) || !a.lists("Access-Control-Allow-Headers", tusAsks...) ||
			!a.lists("Access-Control-Allow-Headers", "Upload-Concat", "Upload-Defer-Length") ||
			a.header.Get("Access-Control-Max-Age") == "" || a.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s %s from the listed origin: %s %v", m, api.PathMedia, a, a.header)
		}
	}
	// The same for an upload's own path and the other API routes.
	for _, p := range []string{api.PathMedia + "0123456789abcdef", api.PathPush, api.PathDevices, api.PathQueue, api.PathEnrol} {
		if a := preflight(t, h.URL+p, listedOrigin, http.MethodPost, "Authorization", "Content-Type"); a.status != http.StatusNoContent || a.allow() != listedOrigin {
			t.Errorf("preflight POST %s from the listed origin: %s %v", p, a, a.header)
		}
	}

	// Origins that are not listed, however near to the listed one.
	for _, evil := range []string{"https://evil.example", "http://app.example.gov.cn", "https://app.example.gov.cn.evil.example",
		"https://app.example.gov.cn:8443", "https://evil.app.example.gov.cn", "null", "https://APP.example.gov.cn/"} {
		a := preflight(t, h.URL+api.PathMedia, evil, http.MethodPost, tusAsks...)
		if a.status != http.StatusForbidden || problemCode(a.body) != "cors_origin" || a.allow() != "" ||
			a.header.Get("Access-Control-Allow-Headers") != "" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("preflight from %s: %s %v", evil, a, a.header)
		}
		var p api.Problem
		if json.Unmarshal(a.body, &p) != nil || p.Message == "" || p.Detail != evil {
			t.Errorf("preflight from %s: problem %s", evil, a.body)
		}
		// With a valid token (a page that stole one, or a tool that sets
		// Origin): the call is the token's to answer, but its page must not
		// read the answer.
		up := cross(t, http.MethodPost, h.URL+api.PathMedia, evil, officer, tusHeaders([]byte("evidence from "+evil)), nil)
		if up.status != http.StatusCreated || up.allow() != "" || up.header.Get("Access-Control-Expose-Headers") != "" || !up.lists("Vary", "Origin") {
			t.Errorf("tus POST with a device token from %s: %s %v", evil, up, up.header)
		}
		sha := strings.Repeat("ab", 32)
		if a := cross(t, http.MethodGet, h.URL+api.PathMediaSHA+sha, evil, officer, nil, nil); a.allow() != "" || a.status == http.StatusUnauthorized {
			t.Errorf("GET media-by-sha with a device token from %s: %s %v", evil, a, a.header)
		}
		if a := cross(t, http.MethodGet, h.URL+api.PathDevices, evil, corsAdmin, nil, nil); a.status != http.StatusOK || a.allow() != "" {
			t.Errorf("GET devices with the admin token from %s: %s %v", evil, a, a.header)
		}
	}

	// A path that climbs out of the public pages names the API it reaches:
	// not open to every origin.
	if a := preflight(t, h.URL+"/p/../"+strings.TrimPrefix(api.PathDevices, "/"), "https://evil.example", http.MethodGet, "Authorization"); a.status != http.StatusForbidden || a.allow() != "" {
		t.Errorf("preflight to /p/../api/…: %s %v", a, a.header)
	}

	// The listed origin's page uploads: every answer is readable, the
	// receipt of the last one too; no credentials are ever allowed.
	data := []byte("现场照片 from a browser")
	up := cross(t, http.MethodPost, h.URL+api.PathMedia, listedOrigin, officer, tusHeaders(data), nil)
	if up.status != http.StatusCreated || up.allow() != listedOrigin || !up.lists("Vary", "Origin") ||
		!up.lists("Access-Control-Expose-Headers", "Location", "Upload-Offset", "Tus-Resumable", "Sanxiang-Receipt") {
		t.Fatalf("tus POST from the listed origin: %s %v", up, up.header)
	}
	loc, err := url.Parse(up.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	done := cross(t, http.MethodPatch, h.URL+loc.Path, listedOrigin, officer, map[string]string{"Tus-Resumable": "1.0.0",
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, data)
	if done.status != http.StatusNoContent || done.header.Get("Sanxiang-Receipt") == "" || done.allow() != listedOrigin ||
		!done.lists("Access-Control-Expose-Headers", "Sanxiang-Receipt", "Upload-Offset", "Upload-Length", "Tus-Version", "Tus-Max-Size", "Tus-Extension") {
		t.Errorf("the finishing PATCH from the listed origin: %s %v", done, done.header)
	}
	for _, a := range []crossAnswer{up, done} {
		if a.header.Get("Access-Control-Allow-Credentials") != "" || len(a.header.Values("Access-Control-Allow-Origin")) != 1 {
			t.Errorf("answer %s: %v", a, a.header)
		}
	}
	// A refusal is readable by the listed origin's page too (it learns
	// why), and still needs the token.
	if a := cross(t, http.MethodGet, h.URL+api.PathQueue, listedOrigin, "", nil, nil); a.status != http.StatusUnauthorized || a.allow() != listedOrigin {
		t.Errorf("GET %s without a token from the listed origin: %s %v", api.PathQueue, a, a.header)
	}
	// A plain OPTIONS is not a preflight: tus's discovery still asks for
	// the token.
	if a := cross(t, http.MethodOptions, h.URL+api.PathMedia, listedOrigin, "", nil, nil); a.status != http.StatusUnauthorized {
		t.Errorf("OPTIONS %s without a preflight's question: %s", api.PathMedia, a)
	}
}

// The public reads are open to every page, never with credentials, even
// when a page sends a token; a preflight that asks to send Authorization
// to them is not allowed it; their other methods are not public.
func TestCORSPublicReadsAnyOrigin(t *testing.T) {
	_, h := corsPlatform(t)
	for _, p := range []string{"/p/", "/p/draws/", api.PathChanges + "?since=0", api.PathPubKey, api.PathHealth} {
		for _, origin := range []string{"https://evil.example", listedOrigin, ""} {
			for _, m := range []string{http.MethodGet, http.MethodHead} {
				a := cross(t, m, h.URL+p, origin, "", nil, nil)
				if a.status != http.StatusOK || a.allow() != "*" || a.header.Get("Access-Control-Allow-Credentials") != "" {
					t.Errorf("%s %s from %q: %s %v", m, p, origin, a, a.header)
				}
			}
		}
		a := preflight(t, h.URL+p, "https://evil.example", http.MethodGet, "Accept-Language")
		if a.status != http.StatusNoContent || a.allow() != "*" || !a.lists("Access-Control-Allow-Methods", "GET", "HEAD") ||
			a.lists("Access-Control-Allow-Headers", "Authorization") || a.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight GET %s: %s %v", p, a, a.header)
		}
	}
	// The API document (whatever it answers) is
	// a public read.
	if a := cross(t, http.MethodGet, h.URL+"/api/v1/openapi.json", "https://evil.example", "", nil, nil); a.allow() != "*" {
		t.Errorf("GET /api/v1/openapi.json: %s %v", a, a.header)
	}
	// An unknown public page is open too (its 404 is public).
	if a := cross(t, http.MethodGet, h.URL+"/p/officer/NO-SUCH", "https://evil.example", "", nil, nil); a.status != http.StatusNotFound || a.allow() != "*" {
		t.Errorf("unknown public page: %s %v", a, a.header)
	}
	// Writing to a public read's path is the API's: not for any origin.
	if a := preflight(t, h.URL+api.PathChanges, "https://evil.example", http.MethodPost, "Content-Type"); a.status != http.StatusForbidden || a.allow() != "" {
		t.Errorf("preflight POST %s: %s %v", api.PathChanges, a, a.header)
	}
}

// The console's session is a cookie: no page of another origin, listed or
// not, gets an answer it may read, nor a preflight that lets it post.
func TestCORSConsoleSameOriginOnly(t *testing.T) {
	_, h := corsPlatform(t)
	for _, origin := range []string{"https://evil.example", listedOrigin} {
		for _, p := range []string{"/admin/login", "/admin/", "/admin/supervision", "/"} {
			if a := cross(t, http.MethodGet, h.URL+p, origin, "", nil, nil); a.allow() != "" || a.header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("GET %s from %s: %s %v", p, origin, a, a.header)
			}
		}
		a := preflight(t, h.URL+"/admin/login", origin, http.MethodPost, "Content-Type")
		if a.status == http.StatusNoContent || a.status == http.StatusOK || a.allow() != "" || a.header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("preflight POST /admin/login from %s: %s %v", origin, a, a.header)
		}
	}
}

// Configured origins are checked when the platform opens; each is kept
// in the form a browser sends, so a listed origin written with a capital
// or its default port still matches.
func TestCORSOriginsConfigured(t *testing.T) {
	for _, bad := range []string{"*", "null", "app.example.gov.cn", "https://app.example.gov.cn/path", "ftp://app.example.gov.cn",
		"https://user@app.example.gov.cn", "https://app.example.gov.cn?x=1", "https://", "https://app.example.gov.cn:"} {
		db := t.TempDir() + "/p.db"
		_, err := server.Open(context.Background(), db, server.Options{CORSOrigins: []string{listedOrigin, bad}})
		if !errors.Is(err, web.ErrBadOrigin) || !strings.Contains(err.Error(), strconv.Quote(bad)) {
			t.Errorf("origin %q: err = %v", bad, err)
		}
		if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("origin %q refused, but the database was made: %v", bad, err)
		}
	}
	_, h := servertest.Backends(t)[0].Serve(t, server.Options{CORSOrigins: []string{"HTTPS://App.Example.gov.cn:443/", "http://[::1]:8080"}})
	for _, origin := range []string{listedOrigin, "http://[::1]:8080"} {
		if a := preflight(t, h.URL+api.PathQueue, origin, http.MethodGet, "Authorization"); a.status != http.StatusNoContent || a.allow() != origin {
			t.Errorf("preflight from %s: %s %v", origin, a, a.header)
		}
	}
}
