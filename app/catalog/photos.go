package catalog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrBadPhoto is a photo whose bytes are not what its name (their
// SHA-256) says: refused, so a device shows only what the platform sent.
var ErrBadPhoto = errors.New("catalog: photo bytes do not match their SHA-256")

// PutPhoto keeps a photo's bytes under sha, their SHA-256 (hex); a photo
// kept already is kept once.
func (c *Catalog) PutPhoto(ctx context.Context, sha string, data []byte) error {
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != sha {
		return fmt.Errorf("keep photo %s: %w", sha, ErrBadPhoto)
	}
	if _, err := c.db.ExecContext(ctx, `INSERT INTO photos (sha, data) VALUES (?, ?) ON CONFLICT (sha) DO NOTHING`, sha, data); err != nil {
		return fmt.Errorf("keep photo %s: %w", sha, err)
	}
	return nil
}

// Photo is a kept photo's bytes; ErrNotFound if the device has none by
// sha (not fetched yet, or "").
func (c *Catalog) Photo(ctx context.Context, sha string) ([]byte, error) {
	var data []byte
	err := c.db.QueryRowContext(ctx, `SELECT data FROM photos WHERE sha = ?`, sha).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("photo %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("photo %s: %w", sha, err)
	}
	return data, nil
}

// SetPortraits replaces which photo each person shows (person id →
// SHA-256), as the people's standing says; a person without one is left
// out.
func (c *Catalog) SetPortraits(ctx context.Context, photos map[string]string) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM portraits`); err != nil {
			return fmt.Errorf("set portraits: %w", err)
		}
		for person, sha := range photos {
			if sha == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO portraits (person, sha) VALUES (?, ?)`, person, sha); err != nil {
				return fmt.Errorf("set portrait of %s: %w", person, err)
			}
		}
		return nil
	})
}

// PortraitOf is the SHA-256 of the photo a person shows, "" for none:
// the portrait the people's standing named, else the photo of their entry
// in the officers list.
func (c *Catalog) PortraitOf(ctx context.Context, person string) (string, error) {
	var sha string
	err := c.db.QueryRowContext(ctx, `SELECT sha FROM portraits WHERE person = ?`, person).Scan(&sha)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return sha, err
	}
	it, err := c.Get(ctx, KindOfficer, person)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return it.(*Officer).Photo, nil
}

// MissingPhotos are the photos the officers list or the portraits name
// and the device does not hold yet: what the next pull fetches.
func (c *Catalog) MissingPhotos(ctx context.Context) ([]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT sha FROM (
			SELECT json_extract(data, '$.photo') AS sha FROM items WHERE kind = ?
			UNION SELECT sha FROM portraits)
		WHERE sha IS NOT NULL AND sha <> '' AND sha NOT IN (SELECT sha FROM photos) ORDER BY sha`, string(KindOfficer))
	if err != nil {
		return nil, fmt.Errorf("missing photos: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, fmt.Errorf("missing photos: %w", err)
		}
		out = append(out, sha)
	}
	return out, rows.Err()
}
