package flowchart

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"

	"github.com/sanxiang-desk/sanxiang/assets"
)

const pdfFont = "NotoSansSC"

// PDF prints the chart on one A4 page (landscape when it is wider than
// tall), scaled to fit, with the bundled font embedded: the drawing of
// Ops, as the SVG has it, drawn with go-pdf/fpdf (pure Go, as the platform
// needs), so paper and screen agree. footer, if any, is printed small
// below.
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
	rgb := func(hex string) (int, int, int) {
		r, g, b := RGB(hex)
		return int(r), int(g), int(b)
	}
	for _, o := range c.Ops() {
		style := ""
		if o.Fill != "" {
			p.SetFillColor(rgb(o.Fill))
			style += "F"
		}
		if o.Stroke != "" {
			p.SetDrawColor(rgb(o.Stroke))
			p.SetLineWidth(o.Width * s)
			style = "D" + style
			if o.Dashed {
				p.SetDashPattern([]float64{6 * s, 4 * s}, 0)
			}
		}
		switch o.Kind {
		case Rect:
			if o.X == 0 && o.Y == 0 && o.W == c.W {
				break // the page is white already
			}
			p.RoundedRect(X(o.X), Y(o.Y), o.W*s, o.H*s, o.Radius*s, "1234", style)
		case Path:
			if o.Closed {
				var pts []fpdf.PointType
				for _, pt := range o.Points {
					pts = append(pts, fpdf.PointType{X: X(pt.X), Y: Y(pt.Y)})
				}
				p.Polygon(pts, style)
				break
			}
			for i := 1; i < len(o.Points); i++ {
				a, b := o.Points[i-1], o.Points[i]
				p.Line(X(a.X), Y(a.Y), X(b.X), Y(b.Y))
			}
		case Circle:
			p.Circle(X(o.X), Y(o.Y), o.W*s, style)
		case Text:
			p.SetFont(pdfFont, "", o.Size*s*72/25.4)
			p.SetTextColor(rgb(o.Fill))
			x := X(o.X)
			if o.Middle {
				x -= p.GetStringWidth(o.Text) / 2
			}
			p.Text(x, Y(o.Y), o.Text)
		}
		if o.Dashed {
			p.SetDashPattern([]float64{}, 0)
		}
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
