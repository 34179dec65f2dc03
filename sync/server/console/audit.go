package console

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Entry is one administrative act in the audit log.
type Entry struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Actor  string `json:"actor"`  // the administrator's login, or the API token's name
	Role   string `json:"role"`   // city, agency, operator, or token
	Agency string `json:"agency"` // the agency the act concerns; "" for the whole city
	Action string `json:"action"`
	Object string `json:"object"`
	Detail string `json:"detail"`
	IP     string `json:"ip"`
	Prev   string `json:"prev"` // the previous entry's hash; "" for the first
	Hash   string `json:"hash"`
}

// RoleToken is the role an API token acts in, in the audit log.
const RoleToken = "token"

// ChainHash is an entry's hash: SHA-256 of the previous hash, a newline,
// and the entry's content as a JSON array in column order.
func ChainHash(e Entry) string {
	content, _ := json.Marshal([]any{e.Seq, e.At, e.Actor, e.Role, e.Agency, e.Action, e.Object, e.Detail, e.IP})
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write([]byte("\n"))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends one act to the log, chained to the one before.
func (c *Room) Audit(ctx context.Context, e Entry) (err error) {
	defer wrap.Err(&err, "audit %s %s", e.Actor, e.Action)
	return c.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.Lock(ctx, "sanxiang-audit"); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.Prev)
		if errors.Is(err, sql.ErrNoRows) {
			e.Seq, e.Prev, err = 0, "", nil
		}
		if err != nil {
			return err
		}
		e.Seq++
		e.At = c.stamp()
		e.Hash = ChainHash(e)
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, role, agency, action, object, detail, ip, prev, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.At, e.Actor, e.Role, e.Agency, e.Action, e.Object, e.Detail, e.IP, e.Prev, e.Hash)
		return err
	})
}

const entryColumns = `seq, at, actor, role, agency, action, object, detail, ip, prev, hash`

func scanEntry(rows *sql.Rows) (e Entry, err error) {
	err = rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Role, &e.Agency, &e.Action, &e.Object, &e.Detail, &e.IP, &e.Prev, &e.Hash)
	return e, err
}

// AuditLog returns a page of the log, newest first: the entries of one
// agency ("" for all), skipping offset, at most limit; and how many there
// are in all.
func (c *Room) AuditLog(ctx context.Context, agency string, offset, limit int) (_ []Entry, total int, err error) {
	defer wrap.Err(&err, "read the audit log")
	if err := c.DB.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE ? = '' OR agency = ?`, agency, agency).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := c.DB.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_log WHERE ? = '' OR agency = ?
		ORDER BY seq DESC LIMIT ? OFFSET ?`, agency, agency, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// ChainError says where the audit log's chain breaks.
type ChainError struct {
	Seq    int64  // the first entry that does not verify
	Reason string // "hash", "prev", "seq"
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("%v at entry %d (%s)", ErrAuditBroken, e.Seq, e.Reason)
}

func (e *ChainError) Unwrap() error { return ErrAuditBroken }

// VerifyAudit walks the whole log and checks every entry's hash and link:
// an edited entry fails its own hash, a deleted one its successor's link
// or the numbering. It returns how many entries verified, or a
// *ChainError. (Deleting the newest entries leaves a shorter chain that
// verifies: compare the count and last hash with one kept elsewhere.)
func (c *Room) VerifyAudit(ctx context.Context) (n int64, err error) {
	defer wrap.Err(&err, "verify the audit log")
	rows, err := c.DB.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev := ""
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return n, err
		}
		switch {
		case e.Seq != n+1:
			return n, &ChainError{Seq: e.Seq, Reason: "seq"}
		case e.Prev != prev:
			return n, &ChainError{Seq: e.Seq, Reason: "prev"}
		case ChainHash(e) != e.Hash:
			return n, &ChainError{Seq: e.Seq, Reason: "hash"}
		}
		prev, n = e.Hash, n+1
	}
	return n, rows.Err()
}
