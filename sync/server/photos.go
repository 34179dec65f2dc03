package server

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// photoRoutes are people's photos: public by their SHA-256 (the kiosk,
// the citizen display and the public pages show them) and uploaded by an
// administrator (the console's form does the same for people).
func (s *Server) photoRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+api.PathPhotos+"{file}", s.photo)
	mux.HandleFunc("PUT "+api.PathPeople+"{id}/photo", s.admin("people", s.putPhoto))
}

// photo: GET /p/photos/{sha}.jpg. The name is the content's hash, so the
// answer never changes: browsers and devices keep it for ever.
func (s *Server) photo(w http.ResponseWriter, r *http.Request) {
	sha, ok := strings.CutSuffix(r.PathValue("file"), ".jpg")
	if !ok || !isSHA256Hex(sha) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_photo"), "")
		return
	}
	data, err := s.people.PhotoJPEG(r.Context(), sha)
	if errors.Is(err, people.ErrNoPhoto) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_photo"), "")
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+sha+`"`)
	if r.Header.Get("If-None-Match") == `"`+sha+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(data)
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// putPhoto: PUT /api/v1/admin/people/{id}/photo, the body a JPEG or a PNG
// (judged by its bytes, whatever the Content-Type says). A token held to
// one agency sets its own people's photos only. Answers the person.
func (s *Server) putPhoto(w http.ResponseWriter, r *http.Request) {
	p, err := s.people.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, people.ErrNoPerson) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_person"), "")
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	if t, _ := console.TokenFrom(r.Context()); t.Agency != "" && t.Agency != p.Agency {
		web.Problem(w, r, http.StatusForbidden, "other_agency", words.M("platform.people.other_agency", map[string]any{"Agency": t.Agency}), p.Agency)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, people.PhotoMaxBytes+1))
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_file", words.M("platform.bad_file"), err.Error())
		return
	}
	sha, err := s.people.SetPhoto(r.Context(), p.ID, data)
	if photoProblem(w, r, err) {
		return
	}
	p.Photo = sha
	web.Respond(w, r, p, nil)
}

// photoProblem answers a photo refused (people.PhotoError: its status
// and code) or any other error; false when err is nil.
func photoProblem(w http.ResponseWriter, r *http.Request, err error) bool {
	var pe *people.PhotoError
	switch {
	case err == nil:
		return false
	case errors.As(err, &pe):
		web.Problem(w, r, pe.Status(), pe.Code, words.M(pe.Key(), people.PhotoLimits), pe.Err.Error())
	default:
		web.Internal(w, r, err)
	}
	return true
}
