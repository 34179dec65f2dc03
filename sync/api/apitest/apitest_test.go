package apitest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// fakeT collects what the checker reports.
type fakeT struct{ errs []string }

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestDocumentLoads(t *testing.T) {
	if _, err := Router(api.OpenAPI); err != nil {
		t.Fatal(err)
	}
}

// A handler that drifts from the document — a list as null, a field of the
// wrong type, an undocumented status, an error as plain text, a route the
// document lacks — is caught, each time; the same routes answered as
// documented are not.
func TestWrongResponseFailsValidation(t *testing.T) {
	cases := []struct {
		name, method, path string
		status             int
		ctype, body        string
		wantErr            bool
	}{
		{"changes as documented", "GET", "/api/v1/catalog/changes?since=0", 200, "application/json", `{"changes":[],"next":0,"more":false}`, false},
		{"changes null", "GET", "/api/v1/catalog/changes?since=0", 200, "application/json", `{"changes":null,"next":0,"more":false}`, true},
		{"next as a string", "GET", "/api/v1/catalog/changes?since=0", 200, "application/json", `{"changes":[],"next":"0","more":false}`, true},
		{"undocumented status", "GET", "/api/v1/catalog/changes", 418, "application/problem+json", `{"code":"teapot","message":"x","status":418}`, true},
		{"error as text", "GET", "/api/v1/catalog/changes?since=x", 400, "text/plain", "bad since\n", true},
		{"problem without a code", "GET", "/api/v1/catalog/changes?since=x", 400, "application/problem+json", `{"message":"x","status":400}`, true},
		{"problem as documented", "GET", "/api/v1/catalog/changes?since=x", 400, "application/problem+json", `{"code":"bad_param","message":"x","status":400,"param":"since"}`, false},
		{"undocumented route served", "GET", "/api/v1/nowhere", 200, "application/json", `{}`, true},
		{"undocumented route refused", "GET", "/api/v1/nowhere", 404, "application/problem+json", `{"code":"not_found","message":"x","status":404}`, false},
	}
	r, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeT{}
			h := CheckedBy(f, r, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", c.ctype)
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if got := len(f.errs) > 0; got != c.wantErr {
				t.Errorf("reported %v (%s), want an error: %v", got, strings.Join(f.errs, "; "), c.wantErr)
			}
			if rec.Code != c.status || rec.Body.String() != c.body {
				t.Errorf("the checker changed the answer: %d %q", rec.Code, rec.Body.String())
			}
		})
	}
}
