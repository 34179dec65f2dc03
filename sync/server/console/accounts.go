package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Admin is an administrator's account.
type Admin struct {
	Login   string `json:"login"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Agency  string `json:"agency,omitempty"`
	Active  bool   `json:"active"`
	Created string `json:"created"`
}

// MinPassword is the shortest password an administrator may have.
const MinPassword = 10

func checkAdmin(a Admin, password string) error {
	var bad []string
	if strings.TrimSpace(a.Login) == "" || strings.ContainsAny(a.Login, " \t/") {
		bad = append(bad, "login")
	}
	if strings.TrimSpace(a.Name) == "" {
		bad = append(bad, "name")
	}
	if !slices.Contains(Roles, a.Role) {
		bad = append(bad, "role")
	}
	if (a.Role == RoleAgency) != (a.Agency != "") {
		bad = append(bad, "agency")
	}
	if utf8.RuneCountInString(password) < MinPassword {
		bad = append(bad, "password")
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w (check %s)", ErrBadAdmin, strings.Join(bad, ", "))
	}
	return nil
}

// AddAdmin creates an administrator's account with a password (kept only
// as its Argon2id hash). A fresh platform's first administrator is made
// this way, from the command line (sanxiang-platform admin add).
func (c *Room) AddAdmin(ctx context.Context, a Admin, password string) (err error) {
	defer wrap.Err(&err, "add administrator %s", a.Login)
	if err := checkAdmin(a, password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = c.DB.ExecContext(ctx, `INSERT INTO admins (login, name, password, role, agency, active, created) VALUES (?, ?, ?, ?, ?, 1, ?)`,
		a.Login, a.Name, hash, a.Role, a.Agency, c.stamp())
	if sqldb.IsUnique(err) {
		return ErrDuplicate
	}
	return err
}

// SetPassword replaces an administrator's password and ends their sessions.
func (c *Room) SetPassword(ctx context.Context, login, password string) (err error) {
	defer wrap.Err(&err, "set password of %s", login)
	if utf8.RuneCountInString(password) < MinPassword {
		return ErrBadAdmin
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return c.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE admins SET password = ? WHERE login = ?`, hash, login)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoAdmin
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM admin_sessions WHERE login = ?`, login)
		return err
	})
}

// Admins lists the administrators by login.
func (c *Room) Admins(ctx context.Context) (_ []Admin, err error) {
	defer wrap.Err(&err, "list administrators")
	rows, err := c.DB.QueryContext(ctx, `SELECT login, name, role, agency, active, created FROM admins ORDER BY login`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Admin{}
	for rows.Next() {
		var a Admin
		var active int
		if err := rows.Scan(&a.Login, &a.Name, &a.Role, &a.Agency, &active, &a.Created); err != nil {
			return nil, err
		}
		a.Active = active != 0
		out = append(out, a)
	}
	return out, rows.Err()
}

// GetAdmin returns one administrator; ErrNoAdmin if there is none by login.
func (c *Room) GetAdmin(ctx context.Context, login string) (a Admin, err error) {
	defer wrap.Err(&err, "administrator %s", login)
	a, _, err = c.adminWithHash(ctx, login)
	return a, err
}

func (c *Room) adminWithHash(ctx context.Context, login string) (a Admin, hash string, err error) {
	var active int
	err = c.DB.QueryRowContext(ctx, `SELECT login, name, role, agency, active, created, password FROM admins WHERE login = ?`, login).
		Scan(&a.Login, &a.Name, &a.Role, &a.Agency, &active, &a.Created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return a, "", ErrNoAdmin
	}
	a.Active = active != 0
	return a, hash, err
}

// SetAdminActive activates or deactivates an administrator; deactivating
// ends their sessions at once.
func (c *Room) SetAdminActive(ctx context.Context, login string, active bool) (err error) {
	defer wrap.Err(&err, "set administrator %s active=%v", login, active)
	return c.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE admins SET active = ? WHERE login = ?`, boolInt(active), login)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoAdmin
		}
		if !active {
			_, err = tx.ExecContext(ctx, `DELETE FROM admin_sessions WHERE login = ?`, login)
		}
		return err
	})
}

// Login checks a login and password from the address ip. It refuses with
// ErrThrottled after too many failures (LoginLimit per login, IPLimit per
// address, within ThrottleWindow) and with ErrBadLogin for a wrong password,
// an unknown login or a deactivated account alike; an unknown login is
// checked against a dummy hash so that it takes as long.
func (c *Room) Login(ctx context.Context, login, password, ip string) (a Admin, err error) {
	defer wrap.Err(&err, "log in %s", login)
	now := c.Now()
	lkey, ikey := "login\x00"+login, "ip\x00"+ip
	if c.throttle.blocked(now, map[string]int{lkey: LoginLimit, ikey: IPLimit}) {
		return a, ErrThrottled
	}
	a, hash, err := c.adminWithHash(ctx, login)
	if errors.Is(err, ErrNoAdmin) {
		hash, err = dummyHash(), nil
	}
	if err != nil {
		return a, err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return a, err
	}
	if !ok || !a.Active || a.Login == "" {
		c.throttle.fail(now, lkey, ikey)
		return Admin{}, ErrBadLogin
	}
	c.throttle.reset(lkey)
	return a, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}
