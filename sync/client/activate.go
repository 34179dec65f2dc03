package client

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// ErrRoleNotHere is a person whose role does not sign in on this kind of
// device (api.RoleDevice): officers and legal reviewers on officers'
// devices, window staff on window desks, kiosk administrators on kiosks.
// The platform refuses such a code first (activation_wrong_device); the
// device checks again before it keeps a key.
var ErrRoleNotHere = errors.New("this person's role does not sign in on this device")

// ActivatePerson activates a person on this enrolled device, online, once:
// the PIN is checked first (a weak one costs no code), the device makes
// the person's Ed25519 key, the platform registers its public half with
// the person's one-time code, and the person is enrolled here with the key
// sealed under the PIN. From then on they sign in offline.
func ActivatePerson(ctx context.Context, dev *device.Device, code, pin string) (_ account.Account, err error) {
	defer wrap(&err, "activate a person")
	if err := account.CheckPIN(pin); err != nil {
		return account.Account{}, err
	}
	id, err := LoadIdentity(dev.Dir, dev.Keys())
	if err != nil {
		return account.Account{}, err
	}
	if id.Locked() {
		// The token is sealed: someone already on this desk consents
		// first (Activator.Consent).
		return account.Account{}, ErrLocked
	}
	key, err := account.NewKey()
	if err != nil {
		return account.Account{}, err
	}
	p, err := New(id).Activate(ctx, code, key)
	if err != nil {
		return account.Account{}, err
	}
	a := account.Account{ID: p.ID, Name: p.Name, Agency: p.Agency, Unit: p.Unit, Position: p.Position, Qualification: p.Qualification}
	switch p.Role {
	case api.RoleOfficer:
		a.Role = account.RoleOfficer
	case api.RoleReviewer:
		a.Role = account.RoleReviewer
	case api.RoleStaff:
		a.Role = account.RoleStaff
	case api.RoleKioskAdmin:
		a.Role = account.RoleKioskAdmin
	default:
		return account.Account{}, fmt.Errorf("%w: %s", ErrRoleNotHere, p.Role)
	}
	// The platform has checked the role against the kind it enrolled;
	// the device checks again where its identity records the kind (one
	// kept before it did leaves that to the platform).
	if id.Kind != "" && api.RoleDevice(p.Role) != id.Kind {
		return account.Account{}, fmt.Errorf("%w: a %s on a %s device", ErrRoleNotHere, p.Role, id.Kind)
	}
	if err := dev.Book.EnrolKey(ctx, a, key, pin); err != nil {
		return account.Account{}, err
	}
	a.PubKey = account.PublicKeyOf(key)
	return a, nil
}

// ErrNoReviewerHere: opening a queued case needs a legal reviewer of its
// agency signed in on this device.
var ErrNoReviewerHere = errors.New("no legal reviewer of the agency is signed in on this device")

// OpenForReview opens a case of the review queue for the reviewer of
// agency signed in here: the platform sends it whole (and records the
// opening), and it replaces the masked copy in the device's queue.
func OpenForReview(ctx context.Context, dev *device.Device, agency, caseDevice, caseID string) (err error) {
	defer wrap(&err, "open "+caseDevice+"/"+caseID+" for review")
	rv, ok := signedInReviewer(dev, agency)
	if !ok {
		return ErrNoReviewerHere
	}
	id, err := LoadIdentity(dev.Dir, dev.Keys())
	if err != nil {
		return err
	}
	rc, err := New(id).OpenReviewCase(ctx, caseDevice, caseID, rv)
	if err != nil {
		return err
	}
	return dev.KeepOpened(rc)
}

// Reason is a stable code for why an activation (or another call to the
// platform) failed, for the screens to word: the platform's problem code
// ("bad_activation_code", "activation_wrong_device", "person_inactive",
// "bad_person_key"…), or "unreachable", "unauthorized", "not_enrolled"
// (the device holds no identity) or "role_not_here"; "" for none of them.
func Reason(err error) string {
	var pe *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &pe) && pe.Problem.Code != "":
		return pe.Problem.Code
	case errors.Is(err, ErrUnreachable):
		return "unreachable"
	case errors.Is(err, ErrUnauthorized):
		return "unauthorized"
	case errors.Is(err, ErrRoleNotHere):
		return "role_not_here"
	case errors.Is(err, ErrLocked):
		return "locked"
	case errors.Is(err, fs.ErrNotExist):
		return "not_enrolled"
	}
	return ""
}

// Activator activates people on the device Dev, for the screens that take
// an activator (officer.Activator, kiosk.Activator).
type Activator struct{ Dev *device.Device }

// Activate is ActivatePerson on a's device. When it took a consent
// (Consent) to open the desk's data and nobody is signed in, the data is
// locked again afterwards.
func (a Activator) Activate(ctx context.Context, code, pin string) (account.Account, error) {
	acc, err := ActivatePerson(ctx, a.Dev, code, pin)
	if a.Dev.Vault != nil && a.Dev.Book != nil && len(a.Dev.Book.Keys.SignedIn()) == 0 && a.locksWhenEmpty(ctx) {
		a.Dev.Vault.Lock()
	}
	return acc, err
}

// NeedsConsent says whether activating here needs someone already on the
// desk to open its sealed data first: an officer's desk with nobody
// signed in (its token is sealed).
func (a Activator) NeedsConsent() bool {
	return a.Dev.Vault != nil && !a.Dev.Vault.Unlocked()
}

// locksWhenEmpty says whether the desk's data is locked while nobody is
// in: an officer's folder that opens only with a person (no machine wrap
// left: not new, not being sealed). Kiosks and windows stay open.
func (a Activator) locksWhenEmpty(ctx context.Context) bool {
	info, err := a.Dev.Book.Vault(ctx)
	return err == nil && info.Kind == api.DeviceOfficer && len(info.Machine) == 0
}

// Consent opens the desk's sealed data with the PIN of a person already
// activated on it, for the next activation (counted as a sign-in's PIN).
func (a Activator) Consent(ctx context.Context, id, pin string) error {
	return a.Dev.Book.Unlock(ctx, id, pin)
}
