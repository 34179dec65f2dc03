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

// inspector is the officer signed in on the calling device who signed the
// request for subject, with their certificate number; it has answered
// (403 with its own code, and an alert for what is not a clock
// difference) when ok is false.
func (s *Server) inspector(w http.ResponseWriter, r *http.Request, d Device, subject string) (certNo string, ok bool) {
	p, err := s.personOf(r.Context(), r, d, subject)
	if errors.Is(err, people.ErrNoPerson) {
		err = fmt.Errorf("%w: %w", errNotOfficer, err)
	}
	if err == nil && (p.Role != api.RoleOfficer || !p.Active) {
		err = fmt.Errorf("%w: %s (%s, active %v)", errNotOfficer, p.ID, p.Role, p.Active)
	}
	if err == nil {
		// An officer's person ID is their certificate number (行政执法证号,
		// the people's import's key); a record may name it again.
		rec, rerr := s.people.GetRecord(r.Context(), p.ID)
		switch {
		case rerr != nil:
			err = rerr
		case rec.CertNo != "":
			certNo = rec.CertNo
		default:
			certNo = p.ID
		}
	}
	code := ""
	switch {
	case err == nil:
		return certNo, true
	case errors.Is(err, errStaleRequest):
		code = "stale_request"
	case errors.Is(err, errPersonSig):
		code = "person_required"
	case errors.Is(err, errNotOfficer):
		code = "not_officer"
	default:
		web.Internal(w, err)
		return "", false
	}
	if code != "stale_request" {
		s.intake.Alert(r.Context(), d.ID, code, fmt.Sprintf("%s %s from a %s device (%s): %v", r.Method, r.URL.Path, d.Kind, d.Name, err))
	}
	web.Problem(w, http.StatusForbidden, code, words.L("platform."+code), err.Error())
	return "", false
}

// tasks: GET /api/v1/tasks/, for an officer signed in on the calling
// device who signs the request: their drawn inspection tasks without a
// result, each saying where it was taken up.
func (s *Server) tasks(w http.ResponseWriter, r *http.Request, d Device) {
	cert, ok := s.inspector(w, r, d, "tasks")
	if !ok {
		return
	}
	out, err := s.TasksFor(r.Context(), cert)
	web.Respond(w, out, err)
}

// claimTask: POST /api/v1/tasks/{id}/claim, for one of the task's two
// inspectors signed in on the calling device: the task is taken up here
// (200 with it), or was by another device (409 task_claimed, with it).
func (s *Server) claimTask(w http.ResponseWriter, r *http.Request, d Device) {
	cert, ok := s.inspector(w, r, d, "claim")
	if !ok {
		return
	}
	t, err := s.ClaimTask(r.Context(), r.PathValue("id"), d.ID, cert)
	switch {
	case errors.Is(err, ErrNoTask):
		web.Problem(w, http.StatusNotFound, "no_task", words.L("platform.no_task"), err.Error())
	case errors.Is(err, ErrNotAssigned):
		s.intake.Alert(r.Context(), d.ID, "not_assigned", fmt.Sprintf("claim of task %s by %s, not one of its inspectors", r.PathValue("id"), cert))
		web.Problem(w, http.StatusForbidden, "not_assigned", words.L("platform.not_assigned"), err.Error())
	case errors.Is(err, ErrTaskClaimed):
		web.Problem(w, http.StatusConflict, "task_claimed", words.L("platform.task_claimed"), fmt.Sprintf("%v: %s", err, t.Device))
	default:
		web.Respond(w, t, err)
	}
}
