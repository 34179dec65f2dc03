// Package web is how every room of the platform answers over HTTP: JSON
// bodies, problems (api.Problem) whose message for people comes from the
// translations (package words), and request bodies read with a limit.
package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// JSON writes v as a JSON body with status code.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// Problem writes an api.Problem: a code for programs, a message for
// people (already translated) and a detail for whoever debugs.
func Problem(w http.ResponseWriter, code int, id, message, detail string) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(api.Problem{Code: id, Message: message, Detail: detail})
}

// Respond writes v as JSON, or the error as the platform's internal error.
func Respond(w http.ResponseWriter, v any, err error) {
	if err != nil {
		Internal(w, err)
		return
	}
	JSON(w, http.StatusOK, v)
}

// TooLarge answers a body over the limit.
func TooLarge(w http.ResponseWriter) {
	Problem(w, http.StatusRequestEntityTooLarge, "too_large", words.L("platform.too_large"), "")
}

// Decode reads a JSON body, telling a too-large body from a malformed one;
// it has answered when it says false.
func Decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			TooLarge(w)
		} else {
			Problem(w, http.StatusBadRequest, "bad_json", words.L("platform.bad_json"), err.Error())
		}
		return false
	}
	return true
}
