package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// inspector is the certificate number of the officer signed in on the
// calling device who signed the request for subject; it has answered when
// ok is false (signedOfficer).
func (s *Server) inspector(w http.ResponseWriter, r *http.Request, d Device, subject string) (certNo string, ok bool) {
	p, ok := s.signedOfficer(w, r, d, subject)
	if !ok {
		return "", false
	}
	// An officer's person ID is their certificate number (行政执法证号,
	// the people's import's key); a record may name it again.
	rec, err := s.people.GetRecord(r.Context(), p.ID)
	if err != nil {
		web.Internal(w, r, fmt.Errorf("tasks of %s: %w", p.ID, err))
		return "", false
	}
	if rec.CertNo != "" {
		return rec.CertNo, true
	}
	return p.ID, true
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
	web.Respond(w, r, out, err)
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
		web.Problem(w, r, http.StatusNotFound, "no_task", words.M("platform.no_task"), err.Error())
	case errors.Is(err, ErrNotAssigned):
		s.intake.Alert(r.Context(), d.ID, "not_assigned", fmt.Sprintf("claim of task %s by %s, not one of its inspectors", r.PathValue("id"), cert))
		web.Problem(w, r, http.StatusForbidden, "not_assigned", words.M("platform.not_assigned"), err.Error())
	case errors.Is(err, ErrTaskClaimed):
		web.Problem(w, r, http.StatusConflict, "task_claimed", words.M("platform.task_claimed"), fmt.Sprintf("%v: %s", err, t.Device))
	default:
		web.Respond(w, r, t, err)
	}
}
