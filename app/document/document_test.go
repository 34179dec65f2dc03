package document

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

func testCase(t *testing.T) (*casefile.Log, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "DOC1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	id, err := l.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01",
		ItemID: "E1", ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司", IDNo: "91990102MA0000009K", Address: "明湖区政和路9号"},
		Place: "明湖区政和路9号", Summary: "发布虚假广告", Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}})
	if err != nil {
		t.Fatal(err)
	}
	return l, id
}

func TestEveryActHasDocumentsAndTemplatesFill(t *testing.T) {
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) < 6 {
		t.Fatalf("%d templates", len(ts))
	}
	for _, act := range catalog.Acts {
		if len(For(ts, act)) == 0 {
			t.Errorf("no document for act %s", act)
		}
	}
	l, id := testCase(t)
	c, _ := l.Case(context.Background(), id)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	for _, tpl := range ts {
		inputs := map[string]string{}
		for _, f := range tpl.Fields {
			inputs[f.Key] = "输入" + f.Key
		}
		d, err := Fill(tpl, c, "青禾市市场监督管理局", inputs, now)
		if err != nil {
			t.Fatalf("%s: %v", tpl.ID, err)
		}
		if left := regexp.MustCompile(`\{[a-z_]+\}`).FindString(d.Text); left != "" {
			t.Errorf("%s: placeholder %s left in %q", tpl.ID, left, d.Text)
		}
		if !strings.Contains(d.Text, "青禾市某某广告有限公司") && !strings.Contains(d.Text, "输入") {
			t.Errorf("%s: neither case data nor input in %q", tpl.ID, d.Text)
		}
	}
	// An empty field with no default is refused, naming it.
	var notice Template
	for _, tpl := range ts {
		if tpl.ID == "prior_notice" {
			notice = tpl
		}
	}
	_, err = Fill(notice, c, "x", map[string]string{"facts": "f", "basis": "b"}, now)
	if !errors.Is(err, ErrMissingInput) || !strings.Contains(err.Error(), "拟作出的处罚") {
		t.Fatalf("missing input: %v", err)
	}
}

func TestCaseFilePDF(t *testing.T) {
	l, id := testCase(t)
	ctx := context.Background()
	ts, _ := Templates()
	c, _ := l.Case(ctx, id)
	d, err := Fill(ts[0], c, "青禾市市场监督管理局", map[string]string{"approver": "张科长"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(d)
	if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	pdf, err := CaseFileFor(ctx, l, id, "青禾市市场监督管理局", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Fatal("not a PDF with an embedded TrueType font")
	}
	// cover, contents, the document, the record list
	if n := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page ")); n < 4 {
		t.Errorf("%d pages, want at least 4", n)
	}
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "casefile.pdf"), pdf, 0o644)
		exec.Command("pdftoppm", "-png", "-r", "80", filepath.Join(dir, "casefile.pdf"), filepath.Join(dir, "casefile")).Run()
	}
	one, err := PDF(d)
	if err != nil || !bytes.HasPrefix(one, []byte("%PDF-")) {
		t.Fatalf("single document: %v", err)
	}
}
