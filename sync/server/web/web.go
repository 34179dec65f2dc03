// Package web is how every room of the platform answers over HTTP: JSON
// bodies, problems (api.Problem) whose message for people comes from the
// translations (package words) in the caller's language, and request
// bodies read with a limit.
package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// JSON writes v as a JSON body with status code.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// Lang is the language to answer r in (words.Lang of its
// Accept-Language; Chinese when r is nil).
func Lang(r *http.Request) string {
	if r == nil {
		return words.Chinese
	}
	return words.Lang(r.Header.Get("Accept-Language"))
}

// Problem writes an api.Problem: a code for programs, a message for
// people in r's language (Content-Language names it) and a detail for
// whoever debugs.
func Problem(w http.ResponseWriter, r *http.Request, code int, id string, msg words.Msg, detail string) {
	Write(w, r, api.Problem{Status: code, Code: id, Message: msg.In(Lang(r)), Detail: detail})
}

// Write writes p (its Message already in Lang(r)), with p.Status as the
// HTTP status.
func Write(w http.ResponseWriter, r *http.Request, p api.Problem) {
	writeProblem(w, r, p.Status, p)
}

// writeProblem sends body, a Problem or one that adds to it, with status.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, body any) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json; charset=utf-8")
	h.Set("Content-Language", Lang(r))
	// A cache in front keeps one answer per language.
	h.Add("Vary", "Accept-Language")
	h.Del("Content-Length")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// BadParam answers 400 bad_param for the query or path parameter name,
// with why it was refused (msg) and the value in the detail.
func BadParam(w http.ResponseWriter, r *http.Request, name string, msg words.Msg, value string) {
	Write(w, r, api.Problem{Status: http.StatusBadRequest, Code: "bad_param", Param: name,
		Message: words.In(Lang(r), "platform.bad_param", map[string]any{"Name": name, "Why": msg.In(Lang(r))}),
		Detail:  "parameter " + name + " = " + strconv.Quote(value)})
}

// Respond writes v as JSON, or the error as the platform's internal error.
func Respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		Internal(w, r, err)
		return
	}
	JSON(w, http.StatusOK, v)
}

// TooLarge answers a body over the limit.
func TooLarge(w http.ResponseWriter, r *http.Request) {
	Problem(w, r, http.StatusRequestEntityTooLarge, "too_large", words.M("platform.too_large"), "")
}

// Decode reads a JSON body, telling a too-large body from a malformed one;
// it has answered when it says false.
func Decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			TooLarge(w, r)
		} else {
			Problem(w, r, http.StatusBadRequest, "bad_json", words.M("platform.bad_json"), err.Error())
		}
		return false
	}
	return true
}

// Routed serves mux, but answers the router's own 404 (no route) and 405
// (no route for that method, with its Allow header) as Problems like
// every other error, in place of net/http's plain text.
func Routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// The router's own answer, a 301 to a cleaned path among them:
		// only its errors are rewritten.
		h.ServeHTTP(&routerError{w: w, r: r}, r)
	})
}

// routerError writes the router's 404 and 405 as Problems and drops its
// text; anything else (redirects) passes through.
type routerError struct {
	w       http.ResponseWriter
	r       *http.Request
	problem bool
}

func (e *routerError) Header() http.Header { return e.w.Header() }

func (e *routerError) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		e.problem = true
		Problem(e.w, e.r, code, "not_found", words.M("platform.no_route"), e.r.Method+" "+e.r.URL.Path)
	case http.StatusMethodNotAllowed:
		e.problem = true
		Problem(e.w, e.r, code, "method_not_allowed", words.M("platform.no_method"), e.r.Method+" "+e.r.URL.Path+"; allowed: "+e.w.Header().Get("Allow"))
	default:
		e.w.WriteHeader(code)
	}
}

func (e *routerError) Write(b []byte) (int, error) {
	if e.problem {
		return len(b), nil
	}
	return e.w.Write(b)
}

// IntParam reads the integer query parameter name: def when absent, else
// a whole number within [lo, hi]. Anything else is answered 400 bad_param
// naming the parameter, and ok is false.
func IntParam(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int64) (n int64, ok bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		BadParam(w, r, name, words.M("platform.param_not_integer"), v)
		return 0, false
	}
	if n < lo || n > hi {
		BadParam(w, r, name, words.M("platform.param_out_of_range", map[string]any{"Min": lo, "Max": hi}), v)
		return 0, false
	}
	return n, true
}

// Rows answers 422 with code and msg as a Problem that also lists what
// was wrong row by row (rows), so that nothing of a refused import is
// left unexplained.
func Rows(w http.ResponseWriter, r *http.Request, code string, msg words.Msg, rows any) {
	writeProblem(w, r, http.StatusUnprocessableEntity, struct {
		api.Problem
		Rows any `json:"rows"`
	}{api.Problem{Status: http.StatusUnprocessableEntity, Code: code, Message: msg.In(Lang(r))}, rows})
}
