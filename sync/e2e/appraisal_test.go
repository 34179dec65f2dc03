package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/internal/npmtools"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// appraisalWorld is a platform holding a year of cases of two agencies,
// pushed by two devices, and a window's ratings: agency 01's officers
// 甲 and 乙 worked two penalties (one on time and published, one late);
// agency 02's 张三 and 李四 an inspection and a major penalty without
// review; 01's window staff 王五 was rated three times (two satisfied).
type appraisalWorld struct {
	s                    *server.Server
	h                    *httptest.Server
	city, agency02, none *http.Cookie
}

const (
	zhangsan, lisi = "990102000011", "990102000012"
	wangwu         = "990101000104"
	apprYear       = "2026"
)

func newAppraisalWorld(t *testing.T, b servertest.Backend) *appraisalWorld {
	t.Helper()
	ctx := context.Background()
	s, h := b.Serve(t, server.Options{AdminToken: admin, Clock: intake.ClockPolicy{Past: 3 * 365 * 24 * time.Hour}})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	cal, _ := calendar.Parse(assets.Calendar)
	small, major := `{"fine":3000}`, `{"fine":200000}`

	a := deviceLog(t, "APR-A", 0)
	var clock time.Time
	a.SeedHistory(func() time.Time { return clock })
	good := supervisedCase(t, a, &clock, "01", catalog.ActPenalty, "2026-03-02", []step{
		{"register", "2026-03-02", "register_approval", false, ""}, {"investigate", "2026-03-03", "inspection_record", true, ""},
		{"notify", "2026-03-10", "prior_notice", true, ""}, {"defend", "2026-03-12", "", true, ""}, {"decide", "2026-03-20", "penalty_decision", false, small}})
	clock = clock.AddDate(0, 0, 2)
	if _, err := publish.Publish(ctx, a, cal, good, "990101000001", nil); err != nil {
		t.Fatal(err)
	}
	supervisedCase(t, a, &clock, "01", catalog.ActPenalty, "2026-01-05", []step{
		{"register", "2026-01-05", "register_approval", false, ""}, {"investigate", "2026-01-06", "inspection_record", true, ""},
		{"notify", "2026-02-02", "", false, ""}, {"defend", "2026-02-03", "", true, ""}, {"decide", "2026-04-10", "penalty_decision", false, small}})

	// Agency 02's officers, on a device of their own.
	for _, p := range []api.Person{{ID: zhangsan, Name: "张三", Agency: "02", Role: api.RoleOfficer, Active: true},
		{ID: lisi, Name: "李四", Agency: "02", Role: api.RoleOfficer, Active: true}} {
		if err := s.People().Put(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	bl := openLog(t, "APR-B", zhangsan, lisi)
	bl.SeedHistory(func() time.Time { return clock })
	theirs := []casefile.Officer{{CertNo: zhangsan, Name: "张三"}, {CertNo: lisi, Name: "李四"}}
	officeredCase(t, bl, &clock, "02", catalog.ActInspection, "2026-05-06", theirs, []step{{"inspect", "2026-05-06", "", false, ""}})
	officeredCase(t, bl, &clock, "02", catalog.ActPenalty, "2026-06-01", theirs, []step{
		{"register", "2026-06-01", "register_approval", false, ""}, {"investigate", "2026-06-02", "inspection_record", true, ""},
		{"notify", "2026-06-05", "prior_notice", true, ""}, {"defend", "2026-06-08", "", true, ""}, {"decide", "2026-06-15", "penalty_decision", false, major}})
	for _, l := range []*casefile.Log{a, bl} {
		if _, err := client.New(enrol(t, s, h, l)).Push(ctx, l); err != nil {
			t.Fatal(err)
		}
	}

	// 王五 serves at agency 01's window and is rated three times.
	const pin = "258147"
	dev, _ := enrolledDevice(t, s, h.URL, "一号窗口", api.DeviceWindow)
	if _, err := client.ActivatePerson(ctx, dev, person(t, s, api.Person{ID: wangwu, Name: "王五", Agency: "01", Role: api.RoleStaff}), pin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Book.SignIn(ctx, wangwu, pin, "1"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []hall.RatingBody{{Level: hall.LevelVerySatisfied}, {Level: hall.LevelSatisfied},
		{Level: hall.LevelDissatisfied, Reasons: []string{hall.ReasonLongWait}}, {Level: hall.LevelUnrated}} {
		r.Window, r.Staff, r.Visit = "1", wangwu, hall.NewVisit()
		if _, err := hall.AppendRating(ctx, dev.Log, r); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatalf("round: %s: %v", res, err)
	}

	w := &appraisalWorld{s: s, h: h}
	for _, x := range []struct {
		a      console.Admin
		cookie **http.Cookie
	}{
		{console.Admin{Login: "supervisor", Name: "市司法局", Role: console.RoleCity}, &w.city},
		{console.Admin{Login: "agency02", Name: "城管局法制科", Role: console.RoleAgency, Agency: "02"}, &w.agency02},
		{console.Admin{Login: "operator", Name: "运维", Role: console.RoleOperator}, &w.none},
	} {
		if err := s.AddAdmin(ctx, x.a, x.a.Login+"-password", "test"); err != nil {
			t.Fatal(err)
		}
		resp, err := noRedirect.PostForm(h.URL+"/admin/login", url.Values{"login": {x.a.Login}, "password": {x.a.Login + "-password"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == console.CookieName {
				*x.cookie = c
			}
		}
		if *x.cookie == nil {
			t.Fatalf("%s cannot log in: %d", x.a.Login, resp.StatusCode)
		}
	}
	return w
}

// officeredCase is supervisedCase with the officers named: the first
// opens the case and records its stages; on-site stages name both.
func officeredCase(t *testing.T, l *casefile.Log, clock *time.Time, agency string, act catalog.Act, opened string, officers []casefile.Officer, steps []step) string {
	t.Helper()
	ctx := context.Background()
	at := func(d string) {
		*clock, _ = time.ParseInLocation(time.DateOnly, d, time.Local)
		*clock = clock.Add(10 * time.Hour)
	}
	at(opened)
	author := officers[0].CertNo
	id, err := l.OpenCase(ctx, author, casefile.Opening{Act: act, Agency: agency, ItemID: "E1", ItemName: "事项",
		Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"}, Officers: officers})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		at(s.day)
		if s.tpl != "" {
			body, _ := json.Marshal(document.Doc{Template: s.tpl, Inputs: map[string]string{"doc_no": "青城管罚〔2026〕" + id + "号"},
				Text: "当事人：青禾市某某有限公司。"})
			if _, err := l.AddDocument(ctx, id, author, body); err != nil {
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
		st := casefile.StageBody{Stage: s.stage, Officers: officers}
		c, err := l.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ps, _ := c.Procedure().Stage(s.stage); ps.Approval {
			st.Approver = "负责人"
		}
		if s.decision != "" {
			st.Decision = json.RawMessage(s.decision)
		}
		if _, err := l.AddStage(ctx, id, author, st, media...); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// get fetches path with the cookie (or, with none, the admin token).
func (w *appraisalWorld) get(t *testing.T, path string, cookie *http.Cookie) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.h.URL+path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	} else {
		req.Header.Set("Authorization", "Bearer "+admin)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// pageCell is one cell of a page's table: its text, and whether it is
// words (class "t") rather than a figure.
type pageCell struct {
	text  string
	words bool
}

var (
	tableRe = regexp.MustCompile(`(?s)<table id="([^"]+)">(.*?)</table>`)
	rowRe   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRe  = regexp.MustCompile(`(?s)<t([hd])([^>]*)>(.*?)</t[hd]>`)
	tagRe   = regexp.MustCompile(`(?s)<[^>]+>`)
)

// pageTables reads the page's tables by id, row by row (the header
// first), as the platform writes them.
func pageTables(page string) map[string][][]pageCell {
	out := map[string][][]pageCell{}
	for _, m := range tableRe.FindAllStringSubmatch(page, -1) {
		var rows [][]pageCell
		for _, r := range rowRe.FindAllStringSubmatch(m[2], -1) {
			var row []pageCell
			for _, c := range cellRe.FindAllStringSubmatch(r[1], -1) {
				row = append(row, pageCell{text: strings.TrimSpace(html.UnescapeString(tagRe.ReplaceAllString(c[3], ""))),
					words: c[1] == "h" || strings.Contains(c[2], `class="t"`)})
			}
			rows = append(rows, row)
		}
		out[m[1]] = rows
	}
	return out
}

// sameAsThePage compares the sheet with the page's table cell by cell:
// the header's words; words as text; every figure a number (a count as a
// whole number, a rate as a fraction formatted as a percent, a mean to
// one decimal) that shows as the page shows it; a rate of nothing as
// the dash. skip names page columns the sheet splits (none by default).
func sameAsThePage(t *testing.T, f *excelize.File, sheet string, table [][]pageCell) {
	t.Helper()
	if len(table) < 2 {
		t.Fatalf("sheet %s: the page's table has no rows: %v", sheet, table)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(table) {
		t.Fatalf("sheet %s: %d rows, the page %d", sheet, len(rows), len(table))
	}
	for r, row := range table {
		for c, want := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			shown, _ := f.GetCellValue(sheet, cell)
			typ, _ := f.GetCellType(sheet, cell)
			isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString
			where := fmt.Sprintf("%s!%s", sheet, cell)
			switch {
			case want.words || want.text == "—":
				if !isText || raw != want.text {
					t.Errorf("%s: %q (%v), the page %q", where, raw, typ, want.text)
				}
			default:
				if isText {
					t.Errorf("%s: the figure %q is text, not a number", where, raw)
					continue
				}
				v, err := strconv.ParseFloat(raw, 64)
				if err != nil {
					t.Errorf("%s: %q is not a number: %v", where, raw, err)
					continue
				}
				var got string
				switch {
				case strings.HasSuffix(want.text, "%"):
					got = strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
					if shown != want.text {
						t.Errorf("%s: shows %q, not as a percent %q", where, shown, want.text)
					}
				case strings.Contains(want.text, "."):
					got = strconv.FormatFloat(v, 'f', 1, 64)
				default:
					got = strconv.FormatFloat(v, 'f', -1, 64)
				}
				if got != want.text {
					t.Errorf("%s: %s (raw %q), the page %q", where, got, raw, want.text)
				}
			}
		}
	}
}

// openXLSX checks an export's headers and opens it.
func openXLSX(t *testing.T, code int, hdr http.Header, body []byte, name string) *excelize.File {
	t.Helper()
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("the XLSX: %d %s %.200s", code, hdr.Get("Content-Type"), body)
	}
	if cd := hdr.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape(name)) {
		t.Errorf("Content-Disposition %q does not name the file %q", cd, name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// pdfText checks a PDF export's type and reads it back with pdftotext.
func pdfText(t *testing.T, code int, hdr http.Header, body []byte, name string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
	}
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the PDF: %d %s %.200s", code, hdr.Get("Content-Type"), body)
	}
	if cd := hdr.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape(name)) {
		t.Errorf("Content-Disposition %q does not name the file %q", cd, name)
	}
	path := filepath.Join(t.TempDir(), "export.pdf")
	if dir := os.Getenv("SANXIANG_CONSOLE_SHOTS"); dir != "" { // for people to look at
		path = filepath.Join(dir, strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())+".pdf")
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// 评议考核 exported as XLSX, opened again with excelize, holds every
// figure of the page's three tables cell by cell, numbers as numbers;
// the PDF reads back with them; the JSON agrees; the figures are the
// ones the cases and ratings make.
func TestAppraisalXLSXMatchesThePage(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		w := newAppraisalWorld(t, b)
		code, _, page := w.get(t, "/admin/appraisal?year="+apprYear, w.city)
		if code != http.StatusOK {
			t.Fatalf("the page: %d %s", code, page)
		}
		tables := pageTables(string(page))
		officers := map[string][]pageCell{}
		for _, row := range tables["officers"][1:] {
			officers[row[1].text] = row
		}
		header := tables["officers"][0]
		col := func(name string) int {
			for i, c := range header {
				if c.text == name {
					return i
				}
			}
			t.Fatalf("no column %s in %v", name, header)
			return -1
		}
		// 甲 and 乙 each worked both of 01's penalties; 张三 and 李四 both
		// of 02's cases; 王五 served at the window: 2 satisfied of 3.
		for _, c := range []struct{ id, name, cases, penalties, ratings, satisfaction string }{
			{"990101000001", "甲", "2", "2", "0", "—"},
			{"990101000002", "乙", "2", "2", "0", "—"},
			{zhangsan, "张三", "2", "1", "0", "—"},
			{lisi, "李四", "2", "1", "0", "—"},
			{wangwu, "王五", "0", "0", "3", "66.7%"},
		} {
			row, ok := officers[c.id]
			if !ok {
				t.Errorf("no row for %s %s", c.name, c.id)
				continue
			}
			got := []string{row[0].text, row[col("案件数")].text, row[col("行政处罚")].text, row[col("评价数")].text, row[col("满意率")].text}
			if want := []string{c.name, c.cases, c.penalties, c.ratings, c.satisfaction}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("officer %s: %v, want %v", c.id, got, want)
			}
		}
		if len(tables["agencies"]) != 3 || len(tables["months"]) != 13 {
			t.Fatalf("%d agency rows, %d month rows (with the header); want 3 and 13", len(tables["agencies"]), len(tables["months"]))
		}
		for _, want := range []string{"<svg", "各月案件数（按执法行为）", "各部门案卷评查平均分", "?format=xlsx", "?format=pdf"} {
			if !strings.Contains(string(page), want) && !strings.Contains(string(page), strings.ReplaceAll(want, "?", "&amp;")) {
				t.Errorf("the page lacks %q", want)
			}
		}

		name := "评议考核 2026-01-01—2026-12-31"
		code, hdr, body := w.get(t, "/admin/appraisal?year="+apprYear+"&format=xlsx", w.city)
		f := openXLSX(t, code, hdr, body, name+".xlsx")
		if got := f.GetSheetList(); fmt.Sprint(got) != "[按执法人员 各部门对比 按月趋势]" {
			t.Fatalf("sheets %v", got)
		}
		for sheet, id := range map[string]string{"按执法人员": "officers", "各部门对比": "agencies", "按月趋势": "months"} {
			sameAsThePage(t, f, sheet, tables[id])
		}

		code, hdr, body = w.get(t, "/admin/appraisal?year="+apprYear+"&format=pdf", w.city)
		text := pdfText(t, code, hdr, body, name+".pdf")
		for _, want := range []string{"评议考核", "按执法人员", "各部门对比", "按月趋势", "甲", "张三", "王五", wangwu, zhangsan, "66.7%", "2026-06", "青禾市市场监督管理局"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}

		// The JSON: the same officers and totals.
		code, _, body = w.get(t, api.PathAppraisal+"?year="+apprYear, nil)
		var a supervise.Appraisal
		if err := json.Unmarshal(body, &a); code != http.StatusOK || err != nil {
			t.Fatalf("the API: %d %v %s", code, err, body)
		}
		if a.Total.Cases != 4 || len(a.Officers) != len(tables["officers"])-1 || a.Total.Ratings != 3 || a.Total.Satisfied != 2 {
			t.Errorf("the API's totals %+v, %d officers", a.Total, len(a.Officers))
		}

		// Bad input: a format the page does not offer, a bad period.
		for _, bad := range []struct{ query, code, words string }{
			{"?format=docx", "bad_format", "导出格式只能是 xlsx 或 pdf"},
			{"?from=2026-05-01&to=2026-01-01", "bad_period", "日期"},
		} {
			code, hdr, body := w.get(t, "/admin/appraisal"+bad.query, w.city)
			var p struct{ Code, Message string }
			json.Unmarshal(body, &p)
			if code != http.StatusBadRequest || !strings.Contains(hdr.Get("Content-Type"), "problem+json") || p.Code != bad.code ||
				!strings.Contains(p.Message, bad.words) {
				t.Errorf("%s: %d %s", bad.query, code, body)
			}
		}
	})
}

// The appraisal is the city's and the agencies' own: an agency's
// administrator sees its own officers only, page, file and all; an API
// token held to an agency gets that agency's; other roles and no session
// get nothing.
func TestAppraisalHeldToTheAgency(t *testing.T) {
	w := newAppraisalWorld(t, servertest.Backends(t)[0])
	code, _, page := w.get(t, "/admin/appraisal?year="+apprYear, w.agency02)
	if code != http.StatusOK {
		t.Fatalf("the agency's page: %d", code)
	}
	tables := pageTables(string(page))
	var ids []string
	for _, row := range tables["officers"][1:] {
		ids = append(ids, row[1].text)
	}
	if fmt.Sprint(ids) != fmt.Sprint([]string{zhangsan, lisi}) || len(tables["agencies"]) != 2 {
		t.Errorf("agency 02 sees officers %v and %d agency rows", ids, len(tables["agencies"])-1)
	}
	for _, other := range []string{"990101000001", wangwu, "青禾市市场监督管理局"} {
		if strings.Contains(string(page), other) {
			t.Errorf("agency 02's page shows %s", other)
		}
	}
	code, hdr, body := w.get(t, "/admin/appraisal?year="+apprYear+"&format=xlsx", w.agency02)
	f := openXLSX(t, code, hdr, body, "评议考核 · 青禾市城市管理局")
	rows, _ := f.GetRows("按执法人员")
	if len(rows) != 3 || rows[1][1] != zhangsan || rows[2][1] != lisi {
		t.Errorf("agency 02's workbook: %v", rows)
	}
	sameAsThePage(t, f, "按执法人员", tables["officers"])

	if code, _, _ := w.get(t, "/admin/appraisal", w.none); code != http.StatusForbidden {
		t.Errorf("an operator opened the appraisal: %d", code)
	}
	if code, hdr, _ := w.get(t, "/admin/appraisal?format=xlsx", nil); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/admin/login") {
		t.Errorf("the export without a session: %d %v", code, hdr)
	}
	ctx := context.Background()
	token := func(scope, agency string) string {
		secret, err := w.s.Console().NewToken(ctx, console.Token{Name: "t-" + scope + agency, Scopes: []string{scope}, Agency: agency}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	call := func(tok string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, w.h.URL+api.PathAppraisal+"?year="+apprYear, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, body = call(token("supervision", "01"))
	var a supervise.Appraisal
	if err := json.Unmarshal(body, &a); code != http.StatusOK || err != nil {
		t.Fatalf("agency 01's token: %d %s", code, body)
	}
	var got []string
	for _, o := range a.Officers {
		got = append(got, o.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{"990101000001", "990101000002", wangwu}) || a.Total.Cases != 2 || len(a.Agencies) != 1 {
		t.Errorf("agency 01's token gets officers %v, %d cases, %d agencies", got, a.Total.Cases, len(a.Agencies))
	}
	if code, _ := call(token("people", "")); code != http.StatusForbidden {
		t.Errorf("a token without supervision: %d", code)
	}
	if code, _ := call("forged-token"); code != http.StatusUnauthorized {
		t.Errorf("a forged token: %d", code)
	}
}

// The supervision report's XLSX holds the page's tables cell by cell,
// and its PDF reads back with them.
func TestSupervisionXLSXMatchesThePage(t *testing.T) {
	w := newAppraisalWorld(t, servertest.Backends(t)[0])
	code, _, page := w.get(t, "/admin/supervision?year="+apprYear, w.city)
	if code != http.StatusOK {
		t.Fatalf("the page: %d", code)
	}
	tables := pageTables(string(page))
	name := "执法监督报告 2026-01-01—2026-12-31"
	code, hdr, body := w.get(t, "/admin/supervision?year="+apprYear+"&format=xlsx", w.city)
	f := openXLSX(t, code, hdr, body, name+".xlsx")
	sheets := f.GetSheetList()
	if len(sheets) < 3 || sheets[0] != "分部门统计" || sheets[1] != "法制审核人员配备" {
		t.Fatalf("sheets %v", sheets)
	}
	sameAsThePage(t, f, sheets[0], tables["by-agency"])
	sameAsThePage(t, f, sheets[1], tables["staffing"])
	// The page shows each case with its device under it; the workbook
	// gives the device a column of its own.
	rows, _ := f.GetRows(sheets[len(sheets)-1])
	cases := tables["cases"]
	if len(rows) != len(cases) || len(cases) != 5 {
		t.Fatalf("cases: %d rows in the workbook, %d on the page; want 5", len(rows), len(cases))
	}
	for i, row := range cases[1:] {
		r := append(rows[i+1], make([]string, 7)...) // a row's empty last cells are not read
		if row[0].text != r[0]+r[1] || row[1].text != r[2] || row[2].text != r[3] || row[3].text != r[4] || row[4].text != r[5] || row[5].text != r[6] {
			t.Errorf("case row %d: page %v, workbook %v", i+1, row, r)
		}
		if typ, _ := f.GetCellType(sheets[len(sheets)-1], fmt.Sprintf("F%d", i+2)); typ != excelize.CellTypeUnset {
			t.Errorf("case row %d: the score is not a number (%v)", i+1, typ)
		}
	}
	code, hdr, body = w.get(t, "/admin/supervision?year="+apprYear+"&format=pdf", w.city)
	text := pdfText(t, code, hdr, body, name+".pdf")
	for _, row := range tables["by-agency"][1:] {
		for _, c := range row {
			if !strings.Contains(text, c.text) {
				t.Errorf("the PDF lacks the page's %q", c.text)
			}
		}
	}
}

// The public annual report's XLSX holds its tables cell by cell and
// names no case; its PDF reads back with the figures.
func TestAnnualReportXLSXMatchesThePage(t *testing.T) {
	w := newAppraisalWorld(t, servertest.Backends(t)[0])
	resp, err := http.Get(w.h.URL + "/p/reports/" + apprYear)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the annual report: %d", resp.StatusCode)
	}
	tables := pageTables(string(page))
	fetch := func(format string) (int, http.Header, []byte) {
		resp, err := http.Get(w.h.URL + "/p/reports/" + apprYear + "?format=" + format)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	code, hdr, body := fetch("xlsx")
	f := openXLSX(t, code, hdr, body, "")
	if cd := hdr.Get("Content-Disposition"); !strings.Contains(cd, "annual-report-2026.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 2 {
		t.Fatalf("the public workbook's sheets: %v (no cases, no overdue tasks)", sheets)
	}
	sameAsThePage(t, f, sheets[0], tables["by-agency"])
	sameAsThePage(t, f, sheets[1], tables["staffing"])
	code, hdr, body = fetch("pdf")
	text := pdfText(t, code, hdr, body, "")
	for _, row := range tables["by-agency"][1:] {
		for _, c := range row {
			if !strings.Contains(text, c.text) {
				t.Errorf("the PDF lacks the page's %q", c.text)
			}
		}
	}
	if code, _, _ := fetch("exe"); code != http.StatusBadRequest {
		t.Errorf("a bad format: %d", code)
	}
}

// 评议考核 in a real browser: the supervisor opens it from the console's
// home page, reads the per-officer table, the month trend (a table and
// charts drawn without script) and the agencies side by side, then asks
// for a shorter period with the form; the agency's administrator sees
// only its own. Screenshots go to $SANXIANG_CONSOLE_SHOTS. Skipped
// without a Chromium, unless SANXIANG_REQUIRE_BROWSER=1.
func TestAppraisalInTheBrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	w := newAppraisalWorld(t, servertest.Backends(t)[0])
	br := browsertest.Open(t, exe)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	part := func(sel, name string) browsertest.Step {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.Screenshot(css(sel))(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(br.Shots, name+".png"), png, 0o644)
		}
	}
	count := func(sel string) int {
		n, err := chromedp.Run(br.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	br.Do("log in", chromedp.Navigate(w.h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "supervisor"), chromedp.SendKeys(css(`input[name=password]`), "supervisor-password"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	br.Do("the appraisal from the console", chromedp.Click(css(`a[href="/admin/appraisal"]`)), chromedp.WaitVisible(css(`#officers`)))
	// The default period is this year: the year of the cases is asked for.
	br.Do("the year of the cases", chromedp.Navigate(w.h.URL+"/admin/appraisal?year="+apprYear), chromedp.WaitVisible(css(`#officers`)),
		br.Shot("appraisal-page"), part(`#officers`, "appraisal-officers"), part(`#agencies`, "appraisal-agencies"),
		part(`#months`, "appraisal-months"), part(`.charts`, "appraisal-charts"))
	officers := br.Text(`#officers`)
	for _, want := range []string{"甲", "乙", "张三", "李四", "王五", zhangsan, wangwu, "66.7%", "青禾市市场监督管理局"} {
		if !strings.Contains(officers, want) {
			t.Errorf("the per-officer table lacks %q:\n%s", want, officers)
		}
	}
	months, charts, agencyRows := count(`#months tr`), count(`.charts svg`), count(`#agencies tr`)
	if months != 13 || charts != 3 || agencyRows != 3 {
		t.Errorf("%d month rows, %d charts, %d agency rows (headers included); want 13, 3, 3", months, charts, agencyRows)
	}
	if got := br.Text(`#agencies`); !strings.Contains(got, "青禾市市场监督管理局") || !strings.Contains(got, "青禾市城市管理局") {
		t.Errorf("the agencies side by side: %q", got)
	}
	if got := br.Text(`#months`); !strings.Contains(got, "2026-06") {
		t.Errorf("the trend by month: %q", got)
	}
	// Accessible as the public pages are (TestPublicPagesAccessible's
	// checks: axe-core, widths, targets, charts), at every width.
	axe, err := os.ReadFile(npmtools.Path(t, "axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	{
		for i, v := range a11yViews {
			for _, problem := range pageProblems(br, axe, w.h.URL+"/admin/appraisal?year="+apprYear, v, i == 0) {
				t.Errorf("the appraisal at %s: %s", v.name, problem)
			}
		}
		br.Do("back to the full width", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(w.h.URL+"/admin/appraisal?year="+apprYear),
			chromedp.WaitVisible(css(`#officers`)))
	}
	// The first quarter, through the form: 01's two penalties only.
	br.Do("a shorter period", chromedp.SetValue(css(`input[name=from]`), "2026-01-01"), chromedp.SetValue(css(`input[name=to]`), "2026-04-01"),
		chromedp.Click(css(`form.period button`)))
	// The form's GET navigates: wait for the new page's address.
	for i := 0; ; i++ {
		q, err := chromedp.Run(br.Ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ? location.search : ''`))
		if err == nil && strings.Contains(q, "to=2026-04-01") {
			break
		}
		if i == 100 {
			t.Fatalf("the form did not ask for the period: %q %v", q, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	br.Do("the quarter's page", chromedp.WaitVisible(css(`#officers`)))
	quarter := count(`#months tr`)
	if got := br.Text(`.sub`); quarter != 4 || !strings.Contains(got, "2026-01-01 — 2026-03-31") {
		t.Errorf("the first quarter: %d month rows, period %q", quarter, got)
	}
	if got := br.Text(`#officers`); strings.Contains(got, "张三") || !strings.Contains(got, "甲") {
		t.Errorf("the first quarter's officers: %q", got)
	}

	// The supervision report and the public annual report link their
	// exports too.
	br.Do("the supervision report", chromedp.Navigate(w.h.URL+"/admin/supervision?year="+apprYear), chromedp.WaitVisible(css(`#by-agency`)),
		br.Shot("appraisal-supervision-page"))
	if n := count(`.exports a[href*="format=xlsx"], .exports a[href*="format=pdf"]`); n != 2 {
		t.Errorf("the supervision report links %d exports, want 2", n)
	}
	br.Do("the annual report", chromedp.Navigate(w.h.URL+"/p/reports/"+apprYear), chromedp.WaitVisible(css(`#by-agency`)),
		br.Shot("appraisal-annual-page"))
	if n := count(`.exports a[href="/p/reports/` + apprYear + `?format=xlsx"], .exports a[href="/p/reports/` + apprYear + `?format=pdf"]`); n != 2 {
		t.Errorf("the annual report links %d exports, want 2", n)
	}

	// The agency's administrator.
	b2 := browsertest.Open(t, exe)
	b2.Do("log in as agency 02", chromedp.Navigate(w.h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "agency02"), chromedp.SendKeys(css(`input[name=password]`), "agency02-password"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)),
		chromedp.Navigate(w.h.URL+"/admin/appraisal?year="+apprYear), chromedp.WaitVisible(css(`#officers`)), b2.Shot("appraisal-agency02"))
	if got := b2.Text(`#officers`); !strings.Contains(got, "张三") || strings.Contains(got, "甲") || strings.Contains(got, "王五") {
		t.Errorf("agency 02's officers: %q", got)
	}
}
