package console

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
)

// CookieName is the console session's cookie.
const CookieName = "sanxiang_console"

// Session is a logged-in administrator's console session.
type Session struct {
	Admin Admin
	CSRF  string // carried by every form of the session
	hash  string
}

var errNoSession = errors.New("no session, or it expired")

// NewSession starts a session for a logged-in administrator and returns
// the cookie's token (only its hash is kept).
func (c *Room) NewSession(ctx context.Context, login string) (token string, err error) {
	defer wrap.Err(&err, "new session for %s", login)
	token = randomToken(32)
	now := c.stamp()
	_, err = c.DB.ExecContext(ctx, `INSERT INTO admin_sessions (token_hash, login, csrf, created, seen) VALUES (?, ?, ?, ?, ?)`,
		hashToken(token), login, randomToken(24), now, now)
	return token, err
}

// session finds the live session of a cookie's token and marks it seen;
// an expired one is deleted.
func (c *Room) session(ctx context.Context, token string) (s Session, err error) {
	defer wrap.Err(&err, "session")
	if token == "" {
		return s, errNoSession
	}
	s.hash = hashToken(token)
	var created, seen string
	var active int
	err = c.DB.QueryRowContext(ctx, `SELECT s.csrf, s.created, s.seen, a.login, a.name, a.role, a.agency, a.active, a.created
		FROM admin_sessions s JOIN admins a ON a.login = s.login WHERE s.token_hash = ?`, s.hash).
		Scan(&s.CSRF, &created, &seen, &s.Admin.Login, &s.Admin.Name, &s.Admin.Role, &s.Admin.Agency, &active, &s.Admin.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errNoSession
	}
	if err != nil {
		return s, err
	}
	s.Admin.Active = active != 0
	now := c.Now()
	t0, err1 := time.Parse(time.RFC3339Nano, created)
	t1, err2 := time.Parse(time.RFC3339Nano, seen)
	if err1 != nil || err2 != nil || !s.Admin.Active || now.Sub(t0) >= c.absolute() || now.Sub(t1) >= c.idle() {
		c.DB.ExecContext(ctx, `DELETE FROM admin_sessions WHERE token_hash = ?`, s.hash)
		return s, errNoSession
	}
	_, err = c.DB.ExecContext(ctx, `UPDATE admin_sessions SET seen = ? WHERE token_hash = ?`, c.stamp(), s.hash)
	return s, err
}

// EndSession logs a session out.
func (c *Room) endSession(ctx context.Context, s Session) error {
	_, err := c.DB.ExecContext(ctx, `DELETE FROM admin_sessions WHERE token_hash = ?`, s.hash)
	return err
}

func setCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/admin", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// CheckCSRF says whether a posted form carries its session's token.
func (s Session) CheckCSRF(r *http.Request) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) == 1
}
