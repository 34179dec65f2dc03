package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Reach is which web pages of other origins may read a route's answers
// in a browser (CORS).
type Reach int

const (
	// SameOrigin: no CORS header at all, so only the platform's own pages
	// read the answers. The console: its session is a cookie, and a page
	// of another site must never act on it.
	SameOrigin Reach = iota
	// AnyOrigin: public reads (the public pages and lists, the platform's
	// key, the API document) are for everyone: Access-Control-Allow-Origin
	// is *, which browsers never combine with cookies or Authorization.
	AnyOrigin
	// ListedOrigins: the device and administrator API. Only the origins the
	// administrator configured are answered with their own origin; the
	// caller proves itself with a bearer token it sends, so no
	// Access-Control-Allow-Credentials is ever needed or given.
	ListedOrigins
)

// The headers of the device and administrator API that a page of a listed
// origin may send and read: a bearer token, the tus protocol's headers
// (uploads from a browser, e.g. with tus-js-client), the idempotency key
// and a person's signature; the receipt a finished upload answers with and
// the tus headers a client resumes by.
const (
	corsMethods     = "GET, HEAD, POST, PUT, PATCH, DELETE"
	corsHeaders     = "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Concat, Upload-Defer-Length, Idempotency-Key, X-Sanxiang-Person, X-Sanxiang-Person-Time, X-Sanxiang-Person-Sig"
	corsExpose      = "Sanxiang-Receipt, Location, Upload-Offset, Upload-Length, Tus-Version, Tus-Resumable, Tus-Max-Size, Tus-Extension"
	publicMethods   = "GET, HEAD"
	publicHeaders   = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
	preflightMaxAge = "600" // seconds: a changed list of origins holds within ten minutes
)

// CORS answers cross-origin requests by the reach of their route, before
// h and so before any authentication: a preflight (OPTIONS with Origin and
// Access-Control-Request-Method) carries no credentials by definition, and
// is answered here without reaching h.
//
//   - AnyOrigin: every answer carries Access-Control-Allow-Origin: *; a
//     preflight allows GET and HEAD with a few plain headers (never
//     Authorization).
//   - ListedOrigins: an origin in origins (ParseOrigin's form) gets itself
//     back with Vary: Origin, and its preflight 204 with the API's methods
//     and headers. Any other origin gets no Access-Control-Allow-Origin, so
//     its page cannot read the answer, and its preflight is refused 403
//     (Problem code cors_origin), which tells its developer why in the
//     browser's network panel. A request without a preflight from such an
//     origin still reaches h: CORS decides what a page may read, the bearer
//     token decides what a caller may do.
//   - SameOrigin: nothing is added; a preflight reaches h like any request
//     (and is refused there: no route answers OPTIONS).
//
// reach classifies a request by its method (for a preflight, the method it
// asks for) and its cleaned path, so /p/../api/… is the API it names.
func CORS(h http.Handler, origins []string, reach func(method, path string) Reach) http.Handler {
	listed := make(map[string]bool, len(origins))
	for _, o := range origins {
		listed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		asked := r.Header.Get("Access-Control-Request-Method")
		preflight := r.Method == http.MethodOptions && origin != "" && asked != ""
		method := r.Method
		if preflight {
			method = asked
		}
		hd := w.Header()
		switch reach(method, cleanPath(r.URL.Path)) {
		case AnyOrigin:
			hd.Set("Access-Control-Allow-Origin", "*")
			if preflight {
				hd.Set("Access-Control-Allow-Methods", publicMethods)
				hd.Set("Access-Control-Allow-Headers", publicHeaders)
				hd.Set("Access-Control-Max-Age", preflightMaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		case ListedOrigins:
			// Caches keep one answer per origin: the header depends on it.
			hd.Add("Vary", "Origin")
			ok := origin != "" && listed[origin]
			if preflight {
				if !ok {
					Problem(w, r, http.StatusForbidden, "cors_origin", words.M("platform.cors_origin"), origin)
					return
				}
				hd.Set("Access-Control-Allow-Origin", origin)
				hd.Set("Access-Control-Allow-Methods", corsMethods)
				hd.Set("Access-Control-Allow-Headers", corsHeaders)
				hd.Set("Access-Control-Max-Age", preflightMaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if ok {
				hd.Set("Access-Control-Allow-Origin", origin)
				hd.Set("Access-Control-Expose-Headers", corsExpose)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// cleanPath is p without . and .. segments or doubled slashes, keeping a
// trailing slash: the path the router serves after its redirect.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// ErrBadOrigin is a configured CORS origin that is not one.
var ErrBadOrigin = errors.New("不是网页来源，应为 http(s)://主机[:端口]，不含路径 (not an origin: http or https://host[:port], no path)")

// ParseOrigin is a configured origin in the form browsers send it in the
// Origin header: lower-case scheme and host, the default port left out,
// no path, query or user. "*" and "null" are refused: the API's origins
// are named one by one, and "null" is any sandboxed page or local file.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("cors origin %q: %w", s, ErrBadOrigin)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("cors origin %q: %w", s, ErrBadOrigin)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}
