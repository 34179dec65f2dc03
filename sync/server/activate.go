package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// activate: POST /api/v1/people/activate. An enrolled device registers the
// key it made for a person, with the person's one-time code. Every refusal
// has its own code; a code used on the wrong kind of device, a bad proof
// and an unknown code are raised as alerts (someone is trying codes, or
// a code went to the wrong hands).
func (s *Server) activate(w http.ResponseWriter, r *http.Request, d Device) {
	var req api.ActivateRequest
	if !web.Decode(w, r, &req) {
		return
	}
	p, err := s.people.Activate(r.Context(), d.ID, d.Kind, req)
	code, status := "", http.StatusForbidden
	switch {
	case err == nil:
		web.JSON(w, http.StatusCreated, p)
		return
	case errors.Is(err, people.ErrBadCode):
		code = "bad_activation_code"
	case errors.Is(err, people.ErrWrongDevice):
		code = "activation_wrong_device"
	case errors.Is(err, people.ErrInactive):
		code = "person_inactive"
	case errors.Is(err, people.ErrBadKey):
		code, status = "bad_person_key", http.StatusBadRequest
	default:
		web.Internal(w, r, err)
		return
	}
	if code != "person_inactive" {
		s.intake.Alert(r.Context(), d.ID, code, fmt.Sprintf("activation refused on a %s device (%s): %v", d.Kind, d.Name, err))
	}
	web.Problem(w, r, status, code, words.M("platform."+code), err.Error())
}

// standing: GET /api/v1/people/standing, what a device needs to refuse a
// deactivated person or a revoked key offline.
func (s *Server) standing(w http.ResponseWriter, r *http.Request, _ Device) {
	st, err := s.people.Standing(r.Context())
	web.Respond(w, r, st, err)
}
