package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
)

func TestCSVImportReportsEveryBadRow(t *testing.T) {
	csv := "\ufeffid,name,agency,act,subject,legal_basis,implementer,responsible\n" +
		"E1,营业执照核发,01,licensing,青禾市市场监督管理局,《公司法》,x,y\n" +
		"E2,,01,penalty,青禾市市场监督管理局,《广告法》,x,y\n" +
		"E3,对某某的处罚,01,punish,青禾市市场监督管理局,《广告法》,x,y\n" +
		"E1,重复,01,penalty,主体,依据,x,y\n" +
		"E5,短行\n"
	_, err := ParseCSV(catalog.KindItem, strings.NewReader(csv))
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"row 3, column name: empty", "row 4, column act", "row 5, column id: same id as row 2", "row 6"}
	if len(ie.Rows) != len(want) {
		t.Fatalf("rows %v", ie.Rows)
	}
	for i, w := range want {
		if !strings.HasPrefix(ie.Rows[i].Error(), w) {
			t.Errorf("row error %d = %q, want %q…", i, ie.Rows[i].Error(), w)
		}
	}
	items, err := ParseCSV(catalog.KindItem, strings.NewReader(strings.SplitN(csv, "\n", 3)[0]+"\n"+strings.SplitN(csv, "\n", 3)[1]+"\n"))
	if err != nil || len(items) != 1 || items[0].Title() != "营业执照核发" {
		t.Fatalf("good file: %v %v", items, err)
	}
	if _, err := ParseCSV(catalog.KindItem, strings.NewReader("id,name\nE1,x\n")); err == nil {
		t.Fatal("missing columns accepted")
	}
}

func TestImportIsAllOrNothingOverHTTP(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), Options{AdminToken: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	post := func(body, token string) int {
		req, _ := http.NewRequest("POST", h.URL+"/api/v1/admin/catalog/import?kind=fee", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	head := "id,name,agency,collector,approver,document_no,standard\n"
	if code := post(head+"F1,费,01,局,物价局,文号,1元\nF2,费,01,局,,文号,1元\n", "a"); code != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d", code)
	}
	if ch, _ := s.Changes(context.Background(), 0, 10); len(ch.Changes) != 0 {
		t.Fatal("a bad file imported some rows")
	}
	if code := post(head+"F1,费,01,局,物价局,文号,1元\n", "wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong admin token: %d", code)
	}
	if code := post(head+"F1,费,01,局,物价局,文号,1元\n", "a"); code != http.StatusOK {
		t.Fatalf("good file: %d", code)
	}
	if resp, _ := http.Get(h.URL + "/healthz"); resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("id,name,agency,collector,approver,document_no,standard\nF1,费,01,局,物价局,文号,1元\n")
	f.Add("id,name\n\"unterminated\n")
	f.Add("\ufeff")
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ParseCSV(catalog.KindFee, strings.NewReader(s))
		if err == nil {
			for _, it := range items {
				if it.Key() == "" || it.Title() == "" {
					t.Fatalf("an item without id or name passed: %+v", it)
				}
			}
		}
	})
}

// Whatever a device sends, the platform answers with a refusal, never an
// internal error.
func FuzzPushBody(f *testing.F) {
	f.Add([]byte(`{"records":[{"seq":0,"data":"eyJ4IjoxfQ=="}],"checkpoint":"x"}`))
	f.Add([]byte(`{"records":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"unknown":1}`))
	s, err := Open(context.Background(), filepath.Join(f.TempDir(), "p.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	code, _ := s.NewEnrolCode(context.Background(), "officer")
	_, vkey, _ := note.GenerateKey(rand.Reader, "sanxiang-FUZZ")
	h := s.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/devices/enrol",
		strings.NewReader(`{"code":"`+code+`","name":"f","kind":"officer","verifier":"`+vkey+`"}`)))
	var er struct {
		Token string `json:"token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &er)
	if er.Token == "" {
		f.Fatalf("enrol: %s", rec.Body.String())
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/v1/logs/push", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+er.Token)
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}

func TestXLSXImport(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"id", "name", "agency", "collector", "approver", "document_no", "standard"},
		{"F1", "城市道路占用费", "02", "青禾市城市管理局", "青禾省发展和改革委员会", "青发改价费〔2019〕12号", "每平方米每日1.5元"},
		{},
		{"F2", "建筑垃圾处置费", "02", "青禾市城市管理局", "", "青发改价费〔2019〕13号"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow(sheet, cell, &r)
	}
	var buf bytes.Buffer
	f.Write(&buf)
	_, err := ParseXLSX(catalog.KindFee, bytes.NewReader(buf.Bytes()))
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Rows) != 2 || ie.Rows[0].Row != 4 || ie.Rows[0].Column != "approver" || ie.Rows[1].Column != "standard" {
		t.Fatalf("bad workbook: %v", err)
	}
	good := buf.Bytes()
	f2 := excelize.NewFile()
	for i, r := range rows[:3] {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f2.SetSheetRow(f2.GetSheetName(0), cell, &r)
	}
	buf.Reset()
	f2.Write(&buf)
	items, err := ParseXLSX(catalog.KindFee, bytes.NewReader(buf.Bytes()))
	if err != nil || len(items) != 1 || items[0].Title() != "城市道路占用费" {
		t.Fatalf("good workbook: %v %v", items, err)
	}
	if _, err := ParseXLSX(catalog.KindFee, bytes.NewReader(good[:100])); err == nil {
		t.Fatal("a truncated workbook was read")
	}
}
