package account

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/vault"
)

// BeginUpgrade makes the vault of a folder kept before sealing at rest,
// as CreateVault does, except that an officer's folder gets an "upgrade"
// machine wrap that HealWraps keeps (so a sealing interrupted after its
// people were wrapped resumes without any PIN) and upgraded_at stays
// empty until FinishUpgrade. A folder that has a vault already is left as
// it is (an upgrade resumed).
func (b *Book) BeginUpgrade(ctx context.Context, kind string) error {
	if _, ok, err := b.folder(ctx); err != nil {
		return fmt.Errorf("begin upgrade: %w", err)
	} else if ok {
		return nil
	}
	return b.createVault(ctx, kind, true)
}

// Upgrading says whether the folder's sealing is under way: a vault with
// upgraded_at still empty.
func (b *Book) Upgrading(ctx context.Context) (bool, error) {
	f, ok, err := b.folder(ctx)
	if err != nil {
		return false, err
	}
	return ok && f.upgraded == "", nil
}

// FinishUpgrade ends a folder's sealing: the upgrade wrap is dropped (the
// folder then opens only as its kind does), upgraded_at is set, and the
// WAL that held the wrap is scrubbed.
func (b *Book) FinishUpgrade(ctx context.Context) error {
	err := b.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM data_key_wraps WHERE kind = ? AND holder = ?`, vault.KindMachine, holderUpgrade); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE vault SET upgraded_at = ? WHERE id = 1`, b.now().UTC().Format(time.RFC3339))
		return err
	})
	if err != nil {
		return fmt.Errorf("finish upgrade: %w", err)
	}
	return b.scrub(ctx)
}

// TrustRecoveryKey holds a city recovery key given offline, with no note
// from the platform (the demo's, whose private key ships with it; a city
// that seeds its laptops from a signed image): the data key is wrapped for
// it at once when the vault is open, else at its next opening. A sync's
// AddRecoveryKeys later replaces the keys held with the platform's list.
func (b *Book) TrustRecoveryKey(ctx context.Context, public string) error {
	p, err := vault.ParseRecoveryPublic(public)
	if err != nil {
		return fmt.Errorf("trust recovery key: %w", err)
	}
	_, err = b.db.ExecContext(ctx, `INSERT INTO recovery_keys (public, note, added) VALUES (?, '', ?) ON CONFLICT (public) DO NOTHING`,
		p.String(), b.now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("trust recovery key: %w", err)
	}
	if b.vault != nil && b.vault.Unlocked() {
		if _, ok, err := b.folder(ctx); err != nil {
			return fmt.Errorf("trust recovery key: %w", err)
		} else if ok {
			return b.HealWraps(ctx)
		}
	}
	return nil
}
