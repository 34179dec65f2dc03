package console_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// officeFile is a ZIP holding the named entries, as DOCX and XLSX are.
func officeFile(t testing.TB, names ...string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An attachment is judged by what it holds, never by its name: a PDF, a
// JPEG, a PNG, a DOCX or an XLSX, and nothing else (an executable, a
// plain ZIP, an OpenDocument file, HTML, a truncated ZIP are refused).
func TestNoticeFileTypeByContent(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"docx", officeFile(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx", officeFile(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"zip", officeFile(t, "readme.txt"), ""},
		{"odt", officeFile(t, "mimetype", "content.xml"), ""},
		{"exe", []byte("MZ\x90\x00"), ""},
		{"html", []byte("<html><script>alert(1)</script>"), ""},
		{"broken zip", []byte("PK\x03\x04garbage"), ""},
		{"empty", nil, ""},
		{"pdf later", []byte(" %PDF-1.7"), ""},
	} {
		got, err := console.NoticeFileType(c.data)
		if got != c.want || (c.want == "") != errors.Is(err, console.ErrNoticeFileType) {
			t.Errorf("%s: %q %v, want %q", c.name, got, err, c.want)
		}
	}
}

func FuzzNoticeFileType(f *testing.F) {
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte("PK\x03\x04"))
	f.Add(officeFile(f, "word/document.xml"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := console.NoticeFileType(b)
		if (err == nil) == (got == "") {
			t.Fatalf("%q: %q %v", b, got, err)
		}
	})
}

// Every code a notice is refused with has its words, in both languages.
func TestNoticeCodesHaveWords(t *testing.T) {
	for _, code := range console.NoticeCodes() {
		key := "platform.console.error." + code
		for _, lang := range []string{words.Chinese, words.English} {
			if got := words.In(lang, key); got == key || got == "" {
				t.Errorf("%s: no words in %s", key, lang)
			}
		}
	}
}

// The notices' tables on every backend take no UPDATE and no DELETE,
// whoever tries: a notice, a step, an attachment and its file stay as
// written; the room's own steps only append.
func TestNoticesAppendOnly(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		f := open(t, b)
		f.room.Agencies = func(context.Context) ([]catalog.Agency, error) {
			return []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}}, nil
		}
		if _, err := f.db.ExecContext(ctx, `INSERT INTO cases (device, case_id, agency, act, opened, last_seq) VALUES ('D1', 'C1', '01', 'penalty', '2026-03-01T00:00:00Z', 0)`); err != nil {
			t.Fatal(err)
		}
		n, err := f.room.IssueNotice(ctx, "", console.NewNotice{Device: "D1", Case: "C1", Finding: "未按期公示", Basis: "第四十八条", Deadline: "2026-03-09"}, "city", console.RoleCity)
		if err != nil || n.Agency != "01" || n.Number() != "通报〔2026〕1号" || n.State != console.NoticePending {
			t.Fatalf("issue: %+v %v", n, err)
		}
		n, err = f.room.ReportNotice(ctx, "01", n.ID, "已公示", []console.NoticeUpload{{Name: `C:\Users\x\报告.pdf`, Data: []byte("%PDF-1.4 x")}}, "a01", console.RoleAgency)
		if err != nil || n.State != console.NoticeReported || n.Steps[0].Files[0].Name != "报告.pdf" {
			t.Fatalf("report: %+v %v", n, err)
		}
		if _, err := f.room.ReportNotice(ctx, "02", n.ID, "x", nil, "a02", console.RoleAgency); !errors.Is(err, console.ErrNoNotice) {
			t.Fatalf("another agency's report: %v", err)
		}
		for _, q := range []string{
			`UPDATE notices SET deadline = '2099-01-01'`, `DELETE FROM notices`,
			`UPDATE notice_steps SET kind = 'pass'`, `DELETE FROM notice_steps`,
			`UPDATE notice_attachments SET name = 'x'`, `DELETE FROM notice_attachments`,
			`UPDATE notice_files SET sha256 = 'x'`, `DELETE FROM notice_files`,
		} {
			if _, err := f.db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", q, err)
			}
		}
		again, err := f.room.Notice(ctx, "", n.ID)
		if err != nil || again.Deadline != "2026-03-09" || len(again.Steps) != 1 || again.Steps[0].Kind != console.StepReport {
			t.Fatalf("after the attempts: %+v %v", again, err)
		}
	})
}
