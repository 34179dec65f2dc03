package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

var peopleHeader = []any{"编号", "姓名", "性别", "执法主体代码", "所属单位", "角色", "执法证号", "发证机关", "证件状态", "有效期至", "是否在岗"}

// workbook is an XLSX whose sheets are given in order, each a header and rows.
func workbook(t *testing.T, sheets ...any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i := 0; i+1 < len(sheets); i += 2 {
		name, rows := sheets[i].(string), sheets[i+1].([][]any)
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts a file to the import form as a browser does.
func (b *browser) upload(path, name string, data []byte, csrf string) reply {
	b.t.Helper()
	return b.postMultipart(path, nil, name, data, csrf)
}

// postMultipart posts a multipart form to path as a browser does: the
// CSRF token ("" for none), the fields, and the file (none when name is
// "").
func (b *browser) postMultipart(path string, fields url.Values, name string, data []byte, csrf string) reply {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

// The console's import: an operator imports agencies and people; an
// agency administrator's file with a row of another agency (or another
// agency's person) is refused whole, every bad row shown by sheet, row,
// column and a Chinese reason, and nothing is imported; their good file
// is imported, the new people's activation codes come as a CSV file, and
// only for people of their own agency. A form without its CSRF token is
// refused; the city's office does not import. Each act is audited.
func TestImportPage(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		f := open(t, b)
		f.admin(t, "op", console.RoleOperator, "")
		f.admin(t, "ag", console.RoleAgency, "01")
		f.admin(t, "city", console.RoleCity, "")

		op := f.browser(t)
		op.login("op", "password-op")
		first := workbook(t,
			"执法主体", [][]any{{"执法主体代码", "名称", "投诉电话", "救济渠道", "职责", "权限"},
				{"01", "青禾市市场监督管理局", "12345", "行政复议", "市场监管", "处罚、检查"},
				{"02", "青禾市城市管理局", "12345", "行政复议", "城市管理", "处罚"}},
			"人员", [][]any{peopleHeader, {"B1", "城管甲", "男", "02", "一中队", "执法人员", "990102000001", "青禾省人民政府", "有效", "2029-06-30", "是"}})
		if r := op.upload("/admin/people/import", "city.xlsx", first, op.csrf()); r.status != http.StatusOK || !strings.Contains(r.body, `id="result"`) {
			t.Fatalf("the operator's import: %d %s\n%s", r.status, r.code, r.body)
		}

		ag := f.browser(t)
		ag.login("ag", "password-ag")
		if r := ag.get("/admin/people/import"); r.status != http.StatusOK || !strings.Contains(r.body, `enctype="multipart/form-data"`) || !strings.Contains(r.body, "本机构（01）") {
			t.Fatalf("the import page: %d\n%s", r.status, r.body)
		}
		bad := workbook(t, "人员", [][]any{peopleHeader,
			{"A1", "市监甲", "男", "01", "一科", "执法人员", "990101000001", "青禾省人民政府", "有效", "2029-06-30", "是"},
			{"A2", "城管乙", "男", "02", "二中队", "执法人员", "990102000002", "青禾省人民政府", "有效", "2029-06-30", "是"}, // row 3: agency 02
			{"A3", "市监丙", "男", "01", "一科", "队长", "", "", "", "", ""},                                    // row 4: role
			{"B1", "城管甲", "男", "01", "一科", "执法人员", "990102000001", "青禾省人民政府", "有效", "2029-06-30", "是"},  // row 5: agency 02's person
		})
		r := ag.upload("/admin/people/import", "bad.xlsx", bad, ag.csrf())
		if r.status != http.StatusUnprocessableEntity || r.code != "bad_rows" {
			t.Fatalf("a file with bad rows: %d %s", r.status, r.code)
		}
		for _, want := range []string{"第 3 行", "执法主体代码", "只能导入本机构（01）", "第 4 行", "角色", "第 5 行", "目前属于机构 02", "人员"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the bad rows lack %q", want)
			}
		}
		if strings.Contains(r.body, "第 2 行") {
			t.Errorf("a good row is named as bad")
		}
		for _, id := range []string{"A1", "A2"} {
			if _, err := f.room.People.Get(ctx, id); err == nil {
				t.Errorf("%s imported from a refused file", id)
			}
		}
		if p, _ := f.room.People.Get(ctx, "B1"); p.Agency != "02" {
			t.Errorf("agency 02's person moved: %+v", p)
		}

		good := workbook(t, "人员", [][]any{peopleHeader,
			{"A1", "市监甲", "男", "01", "一科", "执法人员", "990101000001", "青禾省人民政府", "有效", "2029-06-30", "是"},
			{"A2", "市监乙", "男", "01", "二科", "窗口工作人员", "", "", "", "", "是"},
			{"A3", "市监丙", "男", "01", "一科", "窗口工作人员", "", "", "", "", "否"}})
		if r := ag.upload("/admin/people/import", "good.xlsx", good, ""); r.status != http.StatusForbidden || r.code != "csrf" {
			t.Fatalf("an upload without its CSRF token: %d %s", r.status, r.code)
		}
		if _, err := f.room.People.Get(ctx, "A1"); err == nil {
			t.Fatal("imported without a CSRF token")
		}
		r = ag.upload("/admin/people/import", "good.xlsx", good, ag.csrf())
		if r.status != http.StatusOK || !strings.Contains(r.body, `id="download-codes"`) {
			t.Fatalf("the good file: %d %s\n%s", r.status, r.code, r.body)
		}
		for _, id := range []string{"A1", "A2"} {
			if !strings.Contains(r.body, `name="id" value="`+id+`"`) {
				t.Errorf("no code offered for %s", id)
			}
		}
		if strings.Contains(r.body, `value="A3"`) {
			t.Error("a code offered for a person not in post")
		}
		codes := ag.post("/admin/people/codes", url.Values{"id": {"A1", "A2"}})
		if codes.status != http.StatusOK || !strings.HasPrefix(codes.header.Get("Content-Type"), "text/csv") || !strings.Contains(codes.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("codes: %d %v", codes.status, codes.header)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(codes.body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) != 3 || rows[0][0] != "编号" || rows[1][0] != "A1" || rows[1][1] != "市监甲" || len(rows[1][2]) != 19 {
			t.Fatalf("codes CSV: %v %v", rows, err)
		}
		if r := ag.post("/admin/people/codes", url.Values{"id": {"A1", "B1"}}); r.status != http.StatusForbidden {
			t.Errorf("codes for another agency's person: %d", r.status)
		}
		city := f.browser(t)
		city.login("city", "password-city")
		if r := city.get("/admin/people/import"); r.status != http.StatusForbidden {
			t.Errorf("the city's office on the import page: %d", r.status)
		}

		entries, _, err := f.room.AuditLog(ctx, "01", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		acts := map[string]string{}
		for _, e := range entries {
			acts[e.Action] = e.Object + " " + e.Detail
		}
		for act, want := range map[string]string{"people.import.refused": "bad.xlsx 3 bad rows", "people.import": "good.xlsx 0 agencies, 3 people, 3 added", "person.codes": "A1 A2 2 codes"} {
			if !strings.HasPrefix(acts[act], want) {
				t.Errorf("audit %s: %q, want %q", act, acts[act], want)
			}
		}
	})
}

// Published decisions in the console: the city's office sees all, an
// agency administrator their own agency's (another's is not found); a
// withdrawal needs a reason (422 need_reason, nothing withdrawn), is
// refused without the form's CSRF token, and once done shows who and why
// on the console and on the public page, and is in the audit log.
func TestDecisionsPages(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{})
		f := &fixture{room: s.Console(), url: h.URL}
		mine := &catalog.Decision{ID: "C-01-7", DocNo: "青禾市监罚〔2026〕7号", AgencyCode: "01", AgencyName: "青禾市市场监督管理局", Act: catalog.ActPenalty,
			Party: "某某商店", Content: "罚款人民币3000元", DecidedOn: "2026-03-01", PublishedOn: "2026-03-02"}
		theirs := &catalog.Decision{ID: "C-02-7", DocNo: "青禾城管罚〔2026〕7号", AgencyCode: "02", AgencyName: "青禾市城市管理局", Act: catalog.ActPenalty,
			Party: "某某公司", Content: "罚款人民币800元", DecidedOn: "2026-03-01", PublishedOn: "2026-03-02"}
		if err := s.Publish(ctx, []catalog.Item{mine, theirs}, nil); err != nil {
			t.Fatal(err)
		}
		for _, a := range []console.Admin{{Login: "ag", Name: "市监法制科", Role: console.RoleAgency, Agency: "01"}, {Login: "city", Name: "市司法局", Role: console.RoleCity},
			{Login: "op", Name: "运维", Role: console.RoleOperator}} {
			if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
				t.Fatal(err)
			}
		}
		city := f.browser(t)
		city.login("city", "password-city")
		if r := city.get("/admin/decisions"); r.status != http.StatusOK || !strings.Contains(r.body, mine.DocNo) || !strings.Contains(r.body, theirs.DocNo) {
			t.Fatalf("the city's decisions: %d", r.status)
		}
		ag := f.browser(t)
		ag.login("ag", "password-ag")
		if r := ag.get("/admin/decisions"); r.status != http.StatusOK || !strings.Contains(r.body, mine.DocNo) || strings.Contains(r.body, theirs.DocNo) {
			t.Fatalf("agency 01's decisions: %d", r.status)
		}
		if r := ag.get("/admin/decisions/" + theirs.ID); r.status != http.StatusNotFound {
			t.Errorf("another agency's decision: %d", r.status)
		}
		if r := ag.post("/admin/decisions/"+theirs.ID+"/withdraw", url.Values{"reason": {"越权"}}); r.status != http.StatusNotFound {
			t.Errorf("withdrawing another agency's decision: %d", r.status)
		}
		op := f.browser(t)
		op.login("op", "password-op")
		if r := op.get("/admin/decisions"); r.status != http.StatusForbidden {
			t.Errorf("the operator on the decisions: %d", r.status)
		}
		if r := ag.post("/admin/decisions/"+mine.ID+"/withdraw", url.Values{"reason": {"  "}}); r.status != http.StatusUnprocessableEntity || r.code != "need_reason" {
			t.Errorf("a withdrawal without a reason: %d %s", r.status, r.code)
		}
		if r := ag.do("POST", "/admin/decisions/"+mine.ID+"/withdraw", url.Values{"reason": {"无 CSRF"}}); r.status != http.StatusForbidden || r.code != "csrf" {
			t.Errorf("a withdrawal without the CSRF token: %d %s", r.status, r.code)
		}
		for _, d := range []*catalog.Decision{mine, theirs} {
			if _, err := s.Item(ctx, catalog.KindDecision, d.ID); err != nil {
				t.Fatalf("%s withdrawn by a refused form: %v", d.ID, err)
			}
		}
		reason := "处罚决定经行政复议被撤销"
		r := ag.post("/admin/decisions/"+mine.ID+"/withdraw", url.Values{"reason": {reason}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("the withdrawal: %d %s\n%s", r.status, r.code, r.body)
		}
		page := ag.get(r.header.Get("Location"))
		if !strings.Contains(page.body, `id="withdrawn"`) || !strings.Contains(page.body, reason) || !strings.Contains(page.body, "由平台管理员 ag 撤回") {
			t.Errorf("the withdrawn decision's console page:\n%s", page.body)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, mine.ID); err != server.ErrNoItem {
			t.Errorf("still published: %v", err)
		}
		resp, err := http.Get(h.URL + api.PublicPath("decision", mine.ID))
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusGone || !strings.Contains(string(pub), reason) || !strings.Contains(string(pub), "由平台管理员撤回") {
			t.Errorf("the public page: %d\n%s", resp.StatusCode, pub)
		}
		entries, _, err := s.Console().AuditLog(ctx, "01", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var audited bool
		for _, e := range entries {
			audited = audited || e.Action == "decision.withdraw" && e.Object == mine.ID && e.Detail == reason && e.Actor == "ag"
		}
		if !audited {
			t.Errorf("the withdrawal is not in agency 01's audit log: %+v", entries)
		}
	})
}
