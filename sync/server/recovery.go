package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// ErrNoRecoveryKey is a recovery key the platform does not publish.
var ErrNoRecoveryKey = errors.New("no such recovery key published")

// AddRecoveryKey publishes a city recovery key (its public text form,
// "sm2:…" or "x25519:…"): a note signed with the receipt key, which
// devices check against the key they pinned before they wrap their data
// key to it. A key already published keeps its note; a removed one is
// published again with a new note.
func (s *Server) AddRecoveryKey(ctx context.Context, public string) (string, error) {
	p, err := vault.ParseRecoveryPublic(public)
	if err != nil {
		return "", fmt.Errorf("add recovery key: %w", err)
	}
	key := p.String()
	now := s.now().UTC()
	var msg string
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var have, removed string
		err := tx.QueryRowContext(ctx, `SELECT note, removed FROM recovery_keys WHERE public_key = ?`, key).Scan(&have, &removed)
		switch {
		case err == nil && removed == "":
			msg = have
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if msg, err = vault.RecoveryNote(p, now, s.signer); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO recovery_keys (public_key, note, added, removed) VALUES (?, ?, ?, '')
			ON CONFLICT (public_key) DO UPDATE SET note = excluded.note, added = excluded.added, removed = ''`,
			key, msg, now.Format(time.RFC3339Nano))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("add recovery key %s: %w", p.Fingerprint(), err)
	}
	s.log.Info("市级恢复密钥已发布 (a city recovery key is published)", "key", key, "fingerprint", p.Fingerprint())
	return msg, nil
}

// RemoveRecoveryKey stops publishing a recovery key (its text form or its
// fingerprint). Devices delete their wrap for a key the platform no longer
// lists at their next sync; wraps on devices that never sync again stay.
func (s *Server) RemoveRecoveryKey(ctx context.Context, key string) error {
	var public string
	if p, err := vault.ParseRecoveryPublic(key); err == nil {
		public = p.String()
	} else {
		keys, err := s.recoveryKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if p, err := vault.ParseRecoveryPublic(k); err == nil && p.Fingerprint() == key {
				public = k
			}
		}
		if public == "" {
			return fmt.Errorf("remove recovery key %s: %w", key, ErrNoRecoveryKey)
		}
	}
	res, err := s.db.ExecContext(ctx, `UPDATE recovery_keys SET removed = ? WHERE public_key = ? AND removed = ''`,
		s.now().UTC().Format(time.RFC3339Nano), public)
	if err != nil {
		return fmt.Errorf("remove recovery key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("remove recovery key %s: %w", key, ErrNoRecoveryKey)
	}
	s.log.Info("市级恢复密钥已停止发布 (a city recovery key is no longer published)", "key", public)
	return nil
}

// recoveryKeys are the published keys' text forms, oldest first.
func (s *Server) recoveryKeys(ctx context.Context) ([]string, error) {
	return s.recoveryColumn(ctx, "public_key")
}

// RecoveryNotes are the signed notes of the published recovery keys,
// oldest first.
func (s *Server) RecoveryNotes(ctx context.Context) ([]string, error) {
	return s.recoveryColumn(ctx, "note")
}

func (s *Server) recoveryColumn(ctx context.Context, col string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+col+` FROM recovery_keys WHERE removed = '' ORDER BY added, public_key`)
	if err != nil {
		return nil, fmt.Errorf("recovery keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("recovery keys: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recovery keys: %w", err)
	}
	return out, nil
}

// resignRecoveryNotes signs every recovery note again, inside a key
// rotation's transaction: the same text, by the current key and the next,
// so that devices still on the old key and those that followed the
// rotation both verify it. A removed key's note is left: adding the key
// again signs a new one.
func (s *Server) resignRecoveryNotes(ctx context.Context, tx *sql.Tx, next note.Signer) error {
	v, err := note.NewVerifier(s.verifier)
	if err != nil {
		return fmt.Errorf("recovery notes: %w", err)
	}
	rows, err := tx.QueryContext(ctx, s.db.Q(`SELECT public_key, note FROM recovery_keys WHERE removed = ''`))
	if err != nil {
		return fmt.Errorf("recovery notes: %w", err)
	}
	type row struct{ key, note string }
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.note); err != nil {
			rows.Close()
			return fmt.Errorf("recovery notes: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("recovery notes: %w", err)
	}
	for _, r := range all {
		n, err := note.Open([]byte(r.note), note.VerifierList(v))
		if err != nil {
			return fmt.Errorf("recovery note of %s does not verify under the current key: %w", r.key, err)
		}
		signed, err := note.Sign(&note.Note{Text: n.Text}, s.signer, next)
		if err != nil {
			return fmt.Errorf("recovery note of %s: %w", r.key, err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE recovery_keys SET note = ? WHERE public_key = ?`), string(signed), r.key); err != nil {
			return fmt.Errorf("recovery note of %s: %w", r.key, err)
		}
	}
	return nil
}
