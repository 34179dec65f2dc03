// Package server is the reference central platform: devices enrol with a
// one-time code and push their record logs, which are verified on arrival
// and answered with receipts the platform signs; kiosks pull the public
// lists as a change feed; citizens' phones open the public pages behind the
// kiosks' QR codes. Storage is a SQLite file through app/store, or PostgreSQL
// with media in S3 for several instances. No Fyne, no cgo.
//
// This package is the router: Server, its routes, Options, Open and Close,
// device authentication, the API tokens' scopes, and the administrator's API
// (the public lists, review settings, draws, A/V lists, calendar). Its
// rooms each have a package:
//
//   - intake: pushes, their verification and receipts, the follow-up owed
//     after them (review checks, publication), the case index;
//   - pages: the public pages and the supervisor's dashboards;
//   - console: the administrators (accounts, sessions, API tokens, the
//     audit log) and their web console, which guards the dashboards;
//   - media: evidence uploads (tus) and their folder or S3 store;
//   - sqldb: SQLite and PostgreSQL, the dialect's differences, migrations;
//   - supervise: the supervision rules and statistics;
//   - words and web: the platform's words (assets/translations) and its
//     HTTP replies;
//   - demoload: the demo city, the only one to read app/demo.
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/apidoc"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/evidence"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/media"
	"github.com/sanxiang-desk/sanxiang/sync/server/pages"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Server is one platform instance.
type Server struct {
	db       *sqldb.DB
	search   listSearch // the public lists in the kiosk's search index (search.go)
	signer   note.Signer
	verifier string
	now      func() time.Time
	log      *slog.Logger
	media    *media.Room
	seen     *lastSeen // when devices were last seen, written every half minute
	avList   []casefile.AVRequirement
	intake   *intake.Intake
	pages    *pages.Room
	evidence *evidence.Room
	people   *people.Room
	console  *console.Room
	pin      tlsPin
	cors     []string // the origins whose pages may call the API (Options.CORSOrigins)
	key      keyInfo  // where the receipt key came from (platformkey.go)
	lock     *os.File // a serving instance's lock on its SQLite file
	// drawLoop's stop and its end.
	drawsStop, drawsDone chan struct{}
	drawsOnce            sync.Once
	// OnCosigned is called after each cosigned checkpoint is kept, with the
	// exact signed-note bytes (issue 25's contract with time-stamping);
	// nil: nothing is. Set it before the first push.
	OnCosigned  func(ctx context.Context, device string, size int64, note []byte)
	stamps      *stamps.Stamps                // RFC 3161 time-stamps (timestamps.go)
	stampsReady atomic.Pointer[stamps.Stamps] // stamps, for the intake's hooks (stampNote)
}

// Options configure a server.
type Options struct {
	// AdminToken is a bootstrap API token for automation: it is named
	// "configured" in the audit log and has every scope. Programs should
	// get their own scoped tokens (console or "sanxiang-platform admin
	// token add"); people log in to the console with their own accounts.
	// Empty: only the tokens the platform made.
	AdminToken string
	Logger     *slog.Logger
	// Media holds uploaded evidence by content: a folder, or an S3 bucket
	// as s3://KEY:SECRET@HOST/BUCKET (s3+http:// without TLS). Default: a
	// folder "media" beside a SQLite database; PostgreSQL needs it given.
	Media string
	// KeyFile holds the platform's receipt key, readable by its owner
	// only (refused otherwise); made on a new platform, and where a key
	// still in the database moves to. Default: DefaultKeyFile.
	KeyFile string
	// Key is the receipt key itself (from SANXIANG_PLATFORM_KEY); it
	// wins over KeyFile.
	Key string
	// Exclusive: this is the instance that serves; on SQLite it takes a
	// lock beside the file, and a second serving instance is refused
	// (ErrSecondInstance). The administrator's commands leave it false.
	Exclusive bool
	// Uploads bounds evidence uploads: the largest file, each device's
	// quota of unfinished uploads, how long one is kept (zero: defaults).
	Uploads media.Limits
	// Now is the platform's clock (nil: time.Now): receipts sign it and
	// records' arrivals are stamped with it. Tests inject one.
	Now func() time.Time
	// Clock is how far a record's own time may be from the platform's
	// before it is flagged (intake.ClockPolicy; zero fields: defaults).
	Clock intake.ClockPolicy
	// CORSOrigins are the web origins (https://app.example.gov.cn) whose
	// pages may call the device and administrator API from a browser with
	// a bearer token; a malformed one is refused by Open. The public reads
	// are open to every origin, the console to none (corsReach).
	CORSOrigins []string
	// Witnesses is the witness policy (app/witness): who is asked to
	// cosign each device checkpoint and how many must (nil: none).
	Witnesses *witness.Policy
	// WitnessRetry is how often witnesses that lag are asked again (zero:
	// 30 s).
	WitnessRetry time.Duration
	// Timestamps is the RFC 3161 time-stamping authority each receipt is
	// stamped by, and the roots its tokens are checked against (no URL:
	// nothing is stamped).
	Timestamps stamps.Config
}

// Open opens (creating if needed) the platform database at path and makes
// the platform's signing key on first use.
func Open(ctx context.Context, path string, o Options) (*Server, error) {
	// A malformed origin is refused before anything is opened.
	origins, err := parseOrigins(o.CORSOrigins)
	if err != nil {
		return nil, fmt.Errorf("open platform: %w", err)
	}
	// A serving instance locks a SQLite file before it even migrates it.
	var lock *os.File
	if o.Exclusive && !sqldb.IsPostgres(path) {
		if lock, err = lockInstance(path); err != nil {
			return nil, fmt.Errorf("open platform: %w", err)
		}
	}
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, fmt.Errorf("open platform: %w", err)
	}
	s := &Server{db: db, now: time.Now, log: o.Logger, lock: lock, cors: origins}
	if o.Now != nil {
		s.now = o.Now
	}
	s.people = &people.Room{DB: db, Now: func() time.Time { return s.now() }, Lists: peopleLists{}}
	where := o.Media
	if where == "" {
		if db.PG {
			s.closeOpening()
			return nil, errors.New("open platform: a PostgreSQL database needs --media (a folder every instance shares, or s3://…)")
		}
		where = filepath.Join(filepath.Dir(path), "media")
	}
	if s.media, err = media.Open(ctx, where); err != nil {
		s.closeOpening()
		return nil, fmt.Errorf("open platform: %w", err)
	}
	if s.log == nil {
		s.log = slog.Default()
	} else {
		web.SetLogger(s.log) // where 500s are logged under their error IDs
	}
	if s.key, err = s.loadKey(ctx, path, o); err != nil {
		s.closeOpening()
		return nil, err
	}
	s.verifier = s.key.verifier
	if s.signer, err = note.NewSigner(s.key.signer); err != nil {
		s.closeOpening()
		return nil, fmt.Errorf("platform key: %w", err)
	}
	s.media.DB, s.media.Signer, s.media.Now = db, s.signer, func() time.Time { return s.now() }
	s.media.Logger = s.log
	s.media.SetLimits(o.Uploads)
	if err := words.Check(); err != nil {
		s.closeOpening()
		return nil, fmt.Errorf("open platform: %w", err)
	}
	// The bundled audio/video requirement list (音像记录事项清单) holds until
	// an administrator sets the platform's (SetAVLists).
	if err := json.Unmarshal(assets.AVBaseline, &s.avList); err != nil {
		s.closeOpening()
		return nil, fmt.Errorf("open platform: bundled A/V list: %w", err)
	}
	// Follow-up owed from before (a failure, or a stop between a push and
	// its follow-up) is done now and retried while the platform runs.
	s.intake, err = intake.Open(ctx, intake.Config{DB: db, Signer: s.signer, Now: func() time.Time { return s.now() }, Log: s.log,
		Lists: lists{s}, Review: s.reviewService, Procedures: s.ProcedureSet, People: s.people, Officer: s.officerEntry, Clock: o.Clock,
		Tasks: drawTasks{s}, Witnessing: s.witnessing(o), OnReceipt: s.stampNote("receipt")})
	if err != nil {
		s.closeOpening()
		return nil, fmt.Errorf("open platform: %w", err)
	}
	s.media.Alert = s.intake.Alert
	s.stamps = stamps.Open(db, o.Timestamps, func() time.Time { return s.now() }, s.log, s.intake.Alert)
	s.stampsReady.Store(s.stamps)
	s.seen = newLastSeen(db, s.log)
	s.pages = &pages.Room{DB: db, Now: func() time.Time { return s.now() }, Supervision: s.SupervisionOf, Appraisal: s.AppraisalOf, Rules: s.superviseRules,
		CaseAt: s.intake.JudgedCaseAt, Item: s.Item, Draw: s.drawPage, Plan: s.planPage, Plans: s.planPages, Agencies: s.Agencies,
		Withdrawn: s.Withdrawn, Procedures: s.ProcedureSet, ReviewRules: s.reviewRules, Search: s.SearchListsPage, HeldRoot: s.intake.HeldRoot}
	// The supervision dashboards: the city's office sees every agency, an
	// agency administrator their own agency's cases (another's is not found).
	supervisors := []string{console.RoleCity, console.RoleAgency}
	s.console = &console.Room{DB: db, Now: func() time.Time { return s.now() }, Log: s.log, People: s.people,
		Agencies: s.Agencies, Configured: o.AdminToken, Decisions: decisionDesk{s}, Held: heldDesk{s}, Draws: drawDesk{s}, Halls: hallDesk{s}, Equipment: equipmentDesk{s}, Pages: []console.Page{
			{Pattern: "GET /admin/supervision", Nav: "platform.console.supervision", Path: "/admin/supervision", Roles: supervisors, Handler: s.pages.SupervisionPage},
			{Pattern: "GET /admin/cases/{device}/{case}", Roles: supervisors, Handler: s.pages.SupervisionCase},
			{Pattern: "GET /admin/appraisal", Nav: "platform.console.appraisal", Path: "/admin/appraisal", Roles: supervisors, Handler: s.pages.AppraisalPage},
		}}
	s.evidence = &evidence.Room{DB: db, Now: func() time.Time { return s.now() }, Open: s.media.Open, CaseAt: s.intake.JudgedCaseAt, Console: s.console}
	s.pages.Evidence = s.evidence.Section
	s.drawsStop, s.drawsDone = make(chan struct{}), make(chan struct{})
	go s.drawLoop(time.Minute)
	return s, nil
}

// drawLoop makes each planned draw at its time, every interval, until
// Close (a reader of the plans makes one due earlier).
func (s *Server) drawLoop(interval time.Duration) {
	defer close(s.drawsDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.drawsStop:
			return
		case <-t.C:
			if err := s.DrawDue(context.Background()); err != nil {
				s.log.Error("planned draws due", "err", err)
			}
		}
	}
}

// Close stops the platform's background work and closes the database.
func (s *Server) Close() error {
	s.drawsOnce.Do(func() {
		close(s.drawsStop)
		<-s.drawsDone
	})
	s.stamps.Close()
	s.intake.Close()
	err := errors.Join(s.seen.close(), s.evidence.Close(), s.media.Close(), s.search.close(), s.db.Close())
	if s.lock != nil {
		s.lock.Close()
	}
	return err
}

// closeOpening undoes an Open that failed after the lock was taken.
func (s *Server) closeOpening() {
	if s.media != nil {
		s.media.Close()
	}
	s.db.Close()
	if s.lock != nil {
		s.lock.Close()
	}
}

// officerEntry is an officer's entry in the public list.
func (s *Server) officerEntry(ctx context.Context, certNo string) (*catalog.Officer, bool) {
	m, err := s.Item(ctx, catalog.KindOfficer, certNo)
	if err != nil {
		return nil, false
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, false
	}
	var o catalog.Officer
	if json.Unmarshal(data, &o) != nil {
		return nil, false
	}
	return &o, true
}

// Console is the administrators' room: accounts, sessions, API tokens,
// the audit log and the web console.
func (s *Server) Console() *console.Room { return s.console }

// AddAdmin creates an administrator's account (the first one on a fresh
// platform, from the command line) and writes it to the audit log as done
// by "by".
func (s *Server) AddAdmin(ctx context.Context, a console.Admin, password, by string) error {
	if err := s.console.AddAdmin(ctx, a, password); err != nil {
		return err
	}
	return s.console.Audit(ctx, console.Entry{Actor: by, Agency: a.Agency, Action: "admin.add", Object: a.Login, Detail: a.Role})
}

// HallLog is who served at which window, and which administrator left or
// quit which kiosk, when: the hall records kiosks and windows pushed,
// signed by those people; device "" for every device.
func (s *Server) HallLog(ctx context.Context, device string) ([]intake.HallEntry, error) {
	return s.intake.HallLog(ctx, device)
}

// People is the city's people, their activation codes and keys.
func (s *Server) People() *people.Room { return s.people }

// PlatformKey verifies the receipts this platform signs.
func (s *Server) PlatformKey() string { return s.verifier }

// Handler is the platform's HTTP interface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	if uploads, err := s.media.Handler(); err != nil {
		s.log.Error("media uploads disabled", "err", err)
	} else {
		// Uploads are a device's own calls; the device id travels to the hooks.
		mux.Handle(api.PathMedia, s.officer(func(w http.ResponseWriter, r *http.Request, d Device) {
			r.Header.Set("X-Sanxiang-Device", d.ID)
			uploads.ServeHTTP(w, r)
		}))
	}
	mux.HandleFunc("GET "+api.PathMediaSHA+"{sha}", s.officer(func(w http.ResponseWriter, r *http.Request, _ Device) { s.media.Status(w, r) }))
	mux.HandleFunc("GET "+api.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		if err := s.db.PingContext(r.Context()); err != nil {
			web.Problem(w, r, http.StatusServiceUnavailable, "unavailable", words.M("platform.db_unavailable"), err.Error())
			return
		}
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET "+api.PathPubKey, s.keySet)
	// The contract: the OpenAPI document and its reference page.
	mux.HandleFunc("GET "+apidoc.PathDocument, apidoc.Document)
	mux.HandleFunc("GET "+apidoc.PathReference, apidoc.Reference)
	mux.HandleFunc("POST "+api.PathEnrol, s.enrol)
	// Any device pushes its log: an officer's its cases, a kiosk or a
	// window only its hall records (the intake refuses anything else with
	// wrong_kind, and alerts).
	mux.HandleFunc("POST "+api.PathPush, s.device(s.intake.ServePush))
	mux.HandleFunc("POST "+api.PathCheckpoint, s.device(s.intake.ServeCheckpoint))
	mux.HandleFunc("GET "+api.PathTimestamps, s.device(s.serveTimestamps))
	// Which windows serve now: any enrolled device may ask (a paused
	// window's display names the nearest open one).
	mux.HandleFunc("GET "+api.PathOpenWindows, s.device(func(w http.ResponseWriter, r *http.Request, _ Device) {
		out, err := s.intake.OpenWindows(r.Context())
		web.Respond(w, r, out, err)
	}))
	mux.HandleFunc("GET "+api.PathChanges, s.changes)
	// Every administrator route names the scope an API token needs for it.
	mux.HandleFunc("POST "+api.PathCodes, s.admin("devices", s.newCode))
	mux.HandleFunc("POST "+api.PathImport, s.admin("catalog", s.importCSV))
	mux.HandleFunc("GET "+api.PathDevices, s.admin("devices", s.listDevices))
	mux.HandleFunc("POST "+api.PathDevices+"/{id}/revoke", s.admin("devices", s.revoke))
	mux.HandleFunc("PUT "+api.PathItems+"{kind}/{id}", s.admin("catalog", s.putItem))
	mux.HandleFunc("DELETE "+api.PathItems+"{kind}/{id}", s.admin("catalog", s.deleteItem))
	mux.HandleFunc("POST "+api.PathDecisions+"{id}/withdraw", s.admin("catalog", s.withdrawDecision))
	mux.HandleFunc("GET "+api.PathAlerts, s.admin("supervision", s.listAlerts))
	mux.HandleFunc("GET "+api.PathSupervision, s.admin("supervision", s.supervisionJSON))
	mux.HandleFunc("GET "+api.PathEquipment, s.admin("supervision", s.equipmentJSON))
	mux.HandleFunc("GET "+api.PathAppraisal, s.admin("supervision", s.appraisalJSON))
	s.ratingRoutes(mux) // 好差评 (ratingapi.go)
	s.noticeRoutes(mux) // 通报 → 整改 → 复查 (noticeapi.go)
	mux.HandleFunc("GET "+api.PathAudit, s.admin("audit", s.auditJSON))
	s.peopleRoutes(mux)
	s.photoRoutes(mux)
	s.hallRoutes(mux)
	// The console: login, administrators, API tokens, people, the audit
	// log, and the supervision dashboards behind its session.
	s.console.Register(mux)
	s.evidence.Register(mux) // a case's evidence, behind the console's session
	mux.HandleFunc("GET /p/reports/{$}", s.pages.PublicReports)
	mux.HandleFunc("GET /p/reports/{year}", s.pages.PublicReport)
	mux.HandleFunc("GET "+api.PathPolicies, s.officer(s.policies))
	mux.HandleFunc("GET "+api.PathQueue, s.officer(s.reviewQueue))
	mux.HandleFunc("GET "+api.PathHandovers, s.officer(s.handovers))
	mux.HandleFunc("GET "+api.PathTasks+"{$}", s.officer(s.tasks))
	mux.HandleFunc("POST "+api.PathTasks+"{id}/claim", s.officer(s.claimTask))
	mux.HandleFunc("POST "+api.PathReviewOpen, s.officer(s.reviewOpen))
	mux.HandleFunc("GET "+api.PathOpinions, s.officer(s.opinions))
	mux.HandleFunc("GET "+api.PathReviewers, s.officer(s.reviewers))
	mux.HandleFunc("GET "+api.PathAVLists, s.officer(s.avLists))
	mux.HandleFunc("GET "+api.PathProcedures, s.officer(s.procedures))
	mux.HandleFunc("GET "+api.PathCalendar, s.device(s.calendarFile))
	mux.HandleFunc("GET "+api.PathDeadlines, s.officer(s.deadlines))
	mux.HandleFunc("PUT "+api.PathAdminDeadlines, s.admin("catalog", s.setDeadlines))
	mux.HandleFunc("POST "+api.PathActivate, s.device(s.activate))
	mux.HandleFunc("GET "+api.PathStanding, s.device(s.standing))
	mux.HandleFunc("GET /p/flows/{$}", s.pages.PublicFlows)
	mux.HandleFunc("GET /p/flows/{act}", s.pages.PublicFlow)
	mux.HandleFunc("GET /p/{kind}/{id}", s.pages.PublicItem)
	mux.HandleFunc("GET /p/agencies/{id}", s.pages.PublicAgency)
	mux.HandleFunc("GET /p/agencies/{$}", s.pages.PublicAgencies)
	mux.HandleFunc("GET /p/draws/{$}", s.pages.PublicDraws)
	mux.HandleFunc("GET /p/draws/{id}", s.pages.PublicDraw)
	mux.HandleFunc("GET "+api.PathVerdict+"{device}/{n}", s.pages.Verdict) // 扫码验真 (pages/verdict.go)
	mux.HandleFunc("GET "+api.PathVerify, s.pages.VerifyForm)
	mux.HandleFunc("GET /p/", s.pages.PublicSearch)
	mux.HandleFunc("GET /favicon.ico", pages.Favicon)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/p/", http.StatusFound) })
	// CORS stands outside the routes' authentication: a browser's
	// preflight carries no token.
	return web.Secure(web.CORS(limitBody(web.Routed(mux)), s.cors, corsReach))
}

// limitBody refuses bodies over api.MaxBodyBytes, except uploads, which
// tus bounds by the upload's declared length.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, api.PathMedia) {
			h.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > api.MaxBodyBytes {
			web.TooLarge(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, api.MaxBodyBytes)
		h.ServeHTTP(w, r)
	})
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	t, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(t)
}

// admin guards a route of the administrator API: the caller's bearer
// token must be a live API token (or the configured one) with the route's
// scope, else 401 unauthorized or 403 scope. Every call, refused for its
// scope or answered, is written to the audit log with the token's name.
func (s *Server) admin(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := s.console.TokenFor(r.Context(), bearer(r))
		if errors.Is(err, console.ErrBadToken) {
			web.Problem(w, r, http.StatusUnauthorized, "unauthorized", words.M("platform.need_admin_token"), "")
			return
		}
		if err != nil {
			web.Internal(w, r, err)
			return
		}
		e := console.Entry{Actor: t.Name, Role: console.RoleToken, Agency: t.Agency, Action: r.Pattern, Object: r.URL.RequestURI(), IP: console.ClientIP(r)}
		if !t.Has(scope) {
			e.Detail = "refused: scope " + scope
			s.audit(r.Context(), e)
			web.Problem(w, r, http.StatusForbidden, "scope", words.M("platform.need_scope"), scope)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h(sw, r.WithContext(console.WithToken(r.Context(), t)))
		e.Detail = fmt.Sprintf("status %d", sw.status)
		s.audit(r.Context(), e)
	}
}

func (s *Server) audit(ctx context.Context, e console.Entry) {
	if err := s.console.Audit(context.WithoutCancel(ctx), e); err != nil {
		s.log.Error("audit entry not written", "action", e.Action, "actor", e.Actor, "err", err)
	}
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Device is an enrolled device.
type Device = intake.Device

// officer authenticates a call only an officer's device may make:
// uploading evidence, and the review and recording rules that
// come with cases. A kiosk or a window desk that tries is refused with its
// own error and raised as an alert: it holds no cases, so its token being
// used for one says the token is in the wrong hands.
func (s *Server) officer(h func(http.ResponseWriter, *http.Request, Device)) http.HandlerFunc {
	return s.device(func(w http.ResponseWriter, r *http.Request, d Device) {
		if d.Kind != api.DeviceOfficer {
			s.intake.Alert(r.Context(), d.ID, "wrong_kind", fmt.Sprintf("a %s device (%s) called %s %s", d.Kind, d.Name, r.Method, r.URL.Path))
			web.Problem(w, r, http.StatusForbidden, "wrong_kind", words.M("platform.wrong_kind"), d.Kind)
			return
		}
		h(w, r, d)
	})
}

// device authenticates a device call by its bearer token.
func (s *Server) device(h func(http.ResponseWriter, *http.Request, Device)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := bearer(r)
		var d Device
		var revoked int
		err := s.db.QueryRowContext(r.Context(), `SELECT id, name, kind, verifier, origin, revoked FROM devices WHERE token_hash = ?`,
			hashToken(t)).Scan(&d.ID, &d.Name, &d.Kind, &d.Verifier, &d.Origin, &revoked)
		if t == "" || errors.Is(err, sql.ErrNoRows) {
			web.Problem(w, r, http.StatusUnauthorized, "unauthorized", words.M("platform.unknown_device"), "")
			return
		}
		if err != nil {
			web.Internal(w, r, err)
			return
		}
		if revoked != 0 {
			web.Problem(w, r, http.StatusUnauthorized, "revoked", words.M("platform.device_revoked"), "")
			return
		}
		// last_seen is for people (sync status): written with the others
		// every half minute (seen.go), not in front of every call.
		s.seen.saw(d.ID, s.now())
		h(w, r, d)
	}
}

func (s *Server) newCode(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Kind string `json:"kind"`
	}
	if !web.Decode(w, r, &req) {
		return
	}
	code, err := s.NewEnrolCode(r.Context(), req.Kind)
	if errors.Is(err, errBadKind) {
		web.Problem(w, r, http.StatusBadRequest, "bad_kind", words.M("platform.bad_kind"), req.Kind)
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"code": code})
}

// NewEnrolCode makes a one-time enrolment code (for the CLI, the admin API
// and the demo) carrying the receipt key's fingerprint and, when known, the
// TLS pin (api.EnrolCode).
func (s *Server) NewEnrolCode(ctx context.Context, kind string) (_ string, err error) {
	defer wrap.Err(&err, "new enrolment code")
	if !api.DeviceKind(kind) {
		return "", fmt.Errorf("%w: %q", errBadKind, kind)
	}
	secret, code := s.enrolCode()
	_, err = s.db.ExecContext(ctx, `INSERT INTO enrol_codes (code_hash, kind, created) VALUES (?, ?, ?)`,
		hashToken(secret), kind, s.now().UTC().Format(time.RFC3339))
	return code, err
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	var req api.EnrolRequest
	if !web.Decode(w, r, &req) {
		return
	}
	req.Code = enrolSecret(req.Code)
	v, err := note.NewVerifier(req.Verifier)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_key", words.M("platform.bad_key"), err.Error())
		return
	}
	id := strings.TrimPrefix(v.Name(), "sanxiang-")
	token := randomToken(32)
	// Read before the code is used: a device enrolled without the city's
	// recovery keys would keep its first data key from the city until its
	// first sync.
	recovery, err := s.RecoveryNotes(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	// The device is of the kind its code was made for: what it asks for
	// authorises nothing, and asking for another kind is refused.
	var kind string
	err = s.db.Tx(r.Context(), func(tx *sqldb.Tx) error {
		err := tx.QueryRowContext(r.Context(), `SELECT kind FROM enrol_codes WHERE code_hash = ? AND used_by = ''`, hashToken(req.Code)).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadCode
		}
		if err != nil {
			return fmt.Errorf("read enrolment code: %w", err)
		}
		if req.Kind != "" && req.Kind != kind {
			return errKindMismatch
		}
		res, err := tx.ExecContext(r.Context(), `UPDATE enrol_codes SET used_by = ? WHERE code_hash = ? AND used_by = ''`, id, hashToken(req.Code))
		if err != nil {
			return fmt.Errorf("use enrolment code: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errBadCode
		}
		_, err = tx.ExecContext(r.Context(), `INSERT INTO devices (id, name, kind, verifier, origin, token_hash, enrolled) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, req.Name, kind, req.Verifier, "sanxiang/device/"+id, hashToken(token), s.now().UTC().Format(time.RFC3339))
		if sqldb.IsUnique(err) {
			return errDuplicate
		}
		return err
	})
	switch {
	case errors.Is(err, errBadCode):
		web.Problem(w, r, http.StatusForbidden, "bad_code", words.M("platform.bad_code"), "")
		return
	case errors.Is(err, errKindMismatch):
		s.intake.Alert(r.Context(), id, "kind_mismatch", fmt.Sprintf("a %s enrolment code was used by a device asking to be %q (%s)", kind, req.Kind, req.Name))
		web.Problem(w, r, http.StatusForbidden, "kind_mismatch", words.M("platform.kind_mismatch"), kind)
		return
	case errors.Is(err, errDuplicate):
		web.Problem(w, r, http.StatusConflict, "duplicate", words.M("platform.duplicate_device"), id)
		return
	case err != nil:
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, api.EnrolResponse{DeviceID: id, Token: token, PlatformKey: s.verifier, Kind: kind, Recovery: recovery})
}

var (
	errBadCode      = errors.New("bad enrolment code")
	errDuplicate    = errors.New("device already enrolled")
	errBadKind      = errors.New("not a kind of device (kiosk, window, officer)")
	errKindMismatch = errors.New("the enrolment code is for another kind of device")
)

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	out, err := s.Devices(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, out)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	err := s.Revoke(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrNoItem) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_device"), "")
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// OpenMedia reads a verified evidence file by its SHA-256.
func (s *Server) OpenMedia(ctx context.Context, sha string) (io.ReadCloser, error) {
	return s.media.Open(ctx, sha)
}

// lists gives the intake the platform's public lists.
type lists struct{ s *Server }

func (l lists) Publish(ctx context.Context, items []catalog.Item, agencies []catalog.Agency) error {
	return l.s.Publish(ctx, items, agencies)
}

func (l lists) WithdrawDecision(ctx context.Context, w api.Withdrawal) error {
	return l.s.db.Tx(ctx, func(tx *sqldb.Tx) error { return withdrawDecisionTx(ctx, tx, w.ID, "", &w) })
}

func (l lists) AgencyName(ctx context.Context, code string) string { return l.s.agencyName(ctx, code) }

// Push verifies a device's records and checkpoint and answers with the
// platform's receipt (the push handler's work, callable in-process).
func (s *Server) Push(ctx context.Context, d Device, req api.PushRequest) (api.Receipt, error) {
	return s.intake.Push(ctx, d, req)
}

// LogRecords returns what the platform holds of a device's log.
func (s *Server) LogRecords(ctx context.Context, device string) ([][]byte, error) {
	return s.intake.LogRecords(ctx, device)
}
