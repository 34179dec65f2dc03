package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// shopsCSV is a target list of n shops as an agency keeps it, Chinese
// headers, with extra rows appended as they are.
func shopsCSV(n int, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("统一社会信用代码,名称,所属单位,地址\r\n")
	for i := range n {
		fmt.Fprintf(&b, "91350102MA%08d,青禾市明湖区第%d号餐饮店,青禾市明湖区,明湖路%d号\r\n", i+1, i+1, i+1)
	}
	for _, r := range extra {
		b.WriteString(r + "\r\n")
	}
	return []byte(b.String())
}

// shopsXLSX is the same list as a workbook with English headers.
func shopsXLSX(t *testing.T, n int) []byte {
	rows := [][]any{{"id", "name", "unit", "address"}}
	for i := range n {
		rows = append(rows, []any{fmt.Sprintf("91350103MB%08d", i+1), fmt.Sprintf("青禾市松川区第%d号超市", i+1), "青禾市松川区", fmt.Sprintf("江滨路%d号", i+1)})
	}
	return workbook(t, "检查对象", rows)
}

// planForm posts the plan form as a browser does: its fields, the file
// (none when name is ""), the CSRF token ("" for none).
func (b *browser) planForm(fields url.Values, name string, data []byte, csrf string) reply {
	b.t.Helper()
	return b.postMultipart("/admin/draws/new", fields, name, data, csrf)
}

// planID is the plan a redirect leads to.
func planID(t *testing.T, r reply) int64 {
	t.Helper()
	loc := r.header.Get("Location")
	rest, ok := strings.CutPrefix(loc, "/admin/draws/")
	id, err := strconv.ParseInt(strings.TrimSuffix(rest, "?done=planned"), 10, 64)
	if r.status != http.StatusSeeOther || !ok || err != nil {
		t.Fatalf("not sent to a plan: %d %q %s %s", r.status, loc, r.code, r.body)
	}
	return id
}

// hidden is the value of the hidden field name on a page.
func hidden(page, name string) string {
	_, rest, ok := strings.Cut(page, `name="`+name+`" value="`)
	if !ok {
		return ""
	}
	return html.UnescapeString(rest[:strings.IndexByte(rest, '"')])
}

// drawPlatform is the platform on loopback with the demo city, its clock
// in the test's hands, and administrators: of agency 01 and 02, the
// city's office, an operator (each logs in with password-<login>).
func drawPlatform(t *testing.T, b servertest.Backend) (*server.Server, *fixture, *clock) {
	t.Helper()
	ctx := context.Background()
	// The demo plans its draws by the wall clock: the test's starts there.
	clk := &clock{t: time.Now().Truncate(time.Minute)}
	s, h := b.Serve(t, server.Options{Now: clk.Now})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, a := range []console.Admin{{Login: "ag01", Name: "市监局 刘科长", Role: console.RoleAgency, Agency: "01"},
		{Login: "ag02", Name: "城管局 陈科长", Role: console.RoleAgency, Agency: "02"},
		{Login: "city", Name: "市司法局 王科长", Role: console.RoleCity}, {Login: "op", Name: "运维 李工", Role: console.RoleOperator}} {
		if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return s, &fixture{url: h.URL, clock: clk}, clk
}

func (f *fixture) as(t *testing.T, login string) *browser {
	t.Helper()
	b := f.browser(t)
	if r := b.login(login, "password-"+login); r.status != http.StatusSeeOther {
		t.Fatalf("log in %s: %d %s", login, r.status, r.code)
	}
	return b
}

// The draws in the console over HTTP: an agency administrator's bad
// target lists are refused each with its own code and its rows named,
// the form keeping what was typed (the file too, once read); a good CSV
// file makes a plan whose page shows the commitment, the lists'
// fingerprint and the file's SHA-256; a plan with a time is not drawn
// before it (too_early), a cancellation needs a reason, the draw reveals
// the seed that matches the commitment and shows the tasks, overdue ones
// marked. Another agency's administrator learns nothing of the plan
// (404), an operator is refused the pages (403), a form without its CSRF
// token is refused, and the city's office plans for any agency. The
// conflicts register adds and removes. Every act is in the audit log.
func TestDrawConsole(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, f, clk := drawPlatform(t, b)
		ag := f.as(t, "ag01")
		if home := ag.get("/admin/"); !strings.Contains(home.body, `href="/admin/draws"`) {
			t.Fatal("the agency administrator's home lacks the draws")
		}
		form := ag.get("/admin/draws/new")
		if form.status != http.StatusOK || !strings.Contains(form.body, "R01001") || strings.Contains(form.body, "R02004") {
			t.Fatalf("the plan form: %d (items of agency 01 only)\n%s", form.status, form.body)
		}
		if n := strings.Count(form.body, `name="pool"`); n < 10 || n != strings.Count(form.body, " checked>") {
			t.Fatalf("the pool: %d officers, %d ticked", n, strings.Count(form.body, " checked>"))
		}
		csrf := ag.csrf()
		day := func(n int) string { return clk.Now().AddDate(0, 0, n).Format(time.DateOnly) }
		due := day(19)
		before, err := s.Plans(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		fields := url.Values{"item": {"R01001"}, "count": {"3"}, "due": {due}, "note": {"2027年一季度食品销售抽查"}}

		// Bad files: each its own code, its rows named, the form as typed.
		for _, c := range []struct {
			name, code string
			data       []byte
			says       []string
		}{
			{"名录.csv", console.TargetsNoName, shopsCSV(3, "91350102MA99999999,,青禾市明湖区,明湖路9号"), []string{"第 5 行", "名称为空", "名称"}},
			{"名录.csv", console.TargetsDuplicate, shopsCSV(3, "91350102MA00000002,重复的店,,"), []string{"第 5 行", "与第 3 行重复"}},
			{"名录.csv", console.TargetsNoCode, shopsCSV(2, ",没有代码的店,,"), []string{"第 4 行", "代码为空"}},
			{"名录.csv", console.TargetsNoColumn, []byte("序号,名称\n1,某店\n"), []string{"缺少“统一社会信用代码”列"}},
			{"名录.csv", console.TargetsEmpty, []byte("统一社会信用代码,名称\n"), []string{"没有检查对象"}},
			{"名录.pdf", console.TargetsBadFile, []byte("%PDF-1.7\n"), []string{"不是 Excel"}},
			{"名录.csv", console.TargetsBadFile, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []string{"不是 Excel"}},
			{"名录.xlsx", console.TargetsBadFile, []byte("not a workbook"), []string{"不是 Excel"}},
		} {
			r := ag.planForm(fields, c.name, c.data, csrf)
			if r.status != http.StatusUnprocessableEntity || r.code != c.code {
				t.Fatalf("%s: %d %q, want 422 %s", c.code, r.status, r.code, c.code)
			}
			for _, want := range append(c.says, `value="`+due+`"`, "2027年一季度食品销售抽查", `<option value="R01001" selected>`, `data-code="`+c.code+`"`) {
				if !strings.Contains(r.body, want) {
					t.Errorf("%s: the form lacks %q", c.code, want)
				}
			}
		}
		if r := ag.planForm(fields, "", nil, csrf); r.code != "no_file" {
			t.Fatalf("no file: %d %q", r.status, r.code)
		}
		list := shopsCSV(12)
		if r := ag.planForm(fields, "名录.csv", list, ""); r.status != http.StatusForbidden || r.code != "csrf" {
			t.Fatalf("without its CSRF token: %d %q", r.status, r.code)
		}
		if plans, _ := s.Plans(ctx, ""); len(plans) != len(before) {
			t.Fatalf("plans made by refused forms: %d", len(plans)-len(before))
		}
		// Something else wrong: the file read is kept, and need not be chosen again.
		pool := []string{"990101000001", "990101000002", "990101000003", "990101000004", "990101000005", "990101000006"}
		bad := url.Values{"item": {"R01001"}, "count": {"3"}, "due": {day(-30)}, "pool": pool}
		r := ag.planForm(bad, "名录.csv", list, csrf)
		if r.status != http.StatusUnprocessableEntity || r.code != "plan_due" || !strings.Contains(r.body, "已读取 名录.csv（12 个检查对象）") {
			t.Fatalf("due before the draw: %d %q", r.status, r.code)
		}
		for _, o := range pool {
			if !strings.Contains(r.body, `value="`+o+`" checked>`) {
				t.Errorf("the refused form lost %s from the pool", o)
			}
		}
		if strings.Contains(r.body, `value="990101000007" checked>`) {
			t.Error("the refused form ticked an officer who was not")
		}
		kept := url.Values{"item": {"R01001"}, "count": {"3"}, "due": {due}, "kept": {hidden(r.body, "kept")}, "kept_name": {hidden(r.body, "kept_name")}, "pool": pool}
		if r := ag.planForm(url.Values{"item": {"R01001"}, "count": {"3"}, "share": {"20"}, "due": {due}}, "名录.csv", list, csrf); r.code != "plan_count" {
			t.Fatalf("a count and a share: %d %q", r.status, r.code)
		}
		if r := ag.planForm(url.Values{"item": {"R02004"}, "count": {"3"}, "due": {due}, "pool": pool}, "名录.csv", list, csrf); r.status != http.StatusForbidden || r.code != "plan_agency" {
			t.Fatalf("another agency's item: %d %q", r.status, r.code)
		}
		if r := ag.planForm(url.Values{"item": {"R01001"}, "count": {"3"}, "due": {due}, "pool": {"990102000001", "990102000002"}}, "名录.csv", list, csrf); r.code != "not_in_pool" {
			t.Fatalf("another agency's officers in the pool: %d %q", r.status, r.code)
		}
		id := planID(t, ag.planForm(kept, "", nil, csrf))
		rec, err := s.Plan(ctx, id)
		sum := sha256.Sum256(list)
		if err != nil || rec.Status != server.DrawPlanned || len(rec.Lists.Targets) != 12 || len(rec.Lists.Inspectors) != 6 ||
			rec.Plan.TargetsFile != "名录.csv" || rec.Plan.TargetsSHA != hex.EncodeToString(sum[:]) || rec.Plan.By != "ag01" {
			t.Fatalf("the plan: %+v %v", rec.Plan, err)
		}
		page := ag.get(fmt.Sprintf("/admin/draws/%d", id))
		for _, want := range []string{rec.Commit, rec.Lists.SHA(), rec.Plan.TargetsSHA, "计划中", "公示的种子哈希", fmt.Sprintf(`href="/p/draws/%d"`, id), `id="draw-form"`, `id="cancel-form"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the planned page lacks %q", want)
			}
		}

		for _, p := range []string{"/admin/draws/abc", "/admin/draws/0", "/admin/draws/999999", "/admin/draws/-1"} {
			if r := ag.get(p); r.status != http.StatusNotFound || r.code != "not_found" {
				t.Fatalf("%s: %d %q", p, r.status, r.code)
			}
		}
		// Another agency's administrator: not found, and not listed.
		other := f.as(t, "ag02")
		if r := other.get(fmt.Sprintf("/admin/draws/%d", id)); r.status != http.StatusNotFound || r.code != "not_found" || strings.Contains(r.body, rec.Commit) {
			t.Fatalf("another agency's plan: %d %q", r.status, r.code)
		}
		if r := other.post(fmt.Sprintf("/admin/draws/%d/draw", id), url.Values{}); r.status != http.StatusNotFound {
			t.Fatalf("another agency's draw: %d %q", r.status, r.code)
		}
		if r := other.post(fmt.Sprintf("/admin/draws/%d/cancel", id), url.Values{"reason": {"x"}}); r.status != http.StatusNotFound {
			t.Fatalf("another agency's cancel: %d %q", r.status, r.code)
		}
		if r := other.get("/admin/draws"); strings.Contains(r.body, fmt.Sprintf(`href="/admin/draws/%d"`, id)) {
			t.Fatal("another agency's plan is listed")
		}
		// The operator runs the platform, not its draws.
		op := f.as(t, "op")
		for _, p := range []string{"/admin/draws", "/admin/draws/new", "/admin/draws/conflicts", fmt.Sprintf("/admin/draws/%d", id)} {
			if r := op.get(p); r.status != http.StatusForbidden || r.code != "forbidden" {
				t.Fatalf("the operator at %s: %d %q", p, r.status, r.code)
			}
		}
		if home := op.get("/admin/"); strings.Contains(home.body, `href="/admin/draws"`) {
			t.Fatal("the operator's home links the draws")
		}
		if r := f.browser(t).get("/admin/draws"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/login") {
			t.Fatalf("without a session: %d", r.status)
		}

		// A plan with a time is not drawn before it; a cancellation needs a reason.
		at := clk.Now().Add(25 * time.Hour).Local()
		timed := planID(t, ag.planForm(url.Values{"item": {"R01002"}, "share": {"25"}, "due": {due}, "draw_at": {at.Format("2006-01-02T15:04")}, "pool": pool}, "名录.xlsx", shopsXLSX(t, 8), csrf))
		r = ag.post(fmt.Sprintf("/admin/draws/%d/draw", timed), url.Values{"witness": {"4711"}})
		if r.status != http.StatusConflict || r.code != "too_early" || !strings.Contains(r.body, at.Format("2006-01-02 15:04")) || !strings.Contains(r.body, `value="4711"`) {
			t.Fatalf("drawn before its time: %d %q", r.status, r.code)
		}
		if p, _ := s.Plan(ctx, timed); p.Plan.Count != 2 || p.Lists.Targets[0].Name != "青禾市松川区第1号超市" || p.Status != server.DrawPlanned {
			t.Fatalf("the workbook's plan: %+v %s", p.Plan, p.Status)
		}
		r = ag.post(fmt.Sprintf("/admin/draws/%d/cancel", timed), url.Values{"reason": {"  "}})
		if r.status != http.StatusUnprocessableEntity || r.code != "need_reason" || !strings.Contains(r.body, "撤销计划须填写原因") {
			t.Fatalf("cancelled without a reason: %d %q", r.status, r.code)
		}
		if r := ag.post(fmt.Sprintf("/admin/draws/%d/cancel", timed), url.Values{"reason": {"名录有误，重新制定"}}); r.status != http.StatusSeeOther {
			t.Fatalf("cancel: %d %q", r.status, r.code)
		}
		if r := ag.post(fmt.Sprintf("/admin/draws/%d/draw", timed), url.Values{}); r.status != http.StatusConflict || r.code != "not_planned" {
			t.Fatalf("a cancelled plan drawn: %d %q", r.status, r.code)
		}

		// The draw: the seed revealed matches the commitment; the tasks shown.
		if r := ag.post(fmt.Sprintf("/admin/draws/%d/draw", id), url.Values{"witness": {"见证人 8803"}}); r.status != http.StatusSeeOther {
			t.Fatalf("draw: %d %q %s", r.status, r.code, r.body)
		}
		rec, err = s.Plan(ctx, id)
		if c, _ := draw.Commit(rec.Seed); err != nil || c != rec.Commit || len(rec.Tasks) != 3 || rec.Plan.Witness != "见证人 8803" || rec.Plan.DrawnBy != "ag01" {
			t.Fatalf("drawn: %+v %v", rec.Plan, err)
		}
		if data, _ := json.Marshal(rec.Published()); draw.Rederive(data) != nil {
			t.Fatalf("the draw does not re-derive: %v", draw.Rederive(data))
		}
		task := rec.Tasks[0]
		if _, err := s.ClaimTask(ctx, task.ID(), "DEV-A", task.Inspectors[0].CertNo); err != nil {
			t.Fatal(err)
		}
		page = ag.get(fmt.Sprintf("/admin/draws/%d", id))
		for _, want := range []string{rec.Seed, "见证人 8803", "已抽取", `id="tasks"`, task.Target.Name, task.Inspectors[1].Name, "DEV-A"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the drawn page lacks %q", want)
			}
		}
		if strings.Contains(page.body, `id="draw-form"`) || strings.Contains(page.body, "逾期") {
			t.Error("the drawn page offers a draw, or shows overdue tasks before their day")
		}
		// After the due day, the tasks without a result are overdue (the
		// session outlived by then: log in again).
		clk.Add(25 * 24 * time.Hour)
		ag, other = f.as(t, "ag01"), f.as(t, "ag02")
		page = ag.get(fmt.Sprintf("/admin/draws/%d", id))
		if n := strings.Count(page.body, `class="overdue"`); n != 3 {
			t.Errorf("%d tasks marked overdue, want 3", n)
		}
		if l := ag.get("/admin/draws"); !strings.Contains(l.body, "逾期 3") || !strings.Contains(l.body, "已完成 0/3") || !strings.Contains(l.body, "未承接 2") || !strings.Contains(l.body, "已撤销") {
			t.Errorf("the plans' list:\n%s", l.body)
		}

		// The conflicts register.
		if r := ag.post("/admin/draws/conflicts", url.Values{"cert_no": {"990101000007"}, "target": {"91350102MA00000005"}}); r.status != http.StatusUnprocessableEntity || r.code != "bad_conflict" {
			t.Fatalf("a conflict without a reason: %d %q", r.status, r.code)
		}
		if r := ag.post("/admin/draws/conflicts", url.Values{"cert_no": {"990102000001"}, "target": {"X"}, "reason": {"亲属"}}); r.code != "bad_conflict" {
			t.Fatalf("another agency's officer: %d %q", r.status, r.code)
		}
		if r := ag.post("/admin/draws/conflicts", url.Values{"cert_no": {"990101000007"}, "target": {"91350102MA00000005"}, "reason": {"配偶在该店任职"}}); r.status != http.StatusSeeOther {
			t.Fatalf("declare: %d %q", r.status, r.code)
		}
		cs, err := s.Conflicts(ctx, "01")
		if err != nil || len(cs) != 1 || cs[0].Reason != "配偶在该店任职" || cs[0].By != "ag01" {
			t.Fatalf("the register: %+v %v", cs, err)
		}
		if p := ag.get("/admin/draws/conflicts"); !strings.Contains(p.body, "配偶在该店任职") || !strings.Contains(p.body, "于锋健") {
			t.Fatal("the register page lacks the conflict")
		}
		if p := other.get("/admin/draws/conflicts"); strings.Contains(p.body, "配偶在该店任职") {
			t.Fatal("another agency sees the register")
		}
		if r := other.post("/admin/draws/conflicts/withdraw", url.Values{"cert_no": {"990101000007"}, "target": {"91350102MA00000005"}}); r.status != http.StatusNotFound {
			t.Fatalf("another agency withdraws: %d %q", r.status, r.code)
		}
		if r := ag.post("/admin/draws/conflicts/withdraw", url.Values{"cert_no": {"990101000007"}, "target": {"91350102MA00000005"}}); r.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d %q", r.status, r.code)
		}
		if cs, _ := s.Conflicts(ctx, "01"); len(cs) != 0 {
			t.Fatalf("withdrawn but kept: %+v", cs)
		}

		// The city's office: every agency's plans, and plans for any, the
		// pool being the item's agency's of those ticked.
		city := f.as(t, "city")
		if r := city.get("/admin/draws"); !strings.Contains(r.body, fmt.Sprintf(`href="/admin/draws/%d"`, id)) {
			t.Fatal("the city's office does not see agency 01's plan")
		}
		cityForm := city.get("/admin/draws/new")
		if !strings.Contains(cityForm.body, "R02004") || !strings.Contains(cityForm.body, "990103000001") {
			t.Fatal("the city's form lacks other agencies' items or officers")
		}
		all := url.Values{"item": {"R02004"}, "count": {"2"}, "due": {day(60)}}
		for _, o := range []string{"990101000001", "990102000001", "990102000002", "990102000003"} {
			all.Add("pool", o)
		}
		cid := planID(t, city.planForm(all, "名录.csv", shopsCSV(5), city.csrf()))
		if p, _ := s.Plan(ctx, cid); p.Plan.Agency != "02" || len(p.Lists.Inspectors) != 3 {
			t.Fatalf("the city's plan: agency %s, pool %d", p.Plan.Agency, len(p.Lists.Inspectors))
		}

		audit, _, err := s.Console().AuditLog(ctx, "", 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		acts := map[string]bool{}
		for _, e := range audit {
			acts[e.Action] = true
		}
		for _, want := range []string{"draw.plan", "draw.plan.refused", "draw.draw", "draw.draw.refused", "draw.cancel", "draw.conflict", "draw.conflict.withdraw"} {
			if !acts[want] {
				t.Errorf("the audit log lacks %s", want)
			}
		}
	})
}

// ReadTargets reads Chinese and English headers, skips blank rows,
// names every bad row, and refuses what is not a table.
func TestReadTargets(t *testing.T) {
	for _, c := range []struct {
		name  string
		data  string
		n     int
		codes []string
	}{
		{"a.csv", "代码,名称,单位,地址\nA1,甲店,,\n\nA2,乙店,城东所,东路1号\n", 2, nil},
		{"a.csv", "\ufeffID, Name ,Unit\nA1,甲店,x\n", 1, nil},
		{"a.txt", "名称,统一社会信用代码\n甲店,A1\n乙店,A1\n丙店,\n,A3\n", 0, []string{console.TargetsDuplicate, console.TargetsNoCode, console.TargetsNoName}},
		{"a.csv", "名称\n甲店\n", 0, []string{console.TargetsNoColumn}},
		{"a.csv", "代码\nA1\n", 0, []string{console.TargetsNoColumn}},
		{"a.csv", "", 0, []string{console.TargetsEmpty}},
		{"a.doc", "代码,名称\nA1,甲店\n", 0, []string{console.TargetsBadFile}},
		{"a", "\x00\x01\x02", 0, []string{console.TargetsBadFile}},
	} {
		got, bad := console.ReadTargets(c.name, []byte(c.data))
		var codes []string
		for _, b := range bad {
			codes = append(codes, b.Code)
			if b.Reason == "" || strings.HasPrefix(b.Reason, "platform.") {
				t.Errorf("%q: row %d has no reason for people: %q", c.data, b.Row, b.Reason)
			}
		}
		if len(got) != c.n || strings.Join(codes, " ") != strings.Join(c.codes, " ") {
			t.Errorf("%s %q: %d targets %v, want %d %v", c.name, c.data, len(got), codes, c.n, c.codes)
		}
	}
	got, bad := console.ReadTargets("x.xlsx", shopsXLSX(t, 3))
	if len(bad) != 0 || len(got) != 3 || got[2] != (draw.Target{ID: "91350103MB00000003", Name: "青禾市松川区第3号超市", Unit: "青禾市松川区", Address: "江滨路3号"}) {
		t.Fatalf("a workbook: %+v %+v", got, bad)
	}
}
