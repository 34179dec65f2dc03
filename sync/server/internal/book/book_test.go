package book

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func sample() Book {
	rows := [][]Cell{{T("青禾市市场监督管理局"), N(12), P(66.7), D(82.5), P(-1)}}
	// Enough rows to run onto a second page, where the header repeats.
	for i := range 40 {
		rows = append(rows, []Cell{T(fmt.Sprintf("执法人员%02d", i)), N(i), P(float64(i)), D(float64(i) + 0.25), D(-1)})
	}
	return Book{Title: "评议考核", Subtitle: "2026-01-01 — 2026-12-31", Tables: []Table{
		{Sheet: "按部门/汇总", Title: "按部门", Header: []string{"部门", "案件数", "法制审核通过率", "案卷评查平均分", "满意率"}, Rows: rows},
		{Sheet: "按部门/汇总", Title: "重名的表", Header: []string{"部门"}, Rows: [][]Cell{{T("甲")}}},
	}}
}

// Numbers are numbers, rates numbers with a percent format, a rate of
// nothing the dash; every table has its sheet, names made valid and
// unique.
func TestXLSXCellsAreNumbers(t *testing.T) {
	data, err := sample().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "按部门_汇总" || got[1] != "按部门_汇总2" {
		t.Fatalf("sheets %q", got)
	}
	s := "按部门_汇总"
	for _, c := range []struct {
		cell, raw, shown string
		typ              excelize.CellType
	}{
		{"A1", "部门", "部门", excelize.CellTypeSharedString},
		{"A2", "青禾市市场监督管理局", "青禾市市场监督管理局", excelize.CellTypeSharedString},
		{"B2", "12", "12", excelize.CellTypeUnset},
		{"C2", "0.667", "66.7%", excelize.CellTypeUnset},
		{"D2", "82.5", "82.5", excelize.CellTypeUnset},
		{"E2", None, None, excelize.CellTypeSharedString},
		{"D3", "0.25", "0.3", excelize.CellTypeUnset},
	} {
		raw, err := f.GetCellValue(s, c.cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		shown, _ := f.GetCellValue(s, c.cell)
		typ, _ := f.GetCellType(s, c.cell)
		if raw != c.raw || shown != c.shown || typ != c.typ {
			t.Errorf("%s: raw %q shown %q type %v; want %q %q %v", c.cell, raw, shown, typ, c.raw, c.shown, c.typ)
		}
	}
}

// The PDF reads back (pdftotext) with the tables' words and figures, and
// the header again on the page a long table runs onto.
func TestPDFReadsBack(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
	}
	data, err := sample().PDF()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"评议考核", "青禾市市场监督管理局", "66.7%", "82.5", "执法人员39", "重名的表"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	pages := strings.Split(text, "\f")
	if len(pages) < 2 || !strings.Contains(pages[1], "法制审核通过率") {
		t.Errorf("the header does not repeat on page 2 (%d pages)", len(pages))
	}
}

func TestServeNamesTheFile(t *testing.T) {
	w := httptest.NewRecorder()
	if err := sample().Serve(w, FormatXLSX, "评议考核 2026", "appraisal-2026"); err != nil {
		t.Fatal(err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	want := `attachment; filename="appraisal-2026.xlsx"; filename*=UTF-8''%E8%AF%84%E8%AE%AE%E8%80%83%E6%A0%B8%202026.xlsx`
	if cd := w.Header().Get("Content-Disposition"); cd != want {
		t.Errorf("Content-Disposition %q, want %q", cd, want)
	}
	if err := sample().Serve(httptest.NewRecorder(), "csv", "x", "x"); err == nil {
		t.Error("an unknown format served")
	}
}

// A long text cell wraps within its column and keeps every character.
func TestPDFWrapsLongWords(t *testing.T) {
	long := strings.Repeat("文书齐全：缺行政处罚事先告知书；办案期限：自立案之日起90日内作出决定；", 4)
	b := Book{Title: "案卷评查", Tables: []Table{{Sheet: "案卷", Title: "案卷评查", Header: []string{"案件编号", "得分", "扣分项"},
		Rows: [][]Cell{{T("APR-A-20260105-0002"), N(20), T(long)}}}}}
	data, err := b.PDF()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	if !strings.Contains(text, long) {
		t.Errorf("the wrapped cell lost characters:\n%s", out)
	}
	if n := strings.Count(string(out), "\n"); n < 5 {
		t.Errorf("the long cell did not wrap (%d lines)", n)
	}
}

// What one export costs: the public annual report is exported per
// request.
func BenchmarkPDF(b *testing.B) {
	s := sample()
	for b.Loop() {
		if _, err := s.PDF(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXLSX(b *testing.B) {
	s := sample()
	for b.Loop() {
		if _, err := s.XLSX(); err != nil {
			b.Fatal(err)
		}
	}
}
