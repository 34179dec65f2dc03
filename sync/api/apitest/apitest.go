// Package apitest holds the platform to its contract in the tests: Checked
// wraps the platform's handler so that every response a test receives is
// validated against the OpenAPI document (api.OpenAPI) with kin-openapi's
// openapi3filter — status, headers, content type and body schema — and a
// drift fails the test that met it.
package apitest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// TB is the part of testing.TB the checker reports to.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// maxBody is the most of a body the checker keeps to validate; a longer
// one (an evidence file) is checked for status and headers only.
const maxBody = 8 << 20

var loaded = sync.OnceValues(func() (routers.Router, error) {
	return Router(api.OpenAPI)
})

// Router loads an OpenAPI document, validates it, and routes requests of
// any host to its operations (the document's servers are the city's
// addresses; the tests run on loopback).
func Router(doc []byte) (routers.Router, error) {
	l := openapi3.NewLoader()
	d, err := l.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := d.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	d.Servers = nil
	r, err := gorillamux.NewRouter(d)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	return r, nil
}

func init() {
	// The public pages and the reference page are HTML; their schema is a
	// string.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("image/svg+xml", openapi3filter.FileBodyDecoder)
	// The console's one script (the case page's evidence player).
	openapi3filter.RegisterBodyDecoder("text/javascript", openapi3filter.FileBodyDecoder)
}

// Checked serves h and validates every response against api.OpenAPI,
// reporting each drift to t.
func Checked(t TB, h http.Handler) http.Handler {
	r, err := loaded()
	if err != nil {
		t.Errorf("apitest: %v", err)
		return h
	}
	return CheckedBy(t, r, h)
}

// CheckedBy is Checked against the document router routes.
func CheckedBy(t TB, router routers.Router, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, req)
		if err := check(router, req, rec); err != nil {
			t.Helper()
			t.Errorf("apitest: %s %s answered %d, which breaks the OpenAPI document: %v", req.Method, req.URL.RequestURI(), rec.status, err)
		}
	})
}

// documented says whether a path belongs to the contract: the API, the
// public pages, the health check. The console (/admin/…, cookie sessions
// for a browser) is not part of it.
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/p/") || path == "/healthz" || path == "/" || path == "/favicon.ico"
}

func check(router routers.Router, req *http.Request, rec *recorder) error {
	if req.Method == http.MethodOptions {
		// CORS preflights are answered before any operation.
		return nil
	}
	route, params, err := router.FindRoute(req)
	if err != nil && req.Method == http.MethodHead {
		// HEAD is GET without the body (RFC 9110 §9.3.2): the router
		// serves it for every GET, the document lists it only where it
		// differs (tus).
		get := req.Clone(req.Context())
		get.Method = http.MethodGet
		route, params, err = router.FindRoute(get)
	}
	if err != nil {
		if !documented(req.URL.Path) {
			return nil
		}
		// A path or method the document lacks must be answered as the
		// router's Problem, never served.
		if rec.status != http.StatusNotFound && rec.status != http.StatusMethodNotAllowed {
			return fmt.Errorf("no documented operation (%v), yet answered", err)
		}
		return problemShape(rec)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: rec.status,
		Header: rec.headers(),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			ExcludeResponseBody:   rec.overflow || req.Method == http.MethodHead,
		},
	}
	in.SetBodyBytes(rec.body.Bytes())
	// The document names each answer's content types: an error is a
	// Problem, or a page where the document allows one (/p/).
	return openapi3filter.ValidateResponse(req.Context(), in)
}

// problemShape checks an error answer is application/problem+json.
func problemShape(rec *recorder) error {
	ct := rec.headers().Get("Content-Type")
	if !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("an error answered as %q, not application/problem+json", ct)
	}
	return nil
}

// recorder passes the response through and keeps its status and (up to
// maxBody of) its body.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	// sent are the headers as the handler sent them: what wraps the
	// checker (a test's injected fault) may change the map after.
	sent     http.Header
	body     bytes.Buffer
	overflow bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote && code >= 200 {
		r.status, r.wrote = code, true
		r.sent = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.wrote = true
		r.sent = r.ResponseWriter.Header().Clone()
	}
	if !r.overflow {
		if r.body.Len()+len(b) > maxBody {
			r.overflow = true
			r.body.Reset()
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// headers are the headers the handler sent.
func (r *recorder) headers() http.Header {
	if r.sent != nil {
		return r.sent
	}
	return r.Header()
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes a flush through.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes a hijack through.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("apitest: the response cannot be hijacked")
}

var _ io.Writer = (*recorder)(nil)
