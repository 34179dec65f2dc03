package document

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/internal/scantest"
)

// readQR decodes the 扫码验真 code in the top right corner of a printed
// page, as a phone held over that corner would.
func readQR(page image.Image) (string, error) {
	return scantest.ReadQR(page, MarkBounds(page.Bounds()))
}

// documentRecord records a filled 立案审批表 in the test case and
// returns it with its record.
func documentRecord(t *testing.T, l *casefile.Log, id string) (Doc, *casefile.Record) {
	t.Helper()
	ctx := context.Background()
	ts, _ := Templates()
	c, _ := l.Case(ctx, id)
	d, err := Fill(ts[0], c, "青禾市市场监督管理局", map[string]string{"approver": "张科长"}, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(d)
	rec, err := l.AddDocument(ctx, id, "990101000001", body)
	if err != nil {
		t.Fatal(err)
	}
	return d, rec
}

// A printed document carries on every page a QR code that opens the
// platform's verdict page for exactly this record (device, seq, leaf
// hash), both in the PDF and in the preview and Windows print drawn from
// the same layout; beside it the reference and the short hash to type.
func TestDocumentPrintsItsCheck(t *testing.T) {
	l, id := testCase(t)
	ctx := context.Background()
	d, rec := documentRecord(t, l, id)
	chk, err := CheckOf(ctx, l, id, rec.Seq, "https://zf.example.cn/")
	if err != nil {
		t.Fatal(err)
	}
	leaves, _ := l.LeafHashes(ctx, id)
	leaf := leaves[rec.Seq]
	want := "https://zf.example.cn/v/" + chk.Device + "/" + itoa(rec.Seq) + "?h=" + hex.EncodeToString(leaf[:])
	if chk.URL() != want {
		t.Fatalf("check URL %q, want %q", chk.URL(), want)
	}
	if dev, _ := DeviceID(l.Verifier); dev == "" || strings.HasPrefix(dev, "sanxiang-") {
		t.Fatalf("device id %q", dev)
	}
	pdf, err := CheckedPDF(d, &chk)
	if err != nil {
		t.Fatal(err)
	}
	pages := scantest.Raster(t, pdf, 150)
	if len(pages) == 0 {
		t.Fatal("no pages")
	}
	for i, pg := range pages {
		got, err := readQR(pg)
		if err != nil || got != want {
			t.Errorf("PDF page %d: QR %q, %v; want %q", i+1, got, err, want)
		}
	}
	imgs, err := CheckedImages(d, &chk, 150)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readQR(imgs[0]); err != nil || got != want {
		t.Errorf("preview: QR %q, %v; want %q", got, err, want)
	}
	text := pdfText(t, pdf)
	for _, s := range []string{"扫码验真", chk.Ref(), chk.Short(), "https://zf.example.cn/p/verify"} {
		if !strings.Contains(text, s) {
			t.Errorf("the printed page lacks %q:\n%s", s, text)
		}
	}
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "document-check.png"))
		png.Encode(f, pages[0])
		f.Close()
	}
	// Without a check the document prints as before: no code.
	plain, _ := Images(d, 150)
	if got, err := readQR(plain[0]); err == nil {
		t.Errorf("a document printed without a check carries a QR code %q", got)
	}
}

// Without a platform to point to no QR code is printed (never a code to
// nowhere); the reference and hash still are, with how to check them.
func TestDocumentWithoutPlatformPrintsNoQR(t *testing.T) {
	l, id := testCase(t)
	ctx := context.Background()
	d, rec := documentRecord(t, l, id)
	chk, err := CheckOf(ctx, l, id, rec.Seq, "")
	if err != nil {
		t.Fatal(err)
	}
	if chk.URL() != "" {
		t.Fatalf("a check without a platform has URL %q", chk.URL())
	}
	pdf, err := CheckedPDF(d, &chk)
	if err != nil {
		t.Fatal(err)
	}
	for i, pg := range scantest.Raster(t, pdf, 150) {
		if got, err := readQR(pg); err == nil {
			t.Errorf("page %d carries a QR code %q without a platform", i+1, got)
		}
	}
	text := pdfText(t, pdf)
	for _, s := range []string{chk.Ref(), chk.Short(), words["check_offline"]} {
		if !strings.Contains(text, s) {
			t.Errorf("the printed page lacks %q:\n%s", s, text)
		}
	}
	// A record that is not the case's is refused, not printed with a
	// hash of nothing.
	if _, err := CheckOf(ctx, l, id, 9999, "https://zf.example.cn"); err == nil {
		t.Error("a check of a record that does not exist")
	}
}

// The case file's cover carries the checkpoint it prints (device, size,
// root) as a QR code and in words; each document in it carries its own
// record's code.
func TestCaseFileCoverQR(t *testing.T) {
	l, id := testCase(t)
	ctx := context.Background()
	_, rec := documentRecord(t, l, id)
	pdf, err := CheckedCaseFileFor(ctx, l, id, "青禾市市场监督管理局", "https://zf.example.cn", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := l.Latest(ctx)
	dev, _ := DeviceID(l.Verifier)
	cover := Check{Platform: "https://zf.example.cn", Device: dev, N: cp.Size, Hash: cp.Root, Log: true}
	want := "https://zf.example.cn/v/" + dev + "/" + itoa(cp.Size) + "?root=" + hex.EncodeToString(cp.Root[:])
	if cover.URL() != want {
		t.Fatalf("cover URL %q, want %q", cover.URL(), want)
	}
	pages := scantest.Raster(t, pdf, 150)
	if got, err := readQR(pages[0]); err != nil || got != want {
		t.Errorf("cover: QR %q, %v; want %q", got, err, want)
	}
	docChk, _ := CheckOf(ctx, l, id, rec.Seq, "https://zf.example.cn")
	found := false
	for _, pg := range pages[1:] {
		if got, err := readQR(pg); err == nil {
			if got != docChk.URL() {
				t.Errorf("a page of the case file carries %q; the only document's is %q", got, docChk.URL())
			}
			found = true
		}
	}
	if !found {
		t.Error("the document in the case file carries no QR code")
	}
	if !strings.Contains(pdfText(t, pdf), cover.Ref()) {
		t.Errorf("the cover does not print %q", cover.Ref())
	}
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "casefile-cover-check.png"))
		png.Encode(f, pages[0])
		f.Close()
	}
	// The unmarked case file (the bundle's) prints no code.
	plain, err := CaseFileFor(ctx, l, id, "青禾市市场监督管理局", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readQR(scantest.Raster(t, plain, 100)[0]); err == nil {
		t.Errorf("the unmarked case file's cover carries %q", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
