package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// sigChecks is what precheckSigs found of a push's records before its
// transaction began, one for each record the push carries, and the people
// the checks in the transaction need. Checking there would hold one of
// the instance's few database connections through every Ed25519 check, and
// asking the pool for a second one (the keys, the people, the public
// list) while holding the first is how a burst of pushes (a city's fleet
// at the start of the day) took every connection and waited on itself.
type sigChecks struct {
	decoded []*casefile.Record // nil where the bytes are no record
	checks  []*sigCheck
	people  map[string]personRead
}

// sigCheck is one record's signatures, checked.
type sigCheck struct {
	err    error    // the record's refusal, if any
	flags  []string // accepted, and raised
	signed map[string]bool
}

type personRead struct {
	p   api.Person
	err error
}

// precheckSigs decodes the records of a push and checks every person's
// signature on them: that it verifies over the record in this device's
// log, under a key the platform registered to that person on this
// device; and flags a key revoked before the record was made, or an
// officer's certificate not in force then. A refusal is kept with its
// record, for the transaction to return if that record is new (a record
// the platform holds already was checked when it came). Only a failure
// to read the keys or the people is returned.
func (s *Intake) precheckSigs(ctx context.Context, d Device, records []api.WireRecord) (*sigChecks, error) {
	pre := &sigChecks{decoded: make([]*casefile.Record, len(records)), checks: make([]*sigCheck, len(records)),
		people: map[string]personRead{}}
	// One push carries many records by few people: each key, person and
	// officer's entry is read once.
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
	for i, w := range records {
		var r casefile.Record
		if json.Unmarshal(w.Data, &r) != nil {
			continue
		}
		pre.decoded[i] = &r
		c := &sigCheck{signed: map[string]bool{}}
		pre.checks[i] = c
		if err := ledger.VerifySigs(d.Origin, &r); err != nil {
			c.err = fmt.Errorf("%w: %w", errPersonSig, err)
			continue
		}
		for _, g := range r.Sigs {
			k, err := keyOf(g.Key)
			if errors.Is(err, people.ErrNoKey) {
				c.err = fmt.Errorf("%w: record %d, %s", errUnknownKey, r.Seq, g.Person)
				break
			}
			if err != nil {
				return nil, fmt.Errorf("signatures of record %d: %w", r.Seq, err)
			}
			if k.Person != g.Person || k.Device != d.ID {
				c.err = fmt.Errorf("%w: record %d: the key of %s is registered to %s on %s", errUnknownKey, r.Seq, g.Person, k.Person, k.Device)
				break
			}
			if k.Revoked != "" {
				if at, err := time.Parse(time.RFC3339, k.Revoked); err == nil && !r.At.Before(at) {
					c.flags = append(c.flags, fmt.Sprintf("record %d (%s) signed by %s at %s with a key revoked at %s (%s)",
						r.Seq, r.Kind, g.Person, r.At.UTC().Format(time.RFC3339), k.Revoked, k.Reason))
				}
			}
			if f := certFlag(&r, g.Person, officerOf); f != "" {
				c.flags = append(c.flags, f)
			}
			c.signed[g.Person] = true
		}
		switch r.Kind {
		case review.KindRemoteOpinion, hall.KindWindowSignIn, hall.KindWindowPause, hall.KindWindowResume, hall.KindWindowSignOut, hall.KindWindowRating, hall.KindKioskAdmin:
			if _, seen := pre.people[r.Author]; !seen {
				p, err := s.people.Get(ctx, r.Author)
				if err != nil && !errors.Is(err, people.ErrNoPerson) {
					return nil, fmt.Errorf("signatures of record %d: %w", r.Seq, err)
				}
				pre.people[r.Author] = personRead{p, err}
			}
		}
	}
	return pre, nil
}

// of returns the decoded records and their checks at the push's indexes
// given (the records new to the platform), leaving out bytes that are no
// record.
func (pre *sigChecks) of(indexes []int) ([]casefile.Record, []*sigCheck) {
	recs := make([]casefile.Record, 0, len(indexes))
	checks := make([]*sigCheck, 0, len(indexes))
	for _, i := range indexes {
		if pre.decoded[i] != nil {
			recs = append(recs, *pre.decoded[i])
			checks = append(checks, pre.checks[i])
		}
	}
	return recs, checks
}

// person is a record author precheckSigs read.
func (pre *sigChecks) person(id string) (api.Person, error) {
	got, ok := pre.people[id]
	if !ok {
		return api.Person{}, fmt.Errorf("person %s: %w", id, people.ErrNoPerson)
	}
	return got.p, got.err
}
