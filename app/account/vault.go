package account

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// The data folder's vault, as device.db keeps it (migration 0004): the
// folder's id and binding, the data key (DK) wrapped for each person who
// may open it, for each city recovery key held, and for the machine
// (kiosks and windows always; an officer's folder only until its first
// person is wrapped).
//
// Who opens what:
//   - an officer's desk opens at a person's sign-in (their wrap) and locks
//     when the last person signs out (Log "signout");
//   - a kiosk's or window's desk opens at start (OpenDesk) and never locks;
//   - the CLI opens with Unlock (a person's PIN) or UnlockWithRecovery.
//
// After any opening, HealWraps wraps the DK for whoever lacks a wrap.

// Errors of the vault's life here.
var (
	// ErrNoVault is a device database without a vault yet (a folder from
	// before sealing, or one CreateVault has not made).
	ErrNoVault = errors.New("account: this device has no vault yet")
	// ErrVaultExists refuses a second CreateVault.
	ErrVaultExists = errors.New("account: this device already has a vault")
	// ErrNoRecoveryWrap is a recovery key this folder holds no wrap for.
	ErrNoRecoveryWrap = errors.New("account: this folder is not wrapped for that recovery key")
)

// Machine wraps' holders.
const (
	holderBootstrap = "bootstrap" // an officer's new folder, until its first person
	holderDesk      = "desk"      // a kiosk's or window's folder, for good
	holderUpgrade   = "upgrade"   // an officer's folder being sealed, until it is done
)

// Device kinds a vault is made for.
const (
	kindOfficer = "officer"
	kindKiosk   = "kiosk"
	kindWindow  = "window"
)

// SetVault gives the Book the folder's vault and the keystore its machine
// secret is in: sign-ins then open the vault, enrolments wrap its key, and
// new keys are sealed bound to ks.
func (b *Book) SetVault(v *vault.Vault, ks keystore.Store) { b.vault, b.ks = v, ks }

// folderRow is the vault row.
type folderRow struct {
	id, kind, binding, check, upgraded string
}

// folder reads the vault row; ok is false when there is none.
func (b *Book) folder(ctx context.Context) (f folderRow, ok bool, err error) {
	err = b.db.QueryRowContext(ctx, `SELECT folder_id, kind, binding, binding_check, upgraded_at FROM vault WHERE id = 1`).
		Scan(&f.id, &f.kind, &f.binding, &f.check, &f.upgraded)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("read vault: %w", err)
	}
	return f, true, nil
}

// secret is the machine secret of a key bound to kind: 32 zero bytes for
// "none"; otherwise the keystore's secret for this folder, which must be
// the one the folder recorded. vault.ErrOtherMachine says this machine
// (or user) does not hold it.
func (b *Book) secret(ctx context.Context, kind string) ([]byte, error) {
	if kind == (keystore.None{}).Kind() {
		return noBinding().m, nil
	}
	f, ok, err := b.folder(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: the key is bound to a %s keystore and this folder has no vault", vault.ErrOtherMachine, kind)
	}
	if f.binding != kind {
		return nil, fmt.Errorf("%w: the key is bound to a %s keystore, the folder to %s", vault.ErrOtherMachine, kind, f.binding)
	}
	if b.ks == nil || b.ks.Kind() != kind {
		have := "none given"
		if b.ks != nil {
			have = b.ks.Kind()
		}
		return nil, fmt.Errorf("%w: the folder is bound to a %s keystore, this machine's is %s", vault.ErrOtherMachine, kind, have)
	}
	m, err := b.ks.Get(f.id)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", vault.ErrOtherMachine, err)
	}
	if err != nil {
		return nil, fmt.Errorf("machine secret of folder %s: %w", f.id, err)
	}
	if c, err := checkOf(m); err != nil {
		return nil, err
	} else if c != f.check {
		return nil, fmt.Errorf("%w: the keystore's secret for folder %s is not the one the folder was made with", vault.ErrOtherMachine, f.id)
	}
	return m, nil
}

// binding is what new keys are sealed bound to: the folder's keystore,
// or nothing while the folder has no vault.
func (b *Book) binding(ctx context.Context) (binding, error) {
	f, ok, err := b.folder(ctx)
	if err != nil {
		return binding{}, err
	}
	if !ok {
		return noBinding(), nil
	}
	m, err := b.secret(ctx, f.binding)
	if err != nil {
		return binding{}, err
	}
	return binding{kind: f.binding, m: m}, nil
}

// locks says whether the desk locks its data when the last person signs
// out: an officer's (or a folder without a vault, which is treated as
// one). A database that cannot say is treated as an officer's.
func (b *Book) locks(ctx context.Context) bool {
	f, ok, err := b.folder(ctx)
	return err != nil || !ok || f.kind == kindOfficer
}

// wrapOf reads one wrap; ok is false when there is none. Its key id is
// the blob's own (the key_id column is for reading the table).
func (b *Book) wrapOf(ctx context.Context, kind, holder string) (w vault.Wrap, ok bool, err error) {
	var blob []byte
	err = b.db.QueryRowContext(ctx, `SELECT blob FROM data_key_wraps WHERE kind = ? AND holder = ?`, kind, holder).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, fmt.Errorf("read %s wrap of %s: %w", kind, holder, err)
	}
	if w, err = vault.ParseWrap(kind, holder, blob); err != nil {
		return w, false, fmt.Errorf("read %s wrap of %s: %w", kind, holder, err)
	}
	return w, true, nil
}

// putWrap stores a wrap, replacing the holder's previous one.
func putWrap(ctx context.Context, tx *sql.Tx, w vault.Wrap, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO data_key_wraps (kind, holder, key_id, blob, added) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, holder) DO UPDATE SET key_id = excluded.key_id, blob = excluded.blob, added = excluded.added`,
		w.Kind, w.Holder, w.KeyID.String(), w.Blob, at.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("store %s wrap of %s: %w", w.Kind, w.Holder, err)
	}
	return nil
}

// scrub truncates device.db's WAL after a secret was deleted or replaced
// (secure_delete has zeroed it in the database's pages): the frames that
// held it are gone from the folder. A reader holding the WAL is waited
// for, briefly.
func (b *Book) scrub(ctx context.Context) error { return b.db.Scrub(ctx) }

// CreateVault makes the vault of a new data folder of the given kind
// ("officer", "kiosk" or "window"; "" is an officer's): a folder id, the
// machine secret M put into the keystore, a data key, its machine wrap
// (holder "bootstrap" on an officer's folder, dropped once a person is
// wrapped; "desk" on a kiosk's or window's, for good) and a wrap for each
// recovery key held. The vault is left unlocked, and every account with a
// key is wrapped at once (HealWraps).
func (b *Book) CreateVault(ctx context.Context, kind string) error {
	return b.createVault(ctx, kind, false)
}

// createVault is CreateVault; upgrading makes an officer's machine wrap
// the upgrade's (kept until FinishUpgrade, whoever is wrapped meanwhile)
// and leaves upgraded_at empty.
func (b *Book) createVault(ctx context.Context, kind string, upgrading bool) error {
	if kind == "" {
		kind = kindOfficer
	}
	holder := holderDesk
	switch kind {
	case kindOfficer:
		holder = holderBootstrap
		if upgrading {
			holder = holderUpgrade
		}
	case kindKiosk, kindWindow:
	default:
		return fmt.Errorf("create vault: unknown device kind %q", kind)
	}
	if b.vault == nil || b.ks == nil {
		return fmt.Errorf("create vault: no vault or keystore given (SetVault)")
	}
	if _, ok, err := b.folder(ctx); err != nil {
		return fmt.Errorf("create vault: %w", err)
	} else if ok {
		return fmt.Errorf("create vault: %w", ErrVaultExists)
	}
	raw := make([]byte, 16)
	m := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	if b.ks.Kind() != (keystore.None{}).Kind() {
		if _, err := rand.Read(m); err != nil {
			return fmt.Errorf("create vault: %w", err)
		}
	}
	id := hex.EncodeToString(raw)
	if err := b.ks.Put(id, m); err != nil {
		return fmt.Errorf("create vault: keep the machine secret: %w", err)
	}
	if got, err := b.ks.Get(id); err != nil {
		return fmt.Errorf("create vault: read the machine secret back: %w", err)
	} else if !bytes.Equal(got, m) {
		return fmt.Errorf("create vault: the %s keystore gave back another secret than it was given", b.ks.Kind())
	}
	check, err := checkOf(m)
	if err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	dk, err := vault.NewDK()
	if err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	defer clear(dk)
	wraps := []vault.Wrap{}
	w, err := vault.WrapMachine(dk, m, holder)
	if err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	wraps = append(wraps, w)
	keys, err := b.recoveryKeys(ctx)
	if err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	for _, p := range keys {
		w, err := vault.WrapRecovery(dk, p)
		if err != nil {
			return fmt.Errorf("create vault: wrap for recovery key %s: %w", p.Fingerprint(), err)
		}
		wraps = append(wraps, w)
	}
	now := b.now().UTC()
	err = b.db.Tx(ctx, func(tx *sql.Tx) error {
		// A folder made sealed needs no upgrade: upgraded_at is its birth.
		at := now.Format(time.RFC3339)
		upgraded := at
		if upgrading {
			upgraded = ""
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vault (id, folder_id, kind, binding, binding_check, created, upgraded_at)
			VALUES (1, ?, ?, ?, ?, ?, ?)`, id, kind, b.ks.Kind(), check, at, upgraded); err != nil {
			return fmt.Errorf("store vault: %w", err)
		}
		for _, w := range wraps {
			if err := putWrap(ctx, tx, w, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	if err := b.vault.Unlock(dk); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	if err := b.HealWraps(ctx); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	return nil
}

// OpenDesk opens a kiosk's or window's vault at start with its machine
// wrap: no PIN is asked, and it stays open until the process ends. An
// officer's folder opens so only before its first person is wrapped (its
// bootstrap wrap, which enrolment and activation need) or while it is
// being sealed (its upgrade wrap); otherwise it is refused: it opens only
// with a person's PIN or the recovery key.
func (b *Book) OpenDesk(ctx context.Context) error {
	if b.vault == nil {
		return fmt.Errorf("open desk: no vault given (SetVault)")
	}
	f, ok, err := b.folder(ctx)
	if err != nil {
		return fmt.Errorf("open desk: %w", err)
	}
	if !ok {
		return fmt.Errorf("open desk: %w", ErrNoVault)
	}
	// An officer's folder opens with the machine only before its first
	// person (bootstrap) or while it is being sealed (upgrade).
	holders := []string{holderDesk}
	if f.kind == kindOfficer {
		holders = []string{holderUpgrade, holderBootstrap}
	}
	var w vault.Wrap
	for _, h := range holders {
		if w, ok, err = b.wrapOf(ctx, vault.KindMachine, h); err != nil {
			return fmt.Errorf("open desk: %w", err)
		} else if ok {
			break
		}
	}
	if !ok && f.kind == kindOfficer {
		return fmt.Errorf("open desk: an officer's folder opens only with a person's PIN or the recovery key")
	}
	if !ok {
		return fmt.Errorf("open desk: the folder holds no desk wrap")
	}
	m, err := b.secret(ctx, f.binding)
	if err != nil {
		return fmt.Errorf("open desk: %w", err)
	}
	dk, err := vault.UnwrapMachine(w, m)
	if err != nil {
		return fmt.Errorf("open desk: %w", err)
	}
	defer clear(dk)
	if err := b.vault.Unlock(dk); err != nil {
		return fmt.Errorf("open desk: %w", err)
	}
	if err := b.HealWraps(ctx); err != nil {
		return fmt.Errorf("open desk: %w", err)
	}
	return nil
}

// openPerson opens the vault with a's wrap, a's key unsealed. noKey is
// ErrNoDataKey (wrapped) when the vault is locked and a holds no wrap that
// opens; err is a failure of the database. unlockedHere says this call
// unlocked it.
func (b *Book) openPerson(ctx context.Context, a Account) (unlockedHere bool, noKey, err error) {
	if b.vault == nil {
		return false, nil, nil
	}
	if _, ok, err := b.folder(ctx); err != nil || !ok {
		return false, nil, err
	}
	open := b.vault.Unlocked()
	if a.key == nil {
		// An account from before keys (a PIN hash only) holds no wrap and
		// gets none: it opens nothing, and must activate again.
		if !open {
			return false, fmt.Errorf("%w: the account has no key (activate it again)", vault.ErrNoDataKey), nil
		}
		return false, nil, nil
	}
	w, ok, err := b.wrapOf(ctx, vault.KindPerson, a.ID)
	if err != nil {
		return false, nil, err
	}
	if ok {
		dk, uerr := vault.UnwrapPerson(w, a.ID, a.key)
		if uerr == nil {
			if !open {
				uerr = b.vault.Unlock(dk)
				unlockedHere = uerr == nil
			} else if cur, err := b.vault.ID(); err != nil || cur != w.KeyID {
				uerr = fmt.Errorf("the wrap holds another data key than the one open")
			}
			clear(dk)
		}
		switch {
		case uerr != nil && !b.vault.Unlocked():
			return false, fmt.Errorf("%w: %v", vault.ErrNoDataKey, uerr), nil
		case uerr != nil:
			// The data is open and the person is who they say: their
			// wrap is made again.
			if _, err := b.db.ExecContext(ctx, `DELETE FROM data_key_wraps WHERE kind = ? AND holder = ?`, vault.KindPerson, a.ID); err != nil {
				return false, nil, fmt.Errorf("drop the wrap of %s that does not open: %w", a.ID, err)
			}
			if err := b.scrub(ctx); err != nil {
				return false, nil, err
			}
		}
	} else if !open {
		return false, vault.ErrNoDataKey, nil
	}
	if err := b.HealWraps(ctx); err != nil {
		return unlockedHere, nil, err
	}
	return unlockedHere, nil, nil
}

// reseal seals a key again, after its sign-in returned, when its box is
// v1 or bound otherwise than the folder now is: one more Argon2, once, in
// the background (Close waits for it).
func (b *Book) reseal(ctx context.Context, a Account, sealed, pin string, box unsealed) {
	bd, err := b.binding(ctx)
	if err != nil || (box.version == 2 && box.kind == bd.kind) {
		return
	}
	k := b.kdf
	seed := a.key.Seed()
	ctx = context.WithoutCancel(ctx)
	b.bg.Add(1)
	go func() {
		defer b.bg.Done()
		defer clear(seed)
		ns, err := seal(seed, pin, a.ID, a.PubKey, k, bd)
		if err == nil {
			_, err = b.db.ExecContext(ctx, `UPDATE accounts SET sealed_key = ? WHERE id = ? AND sealed_key = ?`, ns, a.ID, sealed)
		}
		if err == nil {
			err = b.scrub(ctx)
		}
		if err != nil {
			b.bgMu.Lock()
			b.bgErr = errors.Join(b.bgErr, fmt.Errorf("reseal the key of %s: %w", a.ID, err))
			b.bgMu.Unlock()
		}
	}()
}

// wrapEnrolled follows an enrolment: a wrap for an older key of the person
// is dropped, and while the vault is open the new key is wrapped at once
// (a locked vault wraps it at its next opening, HealWraps). When an
// account was replaced, its old box is scrubbed from the WAL.
func (b *Book) wrapEnrolled(ctx context.Context, id string, keyChanged, replaced bool) error {
	if b.vault != nil {
		if _, ok, err := b.folder(ctx); err != nil {
			return err
		} else if ok {
			if keyChanged {
				if _, err := b.db.ExecContext(ctx, `DELETE FROM data_key_wraps WHERE kind = ? AND holder = ?`, vault.KindPerson, id); err != nil {
					return fmt.Errorf("drop the wrap of the former key: %w", err)
				}
			}
			if b.vault.Unlocked() {
				if err := b.HealWraps(ctx); err != nil {
					return err
				}
			}
		}
	}
	if replaced {
		return b.scrub(ctx)
	}
	return nil
}

// HealWraps runs after every opening of the vault: it wraps the data key
// for every account with a key and no wrap of this data key (people
// enrolled while it was locked, a folder just upgraded), for every
// recovery key held and not yet wrapped, and drops an officer folder's
// bootstrap wrap once a person holds one; then it scrubs. The vault must
// be open.
func (b *Book) HealWraps(ctx context.Context) error {
	if b.vault == nil {
		return fmt.Errorf("heal wraps: no vault given (SetVault)")
	}
	f, ok, err := b.folder(ctx)
	if err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	if !ok {
		return fmt.Errorf("heal wraps: %w", ErrNoVault)
	}
	dk, err := b.vault.DK()
	if err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	defer clear(dk)
	cur, err := b.vault.ID()
	if err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	var wraps []vault.Wrap
	// People: every account with a key whose wrap is missing or of
	// another data key.
	rows, err := b.db.QueryContext(ctx, `SELECT a.id, a.public_key FROM accounts a
		LEFT JOIN data_key_wraps w ON w.kind = 'person' AND w.holder = a.id
		WHERE a.public_key != '' AND (w.key_id IS NULL OR w.key_id != ?) ORDER BY a.id`, cur.String())
	if err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	type person struct{ id, pub string }
	var people []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.pub); err != nil {
			rows.Close()
			return fmt.Errorf("heal wraps: %w", err)
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	for _, p := range people {
		w, err := vault.WrapPerson(dk, p.id, p.pub)
		if err != nil {
			return fmt.Errorf("heal wraps: wrap for %s: %w", p.id, err)
		}
		wraps = append(wraps, w)
	}
	// Recovery keys held and not wrapped for this data key.
	keys, err := b.recoveryKeys(ctx)
	if err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	for _, p := range keys {
		w, ok, err := b.wrapOf(ctx, vault.KindRecovery, p.Fingerprint())
		if err != nil {
			return fmt.Errorf("heal wraps: %w", err)
		}
		if ok && w.KeyID == cur {
			continue
		}
		if w, err = vault.WrapRecovery(dk, p); err != nil {
			return fmt.Errorf("heal wraps: wrap for recovery key %s: %w", p.Fingerprint(), err)
		}
		wraps = append(wraps, w)
	}
	now := b.now()
	var dropped int64
	err = b.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, w := range wraps {
			if err := putWrap(ctx, tx, w, now); err != nil {
				return err
			}
		}
		if f.kind != kindOfficer {
			return nil
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM data_key_wraps WHERE kind = 'machine' AND holder = ?
			AND EXISTS (SELECT 1 FROM data_key_wraps WHERE kind = 'person' AND key_id = ?)`, holderBootstrap, cur.String())
		if err != nil {
			return fmt.Errorf("drop the bootstrap wrap: %w", err)
		}
		dropped, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("heal wraps: %w", err)
	}
	if dropped > 0 {
		if err := b.scrub(ctx); err != nil {
			return fmt.Errorf("heal wraps: %w", err)
		}
	}
	return nil
}

// Unlock opens the vault with a person's PIN, for the command line (and a
// consent on the desk): failures count as at sign-in, and nobody is added
// to the keyring.
func (b *Book) Unlock(ctx context.Context, id, pin string) error {
	if b.vault == nil {
		return fmt.Errorf("unlock: no vault given (SetVault)")
	}
	if _, ok, err := b.folder(ctx); err != nil {
		return fmt.Errorf("unlock: %w", err)
	} else if !ok {
		return fmt.Errorf("unlock: %w", ErrNoVault)
	}
	if _, _, err := b.check(ctx, id, pin, "unlock"); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	if !b.vault.Unlocked() {
		return fmt.Errorf("unlock %s: %w", id, vault.ErrNoDataKey)
	}
	return nil
}

// UnlockWithRecovery opens the vault with a city recovery key: the wrap
// whose holder is its fingerprint. A key the folder is not wrapped for is
// ErrNoRecoveryWrap, naming the fingerprints it is wrapped for.
func (b *Book) UnlockWithRecovery(ctx context.Context, key vault.RecoveryPrivate) error {
	if b.vault == nil {
		return fmt.Errorf("unlock with recovery key: no vault given (SetVault)")
	}
	fp := key.Public().Fingerprint()
	w, ok, err := b.wrapOf(ctx, vault.KindRecovery, fp)
	if err != nil {
		return fmt.Errorf("unlock with recovery key %s: %w", fp, err)
	}
	if !ok {
		info, err := b.Vault(ctx)
		if err != nil {
			return fmt.Errorf("unlock with recovery key %s: %w", fp, err)
		}
		have := "none"
		if len(info.Recovery) > 0 {
			have = strings.Join(info.Recovery, ", ")
		}
		return fmt.Errorf("unlock with recovery key %s: %w (it is wrapped for: %s)", fp, ErrNoRecoveryWrap, have)
	}
	dk, err := vault.UnwrapRecovery(w, key)
	if err != nil {
		return fmt.Errorf("unlock with recovery key %s: %w", fp, err)
	}
	defer clear(dk)
	if err := b.vault.Unlock(dk); err != nil {
		return fmt.Errorf("unlock with recovery key %s: %w", fp, err)
	}
	err = b.db.Tx(ctx, func(tx *sql.Tx) error { return logEvent(ctx, tx, b.now(), "recovery:"+fp, "unlock", "recovery") })
	if err != nil {
		return fmt.Errorf("unlock with recovery key %s: %w", fp, err)
	}
	if err := b.HealWraps(ctx); err != nil {
		return fmt.Errorf("unlock with recovery key %s: %w", fp, err)
	}
	return nil
}

// recoveryKeys lists the recovery keys held.
func (b *Book) recoveryKeys(ctx context.Context) ([]vault.RecoveryPublic, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT public FROM recovery_keys ORDER BY public`)
	if err != nil {
		return nil, fmt.Errorf("read recovery keys: %w", err)
	}
	defer rows.Close()
	var out []vault.RecoveryPublic
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("read recovery keys: %w", err)
		}
		p, err := vault.ParseRecoveryPublic(s)
		if err != nil {
			return nil, fmt.Errorf("read recovery key %q: %w", s, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read recovery keys: %w", err)
	}
	return out, nil
}

// AddRecoveryKeys takes the city recovery keys the platform lists now,
// each a note signed by the platform key the device pinned (platformKey,
// a note verifier): every note must verify, or nothing changes. Keys new
// here are kept and, while the vault is open, wrapped at once; keys and
// wraps no longer listed are dropped (and scrubbed). A nil list (a
// platform that says nothing of recovery keys) changes nothing; an empty
// one drops them all.
func (b *Book) AddRecoveryKeys(ctx context.Context, notes []string, platformKey string) error {
	if notes == nil {
		return nil
	}
	listed := map[string]string{} // public → note
	fps := map[string]bool{}
	for i, n := range notes {
		p, err := vault.OpenRecoveryNote(n, platformKey)
		if err != nil {
			return fmt.Errorf("add recovery keys: note %d: %w", i+1, err)
		}
		listed[p.String()] = n
		fps[p.Fingerprint()] = true
	}
	held, err := b.recoveryKeys(ctx)
	if err != nil {
		return fmt.Errorf("add recovery keys: %w", err)
	}
	at := b.now().UTC().Format(time.RFC3339)
	var dropped int64
	err = b.db.Tx(ctx, func(tx *sql.Tx) error {
		for pub, n := range listed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_keys (public, note, added) VALUES (?, ?, ?)
				ON CONFLICT (public) DO UPDATE SET note = excluded.note`, pub, n, at); err != nil {
				return fmt.Errorf("store recovery key: %w", err)
			}
		}
		for _, p := range held {
			if _, ok := listed[p.String()]; ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_keys WHERE public = ?`, p.String()); err != nil {
				return fmt.Errorf("drop recovery key %s: %w", p.Fingerprint(), err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT holder FROM data_key_wraps WHERE kind = 'recovery'`)
		if err != nil {
			return fmt.Errorf("read recovery wraps: %w", err)
		}
		var stale []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return fmt.Errorf("read recovery wraps: %w", err)
			}
			if !fps[h] {
				stale = append(stale, h)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read recovery wraps: %w", err)
		}
		for _, h := range stale {
			res, err := tx.ExecContext(ctx, `DELETE FROM data_key_wraps WHERE kind = 'recovery' AND holder = ?`, h)
			if err != nil {
				return fmt.Errorf("drop recovery wrap %s: %w", h, err)
			}
			n, _ := res.RowsAffected()
			dropped += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add recovery keys: %w", err)
	}
	if dropped > 0 {
		if err := b.scrub(ctx); err != nil {
			return fmt.Errorf("add recovery keys: %w", err)
		}
	}
	if b.vault != nil && b.vault.Unlocked() {
		if _, ok, err := b.folder(ctx); err != nil {
			return fmt.Errorf("add recovery keys: %w", err)
		} else if ok {
			if err := b.HealWraps(ctx); err != nil {
				return fmt.Errorf("add recovery keys: %w", err)
			}
		}
	}
	return nil
}

// VaultInfo is what the desk and the tools say of a folder's vault.
type VaultInfo struct {
	FolderID string
	Binding  string   // keystore kind: dpapi, secret-service, dir, none
	Kind     string   // officer, kiosk, window
	Persons  []string // ids holding a wrap
	Recovery []string // fingerprints of the recovery keys it is wrapped for
	Machine  []string // machine wraps: bootstrap, upgrade, desk
	// Held are the fingerprints of the recovery keys this device holds
	// (wrapped or not yet).
	Held     []string
	Unlocked bool
}

// Vault describes the folder's vault; ErrNoVault when it has none.
func (b *Book) Vault(ctx context.Context) (VaultInfo, error) {
	f, ok, err := b.folder(ctx)
	if err != nil {
		return VaultInfo{}, fmt.Errorf("vault: %w", err)
	}
	if !ok {
		return VaultInfo{}, fmt.Errorf("vault: %w", ErrNoVault)
	}
	info := VaultInfo{FolderID: f.id, Binding: f.binding, Kind: f.kind, Unlocked: b.vault != nil && b.vault.Unlocked()}
	rows, err := b.db.QueryContext(ctx, `SELECT kind, holder FROM data_key_wraps ORDER BY kind, holder`)
	if err != nil {
		return VaultInfo{}, fmt.Errorf("vault: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, h string
		if err := rows.Scan(&k, &h); err != nil {
			return VaultInfo{}, fmt.Errorf("vault: %w", err)
		}
		switch k {
		case vault.KindPerson:
			info.Persons = append(info.Persons, h)
		case vault.KindRecovery:
			info.Recovery = append(info.Recovery, h)
		case vault.KindMachine:
			info.Machine = append(info.Machine, h)
		}
	}
	if err := rows.Err(); err != nil {
		return VaultInfo{}, fmt.Errorf("vault: %w", err)
	}
	keys, err := b.recoveryKeys(ctx)
	if err != nil {
		return VaultInfo{}, fmt.Errorf("vault: %w", err)
	}
	for _, p := range keys {
		info.Held = append(info.Held, p.Fingerprint())
	}
	slices.Sort(info.Held)
	return info, nil
}
