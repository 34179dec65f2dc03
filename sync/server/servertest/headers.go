package servertest

import (
	"net/http"
	"sort"
	"testing"
)

// NonASCIIHeader names the first header, in name order, whose name or
// value holds a byte outside printable ASCII (0x20–0x7E), as "Name: value";
// "" if there is none. HTTP clients that read header values as Latin-1
// (Node, browsers) would hand their caller other characters than were sent.
func NonASCIIHeader(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !printableASCII(k) {
			return k
		}
		for _, v := range h[k] {
			if !printableASCII(v) {
				return k + ": " + v
			}
		}
	}
	return ""
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// ASCIIHeaders serves h and fails t for every answer with a header outside
// printable ASCII (NonASCIIHeader), naming the request: whatever a test
// asks of the platform through it, the headers are checked too.
func ASCIIHeaders(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aw := &asciiWriter{ResponseWriter: w, t: t, r: r}
		h.ServeHTTP(aw, r)
		if !aw.wrote {
			aw.check() // nothing written: net/http sends the headers now
		}
	})
}

// asciiWriter checks the headers as they are sent: at each WriteHeader
// (a 1xx and then the final answer) and at the first Write without one.
type asciiWriter struct {
	http.ResponseWriter
	t     testing.TB
	r     *http.Request
	wrote bool
}

func (w *asciiWriter) check() {
	if bad := NonASCIIHeader(w.Header()); bad != "" {
		w.t.Errorf("%s %s answers a header outside printable ASCII: %q", w.r.Method, w.r.URL.Path, bad)
	}
}

func (w *asciiWriter) WriteHeader(code int) {
	w.check()
	if code >= 200 {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *asciiWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.check()
		w.wrote = true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (tusd's deadlines, flushes) reach
// the server's own writer.
func (w *asciiWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
