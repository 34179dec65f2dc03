// Package people is the platform's room for the city's people: who they
// are and in what role (officers, legal reviewers, window staff, kiosk
// administrators), the one-time codes that activate them on a device, and
// the public keys their devices made for them. A device signs a person's
// records with that person's key; the platform checks every signature
// against the keys registered here.
package people

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Room holds the people's tables.
type Room struct {
	DB  *sqldb.DB
	Now func() time.Time
	// Lists are the public lists, where a certificate holder's entry in
	// the officers list is written with the person.
	Lists Lists
}

// Errors callers branch on; each has its own stable code on the wire.
var (
	ErrNoPerson    = errors.New("no such person")
	ErrBadPerson   = errors.New("a person needs an id, a name, an agency and a known role")
	ErrInactive    = errors.New("the person is deactivated")
	ErrBadCode     = errors.New("activation code unknown, used or expired")
	ErrWrongDevice = errors.New("the person's role does not sign in on this kind of device")
	ErrBadKey      = errors.New("not an Ed25519 public key, or the proof does not verify under it")
	ErrNoKey       = errors.New("no such key")
)

// CodeLife is how long an activation code stays usable.
const CodeLife = 14 * 24 * time.Hour

// Put adds a person or replaces one's details (not the keys). Their
// entry in the public officers list, if they hold a certificate, follows
// their name, agency, unit, position and whether they are active.
func (r *Room) Put(ctx context.Context, p api.Person) (err error) {
	defer wrap.Err(&err, "put person %s", p.ID)
	if err := Check(p); err != nil {
		return err
	}
	return r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := r.Lists.Lock(ctx, tx); err != nil {
			return err
		}
		return r.putTx(ctx, tx, Record{Person: p})
	})
}

// Check says whether p can be stored: ErrBadPerson, wrapped with what is
// missing, or nil.
func Check(p api.Person) error {
	var missing []string
	if strings.TrimSpace(p.ID) == "" {
		missing = append(missing, "id")
	}
	if strings.TrimSpace(p.Name) == "" {
		missing = append(missing, "name")
	}
	if strings.TrimSpace(p.Agency) == "" {
		missing = append(missing, "agency")
	}
	if api.RoleDevice(p.Role) == "" {
		missing = append(missing, "role")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrBadPerson, strings.Join(missing, ", "))
	}
	return nil
}

// Get returns one person; ErrNoPerson if the platform has none by id.
func (r *Room) Get(ctx context.Context, id string) (p api.Person, err error) {
	defer wrap.Err(&err, "person %s", id)
	return scanPerson(r.DB.QueryRowContext(ctx, `SELECT id, name, agency, unit, position, role, qualification, active, photo FROM people WHERE id = ?`, id))
}

func getTx(ctx context.Context, tx *sqldb.Tx, id string) (api.Person, error) {
	return scanPerson(tx.QueryRowContext(ctx, `SELECT id, name, agency, unit, position, role, qualification, active, photo FROM people WHERE id = ?`, id))
}

func scanPerson(row *sql.Row) (p api.Person, err error) {
	var active int
	err = row.Scan(&p.ID, &p.Name, &p.Agency, &p.Unit, &p.Position, &p.Role, &p.Qualification, &active, &p.Photo)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNoPerson
	}
	p.Active = active != 0
	return p, err
}

// List returns the people of an agency ("" for all) and a role ("" for
// all), by id.
func (r *Room) List(ctx context.Context, agency, role string) ([]api.Person, error) {
	return r.Search(ctx, "", agency, role)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Search returns the people whose name or id holds q ("" for everybody),
// of an agency and a role ("" for all), by id.
func (r *Room) Search(ctx context.Context, q, agency, role string) (_ []api.Person, err error) {
	defer wrap.Err(&err, "search people")
	like := "%" + likeEscaper.Replace(strings.TrimSpace(q)) + "%"
	rows, err := r.DB.QueryContext(ctx, `SELECT id, name, agency, unit, position, role, qualification, active, photo FROM people
		WHERE (? = '' OR agency = ?) AND (? = '' OR role = ?) AND (name `+r.DB.Like()+` ? ESCAPE '\' OR id `+r.DB.Like()+` ? ESCAPE '\')
		ORDER BY id`, agency, agency, role, role, like, like)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Person{}
	for rows.Next() {
		var p api.Person
		var active int
		if err := rows.Scan(&p.ID, &p.Name, &p.Agency, &p.Unit, &p.Position, &p.Role, &p.Qualification, &active, &p.Photo); err != nil {
			return nil, err
		}
		p.Active = active != 0
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetActive activates or deactivates a person. A deactivated person's
// devices refuse them once they hear of it; their keys stay registered, so
// what they signed before still verifies. A deactivated officer leaves the
// public officers list, and comes back when activated.
func (r *Room) SetActive(ctx context.Context, id string, active bool) (err error) {
	defer wrap.Err(&err, "set person %s active=%v", id, active)
	return r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := r.Lists.Lock(ctx, tx); err != nil {
			return err
		}
		p, err := getTx(ctx, tx, id)
		if err != nil {
			return err
		}
		p.Active = active
		return r.putTx(ctx, tx, Record{Person: p})
	})
}

// codeAlphabet is Crockford-like: no 0/O or 1/I to misread on paper.
var codeAlphabet = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// NewActivationCode makes a one-time code for a person to activate on a
// device, printable as four groups of four (ABCD-EFGH-JKLM-NPQR): 80 bits.
func (r *Room) NewActivationCode(ctx context.Context, person string) (code string, expires time.Time, err error) {
	defer wrap.Err(&err, "activation code for %s", person)
	p, err := r.Get(ctx, person)
	if err != nil {
		return "", time.Time{}, err
	}
	if !p.Active {
		return "", time.Time{}, ErrInactive
	}
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, err
	}
	raw := codeAlphabet.EncodeToString(b)
	code = raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16]
	now := r.Now().UTC()
	expires = now.Add(CodeLife).Truncate(time.Second)
	_, err = r.DB.ExecContext(ctx, `INSERT INTO activation_codes (code_hash, person, created, expires) VALUES (?, ?, ?, ?)`,
		codeHash(code), person, now.Format(time.RFC3339), expires.Format(time.RFC3339))
	return code, expires, err
}

func codeHash(code string) string {
	sum := sha256.Sum256([]byte(api.NormalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// Activate uses a person's one-time code on a device of deviceKind and
// registers the key the device made, once the proof shows the device holds
// its private half. It returns the person.
func (r *Room) Activate(ctx context.Context, device, deviceKind string, req api.ActivateRequest) (p api.Person, err error) {
	defer wrap.Err(&err, "activate on %s", device)
	pub, err := base64.StdEncoding.DecodeString(req.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return p, ErrBadKey
	}
	proof, err := base64.StdEncoding.DecodeString(req.Proof)
	if err != nil || !ed25519.Verify(pub, api.ActivationMessage(req.Code, device), proof) {
		return p, ErrBadKey
	}
	now := r.Now().UTC()
	err = r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		var person, expires string
		err := tx.QueryRowContext(ctx, `SELECT person, expires FROM activation_codes WHERE code_hash = ? AND used_by = ''`,
			codeHash(req.Code)).Scan(&person, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrBadCode
		}
		if err != nil {
			return err
		}
		if until, err := time.Parse(time.RFC3339, expires); err != nil || !now.Before(until) {
			return ErrBadCode
		}
		var active int
		err = tx.QueryRowContext(ctx, `SELECT id, name, agency, unit, position, role, qualification, active, photo FROM people WHERE id = ?`, person).
			Scan(&p.ID, &p.Name, &p.Agency, &p.Unit, &p.Position, &p.Role, &p.Qualification, &active, &p.Photo)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoPerson
		}
		if err != nil {
			return err
		}
		if p.Active = active != 0; !p.Active {
			return ErrInactive
		}
		if api.RoleDevice(p.Role) != deviceKind {
			return fmt.Errorf("%w: a %s activates on a %s device, not a %s", ErrWrongDevice, p.Role, api.RoleDevice(p.Role), deviceKind)
		}
		res, err := tx.ExecContext(ctx, `UPDATE activation_codes SET used_by = ?, used_at = ? WHERE code_hash = ? AND used_by = ''`,
			device, now.Format(time.RFC3339), codeHash(req.Code))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrBadCode
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO person_keys (key, person, device, registered) VALUES (?, ?, ?, ?)`,
			req.Key, p.ID, device, now.Format(time.RFC3339))
		if sqldb.IsUnique(err) {
			return ErrBadKey
		}
		return err
	})
	return p, err
}

// Key is a person's registered public key.
type Key struct {
	Key        string `json:"key"`
	Person     string `json:"person"`
	Device     string `json:"device"`
	Registered string `json:"registered"`
	Revoked    string `json:"revoked,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// KeyOf returns a registered key; ErrNoKey if the platform never
// registered it.
func (r *Room) KeyOf(ctx context.Context, key string) (k Key, err error) {
	defer wrap.Err(&err, "person key")
	err = r.DB.QueryRowContext(ctx, `SELECT key, person, device, registered, revoked, reason FROM person_keys WHERE key = ?`, key).
		Scan(&k.Key, &k.Person, &k.Device, &k.Registered, &k.Revoked, &k.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNoKey
	}
	return k, err
}

// Keys lists a person's keys ("" for everybody's), newest first.
func (r *Room) Keys(ctx context.Context, person string) (_ []Key, err error) {
	defer wrap.Err(&err, "keys of %s", person)
	rows, err := r.DB.QueryContext(ctx, `SELECT key, person, device, registered, revoked, reason FROM person_keys
		WHERE ? = '' OR person = ? ORDER BY registered DESC, key`, person, person)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Key{}
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.Key, &k.Person, &k.Device, &k.Registered, &k.Revoked, &k.Reason); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeKey stops trusting a key from now on, for a stated reason. What it
// signed before stays valid; what it signs after is flagged on arrival,
// and devices refuse it once they hear.
func (r *Room) RevokeKey(ctx context.Context, key, reason string) (err error) {
	defer wrap.Err(&err, "revoke key")
	res, err := r.DB.ExecContext(ctx, `UPDATE person_keys SET revoked = ?, reason = ? WHERE key = ? AND revoked = ''`,
		r.Now().UTC().Format(time.RFC3339Nano), reason, key) // to the nanosecond: what was signed just before stays unflagged
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := r.KeyOf(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// Standing is what devices pull: every person and every revoked key.
func (r *Room) Standing(ctx context.Context) (_ api.Standing, err error) {
	defer wrap.Err(&err, "people's standing")
	st := api.Standing{Revoked: []api.RevokedKey{}}
	if st.People, err = r.List(ctx, "", ""); err != nil {
		return st, err
	}
	rows, err := r.DB.QueryContext(ctx, `SELECT key, person, revoked, reason FROM person_keys WHERE revoked <> '' ORDER BY revoked, key`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var k api.RevokedKey
		if err := rows.Scan(&k.Key, &k.Person, &k.At, &k.Reason); err != nil {
			return st, err
		}
		st.Revoked = append(st.Revoked, k)
	}
	return st, rows.Err()
}

func (r *Room) stamp() string { return r.Now().UTC().Format(time.RFC3339) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
