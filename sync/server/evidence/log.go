package evidence

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// Purposes a viewer may state (the form's choices); "other" needs words.
var Purposes = []string{"review", "supervision", "complaint", "other"}

// Actions written to the access log.
const (
	ActionView     = "view"
	ActionDownload = "download"
)

// purposeFresh is how long one statement of purpose covers views and
// downloads: one sitting with the case, not a standing pass.
const purposeFresh = 4 * time.Hour

// Purpose is one statement of why an administrator opens a case's evidence.
type Purpose struct {
	ID, At, Login, Name, Role, Agency, Device, Case, Purpose, Words string
}

// Access is one line of the access log: a view or a download under a
// purpose.
type Access struct {
	Purpose
	SHA256, Action, At string
}

var errNoPurpose = errors.New("no purpose stated for this case by this account, or it lapsed")

// state writes a statement of purpose and returns it.
func (s *Room) state(ctx context.Context, a console.Admin, device, caseID, purpose, words string) (Purpose, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Purpose{}, fmt.Errorf("state purpose for %s/%s: %w", device, caseID, err)
	}
	p := Purpose{ID: hex.EncodeToString(b), At: s.Now().UTC().Format(time.RFC3339), Login: a.Login, Name: a.Name, Role: a.Role,
		Agency: a.Agency, Device: device, Case: caseID, Purpose: purpose, Words: words}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO evidence_purposes (id, at, login, name, role, agency, device, case_id, purpose, words)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.At, p.Login, p.Name, p.Role, p.Agency, p.Device, p.Case, p.Purpose, p.Words); err != nil {
		return Purpose{}, fmt.Errorf("state purpose for %s/%s: %w", device, caseID, err)
	}
	return p, nil
}

// purpose is the statement id, if login made it for this case and it
// has not lapsed; errNoPurpose otherwise.
func (s *Room) purpose(ctx context.Context, id, login, device, caseID string) (Purpose, error) {
	var p Purpose
	err := s.DB.QueryRowContext(ctx, `SELECT id, at, login, name, role, agency, device, case_id, purpose, words FROM evidence_purposes
		WHERE id = ? AND login = ? AND device = ? AND case_id = ?`, id, login, device, caseID).
		Scan(&p.ID, &p.At, &p.Login, &p.Name, &p.Role, &p.Agency, &p.Device, &p.Case, &p.Purpose, &p.Words)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNoPurpose
	}
	if err != nil {
		return p, fmt.Errorf("purpose %s: %w", id, err)
	}
	at, err := time.Parse(time.RFC3339, p.At)
	if err != nil {
		return p, fmt.Errorf("purpose %s: its time %q: %w", id, p.At, err)
	}
	if s.Now().Sub(at) > purposeFresh {
		return p, errNoPurpose
	}
	return p, nil
}

// record writes a view or a download of sha under purpose p. A view
// already written under p is not written again (the range requests of
// one playing, the frames of one video).
func (s *Room) record(ctx context.Context, p Purpose, sha, action string) error {
	q := `INSERT INTO evidence_access (purpose_id, sha256, action, at) VALUES (?, ?, ?, ?)`
	if action == ActionView {
		q += ` ON CONFLICT DO NOTHING`
	}
	if _, err := s.DB.ExecContext(ctx, q, p.ID, sha, action, s.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("log %s of %s under purpose %s: %w", action, sha, p.ID, err)
	}
	return nil
}

// Log is the access log of one case, newest first.
func (s *Room) Log(ctx context.Context, device, caseID string) ([]Access, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT p.id, p.at, p.login, p.name, p.role, p.agency, p.purpose, p.words, a.sha256, a.action, a.at
		FROM evidence_access a JOIN evidence_purposes p ON p.id = a.purpose_id
		WHERE p.device = ? AND p.case_id = ? ORDER BY a.n DESC`, device, caseID)
	if err != nil {
		return nil, fmt.Errorf("evidence access log of %s/%s: %w", device, caseID, err)
	}
	defer rows.Close()
	out := []Access{}
	for rows.Next() {
		a := Access{Purpose: Purpose{Device: device, Case: caseID}}
		if err := rows.Scan(&a.ID, &a.Purpose.At, &a.Login, &a.Name, &a.Role, &a.Agency, &a.Purpose.Purpose, &a.Words, &a.SHA256, &a.Action, &a.At); err != nil {
			return nil, fmt.Errorf("evidence access log of %s/%s: %w", device, caseID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("evidence access log of %s/%s: %w", device, caseID, err)
	}
	return out, nil
}
