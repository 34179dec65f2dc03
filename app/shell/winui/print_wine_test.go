//go:build windows

package winui

import (
	"image"
	"image/color"
	"image/draw"
	"os"
	"testing"
)

// The title the print job carries; packaging/windows/print-check.sh finds
// the job by it in CUPS.
const winePrintTitle = "SanxiangPrintCheck"

// testPages are two A4 pages drawn at dpi: white, the first with a black
// block in its top left quarter, the second in its bottom right
// (print-check.sh looks for the ink there and nowhere else).
func testPages(dpi int) []image.Image {
	w, h := 210*dpi*10/254, 297*dpi*10/254
	var pages []image.Image
	for _, at := range []image.Rectangle{
		image.Rect(w/10, h/10, w*4/10, h*3/10),
		image.Rect(w*6/10, h*7/10, w*9/10, h*9/10),
	} {
		pg := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(pg, pg.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(pg, at, image.NewUniform(color.Black), image.Point{}, draw.Src)
		pages = append(pages, pg)
	}
	return pages
}

// TestPrintPagesUnderWine prints two known pages through the Windows print
// dialog to the default printer. It needs someone to accept the dialog
// (print-check.sh presses Return with xdotool) and a printer whose output
// is checked outside: it runs only with SANXIANG_WINE_PRINT=1.
func TestPrintPagesUnderWine(t *testing.T) {
	if os.Getenv("SANXIANG_WINE_PRINT") != "1" {
		t.Skip("SANXIANG_WINE_PRINT=1 runs it (packaging/windows/print-check.sh)")
	}
	var dpis []int
	printed, err := PrintPages(winePrintTitle, func(dpi int) ([]image.Image, error) {
		dpis = append(dpis, dpi)
		return testPages(dpi), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !printed {
		t.Fatal("the print dialog was cancelled")
	}
	t.Logf("printed %q, pages drawn at %v dpi", winePrintTitle, dpis)
}
