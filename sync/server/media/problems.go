package media

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// tusProblems answers tusd's errors ("ERR_UPLOAD_NOT_FOUND: upload not
// found", text/plain) as the platform's Problems: code
// "upload_not_found", the message for people from the translations
// ("platform.tus.upload_not_found", else a general one), tusd's English
// text as the detail. Statuses stay tusd's: a tus client reads them.
func tusProblems(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&tusError{w: w, r: r}, r)
	})
}

type tusError struct {
	w      http.ResponseWriter
	r      *http.Request
	status int
	body   bytes.Buffer
}

func (e *tusError) Header() http.Header { return e.w.Header() }

func (e *tusError) WriteHeader(code int) {
	if code >= 400 && strings.HasPrefix(e.w.Header().Get("Content-Type"), "text/plain") {
		e.status = code
		if e.r.Method == http.MethodHead {
			// tusd sends no body on HEAD: answer now, without one.
			e.w.WriteHeader(code)
		}
		return
	}
	e.w.WriteHeader(code)
}

func (e *tusError) Write(b []byte) (int, error) {
	if e.status != 0 {
		// tusd writes its error's body in one Write.
		n, _ := e.body.Write(b)
		if e.r.Method != http.MethodHead {
			e.flush()
		}
		return n, nil
	}
	return e.w.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (tusd sets
// read deadlines through it).
func (e *tusError) Unwrap() http.ResponseWriter { return e.w }

// flush writes the buffered tusd error as a Problem.
func (e *tusError) flush() {
	text := strings.TrimSpace(e.body.String())
	e.body.Reset()
	status := e.status
	e.status = 0
	tusCode, detail, _ := strings.Cut(text, ": ")
	code := strings.ToLower(strings.TrimPrefix(tusCode, "ERR_"))
	if code == "" {
		code = "upload"
	}
	lang := web.Lang(e.r)
	msg := words.In(lang, "platform.tus."+code)
	if msg == "platform.tus."+code {
		msg = words.In(lang, "platform.tus.refused")
	}
	web.Write(e.w, e.r, api.Problem{Status: status, Code: code, Message: msg, Detail: strings.TrimSpace(detail)})
}
