package winui

import (
	"errors"
	"image"
	"image/draw"
)

// ErrNoPrinter is PrintPages' error when Windows has no printer to offer.
var ErrNoPrinter = errors.New("no printer is installed")

// MaxPrintDPI caps the resolution pages are drawn at for the printer: a
// 600 dpi A4 page would be 140 MB in memory; at 300 dpi (35 MB) text is
// as sharp as the eye reads, and the printer scales the rest.
const MaxPrintDPI = 300

// printDPI is the resolution to draw pages at for a printer of dpi.
func printDPI(dpi int) int {
	switch {
	case dpi <= 0:
		return MaxPrintDPI
	case dpi > MaxPrintDPI:
		return MaxPrintDPI
	}
	return dpi
}

// fitPage places a page image of w×h pixels in a printable area of
// areaW×areaH device pixels: as large as fits keeping the page's
// proportions, centred. The result is in device pixels from the printable
// area's top left.
func fitPage(w, h, areaW, areaH int) Rect {
	if w <= 0 || h <= 0 || areaW <= 0 || areaH <= 0 {
		return Rect{}
	}
	dw, dh := areaW, areaW*h/w // full width
	if dh > areaH {
		dw, dh = areaH*w/h, areaH // full height
	}
	x, y := (areaW-dw)/2, (areaH-dh)/2
	return Rect{x, y, x + dw, y + dh}
}

// dib24 lays img out as a top-down 24-bit Windows DIB: rows of blue,
// green, red bytes, each row padded to four bytes; stride is a row's
// length.
func dib24(img image.Image) (bits []byte, stride int) {
	b := img.Bounds()
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(b)
		draw.Draw(rgba, b, img, b.Min, draw.Src)
	}
	w, h := b.Dx(), b.Dy()
	stride = (w*3 + 3) &^ 3
	bits = make([]byte, stride*h)
	for y := 0; y < h; y++ {
		src := rgba.Pix[(y)*rgba.Stride:]
		dst := bits[y*stride:]
		for x := 0; x < w; x++ {
			r, g, bl, a := src[4*x], src[4*x+1], src[4*x+2], src[4*x+3]
			// Paper is white: what is transparent prints as white.
			dst[3*x] = bl + 255 - a
			dst[3*x+1] = g + 255 - a
			dst[3*x+2] = r + 255 - a
		}
	}
	return bits, stride
}
