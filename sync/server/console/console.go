// Package console is the platform's room for its administrators: their
// accounts (Argon2id passwords), their browser sessions with CSRF tokens
// and login throttling, the API tokens automation uses (named, scoped,
// revocable, rotatable), the hash-chained audit log of every
// administrative act, and the web console those administrators use
// (server-rendered pages, templates embedded). The platform's router
// (package server) wires its routes and guards its own supervision pages
// and JSON administrator API with it.
package console

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// The administrators' roles.
const (
	// RoleCity is the city's legal-affairs office (市司法局): every agency,
	// read and supervise; it also manages the administrators.
	RoleCity = "city"
	// RoleAgency is one agency's administrator: its own people only.
	RoleAgency = "agency"
	// RoleOperator runs the platform: devices, API tokens, people's keys.
	RoleOperator = "operator"
)

// Roles lists the administrators' roles.
var Roles = []string{RoleCity, RoleAgency, RoleOperator}

// Errors callers branch on; each has its own stable code on the wire.
var (
	ErrBadAdmin    = errors.New("an administrator needs a login, a name, a known role, a password of 10 characters or more, and an agency exactly when the role is agency")
	ErrDuplicate   = errors.New("the name is taken")
	ErrNoAdmin     = errors.New("no such administrator")
	ErrBadLogin    = errors.New("wrong login or password")
	ErrThrottled   = errors.New("too many failed logins: try again later")
	ErrBadToken    = errors.New("unknown or revoked API token")
	ErrNoToken     = errors.New("no such API token")
	ErrBadScope    = errors.New("unknown scope")
	ErrAuditBroken = errors.New("the audit log's hash chain is broken")
)

// Room holds the administrators' tables and serves the console.
type Room struct {
	DB  *sqldb.DB
	Now func() time.Time
	Log *slog.Logger
	// People is the people room the console's people pages edit.
	People *people.Room
	// Agencies are the enforcement bodies (for the agency filters).
	Agencies func(ctx context.Context) ([]catalog.Agency, error)
	// Configured is the --admin-token: a bootstrap API token for
	// automation, named "configured", with every scope; "" for none.
	Configured string
	// Idle and Absolute bound a console session (defaults: 30 minutes
	// without a request, 12 hours in all).
	Idle, Absolute time.Duration
	// Pages are pages of other rooms the console links to and guards
	// (the supervision dashboard), by path, for the roles that may open them.
	Pages []Page
	// Decisions are the published decisions administrators may withdraw
	// (nil: the console has no decisions' pages).
	Decisions Decisions
	// Held are the publications the platform held on arrival, for
	// administrators to decide (nil: no held publications' pages).
	Held Held
	// Draws are the plans and draws of 双随机 (nil: no draws' pages).
	Draws Draws
	// Halls are the service halls and their windows (nil: no halls' pages).
	Halls Halls
	// Equipment is the equipment register (nil: no register's pages).
	Equipment Equipment

	throttle throttle
}

// Page is another room's page behind the console's session.
type Page struct {
	Pattern string // "GET /admin/supervision"
	Nav     string // translation key of its link on the home page; "" for none
	Path    string // the link's path
	Roles   []string
	// Handler serves the page; agency is the one agency the administrator
	// is held to (an agency administrator's), "" for every agency.
	Handler func(w http.ResponseWriter, r *http.Request, agency string)
}

const (
	defaultIdle     = 30 * time.Minute
	defaultAbsolute = 12 * time.Hour
)

func (c *Room) idle() time.Duration {
	if c.Idle > 0 {
		return c.Idle
	}
	return defaultIdle
}

func (c *Room) absolute() time.Duration {
	if c.Absolute > 0 {
		return c.Absolute
	}
	return defaultAbsolute
}

func (c *Room) stamp() string { return c.Now().UTC().Format(time.RFC3339Nano) }

func (c *Room) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// ClientIP is the address a request came from: the connection's peer. A
// platform started --behind-proxy sets it, for requests from its proxies
// only, to the client address the proxy put in X-Forwarded-For
// (sync/cmd/sanxiang-platform/listen.go); nobody else can name their own.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttle counts failed logins per key (a login, an address) in a
// sliding window. It is per instance: several instances behind one address
// each allow their own count.
type throttle struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

// Login throttling: LoginLimit failures for one login, or IPLimit from one
// address, within ThrottleWindow refuse further attempts until the oldest
// of them is ThrottleWindow old.
const (
	LoginLimit     = 5
	IPLimit        = 20
	ThrottleWindow = 15 * time.Minute
)

func (t *throttle) recent(key string, now time.Time) []time.Time {
	l := t.fails[key]
	i := 0
	for i < len(l) && now.Sub(l[i]) >= ThrottleWindow {
		i++
	}
	l = l[i:]
	if len(l) == 0 {
		delete(t.fails, key)
	} else {
		t.fails[key] = l
	}
	return l
}

func (t *throttle) blocked(now time.Time, limits map[string]int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil {
		t.fails = map[string][]time.Time{}
	}
	for k, n := range limits {
		if len(t.recent(k, now)) >= n {
			return true
		}
	}
	return false
}

func (t *throttle) fail(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil {
		t.fails = map[string][]time.Time{}
	}
	for _, k := range keys {
		t.fails[k] = append(t.recent(k, now), now)
	}
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

func hasRole(roles []string, role string) bool {
	return len(roles) == 0 || slices.Contains(roles, role)
}
