// Package scantest reads printed pages back as a printer or a phone's
// camera sees them, for tests: a PDF rendered by pdftoppm (poppler-utils,
// which ./dev installs and CI requires), and a QR code decoded by gozxing
// from one area of a page, as a phone held over that corner would.
package scantest

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// Raster renders every page of pdf at dpi with pdftoppm. Without pdftoppm
// the test is skipped, or fails where SANXIANG_REQUIRE_PDFTOTEXT=1 (CI).
func Raster(t testing.TB, pdf []byte, dpi int) []image.Image {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("SANXIANG_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatalf("pdftoppm (poppler-utils) is required: %v", err)
		}
		t.Skip("pdftoppm is not installed")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "printed.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", strconv.Itoa(dpi), f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(files) == 0 {
		t.Fatal("pdftoppm rendered no page")
	}
	var out []image.Image
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

// ReadQR decodes the QR code within area of page.
func ReadQR(page image.Image, area image.Rectangle) (string, error) {
	sub := image.NewRGBA(area)
	draw.Draw(sub, area, page, area.Min, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(sub)
	if err != nil {
		return "", err
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
