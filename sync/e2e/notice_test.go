package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// movableClock is a platform clock a test moves forward while the
// platform reads it from its handlers' goroutines.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *movableClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// consoleUser is one administrator's browser session: a cookie jar, no
// redirects followed, the CSRF token read off the console's home page.
type consoleUser struct {
	t    *testing.T
	base string
	http *http.Client
}

type page struct {
	status   int
	code     string // X-Sanxiang-Error
	body     string
	location string
	header   http.Header
}

func newConsoleUser(t *testing.T, h *httptest.Server, login, password string) *consoleUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &consoleUser{t: t, base: h.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if p := u.send(u.req("POST", "/admin/login", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"login": {login}, "password": {password}}.Encode()))); p.status != http.StatusSeeOther {
		t.Fatalf("log in as %s: %d %s", login, p.status, p.code)
	}
	return u
}

func (u *consoleUser) req(method, path, ctype string, body io.Reader) *http.Request {
	r, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r
}

func (u *consoleUser) send(r *http.Request) page {
	u.t.Helper()
	resp, err := u.http.Do(r)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Header.Get("X-Sanxiang-Error"), string(b), resp.Header.Get("Location"), resp.Header}
}

func (u *consoleUser) get(path string) page {
	u.t.Helper()
	return u.send(u.req("GET", path, "", nil))
}

func (u *consoleUser) csrf() string {
	u.t.Helper()
	body := u.get("/admin/").body
	_, rest, ok := strings.Cut(body, `name="csrf" value="`)
	if !ok {
		u.t.Fatalf("no CSRF token on the home page")
	}
	return rest[:strings.IndexByte(rest, '"')]
}

func (u *consoleUser) post(path string, form url.Values) page {
	u.t.Helper()
	form.Set("csrf", u.csrf())
	return u.send(u.req("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode())))
}

// postFiles posts a multipart form with files (name → bytes) under "files".
func (u *consoleUser) postFiles(path string, form url.Values, files map[string][]byte) page {
	u.t.Helper()
	form.Set("csrf", u.csrf())
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := mw.CreateFormFile("files", n)
		if err != nil {
			u.t.Fatal(err)
		}
		w.Write(files[n])
	}
	mw.Close()
	return u.send(u.req("POST", path, mw.FormDataContentType(), &buf))
}

// noticeCall is the administrator API as a token: method, path, JSON body
// → status, problem code and the decoded answer.
func noticeCall(t *testing.T, h *httptest.Server, token, method, path string, body, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		var p api.Problem
		json.Unmarshal(raw, &p)
		return resp.StatusCode, p.Code
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, ""
}

// tinyPNG is a real 2×2 PNG.
func tinyPNG(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noticePlatform serves a platform on b whose clock the test moves, with
// agencies 01 and 02, a case of agency 01 pushed by an officer's device,
// and the administrators: the city's office, each agency's, an operator.
func noticePlatform(t *testing.T, b servertest.Backend) (s *server.Server, h *httptest.Server, clock *movableClock, device, caseID string) {
	t.Helper()
	ctx := context.Background()
	clock = &movableClock{t: time.Now()}
	s, h = b.Serve(t, server.Options{AdminToken: admin, Now: clock.Now})
	if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}, {Code: "02", Name: "青禾市城市管理局"}}); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, "NTC-A")
	caseID, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1", ItemName: "对虚假广告的处罚",
		Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司"}, Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := enrol(t, s, h, l)
	if _, err := client.New(id).Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	for _, a := range []console.Admin{{Login: "city", Name: "市司法局 赵处长", Role: console.RoleCity},
		{Login: "a01", Name: "市场监管局 钱科长", Role: console.RoleAgency, Agency: "01"},
		{Login: "a02", Name: "城管局 孙科长", Role: console.RoleAgency, Agency: "02"},
		{Login: "ops", Name: "运维 李工", Role: console.RoleOperator}} {
		if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return s, h, clock, id.DeviceID, caseID
}

// The notice workflow end to end over HTTP on every backend, with two
// roles on the console (the city's office and the agency's administrator)
// and the API's tokens: a notice about a case, issued from the case's
// link; the agency's report with a PDF and a PNG, downloadable with their
// SHA-256 by those who see the notice and nobody else; a 退回 with its
// reasons, a second report, 通过, and 问责; a notice about an agency left
// unanswered past its deadline when the clock moves, which then stands
// first, red and counted; every wrong role, agency and state refused with
// its own code; every step in the audit log.
func TestNoticeWorkflowOverHTTP(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h, clock, device, caseID := noticePlatform(t, b)
		city, a01, a02, ops := newConsoleUser(t, h, "city", "password-city"), newConsoleUser(t, h, "a01", "password-a01"),
			newConsoleUser(t, h, "a02", "password-a02"), newConsoleUser(t, h, "ops", "password-ops")
		day := func(days int) string { return clock.Now().AddDate(0, 0, days).Format(time.DateOnly) }
		year := clock.Now().Year()
		id := func(seq int) string { return strings.Join([]string{strconv.Itoa(year), strconv.Itoa(seq)}, "-") }

		// The city opens the form from the case and issues the notice.
		if p := city.get("/admin/notices/new?device=" + url.QueryEscape(device) + "&case=" + url.QueryEscape(caseID)); p.status != http.StatusOK ||
			!strings.Contains(p.body, `value="`+caseID+`"`) {
			t.Fatalf("the form from the case: %d\n%s", p.status, p.body)
		}
		issue := url.Values{"device": {device}, "case": {caseID}, "finding": {"处罚决定未按期公示"}, "basis": {"《行政处罚法》第四十八条"},
			"actions": {"补充公示并说明原因"}, "deadline": {day(7)}}
		p := city.post("/admin/notices", issue)
		if p.status != http.StatusSeeOther || p.location != "/admin/notices/"+id(1)+"?done=issue" {
			t.Fatalf("issue: %d %s %s", p.status, p.code, p.location)
		}
		// About an agency: one for 01 due in three days, one for 02 in thirty.
		if p := city.post("/admin/notices", url.Values{"agency": {"01"}, "finding": {"执法记录仪配备不足"}, "basis": {"《音像记录办法》第五条"}, "deadline": {day(3)}}); p.status != http.StatusSeeOther {
			t.Fatalf("issue about agency 01: %d %s", p.status, p.code)
		}
		if p := city.post("/admin/notices", url.Values{"agency": {"02"}, "finding": {"公示信息不全"}, "basis": {"国办发〔2018〕118号"}, "deadline": {day(30)}}); p.status != http.StatusSeeOther {
			t.Fatalf("issue about agency 02: %d %s", p.status, p.code)
		}
		if p := city.get("/admin/notices/" + id(1)); p.status != http.StatusOK || !strings.Contains(p.body, "通报〔"+strconv.Itoa(year)+"〕1号") ||
			!strings.Contains(p.body, "待整改") || !strings.Contains(p.body, "处罚决定未按期公示") || !strings.Contains(p.body, "/admin/cases/"+device+"/"+caseID) ||
			!strings.Contains(p.body, `青禾市市场监督管理局 <span class="sub mono">01</span>`) {
			t.Fatalf("the notice: %d\n%s", p.status, p.body)
		}

		// Wrong roles, agencies and states, each with its code.
		for _, c := range []struct {
			name string
			p    page
			code string
		}{
			{"the operator reads notices", ops.get("/admin/notices"), "forbidden"},
			{"an agency issues", a01.post("/admin/notices", issue), "forbidden"},
			{"the city reports", city.post("/admin/notices/"+id(1)+"/report", url.Values{"text": {"x"}}), "forbidden"},
			{"an agency re-checks", a01.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"pass"}}), "forbidden"},
			{"another agency reads it", a02.get("/admin/notices/" + id(1)), "no_notice"},
			{"another agency answers it", a02.post("/admin/notices/"+id(1)+"/report", url.Values{"text": {"x"}}), "no_notice"},
			{"a re-check with no report", city.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"pass"}}), "notice_no_report"},
			{"a re-check neither pass nor return", city.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"maybe"}}), "notice_decision"},
			{"no basis", city.post("/admin/notices", url.Values{"agency": {"01"}, "finding": {"x"}, "deadline": {day(1)}}), "notice_basis"},
			{"no finding", city.post("/admin/notices", url.Values{"agency": {"01"}, "basis": {"x"}, "deadline": {day(1)}}), "notice_finding"},
			{"a deadline gone", city.post("/admin/notices", url.Values{"agency": {"01"}, "finding": {"x"}, "basis": {"x"}, "deadline": {day(-1)}}), "notice_deadline"},
			{"no such case", city.post("/admin/notices", url.Values{"device": {device}, "case": {"NO-SUCH"}, "finding": {"x"}, "basis": {"x"}, "deadline": {day(1)}}), "notice_case"},
			{"no such agency", city.post("/admin/notices", url.Values{"agency": {"99"}, "finding": {"x"}, "basis": {"x"}, "deadline": {day(1)}}), "notice_agency"},
			{"about nothing", city.post("/admin/notices", url.Values{"finding": {"x"}, "basis": {"x"}, "deadline": {day(1)}}), "notice_target"},
			{"an empty report", a01.post("/admin/notices/"+id(1)+"/report", url.Values{"text": {"  "}}), "notice_report"},
			{"a text file as a PDF", a01.postFiles("/admin/notices/"+id(1)+"/report", url.Values{"text": {"已整改"}},
				map[string][]byte{"整改报告.pdf": []byte("not a pdf at all")}), "notice_file_type"},
			{"a ZIP that is no document", a01.postFiles("/admin/notices/"+id(1)+"/report", url.Values{"text": {"已整改"}},
				map[string][]byte{"a.docx": []byte("PK\x03\x04 broken")}), "notice_file_type"},
			{"a file too large", a01.postFiles("/admin/notices/"+id(1)+"/report", url.Values{"text": {"已整改"}},
				map[string][]byte{"big.pdf": append([]byte("%PDF-1.4\n"), make([]byte, console.MaxNoticeFile)...)}), "notice_file_size"},
		} {
			if c.p.code != c.code || c.p.status < 400 {
				t.Errorf("%s: %d %q, want %s", c.name, c.p.status, c.p.code, c.code)
			}
		}

		// The agency reports with a PDF and a PNG.
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		pic := tinyPNG(t)
		if p := a01.postFiles("/admin/notices/"+id(1)+"/report", url.Values{"text": {"已在门户网站补充公示"}},
			map[string][]byte{"整改报告.pdf": pdf, "公示截图.png": pic}); p.status != http.StatusSeeOther {
			t.Fatalf("the report: %d %s\n%s", p.status, p.code, p.body)
		}
		page := a01.get("/admin/notices/" + id(1))
		sum := sha256.Sum256(pdf)
		pdfSHA := hex.EncodeToString(sum[:])
		if !strings.Contains(page.body, "已报告") || !strings.Contains(page.body, "整改报告.pdf") || !strings.Contains(page.body, pdfSHA) {
			t.Fatalf("after the report:\n%s", page.body)
		}
		for _, u := range []*consoleUser{city, a01} {
			f := u.get("/admin/notices/" + id(1) + "/files/" + pdfSHA)
			if f.status != http.StatusOK || f.body != string(pdf) || f.header.Get("X-Sanxiang-SHA256") != pdfSHA ||
				f.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(f.header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("the PDF's download: %d %v", f.status, f.header)
			}
		}
		if f := a02.get("/admin/notices/" + id(1) + "/files/" + pdfSHA); f.status != http.StatusNotFound {
			t.Fatalf("another agency downloads it: %d", f.status)
		}
		if f := city.get("/admin/notices/" + id(3) + "/files/" + pdfSHA); f.status != http.StatusNotFound || f.code != "no_notice_file" {
			t.Fatalf("the file under another notice: %d %s", f.status, f.code)
		}
		// Each side is offered its own next step only.
		if p := a01.get("/admin/notices/" + id(1)); strings.Contains(p.body, `id="recheck"`) || strings.Contains(p.body, `id="report"`) || strings.Contains(p.body, `id="accountability"`) {
			t.Fatalf("the agency is offered the city's forms:\n%s", p.body)
		}
		if p := city.get("/admin/notices/" + id(1)); !strings.Contains(p.body, `id="recheck"`) || strings.Contains(p.body, `id="report"`) {
			t.Fatalf("the city's page while a report waits:\n%s", p.body)
		}
		if p := a01.post("/admin/notices/"+id(1)+"/report", url.Values{"text": {"再报一次"}}); p.code != "notice_reported" {
			t.Fatalf("a second report before the re-check: %d %s", p.status, p.code)
		}

		// 退回 (reasons required), a second report, 通过, 问责.
		if p := city.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"return"}}); p.code != "notice_reasons" {
			t.Fatalf("a return without reasons: %d %s", p.status, p.code)
		}
		if p := city.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"return"}, "reasons": {"未说明逾期原因"}}); p.status != http.StatusSeeOther {
			t.Fatalf("the return: %d %s", p.status, p.code)
		}
		if p := a01.get("/admin/notices/" + id(1)); !strings.Contains(p.body, "退回") || !strings.Contains(p.body, "未说明逾期原因") || !strings.Contains(p.body, `id="report"`) {
			t.Fatalf("after the return the agency is asked again:\n%s", p.body)
		}
		if p := a01.postFiles("/admin/notices/"+id(1)+"/report", url.Values{"text": {"逾期系系统故障，已整改并说明"}}, nil); p.status != http.StatusSeeOther {
			t.Fatalf("the second report: %d %s", p.status, p.code)
		}
		if p := city.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"pass"}}); p.status != http.StatusSeeOther {
			t.Fatalf("the pass: %d %s", p.status, p.code)
		}
		if p := city.post("/admin/notices/"+id(1)+"/accountability", url.Values{"who": {"承办人 甲"}, "measure": {"诫勉谈话"}}); p.status != http.StatusSeeOther {
			t.Fatalf("accountability: %d %s", p.status, p.code)
		}
		if p := city.post("/admin/notices/"+id(1)+"/accountability", url.Values{"who": {"x"}}); p.code != "notice_who" {
			t.Fatalf("accountability without a measure: %d %s", p.status, p.code)
		}
		if p := a01.post("/admin/notices/"+id(1)+"/report", url.Values{"text": {"x"}}); p.code != "notice_passed" || p.status != http.StatusConflict {
			t.Fatalf("a report after 通过: %d %s", p.status, p.code)
		}
		if p := city.post("/admin/notices/"+id(1)+"/recheck", url.Values{"decision": {"return"}, "reasons": {"x"}}); p.code != "notice_passed" {
			t.Fatalf("a re-check after 通过: %d %s", p.status, p.code)
		}

		// The API: the city's token reads the whole history in order.
		var n api.Notice
		if st, code := noticeCall(t, h, admin, "GET", api.PathNotices+"/"+id(1), nil, &n); st != http.StatusOK {
			t.Fatalf("the notice by API: %d %s", st, code)
		}
		var kinds []string
		for _, st := range n.Steps {
			kinds = append(kinds, st.Kind+"/"+st.Actor)
		}
		if n.State != "passed" || n.Overdue || strings.Join(kinds, " ") != "report/a01 return/city report/a01 pass/city accountability/city" ||
			len(n.Steps[0].Files) != 2 || n.Number != "通报〔"+strconv.Itoa(year)+"〕1号" || n.Device != device || n.Case != caseID || n.Agency != "01" {
			t.Fatalf("the notice by API: %+v", n)
		}
		// A token held to agency 02 sees its own only, answers it, and may
		// neither issue nor re-check; the city's token may not report.
		secret, err := s.Console().NewToken(ctx, console.Token{Name: "cgj", Agency: "02", Scopes: []string{"supervision"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		var own api.NoticeList
		if st, _ := noticeCall(t, h, secret, "GET", api.PathNotices, nil, &own); st != http.StatusOK || own.All != 1 || len(own.Notices) != 1 || own.Notices[0].ID != id(3) {
			t.Fatalf("agency 02's token lists: %d %+v", st, own)
		}
		for _, c := range []struct {
			token, method, path string
			body                any
			status              int
			code                string
		}{
			{secret, "GET", api.PathNotices + "/" + id(1), nil, 404, "no_notice"},
			{secret, "POST", api.PathNotices + "/" + id(1) + "/report", api.NoticeReport{Text: "x"}, 404, "no_notice"},
			{secret, "POST", api.PathNotices, api.NewNotice{Agency: "02", Finding: "x", Basis: "x", Deadline: day(1)}, 403, "notice_role"},
			{secret, "POST", api.PathNotices + "/" + id(3) + "/recheck", api.NoticeRecheck{Decision: "pass"}, 403, "notice_role"},
			{admin, "POST", api.PathNotices + "/" + id(3) + "/report", api.NoticeReport{Text: "x"}, 403, "notice_role"},
			{admin, "POST", api.PathNotices + "/" + id(3) + "/recheck", api.NoticeRecheck{Decision: "pass"}, 409, "notice_no_report"},
			{secret, "POST", api.PathNotices + "/" + id(3) + "/report", api.NoticeReport{Text: "x", Files: []api.NoticeUpload{{Name: "a.exe", Data: []byte("MZ")}}}, 415, "notice_file_type"},
			{admin, "GET", api.PathNotices + "?state=lost", nil, 400, "notice_state"},
		} {
			if st, code := noticeCall(t, h, c.token, c.method, c.path, c.body, nil); st != c.status || code != c.code {
				t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, st, code, c.status, c.code)
			}
		}
		var reported api.Notice
		if st, code := noticeCall(t, h, secret, "POST", api.PathNotices+"/"+id(3)+"/report",
			api.NoticeReport{Text: "已补全公示信息", Files: []api.NoticeUpload{{Name: "截图.png", Data: pic}}}, &reported); st != http.StatusCreated ||
			reported.State != "reported" || len(reported.Steps) != 1 || reported.Steps[0].Files[0].Type != "image/png" || reported.Steps[0].Actor != "cgj" {
			t.Fatalf("agency 02's token reports: %d %s %+v", st, code, reported)
		}

		// Ten days on: the notice about agency 01 is past its deadline
		// unanswered — overdue, first, red, counted; the passed one is not.
		clock.Add(10 * 24 * time.Hour)
		// (The sessions have expired meanwhile: both log in again.)
		city, a01 = newConsoleUser(t, h, "city", "password-city"), newConsoleUser(t, h, "a01", "password-a01")
		list := city.get("/admin/notices")
		first := strings.Index(list.body, `id="notice-`)
		if list.status != http.StatusOK || !strings.Contains(list.body, "共 3 件，逾期 1 件") ||
			!strings.HasPrefix(list.body[first:], `id="notice-`+id(2)+`" class="overdue"`) {
			t.Fatalf("the list after ten days:\n%s", list.body)
		}
		if only := city.get("/admin/notices?overdue=1"); strings.Count(only.body, `id="notice-`) != 1 || !strings.Contains(only.body, id(2)) {
			t.Fatalf("only the overdue:\n%s", only.body)
		}
		if by := city.get("/admin/notices?agency=02&state=reported"); strings.Count(by.body, `id="notice-`) != 1 || !strings.Contains(by.body, `id="notice-`+id(3)+`"`) {
			t.Fatalf("agency 02's reported:\n%s", by.body)
		}
		if mine := a01.get("/admin/notices"); strings.Count(mine.body, `id="notice-`) != 2 || strings.Contains(mine.body, `id="notice-`+id(3)+`"`) {
			t.Fatalf("agency 01's list:\n%s", mine.body)
		}
		var overdue api.NoticeList
		if st, _ := noticeCall(t, h, admin, "GET", api.PathNotices+"?overdue=true", nil, &overdue); st != http.StatusOK || overdue.Overdue != 1 ||
			len(overdue.Notices) != 1 || !overdue.Notices[0].Overdue || overdue.States["passed"] != 1 {
			t.Fatalf("overdue by API: %+v", overdue)
		}

		// Every step is in the audit log.
		entries, _, err := s.Console().AuditLog(ctx, "", 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		var audited []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "notice.") && e.Object == id(1) {
				audited = append(audited, e.Action)
			}
		}
		slices.Reverse(audited)
		if strings.Join(audited, " ") != "notice.issue notice.report notice.return notice.report notice.pass notice.accountability" {
			t.Fatalf("audited: %v", audited)
		}
	})
}

// An officer's device gets the notices about its own cases in its sync
// round, kept in notices.json for the desk: a round pushes the case, the
// city issues a notice about it, the next round brings it; another
// officer's device gets none of it, and a window device is refused.
func TestDeviceRoundPullsItsNotices(t *testing.T) {
	ctx := context.Background()
	s, h, clock, otherDevice, otherCase := noticePlatform(t, servertest.Backends(t)[0])
	dev, id := enrolledDevice(t, s, h.URL, "执法终端", api.DeviceOfficer)
	keysOf.Store(dev.Log, casefiletest.SignAs(t, dev.Log, "990101000001"))
	t.Cleanup(func() { keysOf.Delete(dev.Log) })
	activateKeys(t, s, id, dev.Log)
	caseID, err := dev.Log.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "检查",
		Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司"}, Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatalf("the first round: %s: %v", res, err)
	}
	if kept, err := client.LoadNotices(dev); err != nil || len(kept) != 0 {
		t.Fatalf("before any notice: %+v %v", kept, err)
	}
	deadline := clock.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	for _, n := range []api.NewNotice{{Device: id.DeviceID, Case: caseID, Finding: "检查记录缺少当事人签字", Basis: "《行政执法全过程记录办法》第十条", Deadline: deadline},
		{Device: otherDevice, Case: otherCase, Finding: "另一台设备的案件", Basis: "x", Deadline: deadline}} {
		if st, code := noticeCall(t, h, admin, "POST", api.PathNotices, n, nil); st != http.StatusCreated {
			t.Fatalf("issue: %d %s", st, code)
		}
	}
	if res, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatalf("the second round: %s: %v", res, err)
	}
	kept, err := client.LoadNotices(dev)
	if err != nil || len(kept) != 1 || kept[0].Case != caseID || kept[0].Device != id.DeviceID || kept[0].Finding != "检查记录缺少当事人签字" || kept[0].State != "pending" {
		t.Fatalf("kept after the round: %+v %v", kept, err)
	}
	window, _ := enrolledDevice(t, s, h.URL, "大厅窗口", api.DeviceWindow)
	wid, err := client.LoadIdentity(window.Dir, window.Keys())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(wid).PullNotices(ctx); err == nil || !strings.Contains(err.Error(), "wrong_kind") {
		t.Fatalf("a window device pulls notices: %v", err)
	}
}
