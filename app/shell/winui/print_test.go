package winui

import (
	"image"
	"image/color"
	"testing"
)

func TestPageFitsThePrintableAreaCentred(t *testing.T) {
	for _, tc := range []struct {
		name               string
		w, h, areaW, areaH int
		want               Rect
	}{
		// A4 at 300 dpi into a 600 dpi printer's printable area
		// (4760×6814 of 4960×7016): full height would be too wide, so full
		// width, centred vertically.
		{"A4 page, A4 printable area", 2480, 3508, 4760, 6814, Rect{0, 40, 4760, 6773}},
		{"tall area: full width, centred vertically", 100, 100, 200, 400, Rect{0, 100, 200, 300}},
		{"wide area: full height, centred horizontally", 100, 200, 500, 300, Rect{175, 0, 325, 300}},
		{"same proportions: all of it", 210, 297, 420, 594, Rect{0, 0, 420, 594}},
		{"smaller image is scaled up", 21, 29, 2100, 2900, Rect{0, 0, 2100, 2900}},
		{"landscape paper", 2480, 3508, 7016, 4960, Rect{1755, 0, 5261, 4960}},
		{"no image", 0, 3508, 4760, 6814, Rect{}},
		{"no printable area", 2480, 3508, 0, 0, Rect{}},
	} {
		got := fitPage(tc.w, tc.h, tc.areaW, tc.areaH)
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		if got.Dx() > tc.areaW || got.Dy() > tc.areaH || got.Left < 0 || got.Top < 0 {
			t.Errorf("%s: %+v leaves the area %dx%d", tc.name, got, tc.areaW, tc.areaH)
		}
	}
}

func TestPrintResolutionIsCapped(t *testing.T) {
	for dpi, want := range map[int]int{0: 300, 150: 150, 300: 300, 600: 300, 1200: 300} {
		if got := printDPI(dpi); got != want {
			t.Errorf("printDPI(%d) = %d, want %d", dpi, got, want)
		}
	}
}

func TestDIBIsBlueGreenRedPaddedRows(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	img.Set(1, 0, color.RGBA{0, 0, 255, 255})
	img.Set(0, 1, color.RGBA{10, 20, 30, 255})
	// (1,1) left transparent: white on paper.
	bits, stride := dib24(img)
	if stride != 8 {
		t.Fatalf("stride %d, want 8 (6 bytes padded to 4)", stride)
	}
	want := []byte{
		0, 0, 255, 255, 0, 0, 0, 0,
		30, 20, 10, 255, 255, 255, 0, 0,
	}
	if string(bits) != string(want) {
		t.Errorf("bits % d\nwant % d", bits, want)
	}
	// A sub-image keeps its own origin.
	sub := img.SubImage(image.Rect(0, 1, 1, 2))
	if bits, _ := dib24(sub); string(bits[:3]) != string([]byte{30, 20, 10}) {
		t.Errorf("sub-image bits % d", bits)
	}
}
