package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

const admin = "admin-token"

var peopleHeader = []any{"编号", "姓名", "性别", "执法主体代码", "所属单位", "职务", "角色", "资格", "执法证号", "发证机关", "证件状态", "有效期至", "执法区域", "是否在岗"}

var agencyHeader = []any{"执法主体代码", "名称", "投诉电话", "救济渠道", "职责", "权限"}

// workbook makes an XLSX with the sheets given, in order.
func workbook(t *testing.T, sheets map[string][][]any, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
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

func do(t *testing.T, method, url, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func doJSON(t *testing.T, method, url string, in, out any) int {
	t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	code, data := do(t, method, url, "application/json", body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, code, data)
		}
	}
	return code
}

type badRows struct {
	Code string `json:"code"`
	Rows []struct {
		Sheet  string `json:"sheet"`
		Row    int    `json:"row"`
		Column string `json:"column"`
		Reason string `json:"reason"`
		Code   string `json:"code"`
	} `json:"rows"`
}

// A people import is all rows or none: a workbook with bad rows is refused
// with each bad row named (sheet, row, column, a reason in Chinese) and
// changes neither the people nor the public lists; a good workbook and a
// good CSV file are imported whole, officers reach the public officers
// list with their certificates, and 是否在岗 = 否 deactivates.
func TestPeopleImport(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局", ComplaintPhone: "12345", RemedyChannels: "行政复议"}}); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Changes(ctx, 0, 100)
		officer := []any{"O1", "张三", "男", "01", "市场监管局一科", "科员", "执法人员", "", "990101000001", "青禾省人民政府", "有效", "2029-06-30", "明湖区", "是"}
		bad := workbook(t, map[string][][]any{
			"执法主体": {agencyHeader,
				{"02", "青禾市城市管理局", "12345", "行政复议", "城市管理", "处罚"},
				{"03", "青禾市生态环境局", "12345", "行政复议", "", "处罚"}}, // row 3: no duties
			"人员": {peopleHeader,
				officer,
				{"O2", "李四", "男", "01", "一科", "科员", "队长", "", "990101000002", "青禾省人民政府", "有效", "2029-06-30", "", ""},   // row 3: role
				{"O3", "王五", "男", "99", "一科", "科员", "执法人员", "", "990101000003", "青禾省人民政府", "有效", "2029-06-30", "", ""}, // row 4: agency
				{"O1", "赵六", "女", "01", "一科", "科员", "窗口工作人员", "", "", "", "", "", "", ""},                              // row 5: same id as row 2
				{"O5", "钱七", "男", "01", "一科", "科员", "执法人员", "", "", "", "", "", "", ""},                                // row 6: no certificate
				{"O6", "孙八", "男", "01", "一科", "科员", "执法人员", "", "990101000006", "青禾省人民政府", "有效", "明年", "", ""},         // row 7: date
				{"R1", "周九", "女", "02", "法制科", "科长", "法制审核人员", "律师", "", "", "", "", "", ""},                           // row 8: qualification
				{"R2", "吴十", "女", "02", "法制科", "科员", "法制审核人员", "", "", "", "", "", "", "也许"},                           // row 9: none, and in post?
			}}, "执法主体", "人员")
		var refused badRows
		code, data := do(t, http.MethodPost, h.URL+api.PathPeople+"?filename=people.xlsx", "", bad)
		if err := json.Unmarshal(data, &refused); code != http.StatusUnprocessableEntity || err != nil || refused.Code != "bad_rows" {
			t.Fatalf("bad workbook: %d %s", code, data)
		}
		t.Logf("refused: %+v", refused.Rows)
		want := map[string]string{ // sheet/row/column → code
			"执法主体/3/职责":   "empty",
			"人员/3/角色":     "bad_role",
			"人员/4/执法主体代码": "unknown_agency",
			"人员/5/编号":     "duplicate_id",
			"人员/6/执法证号":   "need_cert",
			"人员/6/发证机关":   "need_cert",
			"人员/6/证件状态":   "need_cert",
			"人员/6/有效期至":   "need_cert",
			"人员/7/有效期至":   "bad_date",
			"人员/8/资格":     "bad_qualification",
			"人员/9/资格":     "need_qualification",
			"人员/9/是否在岗":   "bad_active",
		}
		got := map[string]string{}
		for _, r := range refused.Rows {
			got[r.Sheet+"/"+itoa(r.Row)+"/"+r.Column] = r.Code
			if !hasHan(r.Reason) {
				t.Errorf("reason not in Chinese: %+v", r)
			}
		}
		for k, c := range want {
			if got[k] != c {
				t.Errorf("%s: %q, want %q", k, got[k], c)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok && !strings.HasPrefix(k, "人员/6/") {
				t.Errorf("reported besides: %s %s", k, got[k])
			}
		}
		if all, _ := s.People().List(ctx, "", ""); len(all) != 0 {
			t.Errorf("a refused import stored %d people", len(all))
		}
		if after, _ := s.Changes(ctx, 0, 100); len(after.Changes) != len(before.Changes) {
			t.Errorf("a refused import changed the public lists: %d changes, %d before", len(after.Changes), len(before.Changes))
		}

		// A good workbook: an agency and four people, one of each role; the
		// date a date cell.
		good := workbook(t, map[string][][]any{
			"说明":   {{"请按模板填写"}},
			"执法主体": {agencyHeader, {"02", "青禾市城市管理局", "0999-1", "行政复议：青禾市人民政府", "负责城市管理", "对违法建设实施处罚"}},
			"人员": {peopleHeader,
				{"", "张三", "男", "01", "市场监管局一科", "科员", "执法人员", "", "990101000001", "青禾省人民政府", "有效", time.Date(2029, 6, 30, 0, 0, 0, 0, time.UTC), "明湖区", ""},
				{"R1", "周九", "女", "02", "法制科", "科长", "法制审核人员", "国家统一法律职业资格", "", "", "", "", "", "是"},
				{"S1", "郑十一", "女", "01", "政务服务窗口", "", "窗口工作人员", "", "", "", "", "", "", "是"},
				{"K1", "冯十二", "男", "01", "市民中心", "", "kiosk_admin", "", "", "", "", "", "", "是"},
			}}, "说明", "执法主体", "人员")
		var res people.ImportResult
		code, data = do(t, http.MethodPost, h.URL+api.PathPeople+"?filename=people.xlsx", "", good)
		if err := json.Unmarshal(data, &res); code != http.StatusOK || err != nil {
			t.Fatalf("good workbook: %d %s", code, data)
		}
		if res.Agencies != 1 || res.People != 4 || len(res.Added) != 4 {
			t.Errorf("good workbook: %+v", res)
		}
		m, err := s.Item(ctx, catalog.KindOfficer, "990101000001") // no 编号: the certificate number is the id
		if err != nil {
			t.Fatalf("the officer is not in the public list: %v", err)
		}
		if m["cert_no"] != "990101000001" || m["issuer"] != "青禾省人民政府" || m["status"] != catalog.CertValid ||
			m["valid_until"] != "2029-06-30" || m["region"] != "明湖区" || m["agency"] != "01" {
			t.Errorf("public officer: %v", m)
		}
		for _, id := range []string{"R1", "S1", "K1"} {
			if _, err := s.Item(ctx, catalog.KindOfficer, id); !errors.Is(err, server.ErrNoItem) {
				t.Errorf("%s, who holds no certificate, is a public officer: %v", id, err)
			}
		}
		revs, _ := s.Reviewers(ctx)
		if len(revs) != 1 || revs[0].ID != "R1" || revs[0].Qualification != "legal_professional" {
			t.Errorf("reviewers: %+v", revs)
		}
		ags, _ := s.Agencies(ctx)
		if len(ags) != 2 || ags[1].Duties != "负责城市管理" || ags[1].Powers != "对违法建设实施处罚" {
			t.Errorf("agencies: %+v", ags)
		}
		code, data = do(t, http.MethodGet, h.URL+"/p/agencies/02", "", nil)
		if code != http.StatusOK || !strings.Contains(string(data), "对违法建设实施处罚") || !strings.Contains(string(data), "行政复议：青禾市人民政府") {
			t.Errorf("agency page: %d %s", code, data)
		}
		code, data = do(t, http.MethodGet, h.URL+api.PublicPath("officer", "990101000001"), "", nil)
		if code != http.StatusOK || !strings.Contains(string(data), `href="/p/agencies/01"`) {
			t.Errorf("officer page does not link its agency: %d %s", code, data)
		}

		// A CSV from Excel on a Chinese Windows (GB18030), English headers:
		// the officer leaves (否), a new one arrives; those it leaves out
		// stay as they are.
		csv := "id,name,gender,agency,unit,role,cert_no,issuer,status,valid_until,active\n" +
			"990101000001,张三,男,01,市场监管局一科,officer,990101000001,青禾省人民政府,valid,2029/6/30,否\n" +
			"O7,陈七,女,02,执法大队,officer,990102000007,青禾省人民政府,暂扣,2028年1月31日,\n"
		gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		res = people.ImportResult{}
		code, data = do(t, http.MethodPost, h.URL+api.PathPeople+"?filename=people.csv", "text/csv", gb)
		if err := json.Unmarshal(data, &res); code != http.StatusOK || err != nil {
			t.Fatalf("good CSV: %d %s", code, data)
		}
		if !reflect.DeepEqual(res.Added, []string{"O7"}) || !reflect.DeepEqual(res.Deactivated, []string{"990101000001"}) {
			t.Errorf("CSV: %+v", res)
		}
		if p, _ := s.People().Get(ctx, "990101000001"); p.Active {
			t.Error("否 did not deactivate")
		}
		if _, err := s.Item(ctx, catalog.KindOfficer, "990101000001"); !errors.Is(err, server.ErrNoItem) {
			t.Errorf("a deactivated officer is still in the public list: %v", err)
		}
		if m, _ := s.Item(ctx, catalog.KindOfficer, "O7"); m["status"] != catalog.CertSuspended || m["valid_until"] != "2028-01-31" {
			t.Errorf("O7: %v", m)
		}
		for _, id := range []string{"R1", "S1", "K1"} {
			if p, err := s.People().Get(ctx, id); err != nil || !p.Active {
				t.Errorf("%s, left out of the CSV: %+v %v", id, p, err)
			}
		}
		// Back in post: back in the list, with the certificate kept.
		if err := s.People().SetActive(ctx, "990101000001", true); err != nil {
			t.Fatal(err)
		}
		if m, err := s.Item(ctx, catalog.KindOfficer, "990101000001"); err != nil || m["cert_no"] != "990101000001" {
			t.Errorf("reactivated officer: %v %v", m, err)
		}
	})
}

// The administrator's people API: search, read, edit (bad fields refused
// with each named), activation codes (also as a CSV with an import), the
// person's keys and their revocation, which needs a reason. The officers
// list is written only through it.
func TestPeopleAPI(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		agencies := "执法主体代码,名称,投诉电话,救济渠道,职责,权限\n01,青禾市市场监督管理局,12345,行政复议,市场监管,处罚\n"
		if code, data := do(t, http.MethodPost, h.URL+api.PathPeople+"?filename=a.csv", "", []byte("\ufeff"+agencies)); code != http.StatusOK {
			t.Fatalf("agencies: %d %s", code, data)
		}
		// Multipart, with the new people's activation codes as a CSV.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "人员.csv")
		fw.Write([]byte("执法证号,姓名,性别,执法主体代码,所属单位,角色,资格,发证机关,证件状态,有效期至\n" +
			"990101000001,张三,男,01,一科,执法人员,,青禾省人民政府,有效,2029-06-30\n" +
			"990101000002,张珊,女,01,法制科,法制审核人员,专职法制员,青禾省人民政府,有效,2029-06-30\n"))
		mw.Close()
		code, data := do(t, http.MethodPost, h.URL+api.PathPeople+"?codes=1", mw.FormDataContentType(), body.Bytes())
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff")), "\n")
		if code != http.StatusOK || len(lines) != 3 || strings.TrimSpace(lines[0]) != "编号,姓名,激活码,有效期至" || !strings.HasPrefix(lines[1], "990101000001,张三,") {
			t.Fatalf("import with codes: %d %q", code, data)
		}

		var list []api.Person
		if code := doJSON(t, http.MethodGet, h.URL+api.PathPeople+"?q="+url.QueryEscape("张"), nil, &list); code != http.StatusOK || len(list) != 2 {
			t.Errorf("search 张: %d %+v", code, list)
		}
		if doJSON(t, http.MethodGet, h.URL+api.PathPeople+"?q=000002", nil, &list); len(list) != 1 || list[0].Name != "张珊" {
			t.Errorf("search by id: %+v", list)
		}
		if doJSON(t, http.MethodGet, h.URL+api.PathPeople+"?role=reviewer&agency=01", nil, &list); len(list) != 1 || list[0].Qualification != "designated" {
			t.Errorf("reviewers of 01: %+v", list)
		}

		var rec people.Record
		if code := doJSON(t, http.MethodGet, h.URL+api.PathPeople+"990101000001", nil, &rec); code != http.StatusOK || rec.CertNo != "990101000001" || rec.Status != "valid" {
			t.Fatalf("GET one: %d %+v", code, rec)
		}
		if code := doJSON(t, http.MethodGet, h.URL+api.PathPeople+"nobody", nil, nil); code != http.StatusNotFound {
			t.Errorf("GET nobody: %d", code)
		}

		// Bad fields: each named, nothing changed.
		badRec := rec
		badRec.Name, badRec.Role, badRec.Agency, badRec.ValidUntil = "", "boss", "77", "someday"
		var refused badRows
		if code := doJSON(t, http.MethodPut, h.URL+api.PathPeople+rec.ID, badRec, &refused); code != http.StatusUnprocessableEntity || refused.Code != "bad_fields" {
			t.Fatalf("bad PUT: %d %+v", code, refused)
		}
		cols := map[string]bool{}
		for _, r := range refused.Rows {
			cols[r.Column] = hasHan(r.Reason)
		}
		for _, c := range []string{"name", "role", "agency", "valid_until"} {
			if !cols[c] {
				t.Errorf("bad PUT: %s not named in Chinese: %+v", c, refused.Rows)
			}
		}
		// A good edit: the certificate is revoked, in the public list too.
		rec.Status, rec.Position = catalog.CertRevoked, "副科长"
		if code := doJSON(t, http.MethodPut, h.URL+api.PathPeople+rec.ID, rec, nil); code != http.StatusNoContent {
			t.Fatalf("PUT: %d", code)
		}
		if m, _ := s.Item(ctx, catalog.KindOfficer, rec.ID); m["status"] != catalog.CertRevoked || m["position"] != "副科长" {
			t.Errorf("the public list after PUT: %v", m)
		}
		// The catalog's own routes no longer write officers.
		if code := doJSON(t, http.MethodPut, h.URL+api.PathItems+"officer/"+rec.ID, map[string]string{"status": "valid"}, &refused); code != http.StatusUnprocessableEntity || refused.Code != "managed_by_people" {
			t.Errorf("officer through the catalog's PUT: %d %+v", code, refused)
		}
		if code, _ := do(t, http.MethodPost, h.URL+api.PathImport+"?kind=officer", "text/csv", []byte("id\n1\n")); code != http.StatusUnprocessableEntity {
			t.Errorf("officers through the catalog's import: %d", code)
		}

		// An activation code, used on an officer's device, registers a key.
		var issued struct {
			Code    string    `json:"code"`
			Expires time.Time `json:"expires"`
		}
		if code := doJSON(t, http.MethodPost, h.URL+api.PathPeople+"990101000002/activation", nil, &issued); code != http.StatusCreated || len(issued.Code) != 19 || issued.Expires.IsZero() {
			t.Fatalf("activation code: %d %+v", code, issued)
		}
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		key := base64.StdEncoding.EncodeToString(pub)
		proof := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, api.ActivationMessage(api.NormalizeCode(issued.Code), "DEV-1")))
		if _, err := s.People().Activate(ctx, "DEV-1", api.DeviceOfficer, api.ActivateRequest{Code: issued.Code, Key: key, Proof: proof}); err != nil {
			t.Fatal(err)
		}
		var keys []people.Key
		if code := doJSON(t, http.MethodGet, h.URL+api.PathPeople+"990101000002/keys", nil, &keys); code != http.StatusOK || len(keys) != 1 || keys[0].Key != key {
			t.Fatalf("keys: %d %+v", code, keys)
		}
		revoke := h.URL + api.PathPersonKeys + url.PathEscape(key) + "/revoke"
		if code := doJSON(t, http.MethodPost, revoke, map[string]string{"reason": " "}, nil); code != http.StatusUnprocessableEntity {
			t.Errorf("revoke without a reason: %d", code)
		}
		if code := doJSON(t, http.MethodPost, revoke, map[string]string{"reason": "设备丢失"}, nil); code != http.StatusNoContent {
			t.Fatalf("revoke: %d", code)
		}
		doJSON(t, http.MethodGet, h.URL+api.PathPeople+"990101000002/keys", nil, &keys)
		if len(keys) != 1 || keys[0].Revoked == "" || keys[0].Reason != "设备丢失" {
			t.Errorf("after revocation: %+v", keys)
		}
		if code := doJSON(t, http.MethodPost, h.URL+api.PathPersonKeys+"bm9uZQ==/revoke", map[string]string{"reason": "x"}, nil); code != http.StatusNotFound {
			t.Errorf("revoke an unknown key: %d", code)
		}
		// Deactivated: no more codes.
		rec.Active = false
		doJSON(t, http.MethodPut, h.URL+api.PathPeople+rec.ID, rec, nil)
		if code := doJSON(t, http.MethodPost, h.URL+api.PathPeople+rec.ID+"/activation", nil, nil); code != http.StatusConflict {
			t.Errorf("a code for a deactivated person: %d", code)
		}
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
