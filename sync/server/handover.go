package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// errNotOfficer: the person who signs a request for handovers is not an
// active officer.
var errNotOfficer = errors.New("the signer is not an active officer")

// handovers: GET /api/v1/handovers, for an officer signed in on the
// calling device who signs the request: the cases handed over to them and
// not taken over yet, each with its records, to take over on this device.
func (s *Server) handovers(w http.ResponseWriter, r *http.Request, d Device) {
	p, ok := s.signedOfficer(w, r, d, "handovers")
	if !ok {
		return
	}
	out, err := s.intake.HandoversTo(r.Context(), p.ID)
	web.Respond(w, r, out, err)
}

// signedOfficer is the active officer signed in on the calling device who
// signed the request for subject; it has answered (403 with its own code,
// and an alert for what is not a clock difference) when ok is false.
func (s *Server) signedOfficer(w http.ResponseWriter, r *http.Request, d Device, subject string) (_ api.Person, ok bool) {
	p, err := s.personOf(r.Context(), r, d, subject)
	if errors.Is(err, people.ErrNoPerson) {
		err = fmt.Errorf("%w: %w", errNotOfficer, err)
	}
	if err == nil && (p.Role != api.RoleOfficer || !p.Active) {
		err = fmt.Errorf("%w: %s (%s, active %v)", errNotOfficer, p.ID, p.Role, p.Active)
	}
	code := ""
	switch {
	case err == nil:
		return p, true
	case errors.Is(err, errStaleRequest):
		code = "stale_request"
	case errors.Is(err, errPersonSig):
		code = "person_required"
	case errors.Is(err, errNotOfficer):
		code = "not_officer"
	default:
		web.Internal(w, r, err)
		return p, false
	}
	if code != "stale_request" {
		s.intake.Alert(r.Context(), d.ID, code, fmt.Sprintf("%s %s from a %s device (%s): %v", r.Method, r.URL.Path, d.Kind, d.Name, err))
	}
	web.Problem(w, r, http.StatusForbidden, code, words.M("platform."+code), err.Error())
	return p, false
}

// HeldCase rebuilds a case from the logs of the devices that held it, as
// it stands on the device that holds it now (returned).
func (s *Server) HeldCase(ctx context.Context, id string) (device string, c *casefile.Case, err error) {
	var last int64
	if err := s.db.QueryRowContext(ctx, `SELECT device, last_seq FROM cases WHERE case_id = ? AND handed_to = ''`, id).Scan(&device, &last); err != nil {
		return "", nil, fmt.Errorf("holder of %s: %w", id, err)
	}
	c, err = s.intake.CaseAt(ctx, device, id, last)
	return device, c, err
}
