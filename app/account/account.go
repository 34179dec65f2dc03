// Package account signs people in on a device that may be offline: window
// staff, officers, legal reviewers and kiosk administrators. Each has an Ed25519 key made on the
// device when they activated (the platform registers its public half); the
// private half is sealed under the person's PIN (keys.go), and signing in
// is unsealing it. The unsealed keys of the people signed in sign their
// records (Keyring). Repeated wrong PINs lock the account for a while.
// Every sign-in, sign-out and failure is appended to a log nobody can edit.
package account

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the device database's schema steps.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Role is what an account may do.
type Role string

const (
	RoleStaff    Role = "staff"    // window staff
	RoleOfficer  Role = "officer"  // enforcement officer
	RoleReviewer Role = "reviewer" // legal reviewer (法制审核人员)
	// RoleKioskAdmin looks after a hall's kiosks: leaves fullscreen or
	// quits one, signed with their own key.
	RoleKioskAdmin Role = "kiosk_admin"
)

// Account is one person who may sign in.
type Account struct {
	ID            string // certificate or staff number
	Name          string
	Agency        string // agency code
	Unit          string
	Position      string
	Role          Role
	Qualification string
	// PubKey is the person's public key made on this device (standard
	// base64), as the platform registered it; "" for an account without.
	PubKey string

	key ed25519.PrivateKey // unsealed, only in what SignIn and Confirm return
}

// Errors callers branch on. Show them through their translation keys.
var (
	ErrUnknown  = errors.New("account: no such account")
	ErrWrongPIN = errors.New("account: wrong PIN")
	ErrLocked   = errors.New("account: locked after too many wrong PINs")
	ErrWeakPIN  = errors.New("account: PIN must be 6 to 12 digits, not all the same or in sequence")
)

// Limits on guessing.
const (
	MaxFailures = 5
	LockFor     = 15 * time.Minute
)

// Argon2id parameters: OWASP's floor (19 MiB, 2 passes, 1 lane).
const (
	argonMemory = 19 * 1024
	argonTime   = 2
	argonLanes  = 1
	argonKeyLen = 32
)

// Book is the device's account list.
type Book struct {
	db       *store.DB
	now      func() time.Time
	standing Standing
	kdf      KDF
	dummy    struct {
		once   sync.Once
		sealed string
	}
	// Keys holds the unsealed keys of the people signed in, for the case
	// file to sign their records with.
	Keys Keyring

	// The data folder's vault and the keystore its machine secret is in
	// (SetVault): nil for a Book that opens no data (tools, old tests),
	// whose keys are bound to no keystore.
	vault *vault.Vault
	ks    keystore.Store
	// bg is the work a sign-in leaves running (resealing a v1 box); Close
	// waits for it and returns its error.
	bg    sync.WaitGroup
	bgMu  sync.Mutex
	bgErr error
}

// ErrCertificate refuses a person whose certificate is not in force
// (revoked, suspended or expired, as the device last heard): the PIN was
// right, but the person may not act.
var ErrCertificate = errors.New("account: certificate not in force")

// Standing says whether the person with id may act at now: nil, or an
// error saying why not, wrapping ErrCertificate when the certificate is not
// in force; any other error (the list cannot be read) refuses too. The
// device installs one that reads the public list of officers
// (SetStanding); without one, everybody stands.
type Standing func(ctx context.Context, a Account, now time.Time) error

// SetStanding installs the check every sign-in, unlock and signature
// passes after its PIN.
func (b *Book) SetStanding(s Standing) { b.standing = s }

// Open opens the device database at path.
func Open(ctx context.Context, path string) (*Book, error) {
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open accounts: %w", err)
	}
	return &Book{db: db, now: time.Now, kdf: Strong}, nil
}

// openDB opens device.db migrated, as evidence: every connection has
// secure_delete on (store.DSN), so a wrap or a sealed key deleted or
// replaced is overwritten with zeros in the file, not left in a free page
// (the WAL is truncated after such a delete, scrub).
func openDB(ctx context.Context, path string) (*store.DB, error) {
	return store.Open(ctx, path, store.Options{Durability: store.Evidence, Migrations: Migrations})
}

// SetKDF sets the cost keys are sealed with from now on (Quick for the
// demo and tests; Strong otherwise). Keys sealed before keep theirs.
func (b *Book) SetKDF(k KDF) { b.kdf = k }

// Close waits for the work a sign-in left running (resealing a key), then
// closes the database.
func (b *Book) Close() error {
	b.bg.Wait()
	b.bgMu.Lock()
	err := b.bgErr
	b.bgMu.Unlock()
	return errors.Join(err, b.db.Close())
}

// SetClock replaces the clock, for tests of locking.
func (b *Book) SetClock(now func() time.Time) { b.now = now }

// CheckPIN reports whether pin is acceptable: six to twelve digits, not
// one digit repeated and not a run up or down (123456, 987654).
func CheckPIN(pin string) error {
	if len(pin) < 6 || len(pin) > 12 {
		return ErrWeakPIN
	}
	same, up, down := true, true, true
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return ErrWeakPIN
		}
		if i > 0 {
			same = same && pin[i] == pin[0]
			up = up && pin[i] == pin[i-1]+1
			down = down && pin[i] == pin[i-1]-1
		}
	}
	if same || up || down {
		return ErrWeakPIN
	}
	return nil
}

// Hash makes the stored form of a PIN, in the PHC string format.
func Hash(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemory, argonLanes, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonLanes,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPIN checks pin against a PHC string made by Hash (or with other
// parameters, so they can be raised later without re-enrolling).
func VerifyPIN(pin, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Enrol adds or replaces an account with a new PIN and a new key made
// here, which the platform does not know (a person activated through the
// platform is enrolled with EnrolKey and the key it registered).
func (b *Book) Enrol(ctx context.Context, a Account, pin string) error {
	key, err := NewKey()
	if err != nil {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	return b.EnrolKey(ctx, a, key, pin)
}

// EnrolKey adds or replaces an account with its key sealed under pin.
func (b *Book) EnrolKey(ctx context.Context, a Account, key ed25519.PrivateKey, pin string) error {
	if err := CheckPIN(pin); err != nil {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	switch a.Role {
	case RoleStaff, RoleOfficer, RoleReviewer, RoleKioskAdmin:
	default:
		return fmt.Errorf("enrol %s: unknown role %q", a.ID, a.Role)
	}
	a.PubKey = PublicKeyOf(key)
	bd, err := b.binding(ctx)
	if err != nil {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	sealed, err := seal(key.Seed(), pin, a.ID, a.PubKey, b.kdf, bd)
	if err != nil {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	old, err := b.KeyOf(ctx, a.ID)
	if err != nil && !errors.Is(err, ErrUnknown) {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	replaced := err == nil
	_, err = b.db.ExecContext(ctx, `INSERT INTO accounts (id, name, agency, unit, position, role, qualification, pin_hash, public_key, sealed_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, agency = excluded.agency, unit = excluded.unit,
			position = excluded.position, role = excluded.role, qualification = excluded.qualification,
			pin_hash = '', public_key = excluded.public_key, sealed_key = excluded.sealed_key, failures = 0, locked_until = ''`,
		a.ID, a.Name, a.Agency, a.Unit, a.Position, string(a.Role), a.Qualification, a.PubKey, sealed)
	if err != nil {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	if err := b.wrapEnrolled(ctx, a.ID, old != "" && old != a.PubKey, replaced); err != nil {
		return fmt.Errorf("enrol %s: %w", a.ID, err)
	}
	return nil
}

// dummySealed is unsealed when the account does not exist, so that a
// wrong number takes as long as a wrong PIN.
func (b *Book) dummySealed() string {
	b.dummy.once.Do(func() {
		key, _ := NewKey()
		b.dummy.sealed, _ = seal(key.Seed(), "000000", "", PublicKeyOf(key), b.kdf, noBinding())
	})
	return b.dummy.sealed
}

// SignIn checks id and pin and keeps the person's unsealed key in Keys
// until they sign out. place says where (a window number, "officer").
// After MaxFailures wrong PINs in a row the account is locked for LockFor.
//
// With a vault (SetVault), the sign-in also opens the folder's data key
// with the person's wrap. Two refusals are not wrong PINs and count
// nothing: vault.ErrOtherMachine (the folder's keystore secret is not on
// this machine: nothing is unsealed, the zero Account comes back) and
// keystore.ErrUnavailable. A person whose PIN is right but who holds no
// wrap that opens while the vault is locked gets vault.ErrNoDataKey
// together with their Account (unsealed: the desk may name them), but is
// not put in Keys and opens nothing: the desk shows the error and stays
// on its sign-in form, as for any error. Their wrap is made at the next
// opening by someone already on the desk (HealWraps).
func (b *Book) SignIn(ctx context.Context, id, pin, place string) (Account, time.Time, error) {
	a, until, err := b.check(ctx, id, pin, place)
	if err == nil {
		b.Keys.Add(a)
	}
	return a, until, err
}

// Confirm checks a second person's PIN on this device (a second officer
// confirming they are on site) and keeps their key for the next record
// that needs their signature only. It counts failures and locks as SignIn.
func (b *Book) Confirm(ctx context.Context, id, pin string) (Account, time.Time, error) {
	a, until, err := b.check(ctx, id, pin, "confirm")
	if err == nil {
		b.Keys.AddOnce(a)
	}
	return a, until, err
}

func (b *Book) check(ctx context.Context, id, pin, place string) (_ Account, _ time.Time, err error) {
	now := b.now()
	var a Account
	var role, hash, sealed, lockedUntil string
	var failures int
	err = b.db.QueryRowContext(ctx, `SELECT id, name, agency, unit, position, role, qualification, pin_hash, public_key, sealed_key, failures, locked_until
		FROM accounts WHERE id = ?`, strings.TrimSpace(id)).
		Scan(&a.ID, &a.Name, &a.Agency, &a.Unit, &a.Position, &role, &a.Qualification, &hash, &a.PubKey, &sealed, &failures, &lockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		unseal(b.dummySealed(), pin, "", "", func(string, string) ([]byte, error) { return noBinding().m, nil })
		return Account{}, time.Time{}, ErrUnknown
	}
	if err != nil {
		return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", strings.TrimSpace(id), err)
	}
	a.Role = Role(role)
	if lockedUntil != "" {
		until, err := time.Parse(time.RFC3339, lockedUntil)
		if err != nil {
			// A lock we cannot read stays a lock: failing open would let a
			// damaged row lift it. Enrolling the account again clears it.
			return Account{}, now.Add(LockFor), fmt.Errorf("sign in %s: unreadable lock %q: %w", a.ID, lockedUntil, ErrLocked)
		}
		if now.Before(until) {
			return Account{}, until, ErrLocked
		}
	}
	right := false
	var box unsealed
	if sealed != "" {
		var err error
		box, err = unseal(sealed, pin, a.ID, a.PubKey, func(kind, check string) ([]byte, error) { return b.secret(ctx, kind) })
		if errors.Is(err, vault.ErrOtherMachine) || errors.Is(err, keystore.ErrUnavailable) {
			// Not a wrong PIN: no guess was made, none is counted, and
			// nothing was unsealed. The log says it happened.
			if lerr := b.db.Tx(ctx, func(tx *sql.Tx) error { return logEvent(ctx, tx, now, a.ID, "other_machine", place) }); lerr != nil {
				err = errors.Join(err, lerr)
			}
			return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", a.ID, err)
		}
		if err != nil && !errors.Is(err, ErrWrongPIN) {
			return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", a.ID, err)
		}
		a.key, right = box.key, err == nil
	} else {
		right = VerifyPIN(pin, hash)
	}
	if !right {
		failures++
		event, until, lockEnd := "failed", "", time.Time{}
		if failures >= MaxFailures {
			lockEnd = now.Add(LockFor).UTC().Truncate(time.Second)
			event, until, failures = "locked", lockEnd.Format(time.RFC3339), 0
		}
		err := b.db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET failures = ?, locked_until = ? WHERE id = ?`, failures, until, a.ID); err != nil {
				return err
			}
			return logEvent(ctx, tx, now, a.ID, event, place)
		})
		if err != nil {
			return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", a.ID, err)
		}
		if until != "" {
			return Account{}, lockEnd, ErrLocked
		}
		return Account{}, time.Time{}, fmt.Errorf("%w (%d/%d)", ErrWrongPIN, failures, MaxFailures)
	}
	event := "signin"
	var refused error
	if b.standing != nil {
		if refused = b.standing(ctx, a, now); refused != nil {
			event = "refused"
		}
	}
	// The PIN was right and the person stands: open the data key with
	// their wrap. A person without one (or with one that does not open)
	// while the vault is locked gets ErrNoDataKey, with the Account.
	var noKey error
	if refused == nil {
		var unlockedHere bool
		unlockedHere, noKey, err = b.openPerson(ctx, a)
		if err != nil {
			return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", a.ID, err)
		}
		if noKey != nil {
			event = "no_data_key"
		}
		defer func() {
			// A sign-in that fails after unlocking leaves the vault as it found it.
			if unlockedHere && err != nil && b.locks(ctx) {
				b.vault.Lock()
			}
		}()
	}
	err = b.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET failures = 0, locked_until = '' WHERE id = ?`, a.ID); err != nil {
			return err
		}
		return logEvent(ctx, tx, now, a.ID, event, place)
	})
	if err == nil && refused != nil {
		return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", a.ID, refused)
	}
	if err != nil {
		return Account{}, time.Time{}, fmt.Errorf("sign in %s: %w", a.ID, err)
	}
	if a.key != nil {
		b.reseal(ctx, a, sealed, pin, box)
	}
	if noKey != nil {
		err = fmt.Errorf("sign in %s: %w", a.ID, noKey)
		return a, time.Time{}, err
	}
	return a, time.Time{}, nil
}

// Stands says whether a person may act now, by the standing installed
// (SetStanding): a signature is asked of the same check as a sign-in.
func (b *Book) Stands(ctx context.Context, a Account) error {
	if b.standing == nil {
		return nil
	}
	return b.standing(ctx, a, b.now())
}

// Log appends an event (signout, pause, resume) for an account. Signing
// out puts the person's key away. A window's pause keeps it: the console
// stays open (only the citizen's display is covered), and the resume and
// the sign-out after it are signed with it.
func (b *Book) Log(ctx context.Context, id, event, place string) error {
	if event == "signout" {
		b.Keys.Remove(id)
		// The last person out of an officer's desk locks its data: the
		// data key is forgotten until someone signs in again. Kiosks and
		// windows open theirs at start and never lock.
		if b.vault != nil && len(b.Keys.SignedIn()) == 0 && b.locks(ctx) {
			b.vault.Lock()
		}
	}
	err := b.db.Tx(ctx, func(tx *sql.Tx) error { return logEvent(ctx, tx, b.now(), id, event, place) })
	if err != nil {
		return fmt.Errorf("log %s of %s: %w", event, id, err)
	}
	return nil
}

func logEvent(ctx context.Context, tx *sql.Tx, at time.Time, id, event, place string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sign_log (at, account, event, place) VALUES (?, ?, ?, ?)`,
		at.UTC().Format(time.RFC3339Nano), id, event, place)
	return err
}

// Event is one line of the sign-in log.
type Event struct {
	At                   time.Time
	Account, Kind, Place string
}

// Events returns the log, oldest first.
func (b *Book) Events(ctx context.Context) ([]Event, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT at, account, event, place FROM sign_log ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read sign-in log: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.Account, &e.Kind, &e.Place); err != nil {
			return nil, fmt.Errorf("read sign-in log: %w", err)
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sign-in log: %w", err)
	}
	return out, nil
}

// KeyOf returns the public key of an enrolled account: "" for an account
// without one; ErrUnknown for a person not enrolled here.
func (b *Book) KeyOf(ctx context.Context, id string) (string, error) {
	var pub string
	err := b.db.QueryRowContext(ctx, `SELECT public_key FROM accounts WHERE id = ?`, id).Scan(&pub)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrUnknown
	}
	if err != nil {
		return "", fmt.Errorf("key of %s: %w", id, err)
	}
	return pub, nil
}

// List returns the enrolled accounts of a role ("" for all), by id.
func (b *Book) List(ctx context.Context, role Role) ([]Account, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT id, name, agency, unit, position, role, qualification, public_key FROM accounts
		WHERE ? = '' OR role = ? ORDER BY id`, string(role), string(role))
	if err != nil {
		return nil, fmt.Errorf("list accounts of role %q: %w", role, err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var r string
		if err := rows.Scan(&a.ID, &a.Name, &a.Agency, &a.Unit, &a.Position, &r, &a.Qualification, &a.PubKey); err != nil {
			return nil, fmt.Errorf("list accounts of role %q: %w", role, err)
		}
		a.Role = Role(r)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list accounts of role %q: %w", role, err)
	}
	return out, nil
}
