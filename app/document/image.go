package document

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	faceMu sync.Mutex
	faces  = map[[2]float64]font.Face{}
)

func face(size, dpi float64) (font.Face, error) {
	faceMu.Lock()
	defer faceMu.Unlock()
	k := [2]float64{size, dpi}
	if f, ok := faces[k]; ok {
		return f, nil
	}
	sf, err := loadFont()
	if err != nil {
		return nil, err
	}
	f, err := opentype.NewFace(sf, &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("preview font: %w", err)
	}
	faces[k] = f
	return f, nil
}

// Images draws the document's pages as they print, at dpi dots per inch,
// for the preview on screen.
func Images(d Doc, dpi float64) ([]*image.RGBA, error) { return CheckedImages(d, nil, dpi) }

// CheckedImages draws the pages as CheckedPDF prints them.
func CheckedImages(d Doc, c *Check, dpi float64) ([]*image.RGBA, error) {
	mark, err := checkOps(c)
	if err != nil {
		return nil, fmt.Errorf("draw %s: %w", d.Title, err)
	}
	var out []*image.RGBA
	for _, pg := range docPages(d, mark) {
		img, err := raster(pg, dpi)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

// Pages is how many pages the document prints on.
func Pages(d Doc) int { return len(docPages(d, nil)) }

// Lines are the document's lines of text as laid out, page by page, for
// checks of the layout (no line starts with closing punctuation).
func Lines(d Doc) [][]string {
	var out [][]string
	for _, pg := range docPages(d, nil) {
		var ls []string
		for _, o := range pg.ops {
			if o.kind == 't' {
				ls = append(ls, o.s)
			}
		}
		out = append(out, ls)
	}
	return out
}

func raster(pg *page, dpi float64) (*image.RGBA, error) {
	px := func(mm float64) float64 { return mm / 25.4 * dpi }
	img := image.NewRGBA(image.Rect(0, 0, int(px(pageW)+0.5), int(px(pageH)+0.5)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := color.RGBA{0, 0, 0, 255}
	gray := color.RGBA{110, 110, 110, 255}
	thick := math.Max(1, math.Round(px(0.3)))
	for _, o := range pg.ops {
		switch o.kind {
		case 't':
			f, err := face(o.size, dpi)
			if err != nil {
				return nil, err
			}
			src := image.NewUniform(black)
			if o.gray {
				src = image.NewUniform(gray)
			}
			dr := font.Drawer{Dst: img, Src: src, Face: f, Dot: fixed.Point26_6{X: fixed.Int26_6(px(o.x) * 64), Y: fixed.Int26_6(px(o.y) * 64)}}
			dr.DrawString(o.s)
		case 'l':
			x0, y0, x1, y1 := px(o.x), px(o.y), px(o.w), px(o.h)
			r := image.Rect(int(math.Min(x0, x1)), int(math.Min(y0, y1)), int(math.Max(x0, x1)+thick), int(math.Max(y0, y1)+thick))
			draw.Draw(img, r, image.NewUniform(black), image.Point{}, draw.Src)
		case 'r':
			r := image.Rect(int(math.Round(px(o.x))), int(math.Round(px(o.y))), int(math.Round(px(o.x+o.w))), int(math.Round(px(o.y+o.h))))
			draw.Draw(img, r, image.NewUniform(black), image.Point{}, draw.Src)
		case 'c':
			cx, cy, rr := px(o.x), px(o.y), px(o.w)
			steps := int(2 * math.Pi * rr)
			dash := px(1.6) + px(1.2)
			for i := 0; i < steps; i++ {
				a := float64(i) / rr
				if math.Mod(float64(i), dash) > px(1.6) {
					continue
				}
				x, y := cx+rr*math.Cos(a), cy+rr*math.Sin(a)
				draw.Draw(img, image.Rect(int(x), int(y), int(x+thick), int(y+thick)), image.NewUniform(gray), image.Point{}, draw.Src)
			}
		}
	}
	return img, nil
}
