package console

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Scopes are what an API token may be allowed; every administrator route
// of the JSON API declares the one it needs.
var Scopes = []string{"catalog", "devices", "people", "supervision", "review", "audit"}

// ConfiguredName is the name the --admin-token goes by in the audit log.
const ConfiguredName = "configured"

// Token is an API token for automation (its secret is shown once, when it
// is made or rotated, and kept only as its SHA-256).
type Token struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	Agency    string   `json:"agency,omitempty"` // held to one agency's data where the route allows; "" for all
	Created   string   `json:"created"`
	CreatedBy string   `json:"created_by"`
	Rotated   string   `json:"rotated,omitempty"`
	Revoked   string   `json:"revoked,omitempty"`
}

// Has says whether the token may call a route of scope.
func (t Token) Has(scope string) bool { return slices.Contains(t.Scopes, scope) }

func newSecret() string { return "sxt_" + randomToken(32) }

// NewToken makes an API token and returns its secret.
func (c *Room) NewToken(ctx context.Context, t Token, by string) (secret string, err error) {
	defer wrap.Err(&err, "new API token %s", t.Name)
	name := strings.TrimSpace(t.Name)
	if name == "" || name == ConfiguredName || strings.ContainsAny(name, " /") {
		return "", fmt.Errorf("%w: name", ErrBadScope)
	}
	if len(t.Scopes) == 0 {
		return "", ErrBadScope
	}
	for _, s := range t.Scopes {
		if !slices.Contains(Scopes, s) {
			return "", fmt.Errorf("%w: %q", ErrBadScope, s)
		}
	}
	secret = newSecret()
	_, err = c.DB.ExecContext(ctx, `INSERT INTO api_tokens (name, token_hash, scopes, agency, created, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
		name, hashToken(secret), strings.Join(t.Scopes, " "), t.Agency, c.stamp(), by)
	if sqldb.IsUnique(err) {
		return "", ErrDuplicate
	}
	return secret, err
}

// RotateToken gives a live token a new secret; the old one stops working
// at once.
func (c *Room) RotateToken(ctx context.Context, name string) (secret string, err error) {
	defer wrap.Err(&err, "rotate API token %s", name)
	secret = newSecret()
	res, err := c.DB.ExecContext(ctx, `UPDATE api_tokens SET token_hash = ?, rotated = ? WHERE name = ? AND revoked = ''`,
		hashToken(secret), c.stamp(), name)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", ErrNoToken
	}
	return secret, nil
}

// RevokeToken stops a token for good.
func (c *Room) RevokeToken(ctx context.Context, name string) (err error) {
	defer wrap.Err(&err, "revoke API token %s", name)
	res, err := c.DB.ExecContext(ctx, `UPDATE api_tokens SET revoked = ? WHERE name = ? AND revoked = ''`, c.stamp(), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoToken
	}
	return nil
}

// Tokens lists the API tokens by name.
func (c *Room) Tokens(ctx context.Context) (_ []Token, err error) {
	defer wrap.Err(&err, "list API tokens")
	rows, err := c.DB.QueryContext(ctx, `SELECT name, scopes, agency, created, created_by, rotated, revoked FROM api_tokens ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var scopes string
		if err := rows.Scan(&t.Name, &scopes, &t.Agency, &t.Created, &t.CreatedBy, &t.Rotated, &t.Revoked); err != nil {
			return nil, err
		}
		t.Scopes = strings.Fields(scopes)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenFor returns the live token whose secret is given: the configured
// one (every scope), or one of the table's; ErrBadToken otherwise.
func (c *Room) TokenFor(ctx context.Context, secret string) (t Token, err error) {
	defer wrap.Err(&err, "API token")
	if secret == "" {
		return t, ErrBadToken
	}
	if c.Configured != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(c.Configured)) == 1 {
		return Token{Name: ConfiguredName, Scopes: Scopes}, nil
	}
	var scopes string
	err = c.DB.QueryRowContext(ctx, `SELECT name, scopes, agency, created, created_by, rotated, revoked FROM api_tokens WHERE token_hash = ?`,
		hashToken(secret)).Scan(&t.Name, &scopes, &t.Agency, &t.Created, &t.CreatedBy, &t.Rotated, &t.Revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && t.Revoked != "") {
		return Token{}, ErrBadToken
	}
	t.Scopes = strings.Fields(scopes)
	return t, err
}

type tokenKey struct{}

// WithToken is ctx carrying the API token a request was made with.
func WithToken(ctx context.Context, t Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

// TokenFrom is the API token a request was made with, if any: a route
// that can be held to one agency reads its Agency.
func TokenFrom(ctx context.Context) (Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(Token)
	return t, ok
}
