package flowchart

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Colours of the drawing: the platform pages' red for the decision and
// the agency's limits, blue for the party's and for labels, grey for
// what is optional, a warm tint for the legal review; words keep 4.5:1
// against their ground.
const (
	colInk        = "#1d1d1f"
	colMuted      = "#555555"
	colLine       = "#444444"
	colRed        = "#b71c1c"
	colBlue       = "#0b5394"
	colBox        = "#ffffff"
	colEnd        = "#fdecea"
	colReview     = "#fff4d6"
	colReviewLine = "#8a5a00"
	colOptional   = "#f5f6f8"
)

func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// SVG draws the chart as a standalone SVG document. It scales to its
// container's width (viewBox, width 100%) and carries its title and, as
// its description, every stage in order, for screen readers; each box's
// parts are grouped under data-node. The same chart gives the same bytes.
func (c *Chart) SVG() []byte {
	var b bytes.Buffer
	esc := html.EscapeString
	id := "flow-" + strings.NewReplacer(".", "-", " ", "-").Replace(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="%s-t %s-d" font-family="Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif">`,
		f(c.W), f(c.H), id, id)
	fmt.Fprintf(&b, "\n<title id=\"%s-t\">%s</title>\n<desc id=\"%s-d\">%s</desc>\n", id, esc(c.Title), id, esc(c.description()))
	group := ""
	for _, o := range c.Ops() {
		if o.Node != group {
			if group != "" {
				b.WriteString("</g>\n")
			}
			if o.Node != "" {
				fmt.Fprintf(&b, `<g data-node="%s">`, esc(o.Node))
			}
			group = o.Node
		}
		paint := func() string {
			s := ` fill="none"`
			if o.Fill != "" {
				s = ` fill="` + o.Fill + `"`
			}
			if o.Stroke != "" {
				s += fmt.Sprintf(` stroke="%s" stroke-width="%s"`, o.Stroke, f(o.Width))
				if o.Dashed {
					s += ` stroke-dasharray="6 4"`
				}
			}
			return s
		}
		switch o.Kind {
		case Rect:
			r := ""
			if o.Radius > 0 {
				r = ` rx="` + f(o.Radius) + `"`
			}
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s"%s%s/>`, f(o.X), f(o.Y), f(o.W), f(o.H), r, paint())
		case Path:
			var pts []string
			for _, p := range o.Points {
				pts = append(pts, f(p.X)+","+f(p.Y))
			}
			el := "polyline"
			if o.Closed {
				el = "polygon"
			}
			fmt.Fprintf(&b, `<%s points="%s"%s/>`, el, strings.Join(pts, " "), paint())
		case Circle:
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s"%s/>`, f(o.X), f(o.Y), f(o.W), paint())
		case Text:
			attrs := ""
			if o.Bold {
				attrs += ` font-weight="bold"`
			}
			if o.Middle {
				attrs += ` text-anchor="middle"`
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" fill="%s"%s>%s</text>`, f(o.X), f(o.Y), f(o.Size), o.Fill, attrs, esc(o.Text))
		}
		if o.Node == "" {
			b.WriteString("\n")
		}
	}
	if group != "" {
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// description is the chart in words: its stages in order with what each
// needs, for a screen reader and for search.
func (c *Chart) description() string {
	var parts []string
	for _, n := range c.Nodes {
		s := n.Title
		if len(n.Badges) > 0 {
			s += "（" + strings.Join(n.Badges, "、") + "）"
		}
		if len(n.Lines) > 0 {
			s += "：" + strings.Join(n.Lines, "、")
		}
		parts = append(parts, s)
	}
	for _, k := range c.Clocks {
		parts = append(parts, k.Length+"："+k.Text)
	}
	return strings.Join(parts, "；")
}

// Stages are the nodes' titles in the chart's order, for lists and tests.
func (c *Chart) Stages() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Title
	}
	return out
}
