package console

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Every page is templates/layout.html around its own file; every word on
// them is a translation key, looked up with L.
var templates = sync.OnceValue(func() map[string]*template.Template {
	funcs := template.FuncMap{
		"L": func(key string, kv ...any) string {
			if len(kv) == 0 {
				return words.L(key)
			}
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return words.L(key, m)
		},
		// when shows a stored RFC 3339 time in the platform's zone, to the second.
		"when": func(at string) string {
			t, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				return at
			}
			return t.Local().Format(time.DateTime)
		},
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html"))
	names, _ := templateFiles.ReadDir("templates")
	out := map[string]*template.Template{}
	for _, n := range names {
		if n.Name() == "layout.html" {
			continue
		}
		out[strings.TrimSuffix(n.Name(), ".html")] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+n.Name()))
	}
	return out
})

// view is what every page template gets.
type view struct {
	Title   string // translation key
	Me      *Admin
	CSRF    string
	Nav     []link
	Error   string // translation key of what went wrong
	Code    string // its stable code, for programs and tests
	Detail  string // what the message names (a time, a row), shown after it
	Notice  string // translation key of what was done
	Data    any
	Roles   []string
	Scopes  []string
	Agencys []agencyOption
}

type link struct{ Path, Key string }

type agencyOption struct{ Code, Name string }

// Role sets of the console's pages.
var (
	everyone    = []string{RoleCity, RoleAgency, RoleOperator}
	peopleWrite = []string{RoleAgency, RoleOperator}
	adminRoles  = []string{RoleCity, RoleOperator}
	tokenRoles  = []string{RoleOperator}
)

func (c *Room) nav(s *Session) []link {
	if s == nil {
		return nil
	}
	r := s.Admin.Role
	var out []link
	out = append(out, link{"/admin/", "platform.console.home"}, link{"/admin/people", "platform.console.people"})
	for _, p := range c.Pages {
		if p.Nav != "" && hasRole(p.Roles, r) {
			out = append(out, link{p.Path, p.Nav})
		}
	}
	if c.Decisions != nil && hasRole(decisionRoles, r) {
		out = append(out, link{"/admin/decisions", "platform.console.decisions"})
	}
	if c.Held != nil && hasRole(decisionRoles, r) {
		out = append(out, link{"/admin/held", "platform.console.held_list"})
	}
	if c.Draws != nil && hasRole(drawRoles, r) {
		out = append(out, link{"/admin/draws", "platform.console.draws"})
	}
	if hasRole(ratingRoles, r) {
		out = append(out, link{"/admin/ratings", "platform.console.ratings"})
	}
	if hasRole(noticeReaders, r) {
		out = append(out, link{"/admin/notices", "platform.console.notices"})
	}
	if c.Halls != nil && hasRole(hallRoles, r) {
		out = append(out, link{"/admin/halls", "platform.console.halls"})
	}
	if c.Equipment != nil && hasRole(equipmentRoles, r) {
		out = append(out, link{"/admin/equipment", "platform.console.equipment"})
	}
	if hasRole(adminRoles, r) {
		out = append(out, link{"/admin/admins", "platform.console.admins"})
	}
	if hasRole(tokenRoles, r) {
		out = append(out, link{"/admin/tokens", "platform.console.tokens"})
	}
	return append(out, link{"/admin/audit", "platform.console.audit"})
}

func (c *Room) view(ctx context.Context, s *Session, title string) view {
	v := view{Title: title, Roles: Roles, Scopes: Scopes, Nav: c.nav(s)}
	if s != nil {
		v.Me, v.CSRF = &s.Admin, s.CSRF
	}
	if c.Agencies != nil {
		if as, err := c.Agencies(ctx); err == nil {
			for _, a := range as {
				v.Agencys = append(v.Agencys, agencyOption{a.Code, a.Name})
			}
		}
	}
	return v
}

func (c *Room) render(w http.ResponseWriter, status int, name string, v view) {
	t := templates()[name]
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	if v.Code != "" {
		h.Set("X-Sanxiang-Error", v.Code)
	}
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout.html", v); err != nil {
		c.log().Error("console page", "page", name, "err", err)
	}
}

// fail answers with the console's error page: a stable code and the
// translated message of platform.console.error.<code>.
func (c *Room) fail(w http.ResponseWriter, r *http.Request, s *Session, status int, code string) {
	v := c.view(r.Context(), s, "platform.console.error")
	v.Code, v.Error = code, "platform.console.error."+code
	c.render(w, status, "error", v)
}

// internal answers with the console's internal error page: the page
// names an error ID, the log carries err in full under that ID, so an
// administrator who reports the ID can be answered (as the API's
// web.Internal does).
func (c *Room) internal(w http.ResponseWriter, r *http.Request, s *Session, err error) {
	id := web.NewErrorID()
	c.log().Error("console", "path", r.URL.Path, "error_id", id, "err", err)
	v := c.view(r.Context(), s, "platform.console.error")
	v.Code, v.Error = "internal", "platform.console.error.internal"
	v.Detail = words.L("platform.console.error_id", map[string]any{"ID": id})
	w.Header().Set("X-Sanxiang-Error-ID", id)
	c.render(w, http.StatusInternalServerError, "error", v)
}

// act writes an administrator's act to the audit log.
func (c *Room) act(r *http.Request, s *Session, agency, action, object, detail string) {
	e := Entry{Actor: s.Admin.Login, Role: s.Admin.Role, Agency: agency, Action: action, Object: object, Detail: detail, IP: ClientIP(r)}
	if e.Agency == "" && s.Admin.Role == RoleAgency {
		e.Agency = s.Admin.Agency
	}
	if err := c.Audit(r.Context(), e); err != nil {
		c.log().Error("audit entry not written", "action", action, "err", err)
	}
}

// cop refuses cross-origin browser requests that change state (Go's
// Sec-Fetch-Site and Origin check), before the CSRF token is looked at.
func (c *Room) crossOrigin(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, http.StatusForbidden, "cross_origin")
	}))
	return cop.Handler(h)
}

// Guard serves h to a live session of one of roles (every role if none):
// without a session a page redirects to the login and a form is refused;
// a form (POST) must carry its session's CSRF token.
func (c *Room) Guard(roles []string, h func(http.ResponseWriter, *http.Request, *Session)) http.Handler {
	return c.crossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var token string
		if ck, err := r.Cookie(CookieName); err == nil {
			token = ck.Value
		}
		s, err := c.session(r.Context(), token)
		if errors.Is(err, errNoSession) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, r, nil, http.StatusUnauthorized, "unauthorized")
			return
		}
		if err != nil {
			c.internal(w, r, nil, err)
			return
		}
		if r.Method == http.MethodPost && !s.CheckCSRF(r) {
			c.fail(w, r, &s, http.StatusForbidden, "csrf")
			return
		}
		if !hasRole(roles, s.Admin.Role) {
			c.fail(w, r, &s, http.StatusForbidden, "forbidden")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, &s)), &s)
	}))
}

type sessionKey struct{}

// SessionOf is the console session a guarded page runs in (GuardPage's
// handlers get only the agency): false outside Guard.
func SessionOf(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*Session)
	return s, ok
}

// GuardPage guards another room's page with the session and tells it the
// agency the administrator is held to.
func (c *Room) GuardPage(roles []string, h func(w http.ResponseWriter, r *http.Request, agency string)) http.Handler {
	return c.Guard(roles, func(w http.ResponseWriter, r *http.Request, s *Session) { h(w, r, s.Scope()) })
}

// Register adds the console's routes (and the pages it guards) to mux.
func (c *Room) Register(mux *http.ServeMux) {
	mux.Handle("GET /admin/login", c.crossOrigin(http.HandlerFunc(c.loginPage)))
	mux.Handle("POST /admin/login", c.crossOrigin(http.HandlerFunc(c.login)))
	mux.Handle("POST /admin/logout", c.Guard(everyone, c.logout))
	mux.Handle("GET /admin/{$}", c.Guard(everyone, c.home))
	mux.Handle("GET /admin/admins", c.Guard(adminRoles, c.adminsPage))
	mux.Handle("POST /admin/admins", c.Guard(adminRoles, c.addAdmin))
	mux.Handle("POST /admin/admins/{login}/active", c.Guard(adminRoles, c.setAdminActive))
	mux.Handle("GET /admin/tokens", c.Guard(tokenRoles, c.tokensPage))
	mux.Handle("POST /admin/tokens", c.Guard(tokenRoles, c.newToken))
	mux.Handle("POST /admin/tokens/{name}/revoke", c.Guard(tokenRoles, c.revokeToken))
	mux.Handle("POST /admin/tokens/{name}/rotate", c.Guard(tokenRoles, c.rotateToken))
	mux.Handle("GET /admin/audit", c.Guard(everyone, c.auditPage))
	mux.Handle("GET /admin/people", c.Guard(everyone, c.peoplePage))
	mux.Handle("GET /admin/people/new", c.Guard(peopleWrite, c.newPersonPage))
	mux.Handle("POST /admin/people", c.Guard(peopleWrite, c.putPerson))
	mux.Handle("GET /admin/people/{id}", c.Guard(everyone, c.personPage))
	mux.Handle("POST /admin/people/{id}/active", c.Guard(peopleWrite, c.setPersonActive))
	mux.Handle("POST /admin/people/{id}/code", c.Guard(peopleWrite, c.activationCode))
	mux.Handle("POST /admin/people/{id}/keys/revoke", c.Guard(peopleWrite, c.revokeKey))
	mux.Handle("POST /admin/people/{id}/photo", c.Guard(photoWrite, c.uploadPhoto))
	mux.Handle("GET /admin/people/import", c.Guard(peopleWrite, c.importPage))
	mux.Handle("POST /admin/people/import", c.Guard(peopleWrite, c.importPeople))
	mux.Handle("POST /admin/people/codes", c.Guard(peopleWrite, c.issueCodes))
	if c.Decisions != nil {
		mux.Handle("GET /admin/decisions", c.Guard(decisionRoles, c.decisionsPage))
		mux.Handle("GET /admin/decisions/{id}", c.Guard(decisionRoles, c.decisionPage))
		mux.Handle("POST /admin/decisions/{id}/withdraw", c.Guard(decisionRoles, c.withdrawDecision))
	}
	if c.Held != nil {
		mux.Handle("GET /admin/held", c.Guard(decisionRoles, c.heldListPage))
		mux.Handle("GET /admin/held/{id}", c.Guard(decisionRoles, c.heldPage))
		mux.Handle("POST /admin/held/{id}/decide", c.Guard(decisionRoles, c.decideHeld))
	}
	if c.Draws != nil {
		c.drawRoutes(mux)
	}
	c.ratingRoutes(mux)
	c.noticeRoutes(mux) // 通报 → 整改 → 复查 (noticepages.go)
	if c.Halls != nil {
		c.hallRoutes(mux)
	}
	if c.Equipment != nil {
		c.equipmentRoutes(mux)
	}
	for _, p := range c.Pages {
		mux.Handle(p.Pattern, c.GuardPage(p.Roles, p.Handler))
	}
}

func (c *Room) loginPage(w http.ResponseWriter, r *http.Request) {
	v := c.view(r.Context(), nil, "platform.console.login")
	v.Data = map[string]string{"Next": r.URL.Query().Get("next"), "Login": ""}
	c.render(w, http.StatusOK, "login", v)
}

func (c *Room) login(w http.ResponseWriter, r *http.Request) {
	login, pw, next := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password"), r.PostFormValue("next")
	ip := ClientIP(r)
	a, err := c.Login(r.Context(), login, pw, ip)
	if err != nil {
		v := c.view(r.Context(), nil, "platform.console.login")
		v.Data = map[string]string{"Next": next, "Login": login}
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrThrottled):
			status, v.Code = http.StatusTooManyRequests, "throttled"
		case errors.Is(err, ErrBadLogin):
			status, v.Code = http.StatusUnauthorized, "bad_login"
		default:
			c.log().Error("console login", "err", err)
			v.Code = "internal"
		}
		v.Error = "platform.console.error." + v.Code
		if err := c.Audit(r.Context(), Entry{Actor: login, Action: "login.refused", Detail: v.Code, IP: ip}); err != nil {
			c.log().Error("audit entry not written", "action", "login.refused", "err", err)
		}
		c.render(w, status, "login", v)
		return
	}
	token, err := c.NewSession(r.Context(), a.Login)
	if err != nil {
		c.internal(w, r, nil, err)
		return
	}
	setCookie(w, r, token, int(c.absolute().Seconds()))
	c.act(r, &Session{Admin: a}, "", "login", a.Login, "")
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		next = "/admin/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Room) logout(w http.ResponseWriter, r *http.Request, s *Session) {
	if err := c.endSession(r.Context(), *s); err != nil {
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, "", "logout", s.Admin.Login, "")
	setCookie(w, r, "", -1)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

func (c *Room) home(w http.ResponseWriter, r *http.Request, s *Session) {
	c.render(w, http.StatusOK, "home", c.view(r.Context(), s, "platform.console.home"))
}

func (c *Room) adminsPage(w http.ResponseWriter, r *http.Request, s *Session) {
	c.showAdmins(w, r, s, http.StatusOK, "", "")
}

func (c *Room) showAdmins(w http.ResponseWriter, r *http.Request, s *Session, status int, code, notice string) {
	list, err := c.Admins(r.Context())
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.admins")
	v.Data, v.Notice = list, notice
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	c.render(w, status, "admins", v)
}

func (c *Room) addAdmin(w http.ResponseWriter, r *http.Request, s *Session) {
	a := Admin{Login: strings.TrimSpace(r.PostFormValue("login")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: r.PostFormValue("role"), Agency: strings.TrimSpace(r.PostFormValue("agency"))}
	if a.Role != RoleAgency {
		a.Agency = ""
	}
	err := c.AddAdmin(r.Context(), a, r.PostFormValue("password"))
	switch {
	case errors.Is(err, ErrBadAdmin):
		c.showAdmins(w, r, s, http.StatusUnprocessableEntity, "bad_admin", "")
	case errors.Is(err, ErrDuplicate):
		c.showAdmins(w, r, s, http.StatusConflict, "duplicate", "")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, a.Agency, "admin.add", a.Login, a.Role)
		http.Redirect(w, r, "/admin/admins", http.StatusSeeOther)
	}
}

func (c *Room) setAdminActive(w http.ResponseWriter, r *http.Request, s *Session) {
	login, active := r.PathValue("login"), r.PostFormValue("active") == "1"
	if login == s.Admin.Login && !active {
		c.showAdmins(w, r, s, http.StatusConflict, "self", "")
		return
	}
	err := c.SetAdminActive(r.Context(), login, active)
	switch {
	case errors.Is(err, ErrNoAdmin):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, "", "admin.active", login, strconv.FormatBool(active))
		http.Redirect(w, r, "/admin/admins", http.StatusSeeOther)
	}
}

func (c *Room) tokensPage(w http.ResponseWriter, r *http.Request, s *Session) {
	c.showTokens(w, r, s, http.StatusOK, "")
}

func (c *Room) showTokens(w http.ResponseWriter, r *http.Request, s *Session, status int, code string) {
	list, err := c.Tokens(r.Context())
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.tokens")
	v.Data = list
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	c.render(w, status, "tokens", v)
}

// showSecret shows a token's secret, once.
func (c *Room) showSecret(w http.ResponseWriter, r *http.Request, s *Session, name, secret string) {
	v := c.view(r.Context(), s, "platform.console.token_secret")
	v.Data = map[string]string{"Name": name, "Secret": secret}
	c.render(w, http.StatusOK, "secret", v)
}

func (c *Room) newToken(w http.ResponseWriter, r *http.Request, s *Session) {
	r.ParseForm()
	t := Token{Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: r.PostForm["scope"], Agency: strings.TrimSpace(r.PostFormValue("agency"))}
	secret, err := c.NewToken(r.Context(), t, s.Admin.Login)
	switch {
	case errors.Is(err, ErrBadScope):
		c.showTokens(w, r, s, http.StatusUnprocessableEntity, "bad_token")
	case errors.Is(err, ErrDuplicate):
		c.showTokens(w, r, s, http.StatusConflict, "duplicate")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, t.Agency, "token.add", t.Name, strings.Join(t.Scopes, " "))
		c.showSecret(w, r, s, t.Name, secret)
	}
}

func (c *Room) revokeToken(w http.ResponseWriter, r *http.Request, s *Session) {
	name := r.PathValue("name")
	err := c.RevokeToken(r.Context(), name)
	switch {
	case errors.Is(err, ErrNoToken):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, "", "token.revoke", name, "")
		http.Redirect(w, r, "/admin/tokens", http.StatusSeeOther)
	}
}

func (c *Room) rotateToken(w http.ResponseWriter, r *http.Request, s *Session) {
	name := r.PathValue("name")
	secret, err := c.RotateToken(r.Context(), name)
	switch {
	case errors.Is(err, ErrNoToken):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, "", "token.rotate", name, "")
		c.showSecret(w, r, s, name, secret)
	}
}

// AuditPageSize is how many entries one page of the audit log shows.
const AuditPageSize = 50

type auditView struct {
	Entries          []Entry
	Page, Pages      int
	Prev, Next       int
	Verified         bool
	Checked, Total   int64
	Broken           string
	ShowVerification bool
}

func (c *Room) auditPage(w http.ResponseWriter, r *http.Request, s *Session) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	agency := ""
	if s.Admin.Role == RoleAgency {
		agency = s.Admin.Agency
	}
	list, total, err := c.AuditLog(r.Context(), agency, (page-1)*AuditPageSize, AuditPageSize)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	av := auditView{Entries: list, Page: page, Pages: max(1, (total+AuditPageSize-1)/AuditPageSize), Total: int64(total)}
	if page > 1 {
		av.Prev = page - 1
	}
	if page < av.Pages {
		av.Next = page + 1
	}
	if agency == "" {
		av.ShowVerification = true
		n, err := c.VerifyAudit(r.Context())
		var ce *ChainError
		switch {
		case errors.As(err, &ce):
			av.Broken = strconv.FormatInt(ce.Seq, 10)
		case err != nil:
			c.internal(w, r, s, err)
			return
		default:
			av.Verified = true
		}
		av.Checked = n
	}
	v := c.view(r.Context(), s, "platform.console.audit")
	v.Data = av
	c.render(w, http.StatusOK, "audit", v)
}
