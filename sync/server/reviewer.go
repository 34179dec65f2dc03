package server

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Why a request made for a reviewer is refused; each has its own code.
var (
	errReviewerSig       = errors.New("the request is not signed by a reviewer's key registered on this device")
	errNotAgencyReviewer = errors.New("the signer is not an active legal reviewer of the agency")
	errStaleRequest      = errors.New("the request's time is too far from the platform's")
)

// reviewerOf checks that a request to path about subject was signed, on
// device d, by an active legal reviewer of agency, under a key registered
// to them on d and not revoked, at a time within api.PersonWindow.
func (s *Server) reviewerOf(ctx context.Context, r *http.Request, d Device, agency, subject string) (p api.Person, err error) {
	p, err = s.personOf(ctx, r, d, subject)
	if errors.Is(err, errPersonSig) {
		return p, fmt.Errorf("%w: %w", errReviewerSig, err)
	}
	if errors.Is(err, people.ErrNoPerson) {
		return p, fmt.Errorf("%w: %w", errNotAgencyReviewer, err)
	}
	if err != nil {
		return p, err
	}
	if p.Role != api.RoleReviewer || !p.Active || p.Agency != agency {
		return p, fmt.Errorf("%w: %s (%s of %s) asked for %s", errNotAgencyReviewer, p.ID, p.Role, p.Agency, agency)
	}
	return p, nil
}

// errPersonSig: a request made for a person is not signed by them under a
// key registered to them on the calling device.
var errPersonSig = errors.New("the request is not signed by a key registered to the person on this device")

// personOf checks that a request to path about subject was signed, on
// device d, by the person it names, under a key registered to them on d
// and not revoked, at a time within api.PersonWindow; it returns the
// person (people.ErrNoPerson for one the registry does not hold).
func (s *Server) personOf(ctx context.Context, r *http.Request, d Device, subject string) (p api.Person, err error) {
	id, at := r.Header.Get(api.HeaderPerson), r.Header.Get(api.HeaderPersonTime)
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(api.HeaderPersonSig))
	if id == "" || err != nil || len(sig) != ed25519.SignatureSize {
		return p, errPersonSig
	}
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return p, errPersonSig
	}
	if d := s.now().Sub(when); d > api.PersonWindow || d < -api.PersonWindow {
		return p, fmt.Errorf("%w: %s", errStaleRequest, at)
	}
	keys, err := s.people.Keys(ctx, id)
	if err != nil {
		return p, err
	}
	msg := api.PersonMessage(r.URL.Path, d.ID, subject, at)
	signed := false
	for _, k := range keys {
		pub, err := base64.StdEncoding.DecodeString(k.Key)
		if err == nil && k.Device == d.ID && k.Revoked == "" && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig) {
			signed = true
			break
		}
	}
	if !signed {
		return p, fmt.Errorf("%w: %s on %s", errPersonSig, id, d.ID)
	}
	return s.people.Get(ctx, id)
}

// refuseReviewer answers a refused reviewer's request, with an alert for
// what is not a mere clock difference.
func (s *Server) refuseReviewer(w http.ResponseWriter, r *http.Request, d Device, err error) {
	code := ""
	switch {
	case errors.Is(err, errStaleRequest):
		code = "stale_request"
	case errors.Is(err, errReviewerSig):
		code = "reviewer_required"
	case errors.Is(err, errNotAgencyReviewer):
		code = "not_agency_reviewer"
	default:
		web.Internal(w, r, err)
		return
	}
	if code != "stale_request" {
		s.intake.Alert(r.Context(), d.ID, code, fmt.Sprintf("%s %s from a %s device (%s): %v", r.Method, r.URL.Path, d.Kind, d.Name, err))
	}
	web.Problem(w, r, http.StatusForbidden, code, words.M("platform."+code), err.Error())
}

// reviewQueue: GET /api/v1/review/queue?agency=A, for a device where a
// legal reviewer of A is signed in (the request signed by them): A's cases
// waiting for an opinion, their parties' personal data masked until the
// reviewer opens one (reviewOpen).
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, d Device) {
	agency := r.URL.Query().Get("agency")
	if agency == "" {
		web.Problem(w, r, http.StatusBadRequest, "agency_required", words.M("platform.agency_required"), "")
		return
	}
	if _, err := s.reviewerOf(r.Context(), r, d, agency, "queue "+agency); err != nil {
		s.refuseReviewer(w, r, d, err)
		return
	}
	out, err := s.ReviewQueue(r.Context(), agency, d.ID)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	for i := range out {
		out[i] = MaskCase(out[i])
	}
	web.JSON(w, http.StatusOK, out)
}

// reviewOpen: POST /api/v1/review/open, a reviewer of the case's agency
// opens a case of the queue: its records whole, and the opening recorded.
func (s *Server) reviewOpen(w http.ResponseWriter, r *http.Request, d Device) {
	var req api.ReviewOpenRequest
	if !web.Decode(w, r, &req) {
		return
	}
	var agency string
	var last int64
	err := s.db.QueryRowContext(r.Context(), `SELECT agency, last_seq FROM cases WHERE device = ? AND case_id = ? AND submitted = 1`,
		req.Device, req.Case).Scan(&agency, &last)
	if errors.Is(err, sql.ErrNoRows) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_case"), req.Device+"/"+req.Case)
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	p, err := s.reviewerOf(r.Context(), r, d, agency, "open "+req.Device+"/"+req.Case)
	if err != nil {
		s.refuseReviewer(w, r, d, err)
		return
	}
	out, err := s.OpenForReview(r.Context(), p.ID, d.ID, req.Device, req.Case, last)
	web.Respond(w, r, out, err)
}

// OpenForReview records that reviewer opened a case on device, and returns
// the case's records whole.
func (s *Server) OpenForReview(ctx context.Context, reviewer, device, caseDevice, caseID string, last int64) (_ review.RemoteCase, err error) {
	defer wrap.Err(&err, "open %s/%s for review", caseDevice, caseID)
	c, err := s.intake.CaseAt(ctx, caseDevice, caseID, last)
	if err != nil {
		return review.RemoteCase{}, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO review_openings (at, reviewer, device, case_device, case_id) VALUES (?, ?, ?, ?, ?)`,
		s.now().UTC().Format(time.RFC3339), reviewer, device, caseDevice, caseID); err != nil {
		return review.RemoteCase{}, err
	}
	return review.RemoteCase{Device: caseDevice, Case: caseID, Records: c.Records}, nil
}

// Opening is one time a reviewer opened a case from the queue.
type Opening struct {
	At       string `json:"at"`
	Reviewer string `json:"reviewer"`
	Device   string `json:"device"`
}

// Openings lists who opened a case from the review queue, and when.
func (s *Server) Openings(ctx context.Context, caseDevice, caseID string) (_ []Opening, err error) {
	defer wrap.Err(&err, "openings of %s/%s", caseDevice, caseID)
	rows, err := s.db.QueryContext(ctx, `SELECT at, reviewer, device FROM review_openings WHERE case_device = ? AND case_id = ? ORDER BY id`,
		caseDevice, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Opening{}
	for rows.Next() {
		var o Opening
		if err := rows.Scan(&o.At, &o.Reviewer, &o.Device); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// MaskCase masks the personal data of a queued case's parties: the party
// of its opening (a person's name down to the surname, identity number,
// address and phone), and those and any other personal data the redaction
// rules find wherever they appear in the records' text.
func MaskCase(c review.RemoteCase) review.RemoteCase {
	var extra []string
	names := map[string]string{} // a person's name → its surname and stars
	for _, r := range c.Records {
		if r.Kind != casefile.KindOpen {
			continue
		}
		var o casefile.Opening
		if json.Unmarshal(r.Body, &o) == nil {
			for _, v := range []string{o.Party.IDNo, o.Party.Address, o.Party.Phone} {
				if v != "" {
					extra = append(extra, v)
				}
			}
			if n := []rune(o.Party.Name); o.Party.Kind != "org" && len(n) > 1 {
				names[o.Party.Name] = string(n[0]) + strings.Repeat("*", len(n)-1)
			}
		}
	}
	out := review.RemoteCase{Device: c.Device, Case: c.Case, Masked: true, Records: make([]casefile.Record, len(c.Records))}
	for i, r := range c.Records {
		var body any
		if json.Unmarshal(r.Body, &body) == nil {
			if b, err := json.Marshal(maskStrings(body, names, extra)); err == nil {
				r.Body = b
			}
		}
		out.Records[i] = r
	}
	return out
}

// maskStrings redacts every string in a JSON value: the names given down
// to their surnames, the extra strings whole, and whatever else the
// redaction rules find.
func maskStrings(v any, names map[string]string, extra []string) any {
	switch x := v.(type) {
	case string:
		for n, m := range names {
			x = strings.ReplaceAll(x, n, m)
		}
		return redact.Redact(x, redact.Options{Extra: extra}).Text
	case []any:
		for i := range x {
			x[i] = maskStrings(x[i], names, extra)
		}
	case map[string]any:
		for k := range x {
			x[k] = maskStrings(x[k], names, extra)
		}
	}
	return v
}
