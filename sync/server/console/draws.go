package console

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
)

// The draws (双随机、一公开) in the console: an agency administrator, or the
// city's office for any agency, plans a draw — the item, the target list
// uploaded as a file, the pool of certified officers, how many, when, by
// which day — and the platform publishes the plan with the hash of a seed
// nobody has seen; the draw, at the plan's time or by hand, reveals the
// seed and sends each drawn target's two inspectors their task. The
// register of declared conflicts keeps inspectors away from targets they
// must not inspect.

// DrawPlan is a plan for a draw as the console shows it.
type DrawPlan struct {
	ID                        int64
	Status                    string // DrawPlanned, DrawDrawn, DrawCancelled
	Item, ItemName            string
	Agency                    string
	Count, Share              int
	DrawAt                    string // RFC 3339; "" to draw by hand
	Due                       string // YYYY-MM-DD
	By, Note                  string
	TargetsFile, TargetsSHA   string
	PlannedAt                 string
	Cancelled, CancelledBy    string
	Witness, WitnessBy        string
	DrawnBy, DrawnAt          string
	Commit, Seed              string // the seed only once drawn
	ListsSHA                  string // draw.Lists.SHA
	Targets, Pool, Conflicts  int
	Tasks                     []DrawTask
	Done, Overdue, Unassigned int // of Tasks: with a result; overdue; not taken up
}

// Statuses of a plan.
const (
	DrawPlanned   = "planned"
	DrawDrawn     = "drawn"
	DrawCancelled = "cancelled"
)

// DrawTask is one drawn target and its two inspectors.
type DrawTask struct {
	ID                string // "12-3"
	Target            draw.Target
	Inspectors        []draw.Inspector
	Due               string
	Device, ClaimedBy string
	ClaimedAt         string
	CaseID            string
	Result, ResultAt  string
	Overdue           bool
	ClaimedName       string // the name of the inspector who took it up
}

// NewDrawPlan is what the plan form gives.
type NewDrawPlan struct {
	Item         string
	Count, Share int
	DrawAt, Due  string // RFC 3339 or ""; YYYY-MM-DD
	Note, By     string
	TargetsFile  string
	TargetsSHA   string
	Targets      []draw.Target
	// Pool is the certificate numbers chosen; the adapter keeps those of
	// the item's agency.
	Pool []string
}

// DrawItem is a random-inspection item (随机抽查事项) a plan may be of.
type DrawItem struct{ ID, Name, Agency string }

// DrawOfficer is a certified officer a pool may hold.
type DrawOfficer struct{ CertNo, Name, Unit, Agency string }

// DrawConflict is one declared conflict (回避登记).
type DrawConflict struct{ Agency, CertNo, Target, Reason, At, By string }

// Draws is what the console needs of the platform's plans and draws.
// scope, when not "", is the only agency the administrator may act for.
type Draws interface {
	// Plans are the plans, newest first: all, or one agency's.
	Plans(ctx context.Context, agency string) ([]DrawPlan, error)
	// Plan is one plan; a *DrawError "not_found" if there is none.
	Plan(ctx context.Context, id int64) (DrawPlan, error)
	NewPlan(ctx context.Context, scope string, p NewDrawPlan) (DrawPlan, error)
	Draw(ctx context.Context, scope string, id int64, witness, by string) (DrawPlan, error)
	Cancel(ctx context.Context, scope string, id int64, reason, by string) error
	// Items are the random-inspection items of an agency ("" for all).
	Items(ctx context.Context, agency string) ([]DrawItem, error)
	// Officers are the certified officers of an agency ("" for all).
	Officers(ctx context.Context, agency string) ([]DrawOfficer, error)
	Conflicts(ctx context.Context, agency string) ([]DrawConflict, error)
	DeclareConflict(ctx context.Context, c DrawConflict) error
	WithdrawConflict(ctx context.Context, agency, certNo, target string) error
}

// DrawError is a plan or draw refused for a reason the administrator can
// mend: Code is its stable name (platform.console.error.<Code> says it to
// people), Err the platform's error.
type DrawError struct {
	Code string
	Err  error
}

func (e *DrawError) Error() string { return e.Code + ": " + e.Err.Error() }
func (e *DrawError) Unwrap() error { return e.Err }

// drawStatus is the HTTP status a refused plan or draw is answered with.
func drawStatus(code string) int {
	switch code {
	case "not_found":
		return http.StatusNotFound
	case "not_planned", "too_early":
		return http.StatusConflict
	case "plan_agency":
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

// drawRoles plan and draw: the city's office for every agency, an agency
// administrator for theirs. The operator runs the platform, not its draws.
var drawRoles = []string{RoleCity, RoleAgency}

func (c *Room) drawRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/draws", c.Guard(drawRoles, c.drawsPage))
	mux.Handle("GET /admin/draws/new", c.Guard(drawRoles, c.newPlanPage))
	mux.Handle("POST /admin/draws/new", c.Guard(drawRoles, c.newPlan))
	mux.Handle("GET /admin/draws/conflicts", c.Guard(drawRoles, c.conflictsPage))
	mux.Handle("POST /admin/draws/conflicts", c.Guard(drawRoles, c.declareConflict))
	mux.Handle("POST /admin/draws/conflicts/withdraw", c.Guard(drawRoles, c.withdrawConflict))
	mux.Handle("GET /admin/draws/{id}", c.Guard(drawRoles, c.planPage))
	mux.Handle("POST /admin/draws/{id}/draw", c.Guard(drawRoles, c.makeDraw))
	mux.Handle("POST /admin/draws/{id}/cancel", c.Guard(drawRoles, c.cancelPlan))
}

// agencyName is an agency's name, or its code.
func (c *Room) agencyName(ctx context.Context, code string) string {
	if c.Agencies != nil {
		if as, err := c.Agencies(ctx); err == nil {
			for _, a := range as {
				if a.Code == code {
					return a.Name
				}
			}
		}
	}
	return code
}

type drawsView struct {
	Plans []DrawPlan
	Names map[string]string // agency code → name
}

func (c *Room) drawsPage(w http.ResponseWriter, r *http.Request, s *Session) {
	list, err := c.Draws.Plans(r.Context(), s.Scope())
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.draws")
	names := map[string]string{}
	for _, a := range v.Agencys {
		names[a.Code] = a.Name
	}
	v.Data = drawsView{Plans: list, Names: names}
	if r.URL.Query().Get("done") == "cancelled" {
		v.Notice = "platform.console.done.plan_cancelled"
	}
	c.render(w, http.StatusOK, "draws", v)
}

// planForm is the plan form as typed, shown again when it is refused.
type planForm struct {
	Items    []DrawItem
	Officers []DrawOfficer
	Names    map[string]string
	City     bool // the city's office: items of every agency
	Item     string
	Count    string
	Share    string
	DrawAt   string // as datetime-local gives it
	Due      string
	Note     string
	Pool     map[string]bool
	// KeptName and Kept are a file read before the form was refused for
	// something else: its name and its bytes, so it need not be chosen
	// again (read and hashed again when the form comes back).
	KeptName, Kept string
	KeptRows       int
	Bad            []sheet.RowError
}

func (c *Room) newPlanPage(w http.ResponseWriter, r *http.Request, s *Session) {
	c.showPlanForm(w, r, s, http.StatusOK, "", "", &planForm{})
}

func (c *Room) showPlanForm(w http.ResponseWriter, r *http.Request, s *Session, status int, code, detail string, f *planForm) {
	ctx := r.Context()
	var err error
	if f.Items, err = c.Draws.Items(ctx, s.Scope()); err != nil {
		c.internal(w, r, s, err)
		return
	}
	if f.Officers, err = c.Draws.Officers(ctx, s.Scope()); err != nil {
		c.internal(w, r, s, err)
		return
	}
	if f.Pool == nil { // the form as first shown: every officer in the pool
		f.Pool = map[string]bool{}
		for _, o := range f.Officers {
			f.Pool[o.CertNo] = true
		}
	}
	f.City = s.Scope() == ""
	v := c.view(ctx, s, "platform.console.plan_new")
	f.Names = map[string]string{}
	for _, a := range v.Agencys {
		f.Names[a.Code] = a.Name
	}
	v.Data = f
	if code != "" {
		v.Code, v.Error, v.Detail = code, "platform.console.error."+code, detail
	}
	c.render(w, status, "plan_new", v)
}

// datetimeLocal is the form's way of writing a time (<input type=datetime-local>).
const datetimeLocal = "2006-01-02T15:04"

// newPlan: POST /admin/draws/new, a multipart form. The target list is
// read first; a bad file is answered 422 with every bad row and its code,
// and the form keeps what was typed. The plan is then the platform's to
// check (item, pool, count, times); on success the plan page.
func (c *Room) newPlan(w http.ResponseWriter, r *http.Request, s *Session) {
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		c.fail(w, r, s, http.StatusBadRequest, "bad_form")
		return
	}
	val := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	f := planForm{Item: val("item"), Count: val("count"), Share: val("share"), DrawAt: val("draw_at"), Due: val("due"), Note: val("note"),
		Pool: map[string]bool{}}
	for _, cert := range r.Form["pool"] {
		f.Pool[cert] = true
	}
	refuse := func(code, detail string) {
		c.showPlanForm(w, r, s, drawStatus(code), code, detail, &f)
	}
	// The file: a new upload, or the one kept from a refused form.
	var name string
	var data []byte
	if file, h, err := r.FormFile("file"); err == nil {
		defer file.Close()
		if data, err = io.ReadAll(file); err != nil {
			refuse("no_file", "")
			return
		}
		name = h.Filename
	} else if kept := r.FormValue("kept"); kept != "" {
		if data, err = base64.StdEncoding.DecodeString(kept); err != nil {
			refuse("no_file", "")
			return
		}
		name = r.FormValue("kept_name")
	}
	if len(data) == 0 {
		refuse("no_file", "")
		return
	}
	targets, bad := ReadTargets(name, data)
	if len(bad) > 0 {
		f.Bad = bad
		c.act(r, s, "", "draw.plan.refused", name, fmt.Sprintf("%d bad rows: %s", len(bad), bad[0].Code))
		refuse(bad[0].Code, "")
		return
	}
	f.KeptName, f.Kept, f.KeptRows = name, base64.StdEncoding.EncodeToString(data), len(targets)
	sum := sha256.Sum256(data)
	p := NewDrawPlan{Item: f.Item, DrawAt: "", Due: f.Due, Note: f.Note, By: s.Admin.Login, TargetsFile: name,
		TargetsSHA: hex.EncodeToString(sum[:]), Targets: targets}
	p.Pool = slices.Clone(r.Form["pool"])
	var err error
	if f.Count != "" {
		if p.Count, err = strconv.Atoi(f.Count); err != nil || p.Count < 1 {
			refuse("plan_count", "")
			return
		}
	}
	if f.Share != "" {
		if p.Share, err = strconv.Atoi(strings.TrimSuffix(f.Share, "%")); err != nil || p.Share < 1 || p.Share > 100 {
			refuse("plan_count", "")
			return
		}
	}
	if (p.Count == 0) == (p.Share == 0) { // a count or a share, not both
		refuse("plan_count", "")
		return
	}
	if f.DrawAt != "" {
		at, err := time.ParseInLocation(datetimeLocal, f.DrawAt, time.Local)
		if err != nil {
			refuse("plan_draw_at", "")
			return
		}
		p.DrawAt = at.UTC().Format(time.RFC3339)
	}
	if len(p.Pool) == 0 {
		refuse("pool", "")
		return
	}
	rec, err := c.Draws.NewPlan(r.Context(), s.Scope(), p)
	var de *DrawError
	switch {
	case errors.As(err, &de):
		c.act(r, s, "", "draw.plan.refused", p.Item, de.Code)
		refuse(de.Code, "")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, rec.Agency, "draw.plan", strconv.FormatInt(rec.ID, 10),
			fmt.Sprintf("%s count %d of %d, pool %d, file %s sha256 %s, commit %s", rec.Item, rec.Count, rec.Targets, rec.Pool, name, p.TargetsSHA, rec.Commit))
		http.Redirect(w, r, drawPath(rec.ID)+"?done=planned", http.StatusSeeOther)
	}
}

type planView struct {
	Plan       DrawPlan
	AgencyName string
	PublicPath string
	Witness    string // as typed, when the form is shown again
	Reason     string
	Now        string // RFC 3339, for "not yet"
}

// plan loads the plan of the path for s; it has answered when ok is
// false. Another agency's plan is "not found" to an agency administrator.
func (c *Room) plan(w http.ResponseWriter, r *http.Request, s *Session) (p DrawPlan, ok bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.fail(w, r, s, http.StatusNotFound, "not_found")
		return p, false
	}
	p, err = c.Draws.Plan(r.Context(), id)
	var de *DrawError
	switch {
	case errors.As(err, &de) && de.Code == "not_found", err == nil && s.Scope() != "" && p.Agency != s.Scope():
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		return p, true
	}
	return p, false
}

func (c *Room) planPage(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.plan(w, r, s)
	if !ok {
		return
	}
	notice := ""
	switch r.URL.Query().Get("done") {
	case "planned":
		notice = "platform.console.done.planned"
	case "drawn":
		notice = "platform.console.done.drawn"
	}
	c.showPlan(w, r, s, p, http.StatusOK, "", "", notice, planView{})
}

func (c *Room) showPlan(w http.ResponseWriter, r *http.Request, s *Session, p DrawPlan, status int, code, errKey, notice string, pv planView) {
	pv.Plan, pv.AgencyName = p, c.agencyName(r.Context(), p.Agency)
	pv.PublicPath = "/p/draws/" + strconv.FormatInt(p.ID, 10)
	v := c.view(r.Context(), s, "platform.console.plan")
	v.Data, v.Notice = pv, notice
	if code != "" {
		if errKey == "" {
			errKey = "platform.console.error." + code
		}
		v.Code, v.Error = code, errKey
		if code == "too_early" {
			v.Detail = whenLocal(p.DrawAt)
		}
	}
	c.render(w, status, "plan", v)
}

// whenLocal shows an RFC 3339 time in the platform's zone, to the minute.
func whenLocal(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return t.Local().Format("2006-01-02 15:04")
}

// makeDraw: POST /admin/draws/{id}/draw with an optional witness value.
// 409 too_early before the plan's time, 409 not_planned once drawn or
// cancelled; the draw and its seed go to the audit log.
func (c *Room) makeDraw(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.plan(w, r, s)
	if !ok {
		return
	}
	witness := strings.TrimSpace(r.PostFormValue("witness"))
	rec, err := c.Draws.Draw(r.Context(), s.Scope(), p.ID, witness, s.Admin.Login)
	var de *DrawError
	switch {
	case errors.As(err, &de):
		c.act(r, s, p.Agency, "draw.draw.refused", strconv.FormatInt(p.ID, 10), de.Code)
		c.showPlan(w, r, s, p, drawStatus(de.Code), de.Code, "", "", planView{Witness: witness})
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, rec.Agency, "draw.draw", strconv.FormatInt(rec.ID, 10),
			fmt.Sprintf("%d tasks, seed %s, witness %q", len(rec.Tasks), rec.Seed, rec.Witness))
		http.Redirect(w, r, drawPath(rec.ID)+"?done=drawn", http.StatusSeeOther)
	}
}

// cancelPlan: POST /admin/draws/{id}/cancel with a reason, which it must
// have (422 need_reason); the reason shows on the plan's public page.
func (c *Room) cancelPlan(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.plan(w, r, s)
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	err := c.Draws.Cancel(r.Context(), s.Scope(), p.ID, reason, s.Admin.Login)
	var de *DrawError
	switch {
	case errors.As(err, &de):
		key := ""
		if de.Code == "need_reason" {
			key = "platform.console.error.need_cancel_reason"
		}
		c.showPlan(w, r, s, p, drawStatus(de.Code), de.Code, key, "", planView{Reason: reason})
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, p.Agency, "draw.cancel", strconv.FormatInt(p.ID, 10), reason)
		http.Redirect(w, r, "/admin/draws?done=cancelled", http.StatusSeeOther)
	}
}

type conflictsView struct {
	Conflicts []DrawConflict
	Officers  []DrawOfficer
	Names     map[string]string // certificate number → officer's name
	City      bool
	CertNo    string // the form as typed
	Target    string
	Reason    string
}

func (c *Room) conflictsPage(w http.ResponseWriter, r *http.Request, s *Session) {
	notice := ""
	switch r.URL.Query().Get("done") {
	case "declared":
		notice = "platform.console.done.conflict_declared"
	case "withdrawn":
		notice = "platform.console.done.conflict_withdrawn"
	}
	c.showConflicts(w, r, s, http.StatusOK, "", notice, conflictsView{})
}

func (c *Room) showConflicts(w http.ResponseWriter, r *http.Request, s *Session, status int, code, notice string, cv conflictsView) {
	ctx := r.Context()
	var err error
	if cv.Conflicts, err = c.Draws.Conflicts(ctx, s.Scope()); err != nil {
		c.internal(w, r, s, err)
		return
	}
	if cv.Officers, err = c.Draws.Officers(ctx, s.Scope()); err != nil {
		c.internal(w, r, s, err)
		return
	}
	cv.Names, cv.City = map[string]string{}, s.Scope() == ""
	for _, o := range cv.Officers {
		cv.Names[o.CertNo] = o.Name
	}
	v := c.view(ctx, s, "platform.console.conflicts")
	v.Data, v.Notice = cv, notice
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	c.render(w, status, "conflicts", v)
}

// officerAgency is the agency of a certified officer s may name, or false.
func (c *Room) officerAgency(ctx context.Context, s *Session, certNo string) (string, bool, error) {
	list, err := c.Draws.Officers(ctx, s.Scope())
	if err != nil {
		return "", false, err
	}
	i := slices.IndexFunc(list, func(o DrawOfficer) bool { return o.CertNo == certNo })
	if i < 0 {
		return "", false, nil
	}
	return list[i].Agency, true, nil
}

// declareConflict: POST /admin/draws/conflicts with the officer's
// certificate number, the target's code and the reason, all required
// (422 bad_conflict); the officer must be a certified officer s may name.
func (c *Room) declareConflict(w http.ResponseWriter, r *http.Request, s *Session) {
	cv := conflictsView{CertNo: strings.TrimSpace(r.PostFormValue("cert_no")), Target: strings.TrimSpace(r.PostFormValue("target")),
		Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	agency, ok, err := c.officerAgency(r.Context(), s, cv.CertNo)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	if !ok || cv.Target == "" || cv.Reason == "" {
		c.showConflicts(w, r, s, http.StatusUnprocessableEntity, "bad_conflict", "", cv)
		return
	}
	err = c.Draws.DeclareConflict(r.Context(), DrawConflict{Agency: agency, CertNo: cv.CertNo, Target: cv.Target, Reason: cv.Reason, By: s.Admin.Login})
	var de *DrawError
	switch {
	case errors.As(err, &de):
		c.showConflicts(w, r, s, drawStatus(de.Code), de.Code, "", cv)
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, agency, "draw.conflict", cv.CertNo+" "+cv.Target, cv.Reason)
		http.Redirect(w, r, "/admin/draws/conflicts?done=declared", http.StatusSeeOther)
	}
}

// withdrawConflict: POST /admin/draws/conflicts/withdraw with the
// officer's certificate number and the target's code.
func (c *Room) withdrawConflict(w http.ResponseWriter, r *http.Request, s *Session) {
	cert, target := strings.TrimSpace(r.PostFormValue("cert_no")), strings.TrimSpace(r.PostFormValue("target"))
	list, err := c.Draws.Conflicts(r.Context(), s.Scope())
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	i := slices.IndexFunc(list, func(x DrawConflict) bool { return x.CertNo == cert && x.Target == target })
	if i < 0 {
		c.fail(w, r, s, http.StatusNotFound, "not_found")
		return
	}
	if err := c.Draws.WithdrawConflict(r.Context(), list[i].Agency, cert, target); err != nil {
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, list[i].Agency, "draw.conflict.withdraw", cert+" "+target, list[i].Reason)
	http.Redirect(w, r, "/admin/draws/conflicts?done=withdrawn", http.StatusSeeOther)
}

// drawPath is a plan's page.
func drawPath(id int64) string { return "/admin/draws/" + strconv.FormatInt(id, 10) }
