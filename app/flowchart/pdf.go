package flowchart

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/go-pdf/fpdf"

	"github.com/sanxiang-desk/sanxiang/assets"
)

const pdfFont = "NotoSansSC"

// PDF prints the chart on one A4 page (landscape when it is wider than
// tall), scaled to fit, with the bundled font embedded: the same layout
// as the SVG, drawn with go-pdf/fpdf (pure Go, as the platform needs),
// so paper and screen agree. footer, if any, is printed small below.
func (c *Chart) PDF(footer string) ([]byte, error) {
	orient := "P"
	pw, ph := 210.0, 297.0
	if c.W > c.H {
		orient, pw, ph = "L", ph, pw
	}
	p := fpdf.New(orient, "mm", "A4", "")
	p.AddUTF8FontFromBytes(pdfFont, "", assets.PDFFont)
	p.SetCreator("Sanxiang Desk", true)
	p.SetTitle(c.Title, true)
	p.SetAutoPageBreak(false, 0)
	p.AddPage()
	const m = 10.0
	s := min((pw-2*m)/c.W, (ph-2*m-6)/c.H)
	ox, oy := m+((pw-2*m)-c.W*s)/2, m
	X := func(v float64) float64 { return ox + v*s }
	Y := func(v float64) float64 { return oy + v*s }
	pt := func(px float64) float64 { return px * s * 72 / 25.4 }
	color := func(hex string) (int, int, int) {
		v, _ := strconv.ParseUint(hex[1:], 16, 32)
		return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
	}
	text := func(x, y, size float64, col, str string, centre bool) {
		p.SetFont(pdfFont, "", pt(size))
		p.SetTextColor(color(col))
		if centre {
			x -= p.GetStringWidth(str) / 2
		}
		p.Text(x, y, str)
	}
	dashed := func(on bool) {
		if on {
			p.SetDashPattern([]float64{6 * s, 4 * s}, 0)
		} else {
			p.SetDashPattern([]float64{}, 0)
		}
	}
	text(X(margin), Y(margin+titleSize*1.2), titleSize*1.3, colInk, c.Title, false)
	for i, l := range wrap(c.Subtitle, smallSize, c.W-2*margin) {
		if i == 2 {
			break
		}
		text(X(margin), Y(margin+titleSize*1.6+smallSize*lineGap*float64(i+1)), smallSize, colMuted, l, false)
	}
	p.SetLineWidth(1.5 * s)
	for _, e := range c.Edges {
		p.SetDrawColor(color(colLine))
		dashed(e.Dashed || e.Back)
		for i := 1; i < len(e.Points); i++ {
			a, b := e.Points[i-1], e.Points[i]
			p.Line(X(a.X), Y(a.Y), X(b.X), Y(b.Y))
		}
		dashed(false)
		if n := len(e.Points); n >= 2 {
			a, b := e.Points[n-2], e.Points[n-1]
			ang := math.Atan2(b.Y-a.Y, b.X-a.X)
			const l, w = 9.0, 4.5
			p.SetFillColor(color(colLine))
			p.Polygon([]fpdf.PointType{
				{X: X(b.X), Y: Y(b.Y)},
				{X: X(b.X - l*math.Cos(ang) + w*math.Sin(ang)), Y: Y(b.Y - l*math.Sin(ang) - w*math.Cos(ang))},
				{X: X(b.X - l*math.Cos(ang) - w*math.Sin(ang)), Y: Y(b.Y - l*math.Sin(ang) + w*math.Cos(ang))},
			}, "F")
		}
	}
	for _, n := range c.Nodes {
		fill, stroke := colBox, colLine
		switch {
		case n.Review:
			fill, stroke = colReview, "#8a5a00"
		case n.Shape == End:
			fill, stroke = colEnd, colRed
		case n.Optional:
			fill = colOptional
		}
		p.SetFillColor(color(fill))
		p.SetDrawColor(color(stroke))
		dashed(n.Optional || n.Review)
		switch n.Shape {
		case Choice:
			p.Polygon([]fpdf.PointType{{X: X(n.X + 12), Y: Y(n.Y)}, {X: X(n.X + n.W - 12), Y: Y(n.Y)}, {X: X(n.X + n.W), Y: Y(n.Y + n.H/2)},
				{X: X(n.X + n.W - 12), Y: Y(n.Y + n.H)}, {X: X(n.X + 12), Y: Y(n.Y + n.H)}, {X: X(n.X), Y: Y(n.Y + n.H/2)}}, "DF")
		default:
			r := 8.0
			if n.Shape == End {
				r = min(n.H/2, 18)
			}
			p.RoundedRect(X(n.X), Y(n.Y), n.W*s, n.H*s, r*s, "1234", "DF")
		}
		dashed(false)
		y, cx := n.Y+padY, n.X+n.W/2
		for _, l := range n.title {
			y += titleSize * lineGap
			text(X(cx), Y(y-titleSize*0.3), titleSize, colInk, l, true)
		}
		for _, l := range n.badges {
			y += smallSize * lineGap
			text(X(cx), Y(y-smallSize*0.3), smallSize, colRed, l, true)
		}
		if len(n.lines) > 0 {
			y += 4
		}
		for _, l := range n.lines {
			y += smallSize * lineGap
			text(X(cx), Y(y-smallSize*0.3), smallSize, colMuted, l, true)
		}
	}
	for _, e := range c.Edges {
		if e.Label == "" {
			continue
		}
		x, y := c.labelAt(e)
		p.SetFillColor(255, 255, 255)
		p.Rect(X(x-2), Y(y-smallSize), (textWidth(e.Label, smallSize)+4)*s, smallSize*1.3*s, "F")
		text(X(x), Y(y), smallSize, colBlue, e.Label, false)
	}
	for _, k := range c.Clocks {
		col := colRed
		if k.Party {
			col = colBlue
		}
		p.SetFillColor(color(col))
		p.Circle(X(k.AtFrom.X), Y(k.AtFrom.Y), markR*s, "F")
		text(X(k.AtFrom.X), Y(k.AtFrom.Y+4), smallSize, "#ffffff", k.Mark, true)
		if k.AtTo != k.AtFrom {
			p.SetFillColor(255, 255, 255)
			p.SetDrawColor(color(col))
			p.SetLineWidth(2 * s)
			p.Circle(X(k.AtTo.X), Y(k.AtTo.Y), (markR-1)*s, "DF")
			p.SetLineWidth(1.5 * s)
			text(X(k.AtTo.X), Y(k.AtTo.Y+4), smallSize, col, k.Mark, true)
		}
	}
	y := c.H - margin - float64(len(c.legend))*smallSize*lineGap*1.1 + smallSize
	for _, l := range c.legend {
		text(X(margin), Y(y), smallSize, colInk, l, false)
		y += smallSize * lineGap * 1.1
	}
	if footer != "" {
		p.SetFont(pdfFont, "", 8)
		p.SetTextColor(90, 90, 90)
		p.Text(m, ph-m+2, footer)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("print chart %s: %w", c.ID, err)
	}
	return buf.Bytes(), nil
}
