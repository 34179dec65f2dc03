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
	"github.com/sanxiang-desk/sanxiang/app/ledger"
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
// raised.
func (s *Intake) checkSigs(ctx context.Context, tx *dbTx, d Device, arrived []casefile.Record) (flags []string, err error) {
	keys := map[string]people.Key{}
	keyOf := func(k string) (people.Key, error) {
		if got, ok := keys[k]; ok {
			return got, nil
		}
		got, err := s.people.KeyOf(ctx, k)
		if err == nil {
			keys[k] = got
		}
		return got, err
	}
	// One push carries many records by few people: each key and each
	// officer's entry is read once.
	type entry struct {
		o  *catalog.Officer
		ok bool
	}
	officers := map[string]entry{}
	officerOf := func(person string) (*catalog.Officer, bool) {
		e, seen := officers[person]
		if !seen && s.officer != nil {
			e.o, e.ok = s.officer(ctx, person)
			officers[person] = e
		}
		return e.o, e.ok
	}
	for i := range arrived {
		r := &arrived[i]
		if err := ledger.VerifySigs(d.Origin, r); err != nil {
			return nil, fmt.Errorf("%w: %w", errPersonSig, err)
		}
		signed := map[string]bool{}
		for _, g := range r.Sigs {
			k, err := keyOf(g.Key)
			if errors.Is(err, people.ErrNoKey) {
				return nil, fmt.Errorf("%w: record %d, %s", errUnknownKey, r.Seq, g.Person)
			}
			if err != nil {
				return nil, err
			}
			if k.Person != g.Person || k.Device != d.ID {
				return nil, fmt.Errorf("%w: record %d: the key of %s is registered to %s on %s", errUnknownKey, r.Seq, g.Person, k.Person, k.Device)
			}
			if k.Revoked != "" {
				if at, err := time.Parse(time.RFC3339, k.Revoked); err == nil && !r.At.Before(at) {
					flags = append(flags, fmt.Sprintf("record %d (%s) signed by %s at %s with a key revoked at %s (%s)",
						r.Seq, r.Kind, g.Person, r.At.UTC().Format(time.RFC3339), k.Revoked, k.Reason))
				}
			}
			if f := certFlag(r, g.Person, officerOf); f != "" {
				flags = append(flags, f)
			}
			signed[g.Person] = true
		}
		switch r.Kind {
		case review.KindRemoteOpinion:
			if err := s.checkOpinionSigner(ctx, tx, r, signed); err != nil {
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
		case hall.KindWindowSignIn, hall.KindWindowPause, hall.KindWindowResume, hall.KindWindowSignOut, hall.KindKioskAdmin:
			f, err := s.checkHallSigner(ctx, r, signed)
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
func (s *Intake) checkOpinionSigner(ctx context.Context, tx *dbTx, r *casefile.Record, signed map[string]bool) error {
	var ro review.RemoteOpinion
	if err := json.Unmarshal(r.Body, &ro); err != nil {
		return fmt.Errorf("%w: record %d: %w", errUnsignedOpinion, r.Seq, err)
	}
	if !signed[r.Author] || ro.Opinion.Reviewer.ID != r.Author {
		return fmt.Errorf("%w: record %d names %s", errUnsignedOpinion, r.Seq, r.Author)
	}
	p, err := s.people.Get(ctx, r.Author)
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
