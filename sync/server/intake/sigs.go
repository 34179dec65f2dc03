package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// Why a push is refused for its people's signatures; each has its own
// stable code (ServePush) and is raised as an alert.
var (
	errPersonSig        = errors.New("a person's signature does not verify")
	errUnknownKey       = errors.New("a record is signed with a key the platform did not register to that person on that device")
	errUnsignedOpinion  = errors.New("a review opinion is not signed by its reviewer's registered key")
	errNotReviewer      = errors.New("a review opinion's signer is not an active legal reviewer of the case's agency")
	errMissingCosign    = errors.New("an on-site record lacks the signature of an officer it names")
	errUnsignedHandover = errors.New("a handover or takeover is not signed by its author")
)

// sigCodes gives each refusal its code, for the wire and the alert.
var sigCodes = []struct {
	err  error
	code string
}{
	{errPersonSig, "bad_person_signature"},
	{errUnknownKey, "unknown_key"},
	{errUnsignedOpinion, "unsigned_opinion"},
	{errNotReviewer, "not_reviewer"},
	{errMissingCosign, "missing_cosign"},
	{errUnsignedHandover, "unsigned_handover"},
	// A rating's own refusals first: they come wrapped in errNotHallRecord.
	{hall.ErrRatingLevel, "rating_level"},
	{hall.ErrRatingReason, "rating_reason"},
	{errRatingReplayed, "rating_replayed"},
	{errNotHallRecord, "wrong_kind"},
	{errNotHallStaff, "not_hall_staff"},
}

// sigCode is the code of a signature refusal, "" for another error.
func sigCode(err error) string {
	for _, c := range sigCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// checkSigs checks the people's signatures on the records of a push, in
// its transaction and after the case index has taken in its openings:
// every signature verifies over its record in this device's log, under a
// key the platform registered to that person on this device; an opinion
// for another device's case is signed by its author, an active legal
// reviewer of that case's agency; an on-site record is signed by every
// officer it names. It returns flags for records signed with a key after
// the platform revoked it, or by an officer whose certificate was not in
// force when the record was made: accepted (the device had not heard), and
// raised. What needs no transaction (the Ed25519 checks, the keys, the
// people and the public list) precheckSigs did before it began: checks
// holds its findings, one for each of arrived.
func (s *Intake) checkSigs(ctx context.Context, tx *dbTx, d Device, arrived []casefile.Record, checks []*sigCheck, pre *sigChecks) (flags []string, err error) {
	for i := range arrived {
		r, c := &arrived[i], checks[i]
		if c.err != nil {
			return nil, c.err
		}
		flags = append(flags, c.flags...)
		signed := c.signed
		switch r.Kind {
		case review.KindRemoteOpinion:
			if err := s.checkOpinionSigner(ctx, tx, r, signed, pre); err != nil {
				return nil, err
			}
		case casefile.KindStage:
			if err := checkOnSiteSigned(ctx, tx, d.ID, r, signed); err != nil {
				return nil, err
			}
		case casefile.KindHandover, casefile.KindTakeover:
			if !signed[r.Author] {
				return nil, fmt.Errorf("%w: record %d (%s of %s) by %s", errUnsignedHandover, r.Seq, r.Kind, r.Case, r.Author)
			}
		case hall.KindWindowSignIn, hall.KindWindowPause, hall.KindWindowResume, hall.KindWindowSignOut, hall.KindWindowRating, hall.KindKioskAdmin:
			f, err := s.checkHallSigner(ctx, r, signed, pre)
			if err != nil {
				return nil, err
			}
			if f != "" {
				flags = append(flags, f)
			}
		}
	}
	return flags, nil
}

// checkOpinionSigner: an opinion on another device's case must be signed
// by its author, who must be an active legal reviewer of the case's agency.
func (s *Intake) checkOpinionSigner(ctx context.Context, tx *dbTx, r *casefile.Record, signed map[string]bool, pre *sigChecks) error {
	var ro review.RemoteOpinion
	if err := json.Unmarshal(r.Body, &ro); err != nil {
		return fmt.Errorf("%w: record %d: %w", errUnsignedOpinion, r.Seq, err)
	}
	if !signed[r.Author] || ro.Opinion.Reviewer.ID != r.Author {
		return fmt.Errorf("%w: record %d names %s", errUnsignedOpinion, r.Seq, r.Author)
	}
	p, err := pre.person(r.Author)
	if errors.Is(err, people.ErrNoPerson) {
		return fmt.Errorf("%w: record %d: %s is nobody the platform knows", errNotReviewer, r.Seq, r.Author)
	}
	if err != nil {
		return err
	}
	var agency string
	err = tx.QueryRowContext(ctx, `SELECT agency FROM cases WHERE device = ? AND case_id = ?`, ro.Device, ro.Case).Scan(&agency)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: record %d answers %s/%s, which the platform does not hold", errNotReviewer, r.Seq, ro.Device, ro.Case)
	}
	if err != nil {
		return err
	}
	if p.Role != api.RoleReviewer || !p.Active || p.Agency != agency {
		return fmt.Errorf("%w: record %d: %s (%s of %s, active %v) on a case of %s", errNotReviewer, r.Seq, r.Author, p.Role, p.Agency, p.Active, agency)
	}
	return nil
}

// checkOnSiteSigned: an on-site stage record must carry the signature of
// every officer it names (行政处罚法 art. 42: two officers, each present).
func checkOnSiteSigned(ctx context.Context, tx *dbTx, device string, r *casefile.Record, signed map[string]bool) error {
	var st casefile.StageBody
	if err := json.Unmarshal(r.Body, &st); err != nil || len(st.Officers) == 0 {
		return nil // not an on-site record the rules can read; the device's gate judged it
	}
	var act string
	err := tx.QueryRowContext(ctx, `SELECT act FROM cases WHERE device = ? AND case_id = ?`, device, r.Case).Scan(&act)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	stage, ok := casefile.StageOf(catalog.Act(act), st.Stage)
	if !ok || !stage.OnSite {
		return nil
	}
	var missing []string
	for _, o := range st.Officers {
		if id := strings.TrimSpace(o.CertNo); id != "" && !signed[id] && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: record %d (%s of %s) is not signed by %s", errMissingCosign, r.Seq, st.Stage, r.Case, strings.Join(missing, ", "))
	}
	return nil
}

// certFlag flags a record signed by an officer whose certificate, in the
// public list, was not in force when the record was made.
func certFlag(r *casefile.Record, person string, officerOf func(string) (*catalog.Officer, bool)) string {
	o, ok := officerOf(person)
	if !ok {
		return ""
	}
	if err := o.InForce(r.At); err != nil {
		return fmt.Sprintf("record %d (%s) signed by %s at %s: certificate %s: %v", r.Seq, r.Kind, person, r.At.UTC().Format(time.RFC3339), o.CertNo, err)
	}
	return ""
}
