package servertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNonASCIIHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Header
		want string
	}{
		{"clean", http.Header{"Sanxiang-Receipt": {"c2FueGlhbmc="}, "Tus-Resumable": {"1.0.0"}}, ""},
		{"the older receipt", http.Header{"Sanxiang-Receipt": {"a|b||— sanxiang-platform x"}}, "Sanxiang-Receipt: a|b||— sanxiang-platform x"},
		{"Latin-1 byte", http.Header{"X": {"caf\xe9"}}, "X: caf\xe9"},
		{"control", http.Header{"X": {"a\tb"}}, "X: a\tb"},
		{"DEL", http.Header{"X": {"a\x7f"}}, "X: a\x7f"},
		{"in a name", http.Header{"Ünits": {"1"}}, "Ünits"},
		{"second value", http.Header{"X": {"ok", "不"}}, "X: 不"},
		{"first in name order", http.Header{"B": {"不"}, "A": {"—"}}, "A: —"},
	} {
		if got := NonASCIIHeader(tc.h); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// failures is a test that records its failures instead of failing.
type failures struct {
	testing.TB
	got []string
}

func (f *failures) Errorf(format string, args ...any) {
	f.got = append(f.got, fmt.Sprintf(format, args...))
}

// TestASCIIHeadersFailsTheTest: a handler that sends a non-ASCII header,
// by WriteHeader, by its first Write or by writing nothing, fails the
// test, naming the request; one that sends ASCII does not.
func TestASCIIHeadersFailsTheTest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(w http.ResponseWriter)
		fails bool
	}{
		{"ascii", func(w http.ResponseWriter) { w.Header().Set("X", "ok"); w.WriteHeader(204) }, false},
		{"by WriteHeader", func(w http.ResponseWriter) { w.Header().Set("X", "—"); w.WriteHeader(204) }, true},
		{"by Write", func(w http.ResponseWriter) { w.Header().Set("X", "—"); w.Write([]byte("body")) }, true},
		{"by nothing", func(w http.ResponseWriter) { w.Header().Set("X", "—") }, true},
		{"after a 1xx", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Set("X", "—")
			w.WriteHeader(200)
		}, true},
	} {
		f := &failures{TB: t}
		h := ASCIIHeaders(f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.serve(w) }))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPatch, "/api/v1/media/x", nil))
		if failed := len(f.got) > 0; failed != tc.fails {
			t.Errorf("%s: failures %q, want failing %v", tc.name, f.got, tc.fails)
		}
		for _, msg := range f.got {
			if !strings.Contains(msg, "PATCH /api/v1/media/x") {
				t.Errorf("%s: %q does not name the request", tc.name, msg)
			}
		}
	}
}
