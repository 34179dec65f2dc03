// Package pages renders the platform's pages for people: the public pages
// behind the kiosks' QR codes (lists, draws, annual statistics) and the
// supervisor's dashboards, with their templates and charts. The words come
// from the translation files (package words). Data comes from the rest of
// the platform through the Room's fields; pages never write.
package pages

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// Room serves the pages. Its fields are what it reads of the platform.
type Room struct {
	DB  *sqldb.DB
	Now func() time.Time
	// Supervision evaluates the cases opened in [from, to) and sums them
	// up: every agency's, or one agency's.
	Supervision func(ctx context.Context, agency string, from, to time.Time) (supervise.Report, error)
	// Appraisal is the 评议考核 of [from, to): every agency's, or one's.
	Appraisal func(ctx context.Context, agency string, from, to time.Time) (supervise.Appraisal, error)
	// Rules are the supervision rules as they stand.
	Rules func(ctx context.Context) (supervise.Rules, error)
	// CaseAt is a case as it stood at record seq of its device's log, as
	// supervision judges it (records whose time the platform flagged carry
	// their arrival: intake.JudgedCaseAt).
	CaseAt func(ctx context.Context, device, id string, seq int64) (*casefile.Case, error)
	// Item is a published item's fields.
	Item func(ctx context.Context, kind catalog.Kind, id string) (map[string]any, error)
	// Draw is a kept random inspection draw (of version 1).
	Draw func(ctx context.Context, id int64) (Draw, error)
	// Plan is a draw of version 2, drawn first if its time has come;
	// false when the platform holds none of that number.
	Plan func(ctx context.Context, id int64) (Plan, bool, error)
	// Plans are the draws of version 2, drawn first where their time has
	// come, newest first.
	Plans func(ctx context.Context) ([]Plan, error)
	// Agencies are the enforcement bodies in the public lists.
	Agencies func(ctx context.Context) ([]catalog.Agency, error)
	// Withdrawn is how an item the lists took down was withdrawn; false
	// if it was not, or went before withdrawals were kept.
	Withdrawn func(ctx context.Context, kind catalog.Kind, id string) (api.Withdrawal, bool, error)
	// Procedures are the procedures in force: the national defaults and
	// the agencies' own versions (the flowcharts draw them).
	Procedures func(ctx context.Context) (*casefile.Set, error)
	// ReviewRules are the agencies' review policies and the checklists
	// (the legal review's flowchart draws them).
	ReviewRules func(ctx context.Context) (review.Policies, map[string]review.Checklist, error)
	// Search is one page of the public lists q selects, ranked as a kiosk
	// searches (app/catalog), and how many it selects in all.
	Search func(ctx context.Context, q catalog.Query) ([]catalog.Item, int, error)
	// HeldRoot is the root of the first size records of a device's log as
	// the platform holds them (intake.HeldRoot).
	HeldRoot func(ctx context.Context, device string, size int64) (ledger.Hash, error)

	// Evidence, if set, is the evidence part of a case's page (package
	// evidence): players, photos, downloads, the access log.
	Evidence func(w http.ResponseWriter, r *http.Request, device, id string, c *casefile.Case) (template.HTML, error)

	annual   annualCache
	verdicts verdictLimiter
}

// Draw is a kept draw as its public page shows it.
type Draw struct {
	At                  string // RFC 3339, UTC
	Draw                draw.Draw
	Targets, Inspectors int // how many were drawn from
}

// NotFound answers 404 with the public pages' "not found" page.
func (s *Room) NotFound(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
