package pages

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/describe"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/book"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Period reads ?year=YYYY, or ?from=&to= (YYYY-MM-DD, to exclusive); the
// default is the current year.
func (s *Room) Period(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		from, err1 := time.ParseInLocation(time.DateOnly, q.Get("from"), time.Local)
		to, err2 := time.ParseInLocation(time.DateOnly, q.Get("to"), time.Local)
		if err1 != nil || err2 != nil || !from.Before(to) {
			return from, to, words.M("platform.bad_period")
		}
		// A report counts month by month: five years is plenty, and
		// bounds what one request can cost.
		if to.After(from.AddDate(maxPeriodYears, 0, 0)) {
			return from, to, words.M("platform.period_too_long", map[string]any{"N": maxPeriodYears})
		}
		return from, to, nil
	}
	year := s.Now().Year()
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 9999 {
			return time.Time{}, time.Time{}, words.M("platform.bad_year", map[string]any{"Year": strconv.Quote(y)})
		}
		year = n
	}
	from, to := yearSpan(year)
	return from, to, nil
}

// maxPeriodYears is the longest period one supervision report covers.
const maxPeriodYears = 5

func yearSpan(year int) (time.Time, time.Time) {
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, time.Local)
	return from, from.AddDate(1, 0, 0)
}

// SupervisionPage: GET /admin/supervision, the supervisor's dashboard:
// the report with its charts and every case's evaluation, worst first.
// agency, when not "", holds it to that agency's cases and staff (an
// agency administrator's view); the city's office sees every agency.
func (s *Room) SupervisionPage(w http.ResponseWriter, r *http.Request, agency string) {
	format, ok := exportFormat(w, r)
	if !ok {
		return
	}
	from, to, err := s.Period(r)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_period", words.Of(err), "")
		return
	}
	rep, err := s.Supervision(r.Context(), agency, from, to)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	names, err := s.agencyNames(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	title := words.L("supervise.title")
	if agency != "" {
		title = words.L("platform.supervision_of", map[string]any{"Title": title, "Agency": nameOr(names, agency)})
	}
	d := s.reportPage(rep, title, names)
	d.Period = fmt.Sprintf("%s — %s", from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly))
	if format != "" {
		name, ascii := supervisionFile(from, to, agency)
		s.serveReport(w, r, s.ReportBook(rep, title, d.Period+"　"+d.Made, names, false), format, name, ascii)
		return
	}
	d.Exports = exportLinks(r)
	d.Cases = s.caseRows(rep.Cases, 300, names)
	// The equipment register counts what the staffing table counts, with the devices beside.
	d.Nav = append(d.Nav, pageResult{URL: "/admin/equipment", Title: words.L("platform.console.equipment")})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	reportTemplate.Execute(w, d)
}

// PublicReports: GET /p/reports/, the years with annual statistics.
func (s *Room) PublicReports(w http.ResponseWriter, r *http.Request) {
	var first string
	if err := s.DB.QueryRowContext(r.Context(), `SELECT coalesce(min(opened), '') FROM cases`).Scan(&first); err != nil {
		web.Internal(w, r, fmt.Errorf("annual reports: first case: %w", err))
		return
	}
	d := s.base(words.L("supervise.annual_list"))
	now := s.Now().Year()
	start := now
	if t, err := time.Parse(time.RFC3339, first); err == nil {
		start = t.In(time.Local).Year()
	}
	for y := now; y >= start; y-- {
		sub := words.L("supervise.annual_due", map[string]any{"Due": supervise.AnnualDue(y).Format(time.DateOnly)})
		if y == now {
			sub = words.L("supervise.annual_running")
		}
		d.Results = append(d.Results, pageResult{URL: fmt.Sprintf("/p/reports/%d", y), Title: words.L("supervise.annual_title", map[string]any{"Year": y}), Subtitle: sub})
	}
	d.Count = words.L("supervise.annual_count", map[string]any{"N": len(d.Results)})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, d)
}

// PublicReport: GET /p/reports/{year}, the annual statistics of
// administrative enforcement (行政执法数据年度统计), published by
// 31 January of the next year. Only totals: no case is named.
func (s *Room) PublicReport(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2000 || year > s.Now().Year() {
		s.notFound(w, r)
		return
	}
	format, ok := exportFormat(w, r)
	if !ok {
		return
	}
	rep, err := s.annualReport(r.Context(), year)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	names, err := s.agencyNames(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	d := s.reportPage(rep, words.L("supervise.annual_title", map[string]any{"Year": year}), names)
	d.Public = true
	d.Period = words.L("supervise.annual_due", map[string]any{"Due": supervise.AnnualDue(year).Format(time.DateOnly)})
	if year == s.Now().Year() {
		d.Period = words.L("supervise.annual_so_far", map[string]any{"Day": s.Now().Format(time.DateOnly)})
	}
	if format != "" {
		data, err := s.annualFile(s.ReportBook(rep, d.Title, d.Period+"　"+d.Made, names, true), rep.Made, year, format)
		if err == nil {
			err = book.Send(w, format, data, d.Title, fmt.Sprintf("annual-report-%d", year))
		}
		if err != nil {
			web.Internal(w, r, fmt.Errorf("export the annual report %d: %w", year, err))
		}
		return
	}
	d.Exports = exportLinks(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	reportTemplate.Execute(w, d)
}

// annualFresh is how long a public annual report is served from memory.
// The page is public and each computation reads a year of cases: a burst
// of requests must not become a burst of computations.
const annualFresh = 10 * time.Minute

// annualCache holds the public annual reports lately computed, by year.
type annualCache struct {
	mu    sync.Mutex
	years map[int]annualEntry
	group singleflight.Group
	made  atomic.Int64 // computations, for tests
	// files are the reports' exports ("2026.pdf"), each made once for
	// the report it was made from.
	files     map[string]annualFile
	filesMade atomic.Int64 // for tests
}

type annualFile struct {
	made time.Time // the report's
	data []byte
}

type annualEntry struct {
	rep  supervise.Report
	made time.Time
}

// annualReport is a year's totals for the public report, computed at most
// once every annualFresh however many ask at once. No case is kept.
func (s *Room) annualReport(ctx context.Context, year int) (supervise.Report, error) {
	c := &s.annual
	c.mu.Lock()
	e, ok := c.years[year]
	c.mu.Unlock()
	if ok && s.Now().Sub(e.made) < annualFresh {
		return e.rep, nil
	}
	v, err, _ := c.group.Do(strconv.Itoa(year), func() (any, error) {
		c.mu.Lock()
		e, ok := c.years[year]
		c.mu.Unlock()
		if ok && s.Now().Sub(e.made) < annualFresh {
			return e.rep, nil // made while this reader waited for its turn
		}
		from, to := yearSpan(year)
		// One leaving reader does not fail the others waiting on this; a
		// hung query does not hold them for ever.
		run, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		rep, err := s.Supervision(run, "", from, to)
		if err != nil {
			return nil, err
		}
		c.made.Add(1)
		// Totals only: of each case, what the month chart counts.
		for i, e := range rep.Cases {
			rep.Cases[i] = supervise.Evaluation{Opened: e.Opened, Act: e.Act}
		}
		rep.Inspections.Overdue = nil // the counts are public, the list is the supervisors
		c.mu.Lock()
		if c.years == nil {
			c.years = map[int]annualEntry{}
		}
		c.years[year] = annualEntry{rep: rep, made: s.Now()}
		c.mu.Unlock()
		return rep, nil
	})
	if err != nil {
		return supervise.Report{}, err
	}
	return v.(supervise.Report), nil
}

// agencyNames maps agency codes to names for tables and charts.
func (s *Room) agencyNames(ctx context.Context) (map[string]string, error) {
	ags, err := s.Agencies(ctx)
	if err != nil {
		return nil, fmt.Errorf("agency names: %w", err)
	}
	out := make(map[string]string, len(ags))
	for _, a := range ags {
		out[a.Code] = catalog.AgencyName(ags, a.Code)
	}
	return out, nil
}

// percent shows a rate, or a dash when nothing was counted.
func percent(v float64) string {
	if v < 0 {
		return "—"
	}
	return decimal(v) + "%"
}

// missingText says in words what a check found missing.
func (s *Room) missingText(c supervise.Check) string {
	var what []string
	for _, m := range c.Missing {
		what = append(what, s.missingLabel(c.Key, m))
	}
	return strings.Join(what, "、")
}

// caseRows lists evaluations with what each fails, in words.
func (s *Room) caseRows(evals []supervise.Evaluation, max int, names map[string]string) []reportCase {
	var out []reportCase
	for _, e := range evals {
		if len(out) == max {
			break
		}
		var faults []string
		for _, c := range e.Failed() {
			faults = append(faults, words.L("supervise.check."+c.Key)+"："+s.missingText(c))
		}
		out = append(out, reportCase{Case: e.Case, Device: e.Device, Agency: nameOr(names, e.Agency), Act: words.L("act." + string(e.Act)),
			Opened: e.Opened.In(time.Local).Format(time.DateOnly), Score: e.Score, Low: e.Score < 80, Faults: strings.Join(faults, "；")})
	}
	return out
}

// missingLabel says in words what fails a check.
func (s *Room) missingLabel(check, m string) string {
	var key string
	switch check {
	case supervise.CheckDocuments:
		return docLabel(m)
	case supervise.CheckOrder:
		parts := strings.SplitN(m, ":", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		var needed []string
		if parts[2] != "" {
			needed = strings.Split(parts[2], ",")
		}
		return words.L("supervise.order."+parts[0], map[string]any{"Stage": words.L("stage." + parts[1]), "Missing": stageList(needed)})
	case supervise.CheckDeadlines:
		key = "clock." + m
	case supervise.CheckAV:
		key = "stage." + m
	case supervise.CheckReview:
		key = m
	default:
		key = "supervise.pub." + m
	}
	if l := words.L(key); l != key {
		return l
	}
	return m
}

// docLabel says which document is missing: an entry "a|b" of a
// procedure's documents is met by either.
func docLabel(entry string) string {
	var alts []string
	for _, id := range strings.Split(entry, "|") {
		name := id
		if t, err := document.TemplateByID(id); err == nil {
			name = t.Title
		}
		alts = append(alts, name)
	}
	return words.L("supervise.doc_missing", map[string]any{"Doc": strings.Join(alts, words.L("platform.or"))})
}

func nameOr(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return code
}

// caseEntry is one record of a case, as the supervisor's case page shows it.
type caseEntry struct {
	Seq                        int64
	At, What, Who, Text, Media string
}

// casePage is the supervisor's view of one case file.
type casePage struct {
	Site, Title, Footer string
	Nav                 []pageResult
	Fields              []pageField
	Checks              []pageField
	// Exceptions are the stages done before what they require, each with
	// the reason and approver its record gave: counted, not faulted.
	Exceptions []pageField
	Records    []caseEntry
	L          map[string]string
	Back       string // the dashboard's name
	// Decision links the console's page of the case's decision, when the
	// lists hold it (published or withdrawn): where it is withdrawn.
	Decision, DecisionLabel string
	// Notice is where the city's office issues a notice (通报) about the
	// case: the console's form, filled with it ("" for an agency's view).
	Notice   string
	Evidence template.HTML // the evidence section (Room.Evidence)
}

var casePageTemplate = template.Must(template.ParseFS(templateFiles, "templates/case.html", "templates/common.html"))

// SupervisionCase: GET /admin/cases/{device}/{case}, one case file as the
// platform holds it, with its evaluation: what a supervisor opens from a
// low score. agency, when not "", is the only agency whose cases may be
// opened: another's is "not found".
func (s *Room) SupervisionCase(w http.ResponseWriter, r *http.Request, agency string) {
	ctx := r.Context()
	device, id := r.PathValue("device"), r.PathValue("case")
	var last int64
	var caseAgency, archivedAt, retention string
	var afterArchive int64
	err := s.DB.QueryRowContext(ctx, `SELECT last_seq, agency, archived_at, retention, after_archive FROM cases WHERE device = ? AND case_id = ?`,
		device, id).Scan(&last, &caseAgency, &archivedAt, &retention, &afterArchive)
	if errors.Is(err, sql.ErrNoRows) || err == nil && agency != "" && caseAgency != agency {
		s.notFound(w, r)
		return
	}
	if err != nil {
		web.Internal(w, r, fmt.Errorf("case %s of %s: %w", id, device, err))
		return
	}
	c, err := s.CaseAt(ctx, device, id, last)
	rules, rerr := s.Rules(ctx)
	if err == nil {
		err = rerr
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	e := supervise.Evaluate(device, c, rules)
	names, err := s.agencyNames(ctx)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	o := c.Opening
	d := casePage{Site: words.L("kiosk.title"), Title: id + "　" + o.ItemName, Footer: words.L("complaint.hotline"), Nav: s.nav(),
		L: map[string]string{"checks": words.L("supervise.col.cases_title"), "records": words.L("case.timeline"),
			"score": words.L("supervise.col.case_score")}, Back: words.L("supervise.title")}
	d.Fields = []pageField{
		{Label: words.L("supervise.col.agency"), Value: nameOr(names, o.Agency)},
		{Label: words.L("supervise.col.act"), Value: words.L("act." + string(o.Act))},
		{Label: words.L("case.party"), Value: o.Party.Name + "　" + casefile.MaskID(o.Party)},
		{Label: words.L("supervise.col.device"), Value: device},
		{Label: words.L("supervise.col.case_score"), Value: strconv.Itoa(e.Score), Bad: e.Score < 80},
		archiveField(archivedAt, retention, afterArchive),
	}
	for _, ch := range e.Checks {
		v := words.L("clock.met")
		if l := words.L("supervise.met." + ch.Key); l != "supervise.met."+ch.Key {
			v = l
		}
		if !ch.Met {
			v = s.missingText(ch)
		}
		d.Checks = append(d.Checks, pageField{Label: fmt.Sprintf("%s（%d）", words.L("supervise.check."+ch.Key), ch.Weight), Value: v, Bad: !ch.Met})
	}
	for _, x := range e.Exceptions {
		d.Exceptions = append(d.Exceptions, pageField{
			Label: fmt.Sprintf("#%d　%s", x.Seq, words.L("stage."+x.Stage)),
			Value: words.L("supervise.exception", map[string]any{"Reason": x.Reason, "Approver": exceptionApprover(c, x.Seq),
				"Missing": stageList(x.Missing)})})
	}
	d.L["exceptions"] = words.L("supervise.col.exceptions_title")
	if agency == "" {
		d.Notice, d.L["notice"] = "/admin/notices/new?"+url.Values{"device": {device}, "case": {id}}.Encode(), words.L("platform.console.notice_new")
	}
	authors := map[string]string{}
	for _, rec := range c.Records {
		what, text := describe.Record(rec, words.L)
		attachments := ""
		if len(rec.Media) > 0 {
			attachments = words.L("case.attachments", map[string]any{"N": len(rec.Media)})
		}
		who, ok := authors[rec.Author]
		if !ok { // a case has few authors: each is looked up once
			who = rec.Author
			if it, err := s.Item(ctx, catalog.KindOfficer, rec.Author); err == nil {
				if n, ok := it["name"].(string); ok {
					who = n + "（" + rec.Author + "）"
				}
			}
			authors[rec.Author] = who
		}
		d.Records = append(d.Records, caseEntry{Seq: rec.Seq, At: rec.At.In(time.Local).Format("2006-01-02 15:04"), What: what,
			Who: who, Text: text, Media: attachments})
	}
	if _, err := s.Item(ctx, catalog.KindDecision, id); err == nil {
		d.Decision, d.DecisionLabel = "/admin/decisions/"+url.PathEscape(id), words.L("platform.case.decision_published")
	} else if s.Withdrawn != nil {
		if _, ok, err := s.Withdrawn(ctx, catalog.KindDecision, id); err == nil && ok {
			d.Decision, d.DecisionLabel = "/admin/decisions/"+url.PathEscape(id), words.L("platform.case.decision_withdrawn")
		}
	}
	if s.Evidence != nil {
		if d.Evidence, err = s.Evidence(w, r, device, id, c); err != nil {
			web.Internal(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	casePageTemplate.Execute(w, d)
}

// exceptionApprover is who approved the exception the case's stage record
// seq carries.
func exceptionApprover(c *casefile.Case, seq int64) string {
	for _, r := range c.Records {
		var b casefile.StageBody
		if r.Seq == seq && r.Kind == casefile.KindStage && json.Unmarshal(r.Body, &b) == nil && b.Exception != nil {
			return b.Exception.Approver
		}
	}
	return ""
}

// stageList words stage keys ("a|b" for either) for people.
func stageList(keys []string) string {
	var out []string
	for _, k := range keys {
		var alts []string
		for _, a := range strings.Split(k, "|") {
			if st, _, found := strings.Cut(a, "."); found { // a date to wait for: "remind.comply_by=…"
				a = st
			}
			alts = append(alts, words.L("stage."+a))
		}
		out = append(out, strings.Join(alts, words.L("platform.or")))
	}
	return strings.Join(out, "、")
}
