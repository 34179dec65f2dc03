package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// CSP is the Content-Security-Policy of every page and API answer. The
// platform's pages and console run no script at all and load nothing from
// elsewhere: every script is refused (default-src 'none'), forms post only
// to the platform, no page may be framed (clickjacking of the console's
// buttons). Styles are inline (<style> in the templates, a few style=""
// attributes), hence style-src 'unsafe-inline': with no script allowed, a
// style is the most an injection could add. Images: the platform's own and
// data: URLs (the charts are inline SVG, which needs neither).
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Secure sets the security headers on every answer h gives: the CSP,
// nosniff (a JSON or text body is never run as a script or a page),
// X-Frame-Options for browsers older than frame-ancestors, and a referrer
// policy that does not hand the console's paths to other sites.
func Secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", CSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

var logger atomic.Pointer[slog.Logger]

// SetLogger names where Internal writes the errors it does not show
// (slog.Default until set).
func SetLogger(l *slog.Logger) {
	if l != nil {
		logger.Store(l)
	}
}

func log() *slog.Logger {
	if l := logger.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// NewErrorID is a fresh ID for one internal error: the answer shows it,
// the log carries the error under it.
func NewErrorID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "E" + hex.EncodeToString(b)
}

// Internal answers with the platform's internal error: the body names only
// an error ID (with the message for people), the log carries err in full
// under that ID. Internal text (SQL, paths, hosts) never reaches a device
// or a browser.
func Internal(w http.ResponseWriter, r *http.Request, err error) {
	id := NewErrorID()
	log().Error("internal error", "error_id", id, "err", err)
	Write(w, r, api.Problem{Status: http.StatusInternalServerError, Code: "internal", ErrorID: id,
		Message: words.In(Lang(r), "platform.internal_id", map[string]any{"ID": id}), Detail: "error ID " + id})
}

// Log is where the platform's web rooms write what they cannot answer
// (slog.Default until SetLogger).
func Log() *slog.Logger { return log() }
