package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// supervisedCase writes a case through the officer's calls on the given
// days: each stage with its document when tpl is set, and a media file
// when av is set.
type step struct {
	stage, day, tpl string
	av              bool
	decision        string
}

func supervisedCase(t *testing.T, l *casefile.Log, clock *time.Time, agency string, act catalog.Act, opened string, steps []step) string {
	t.Helper()
	ctx := context.Background()
	at := func(d string) {
		*clock, _ = time.ParseInLocation(time.DateOnly, d, time.Local)
		*clock = clock.Add(10 * time.Hour)
	}
	two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
	at(opened)
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: act, Agency: agency, ItemID: "E1", ItemName: "事项",
		Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"}, Officers: two})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		at(s.day)
		if s.tpl != "" {
			body, _ := json.Marshal(document.Doc{Template: s.tpl, Inputs: map[string]string{"doc_no": "青市监罚〔2026〕" + id + "号"},
				Text: "当事人：青禾市某某有限公司。决定：" + s.decision})
			if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
				t.Fatal(err)
			}
		}
		var media []string
		if s.av {
			d, _, err := l.Media().Put(strings.NewReader(id + s.stage))
			if err != nil {
				t.Fatal(err)
			}
			media = append(media, d.String())
		}
		st := casefile.StageBody{Stage: s.stage, Officers: two}
		c, err := l.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ps, _ := c.Procedure().Stage(s.stage); ps.Approval {
			st.Approver = casefiletest.Approver // the head approves where the procedure asks
		}
		if s.decision != "" {
			st.Decision = json.RawMessage(s.decision)
		}
		if _, err := l.AddStage(ctx, id, "990101000001", st, media...); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// Cases pushed by two devices are evaluated on the platform as the rules
// evaluate them on the device; the supervisor's dashboard needs the admin
// token (a browser is asked for it) and draws charts; the public annual
// report shows totals and names no case.
func TestSupervisionOfPushedCases(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		// The devices push a year's cases at once, today: records that old
		// would be flagged as beyond offline work and judged by their
		// arrival (TestBackdatedDecisionJudgedByArrival); here they are
		// judged by their own times.
		s, h := b.Serve(t, server.Options{AdminToken: admin, Clock: intake.ClockPolicy{Past: 3 * 365 * 24 * time.Hour}})
		if err := demoload.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		cal, _ := calendar.Parse(assets.Calendar)
		small, major := `{"fine":3000}`, `{"fine":200000}`

		a := deviceLog(t, "SUP-A", 0)
		var clock time.Time
		a.SeedHistory(func() time.Time { return clock })
		good := supervisedCase(t, a, &clock, "01", catalog.ActPenalty, "2026-03-02", []step{
			{"register", "2026-03-02", "register_approval", false, ""}, {"investigate", "2026-03-03", "inspection_record", true, ""},
			{"notify", "2026-03-10", "prior_notice", true, ""}, {"defend", "2026-03-12", "", true, ""}, {"decide", "2026-03-20", "penalty_decision", false, small}})
		clock = clock.AddDate(0, 0, 2)
		if _, err := publish.Publish(ctx, a, cal, good, "990101000001", nil); err != nil {
			t.Fatal(err)
		}
		late := supervisedCase(t, a, &clock, "01", catalog.ActPenalty, "2026-01-05", []step{
			{"register", "2026-01-05", "register_approval", false, ""}, {"investigate", "2026-01-06", "inspection_record", true, ""},
			{"notify", "2026-02-02", "", false, ""}, {"defend", "2026-02-03", "", true, ""}, {"decide", "2026-04-10", "penalty_decision", false, small}})

		bl := deviceLog(t, "SUP-B", 0)
		bl.SeedHistory(func() time.Time { return clock })
		insp := supervisedCase(t, bl, &clock, "02", catalog.ActInspection, "2026-05-06", []step{{"inspect", "2026-05-06", "", false, ""}})
		unreviewed := supervisedCase(t, bl, &clock, "02", catalog.ActPenalty, "2026-06-01", []step{
			{"register", "2026-06-01", "register_approval", false, ""}, {"investigate", "2026-06-02", "inspection_record", true, ""},
			{"notify", "2026-06-05", "prior_notice", true, ""}, {"defend", "2026-06-08", "", true, ""}, {"decide", "2026-06-15", "penalty_decision", false, major}})
		// A case of another year is not in this year's report.
		supervisedCase(t, bl, &clock, "02", catalog.ActInspection, "2025-12-30", nil)

		for _, l := range []*casefile.Log{a, bl} {
			if _, err := client.New(enrol(t, s, h, l)).Push(ctx, l); err != nil {
				t.Fatal(err)
			}
		}

		get := func(path string, auth func(*http.Request)) (int, http.Header, string) {
			req, _ := http.NewRequest(http.MethodGet, h.URL+path, nil)
			if auth != nil {
				auth(req)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header, string(body)
		}
		bearerAuth := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+admin) }

		code, _, body := get("/api/v1/admin/supervision?year=2026", bearerAuth)
		if code != http.StatusOK {
			t.Fatalf("supervision: %d %s", code, body)
		}
		var rep supervise.Report
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Total.Cases != 4 || rep.Total.Decided != 3 || rep.Total.Major != 1 || len(rep.Cases) != 4 {
			t.Fatalf("totals %+v", rep.Total)
		}
		// The platform evaluates each case as the device's own records do.
		pols, _ := demo.Policies()
		av, _ := demo.AVList() // the demo city's, which demoload set
		rules := supervise.Rules{Review: &review.Service{Policies: pols, Reviewers: review.NewRegistry(nil)}, AV: av, Cal: cal, Now: time.Now()}
		want := map[string]int{}
		for _, x := range []struct {
			l  *casefile.Log
			id string
		}{{a, good}, {a, late}, {bl, insp}, {bl, unreviewed}} {
			c, _ := x.l.Case(ctx, x.id)
			want[x.id] = supervise.Evaluate("", c, rules).Score
		}
		for _, e := range rep.Cases {
			if e.Score != want[e.Case] {
				t.Errorf("case %s: platform scores %d, the rules %d", e.Case, e.Score, want[e.Case])
			}
		}
		if want[good] != 100 || want[late] >= 50 || rep.Cases[len(rep.Cases)-1].Case != good {
			t.Fatalf("scores %v, order %v", want, rep.Cases)
		}
		if rep.Total.Publish[supervise.PubOnTime] != 1 || rep.Total.Publish[supervise.PubOverdue] != 2 || rep.Total.Failed[supervise.CheckReview] != 1 {
			t.Fatalf("publication %v, failed %v", rep.Total.Publish, rep.Total.Failed)
		}
		if len(rep.Staffing) == 0 || rep.ByMonth[2].Tally.Cases != 1 || rep.ByMonth[0].Tally.Cases != 1 {
			t.Fatalf("staffing %v, months %v", rep.Staffing, rep.ByMonth)
		}

		// The dashboards are the console's: the city's legal-affairs office
		// logs in with its own account; an API token opens no page.
		if err := s.AddAdmin(context.Background(), console.Admin{Login: "supervisor", Name: "市司法局", Role: console.RoleCity}, "supervisor-password", "test"); err != nil {
			t.Fatal(err)
		}
		loginAs := func(who, password string) (int, *http.Cookie) {
			resp, err := noRedirect.PostForm(h.URL+"/admin/login", url.Values{"login": {who}, "password": {password}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for _, c := range resp.Cookies() {
				if c.Name == console.CookieName {
					return resp.StatusCode, c
				}
			}
			return resp.StatusCode, nil
		}
		login := func(password string) (int, *http.Cookie) { return loginAs("supervisor", password) }
		if code, hdr, _ := get("/admin/supervision", bearerAuth); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/admin/login") {
			t.Fatalf("the dashboard without a session: %d %v", code, hdr)
		}
		if code, _ := login("wrong"); code != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %d", code)
		}
		code, cookie := login("supervisor-password")
		if code != http.StatusSeeOther || cookie == nil {
			t.Fatalf("login: %d", code)
		}
		sessionAuth := func(r *http.Request) { r.AddCookie(cookie) }
		if code, _, body := get("/api/v1/admin/supervision?year=20x6", bearerAuth); code != http.StatusBadRequest || !strings.Contains(body, "年份") {
			t.Fatalf("a bad year: %d %s", code, body)
		}
		if code, _, body := get("/api/v1/admin/supervision?from=1900-01-01&to=9999-01-01", bearerAuth); code != http.StatusBadRequest || !strings.Contains(body, "最长") {
			t.Fatalf("a period of eight thousand years: %d %s", code, body)
		}
		code, _, page := get("/admin/supervision?year=2026", sessionAuth)
		if code != http.StatusOK {
			t.Fatalf("dashboard: %d", code)
		}
		for _, w := range []string{"<svg", "行政执法监督统计", good, late, "缺行政处罚事先告知书", "自立案之日起90日内", "逾期未公开", "青禾市市场监督管理局", "审核人员占比"} {
			if !strings.Contains(page, w) {
				t.Errorf("the dashboard lacks %q", w)
			}
		}

		// From a low score to the case file.
		var lateDevice string
		for _, e := range rep.Cases {
			if e.Case == late {
				lateDevice = e.Device
			}
		}
		link := "/admin/cases/" + lateDevice + "/" + late
		if !strings.Contains(page, link) {
			t.Fatalf("the dashboard does not link %s", link)
		}
		if code, _, _ := get(link, nil); code != http.StatusSeeOther {
			t.Fatalf("a case file without a session: %d", code)
		}
		code, _, casePage := get(link, sessionAuth)
		for _, w := range []string{late, "调查取证", "缺行政处罚事先告知书", "文书齐全（30）", "青禾市某某有限公司"} {
			if code != http.StatusOK || !strings.Contains(casePage, w) {
				t.Errorf("the case file (%d) lacks %q", code, w)
			}
		}
		if code, _, _ := get("/admin/cases/"+lateDevice+"/NOPE", sessionAuth); code != http.StatusNotFound {
			t.Fatalf("an unknown case: %d", code)
		}
		// The published decision's case links its console page, where it
		// can be withdrawn.
		if code, _, goodPage := get("/admin/cases/"+lateDevice+"/"+good, sessionAuth); code != http.StatusOK || !strings.Contains(goodPage, `href="/admin/decisions/`+good+`"`) {
			t.Errorf("the published decision's case (%d) does not link its decision", code)
		}

		// An agency's administrator sees their own agency's cases only: the
		// dashboard holds agency 02's, and a case of agency 01 is not found.
		if err := s.AddAdmin(ctx, console.Admin{Login: "agency02", Name: "城管局法制科", Role: console.RoleAgency, Agency: "02"}, "agency02-password", "test"); err != nil {
			t.Fatal(err)
		}
		code, agencyCookie := loginAs("agency02", "agency02-password")
		if code != http.StatusSeeOther || agencyCookie == nil {
			t.Fatalf("the agency administrator's login: %d", code)
		}
		agencyAuth := func(r *http.Request) { r.AddCookie(agencyCookie) }
		code, _, agencyPage := get("/admin/supervision?year=2026", agencyAuth)
		if code != http.StatusOK || !strings.Contains(agencyPage, insp) || !strings.Contains(agencyPage, unreviewed) {
			t.Fatalf("the agency's dashboard (%d) lacks its own cases", code)
		}
		if strings.Contains(agencyPage, good) || strings.Contains(agencyPage, late) || strings.Contains(agencyPage, "青禾市市场监督管理局") {
			t.Errorf("the agency's dashboard shows another agency's cases")
		}
		if code, _, _ := get(link, agencyAuth); code != http.StatusNotFound {
			t.Errorf("another agency's case file for an agency administrator: %d", code)
		}
		var inspDevice string
		for _, e := range rep.Cases {
			if e.Case == insp {
				inspDevice = e.Device
			}
		}
		if code, _, _ := get("/admin/cases/"+inspDevice+"/"+insp, agencyAuth); code != http.StatusOK {
			t.Errorf("the agency's own case file: %d", code)
		}
		// An API token held to agency 02 gets that agency's report.
		tok, err := s.Console().NewToken(ctx, console.Token{Name: "agency02-stats", Scopes: []string{"supervision"}, Agency: "02"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		_, _, body = get("/api/v1/admin/supervision?year=2026", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
		var agencyRep supervise.Report
		if err := json.Unmarshal([]byte(body), &agencyRep); err != nil || agencyRep.Total.Cases != 2 || len(agencyRep.ByAgency) != 1 || agencyRep.ByAgency[0].Key != "02" {
			t.Errorf("agency 02's report: %+v %v", agencyRep.Total, err)
		}
		for _, st := range agencyRep.Staffing {
			if st.Agency != "02" {
				t.Errorf("agency 02's report counts the staff of %s", st.Agency)
			}
		}

		code, _, pub := get("/p/reports/2026", nil)
		if code != http.StatusOK || !strings.Contains(pub, "2026年度行政执法数据统计") || !strings.Contains(pub, "<svg") {
			t.Fatalf("annual report: %d", code)
		}
		for _, id := range []string{good, late, insp, unreviewed} {
			if strings.Contains(pub, id) {
				t.Errorf("the public report names case %s", id)
			}
		}
		// The cases-by-month chart is the dashboard's, bar for bar.
		monthChart := func(page string) string {
			i := strings.Index(page, "各月立案数")
			if i < 0 {
				return ""
			}
			j := strings.Index(page[i:], "</figure>")
			return page[i : i+j]
		}
		if mc := monthChart(pub); mc == "" || mc != monthChart(page) || !strings.Contains(mc, "<rect") {
			t.Errorf("the public month chart differs from the dashboard's:\n%s\n%s", mc, monthChart(page))
		}
		if code, _, list := get("/p/reports/", nil); code != http.StatusOK || !strings.Contains(list, "/p/reports/2025") || !strings.Contains(list, "2026-01-31") {
			t.Fatalf("the list of annual reports: %d %s", code, list)
		}
		if code, _, _ := get("/p/reports/2999", nil); code != http.StatusNotFound {
			t.Fatalf("a report of a year to come: %d", code)
		}
	})
}

// A platform database made before cases were indexed gets its index from
// the logs it holds when it opens.
func TestSupervisionIndexesLogsHeldBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := server.Open(ctx, path, server.Options{AdminToken: admin})
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	l := deviceLog(t, "OLD-1", 0)
	var clock time.Time
	l.SeedHistory(func() time.Time { return clock })
	supervisedCase(t, l, &clock, "01", catalog.ActPenalty, "2026-03-02", []step{{"register", "2026-03-02", "", false, ""}})
	supervisedCase(t, l, &clock, "02", catalog.ActInspection, "2026-04-02", []step{{"inspect", "2026-04-03", "inspection_record", true, ""}})
	if _, err := client.New(enrol(t, s, h, l)).Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), time.Date(2027, 1, 1, 0, 0, 0, 0, time.Local)
	before, err := s.Supervision(ctx, from, to)
	if err != nil || before.Total.Cases != 2 {
		t.Fatalf("%+v %v", before.Total, err)
	}
	h.Close()
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM cases`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = server.Open(ctx, path, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := s.Supervision(ctx, from, to)
	if err != nil || after.Total.Cases != 2 || after.Total.ScoreSum != before.Total.ScoreSum || after.Total.AVPresent != 1 {
		t.Fatalf("before %+v, after %+v (%v)", before.Total, after.Total, err)
	}
}

// The audio/video requirement lists are the platform's: a device pulls
// them (the bundled ones until an administrator sets others), and
// supervision scores cases by the lists set.
func TestAVListsComeFromThePlatform(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		l := deviceLog(t, "AV-1", 0)
		var clock time.Time
		l.SeedHistory(func() time.Time { return clock })
		id := supervisedCase(t, l, &clock, "01", catalog.ActPenalty, "2026-03-02", []step{{"register", "2026-03-02", "register_approval", false, ""}})
		c := client.New(enrol(t, s, h, l))
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		bundled, _ := device.BaselineAV()
		got, err := c.PullAVLists(ctx)
		if err != nil || len(got) != len(bundled) {
			t.Fatalf("before any is set: %d lists (%v), want the %d bundled", len(got), err, len(bundled))
		}
		from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), time.Date(2027, 1, 1, 0, 0, 0, 0, time.Local)
		rep, _ := s.Supervision(ctx, from, to)
		before := rep.Cases[0].Score
		if rep.Total.AVNeeded != 0 {
			t.Fatalf("under the bundled lists: %+v", rep.Cases[0])
		}
		// The city now wants the registration recorded too.
		if err := s.SetAVLists(ctx, []casefile.AVRequirement{{Agency: "01", Stages: []string{"register"}}, {Agency: "*", Stages: []string{"serve"}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAVLists(ctx, []casefile.AVRequirement{{Agency: "01"}, {Agency: "01"}}); err == nil {
			t.Fatal("an agency listed twice was taken")
		}
		got, err = c.PullAVLists(ctx)
		if err != nil || len(got) != 2 || got[0].Agency != "*" || got[1].Stages[0] != "register" {
			t.Fatalf("after setting: %+v %v", got, err)
		}
		rep, _ = s.Supervision(ctx, from, to)
		if e := rep.Cases[0]; e.Case != id || e.AVNeeded != 1 || e.AVPresent != 0 || e.Score >= before {
			t.Fatalf("under the new lists: %+v", e)
		}
	})
}

// Next year's holidays, once announced, are added on the platform and
// reach the devices; the bundled years stay; a bad file changes nothing.
func TestCalendarComesFromThePlatform(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		l := deviceLog(t, "CAL-1", 0)
		c := client.New(enrol(t, s, h, l))
		data, err := c.PullCalendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cal, _ := calendar.Parse(data)
		jan4 := time.Date(2027, 1, 4, 0, 0, 0, 0, time.Local)
		if cal.Known(jan4) {
			t.Fatal("2027 known before it was added")
		}
		if err := s.AddCalendarYears(ctx, []byte(`{"years":{"2027":{"holidays":["2027-01-01","2027-01-04"],"workdays":[]}}}`)); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCalendarYears(ctx, []byte(`{"years":{"2027":{"holidays":["January 1st"]}}}`)); err == nil {
			t.Fatal("a bad date was taken")
		}
		data, err = c.PullCalendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cal, _ = calendar.Parse(data)
		if !cal.Known(jan4) || cal.IsWorkday(jan4) || cal.IsWorkday(time.Date(2026, 10, 1, 0, 0, 0, 0, time.Local)) {
			t.Fatalf("the calendar pulled knows %v", cal.Years())
		}
		// Decided on the last working day of 2026: seven working days run
		// past the 4 January holiday the platform added.
		if due := cal.AddWorkdays(time.Date(2026, 12, 31, 10, 0, 0, 0, time.Local), 7); due.Format(time.DateOnly) != "2027-01-13" {
			t.Fatalf("due %v", due)
		}
	})
}

// noRedirect shows a redirect as it is: the console sends a browser
// without a session to its login page.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
