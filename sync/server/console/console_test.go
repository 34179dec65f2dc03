package console_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// clock is a test's time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	room  *console.Room
	db    *sqldb.DB
	clock *clock
	url   string
}

// open serves the console alone on b's storage, on loopback.
func open(t *testing.T, b servertest.Backend) *fixture {
	t.Helper()
	dsn, _ := b.Where(t)
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	// The people room as the platform makes it, on the same storage (its
	// people's public entries go through the platform's lists).
	srv, err := server.Open(context.Background(), dsn, server.Options{Media: t.TempDir(), KeyFile: servertest.KeyFile(dsn)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	room := &console.Room{DB: db, Now: c.Now, People: srv.People()}
	mux := http.NewServeMux()
	room.Register(mux)
	// With the platform's security headers (its CSP among them), so the
	// browser tests see the console as the platform serves it.
	h := httptest.NewServer(web.Secure(mux))
	t.Cleanup(h.Close)
	return &fixture{room: room, db: db, clock: c, url: h.URL}
}

func (f *fixture) admin(t *testing.T, login, role, agency string) {
	t.Helper()
	if err := f.room.AddAdmin(context.Background(), console.Admin{Login: login, Name: "管理员" + login, Role: role, Agency: agency}, "password-"+login); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) person(t *testing.T, id, agency string) {
	t.Helper()
	if err := f.room.People.Put(context.Background(), api.Person{ID: id, Name: "人员" + id, Agency: agency, Role: api.RoleOfficer, Active: true}); err != nil {
		t.Fatal(err)
	}
}

// browser is one administrator's cookie jar.
type browser struct {
	t    *testing.T
	f    *fixture
	http *http.Client
}

func (f *fixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type reply struct {
	status int
	code   string // X-Sanxiang-Error
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values) reply {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.f.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.send(req)
}

// send makes the request in the browser's session and reads the reply.
func (b *browser) send(req *http.Request) reply {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header.Get("X-Sanxiang-Error"), string(data), resp.Header}
}

func (b *browser) get(path string) reply { return b.do("GET", path, nil) }

func (b *browser) login(login, password string) reply {
	return b.do("POST", "/admin/login", url.Values{"login": {login}, "password": {password}})
}

// csrf reads the session's CSRF token off the home page.
func (b *browser) csrf() string {
	b.t.Helper()
	page := b.get("/admin/").body
	_, rest, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		b.t.Fatalf("no CSRF token on the home page:\n%s", page)
	}
	return rest[:strings.IndexByte(rest, '"')]
}

func (b *browser) post(path string, form url.Values) reply {
	b.t.Helper()
	form.Set("csrf", b.csrf())
	return b.do("POST", path, form)
}

func TestLogin(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		f := open(t, b)
		f.admin(t, "wang", console.RoleCity, "")
		br := f.browser(t)
		if r := br.get("/admin/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/login") {
			t.Fatalf("without a session: %d %s", r.status, r.header.Get("Location"))
		}
		if r := br.login("wang", "wrong-password"); r.status != http.StatusUnauthorized || r.code != "bad_login" {
			t.Fatalf("wrong password: %d %q", r.status, r.code)
		}
		if r := br.login("nobody", "password-wang"); r.status != http.StatusUnauthorized || r.code != "bad_login" {
			t.Fatalf("unknown login: %d %q", r.status, r.code)
		}
		r := br.login("wang", "password-wang")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/" {
			t.Fatalf("good login: %d %s %s", r.status, r.header.Get("Location"), r.body)
		}
		ck := r.header.Get("Set-Cookie")
		for _, want := range []string{console.CookieName + "=", "HttpOnly", "SameSite=Strict", "Path=/admin"} {
			if !strings.Contains(ck, want) {
				t.Errorf("cookie %q lacks %s", ck, want)
			}
		}
		if strings.Contains(ck, "Secure") {
			t.Errorf("a plain-HTTP cookie is Secure: %s", ck)
		}
		if home := br.get("/admin/"); home.status != 200 || !strings.Contains(home.body, "管理员wang") {
			t.Fatalf("home: %d\n%s", home.status, home.body)
		}
		// The session is kept by its hash only.
		var n int
		f.db.QueryRowContext(context.Background(), `SELECT count(*) FROM admin_sessions WHERE token_hash = ?`, strings.SplitN(strings.TrimPrefix(ck, console.CookieName+"="), ";", 2)[0]).Scan(&n)
		if n != 0 {
			t.Error("the session token is stored as it is")
		}
		// Logging out ends the session.
		if r := br.post("/admin/logout", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.status)
		}
		if r := br.get("/admin/"); r.status != http.StatusSeeOther {
			t.Fatalf("after logout: %d", r.status)
		}
		// A deactivated administrator cannot log in.
		if err := f.room.SetAdminActive(context.Background(), "wang", false); err != nil {
			t.Fatal(err)
		}
		if r := br.login("wang", "password-wang"); r.status != http.StatusUnauthorized {
			t.Fatalf("deactivated: %d", r.status)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	f := open(t, servertest.Backends(t)[0])
	f.admin(t, "li", console.RoleOperator, "")
	br := f.browser(t)
	for i := 0; i < console.LoginLimit; i++ {
		if r := br.login("li", "guess"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, r.status)
		}
	}
	// Now even the right password is refused, with its own code.
	if r := br.login("li", "password-li"); r.status != http.StatusTooManyRequests || r.code != "throttled" {
		t.Fatalf("after %d failures: %d %q", console.LoginLimit, r.status, r.code)
	}
	f.clock.Add(console.ThrottleWindow)
	if r := br.login("li", "password-li"); r.status != http.StatusSeeOther {
		t.Fatalf("after the window: %d %q", r.status, r.code)
	}
	// From one address, failures across many logins add up.
	f.clock.Add(console.ThrottleWindow)
	for i := 0; i < console.IPLimit; i++ {
		br.login("guess"+string(rune('a'+i)), "guess")
	}
	if r := br.login("li", "password-li"); r.status != http.StatusTooManyRequests || r.code != "throttled" {
		t.Fatalf("after %d failures from one address: %d %q", console.IPLimit, r.status, r.code)
	}
}

func TestSessionExpiry(t *testing.T) {
	f := open(t, servertest.Backends(t)[0])
	f.admin(t, "zhao", console.RoleCity, "")
	br := f.browser(t)
	br.login("zhao", "password-zhao")
	f.clock.Add(29 * time.Minute)
	if r := br.get("/admin/"); r.status != 200 {
		t.Fatalf("within the idle time: %d", r.status)
	}
	f.clock.Add(30 * time.Minute)
	if r := br.get("/admin/"); r.status != http.StatusSeeOther {
		t.Fatalf("idle past 30 minutes: %d", r.status)
	}
	// Busy all day, a session still ends after 12 hours.
	br.login("zhao", "password-zhao")
	for i := 0; i < 12*60/20-1; i++ {
		f.clock.Add(20 * time.Minute)
		if r := br.get("/admin/"); r.status != 200 {
			t.Fatalf("after %d minutes of use: %d", (i+1)*20, r.status)
		}
	}
	f.clock.Add(20 * time.Minute)
	if r := br.get("/admin/"); r.status != http.StatusSeeOther {
		t.Fatalf("12 hours on: %d", r.status)
	}
}

func TestFormsNeedTheirCSRFToken(t *testing.T) {
	f := open(t, servertest.Backends(t)[0])
	f.admin(t, "sun", console.RoleOperator, "")
	br := f.browser(t)
	br.login("sun", "password-sun")
	form := url.Values{"id": {"P9"}, "name": {"新人"}, "agency": {"01"}, "role": {"officer"}}
	for _, token := range []string{"", "forged"} {
		form.Set("csrf", token)
		r := br.do("POST", "/admin/people", form)
		if r.status != http.StatusForbidden || r.code != "csrf" || !strings.Contains(r.body, `data-code="csrf"`) {
			t.Fatalf("CSRF token %q: %d %q", token, r.status, r.code)
		}
	}
	if _, err := f.room.People.Get(context.Background(), "P9"); !errors.Is(err, people.ErrNoPerson) {
		t.Fatalf("a refused form added the person: %v", err)
	}
	if r := br.post("/admin/people", form); r.status != http.StatusSeeOther {
		t.Fatalf("with its token: %d %s", r.status, r.body)
	}
	// A browser's cross-site POST is refused before the token is looked at.
	req, _ := http.NewRequest("POST", f.url+"/admin/people", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := br.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Sanxiang-Error") != "cross_origin" {
		t.Fatalf("cross-site: %d %q", resp.StatusCode, resp.Header.Get("X-Sanxiang-Error"))
	}
}

func TestRolesAndAgencies(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		f := open(t, b)
		f.admin(t, "a01", console.RoleAgency, "01")
		f.admin(t, "city", console.RoleCity, "")
		f.admin(t, "op", console.RoleOperator, "")
		f.person(t, "P1", "01")
		f.person(t, "P2", "02")

		ag := f.browser(t)
		ag.login("a01", "password-a01")
		list := ag.get("/admin/people").body
		// By the people's links: a random CSRF token on the page may hold
		// the letters "P2" (it did, on a CI run).
		if !strings.Contains(list, `href="/admin/people/P1"`) || strings.Contains(list, `href="/admin/people/P2"`) {
			t.Fatalf("an agency administrator's people list:\n%s", list)
		}
		if r := ag.get("/admin/people?agency=02"); strings.Contains(r.body, `href="/admin/people/P2"`) {
			t.Fatal("an agency administrator listed another agency by asking")
		}
		if r := ag.get("/admin/people/P2"); r.status != http.StatusForbidden || r.code != "forbidden" {
			t.Fatalf("another agency's person: %d %q", r.status, r.code)
		}
		for _, path := range []string{"/admin/people/P2/code", "/admin/people/P2/active"} {
			if r := ag.post(path, url.Values{"active": {"0"}}); r.status != http.StatusForbidden {
				t.Fatalf("%s: %d", path, r.status)
			}
		}
		// Taking another agency's person over by posting their id is refused too.
		if r := ag.post("/admin/people", url.Values{"id": {"P2"}, "name": {"改"}, "role": {"officer"}}); r.status != http.StatusForbidden {
			t.Fatalf("overwrite another agency's person: %d", r.status)
		}
		if p, _ := f.room.People.Get(context.Background(), "P2"); p.Name != "人员P2" || p.Agency != "02" || !p.Active {
			t.Fatalf("P2 changed: %+v", p)
		}
		// A new person is the administrator's agency's, whatever the form says.
		ag.post("/admin/people", url.Values{"id": {"P3"}, "name": {"新"}, "agency": {"02"}, "role": {"staff"}})
		if p, _ := f.room.People.Get(context.Background(), "P3"); p.Agency != "01" {
			t.Fatalf("P3 = %+v", p)
		}
		if r := ag.post("/admin/people/P1/code", url.Values{}); r.status != 200 || !strings.Contains(r.body, `id="code"`) {
			t.Fatalf("own agency's code: %d", r.status)
		}
		for _, path := range []string{"/admin/admins", "/admin/tokens"} {
			if r := ag.get(path); r.status != http.StatusForbidden {
				t.Fatalf("agency administrator %s: %d", path, r.status)
			}
		}

		city := f.browser(t)
		city.login("city", "password-city")
		if r := city.get("/admin/people"); !strings.Contains(r.body, `href="/admin/people/P2"`) || !strings.Contains(r.body, `href="/admin/people/P1"`) {
			t.Fatal("the city does not see every agency")
		}
		if r := city.post("/admin/people/P2/active", url.Values{"active": {"0"}}); r.status != http.StatusForbidden {
			t.Fatalf("the city changed a person: %d", r.status)
		}
		if r := city.get("/admin/tokens"); r.status != http.StatusForbidden {
			t.Fatalf("the city opened the API tokens: %d", r.status)
		}
		op := f.browser(t)
		op.login("op", "password-op")
		if r := op.post("/admin/people/P2/active", url.Values{"active": {"0"}}); r.status != http.StatusSeeOther {
			t.Fatalf("the operator deactivating P2: %d", r.status)
		}

		// The audit log: the agency administrator sees their agency's acts only.
		alog := ag.get("/admin/audit").body
		if !strings.Contains(alog, "person.code") || strings.Contains(alog, "person.inactive") {
			t.Fatalf("the agency administrator's audit log:\n%s", alog)
		}
		if clog := city.get("/admin/audit").body; !strings.Contains(clog, "person.inactive") || !strings.Contains(clog, `id="chain"`) {
			t.Fatalf("the city's audit log:\n%s", clog)
		}
	})
}

func TestAuditChain(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		f := open(t, b)
		ctx := context.Background()
		f.admin(t, "op", console.RoleOperator, "")
		f.person(t, "P1", "01")
		br := f.browser(t)
		br.login("op", "password-op")
		br.post("/admin/people/P1/code", url.Values{})
		br.post("/admin/tokens", url.Values{"name": {"ci"}, "scope": {"catalog"}})
		br.post("/admin/tokens/ci/rotate", url.Values{})
		br.post("/admin/admins", url.Values{"login": {"a2"}, "name": {"二"}, "role": {"agency"}, "agency": {"02"}, "password": {"long-enough-1"}})
		entries, total, err := f.room.AuditLog(ctx, "", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if want := "admin.add token.rotate token.add person.code login"; strings.Join(actions, " ") != want || total != 5 {
			t.Fatalf("audit log, newest first: %q (%d), want %q", strings.Join(actions, " "), total, want)
		}
		if e := entries[4]; e.Actor != "op" || e.Role != console.RoleOperator || e.IP != "127.0.0.1" || e.Prev != "" {
			t.Fatalf("first entry: %+v", e)
		}
		if n, err := f.room.VerifyAudit(ctx); err != nil || n != 5 {
			t.Fatalf("verify: %d %v", n, err)
		}
		// The table refuses edits and deletions outright…
		if _, err := f.db.ExecContext(ctx, `UPDATE audit_log SET detail = 'x' WHERE seq = 2`); err == nil {
			t.Fatal("the audit log took an UPDATE")
		}
		if _, err := f.db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 2`); err == nil {
			t.Fatal("the audit log took a DELETE")
		}
		// …and whoever gets around that is caught by the chain.
		unguard := `DROP TRIGGER audit_log_no_update`
		if f.db.PG {
			unguard = `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`
		}
		if _, err := f.db.ExecContext(ctx, unguard); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.ExecContext(ctx, `UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		var ce *console.ChainError
		if _, err := f.room.VerifyAudit(ctx); !errors.As(err, &ce) || ce.Seq != 3 || ce.Reason != "hash" || !errors.Is(err, console.ErrAuditBroken) {
			t.Fatalf("an edited entry: %v", err)
		}
		if r := br.get("/admin/audit"); !strings.Contains(r.body, `data-code="audit_broken"`) {
			t.Fatalf("the audit page does not say the chain is broken:\n%s", r.body)
		}
		// Re-hashing the edited row does not help: the next row's link breaks.
		e3 := entries[2]
		e3.Detail = "nothing to see"
		if _, err := f.db.ExecContext(ctx, `UPDATE audit_log SET hash = ? WHERE seq = 3`, rehash(e3)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.room.VerifyAudit(ctx); !errors.As(err, &ce) || ce.Seq != 4 || ce.Reason != "prev" {
			t.Fatalf("an edited, re-hashed entry: %v", err)
		}
	})
}

// rehash is what a forger would compute for an edited entry.
func rehash(e console.Entry) string { return console.ChainHash(e) }

func TestAPITokens(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		f := open(t, b)
		ctx := context.Background()
		f.room.Configured = "bootstrap"
		if tok, err := f.room.TokenFor(ctx, "bootstrap"); err != nil || tok.Name != console.ConfiguredName || !tok.Has("people") {
			t.Fatalf("configured: %+v %v", tok, err)
		}
		secret, err := f.room.NewToken(ctx, console.Token{Name: "ci", Scopes: []string{"catalog", "people"}, Agency: "01"}, "op")
		if err != nil {
			t.Fatal(err)
		}
		if tok, err := f.room.TokenFor(ctx, secret); err != nil || !tok.Has("catalog") || tok.Has("devices") || tok.Agency != "01" {
			t.Fatalf("new token: %+v %v", tok, err)
		}
		if _, err := f.room.NewToken(ctx, console.Token{Name: "ci", Scopes: []string{"catalog"}}, "op"); !errors.Is(err, console.ErrDuplicate) {
			t.Fatalf("same name: %v", err)
		}
		if _, err := f.room.NewToken(ctx, console.Token{Name: "x", Scopes: []string{"root"}}, "op"); !errors.Is(err, console.ErrBadScope) {
			t.Fatalf("unknown scope: %v", err)
		}
		fresh, err := f.room.RotateToken(ctx, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.room.TokenFor(ctx, secret); !errors.Is(err, console.ErrBadToken) {
			t.Fatalf("the old secret after rotation: %v", err)
		}
		if _, err := f.room.TokenFor(ctx, fresh); err != nil {
			t.Fatalf("the new secret: %v", err)
		}
		if err := f.room.RevokeToken(ctx, "ci"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.room.TokenFor(ctx, fresh); !errors.Is(err, console.ErrBadToken) {
			t.Fatalf("a revoked token: %v", err)
		}
		if _, err := f.room.RotateToken(ctx, "ci"); !errors.Is(err, console.ErrNoToken) {
			t.Fatalf("rotating a revoked token: %v", err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := console.HashPassword("正确的密码 horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=") {
		t.Fatalf("not a PHC string: %s", h)
	}
	if ok, err := console.CheckPassword(h, "正确的密码 horse"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := console.CheckPassword(h, "wrong"); ok {
		t.Fatal("a wrong password matched")
	}
	if _, err := console.CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("a bcrypt hash parsed")
	}
}
