package account

import (
	"errors"
	"slices"
)

// Roster is what a device last heard from the platform of its people: who
// is active, and which keys are revoked. The platform's people standing
// (api.Standing) has the same JSON form.
type Roster struct {
	People  []RosterPerson `json:"people"`
	Revoked []RevokedKey   `json:"revoked"`
}

// RosterPerson is one person's standing on the platform.
type RosterPerson struct {
	ID     string `json:"id"`
	Active bool   `json:"active"`
	// Photo is the SHA-256 of the person's photo, "" for none: a window's
	// display shows its staff member's (catalog.PortraitOf).
	Photo string `json:"photo,omitempty"`
}

// RevokedKey is a key the platform no longer trusts, and since when.
type RevokedKey struct {
	Key    string `json:"key"`
	Person string `json:"person"`
	At     string `json:"at"`
	Reason string `json:"reason,omitempty"`
}

// Why the roster refuses a person.
var (
	ErrDeactivated = errors.New("account: the platform has deactivated this person")
	ErrKeyRevoked  = errors.New("account: the platform has revoked this person's key on this device")
)

// Check refuses a person the roster deactivated, or whose key it revoked;
// a person it does not list stands (the roster may predate them).
func (r Roster) Check(a Account) error {
	if i := slices.IndexFunc(r.People, func(p RosterPerson) bool { return p.ID == a.ID }); i >= 0 && !r.People[i].Active {
		return ErrDeactivated
	}
	if a.PubKey != "" && slices.ContainsFunc(r.Revoked, func(k RevokedKey) bool { return k.Key == a.PubKey }) {
		return ErrKeyRevoked
	}
	return nil
}
