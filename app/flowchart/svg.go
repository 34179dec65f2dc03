package flowchart

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Colours of the drawing: the platform pages' red for what is required,
// grey for what is optional, a warm tint for the legal review; all keep
// 4.5:1 against their background.
const (
	colInk      = "#1d1d1f"
	colMuted    = "#555555"
	colLine     = "#444444"
	colRed      = "#b71c1c"
	colBlue     = "#0b5394"
	colBox      = "#ffffff"
	colEnd      = "#fdecea"
	colReview   = "#fff4d6"
	colOptional = "#f5f6f8"
)

func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// SVG draws the chart as a standalone SVG document. It scales to its
// container's width (viewBox, width 100%) and carries its title and, as
// its description, every stage in order, for screen readers. The same
// chart gives the same bytes.
func (c *Chart) SVG() []byte {
	var b bytes.Buffer
	esc := html.EscapeString
	id := "flow-" + strings.NewReplacer(".", "-", " ", "-").Replace(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="%s-t %s-d" font-family="Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif">`,
		f(c.W), f(c.H), id, id)
	fmt.Fprintf(&b, "\n<title id=\"%s-t\">%s</title>\n<desc id=\"%s-d\">%s</desc>\n", id, esc(c.Title), id, esc(c.description()))
	fmt.Fprintf(&b, `<defs><marker id="%s-a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="%s"/></marker></defs>`+"\n", id, colLine)
	fmt.Fprintf(&b, `<rect width="%s" height="%s" fill="#ffffff"/>`+"\n", f(c.W), f(c.H))
	fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" font-weight="bold" fill="%s">%s</text>`+"\n", f(margin), f(margin+titleSize*1.2), f(titleSize*1.3), colInk, esc(c.Title))
	if c.Subtitle != "" {
		for i, l := range wrap(c.Subtitle, smallSize, c.W-2*margin) {
			if i == 2 {
				break
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" fill="%s">%s</text>`+"\n", f(margin), f(margin+titleSize*1.6+smallSize*lineGap*float64(i+1)), f(smallSize), colMuted, esc(l))
		}
	}
	// Arrows under the boxes.
	for _, e := range c.Edges {
		var pts []string
		for _, p := range e.Points {
			pts = append(pts, f(p.X)+","+f(p.Y))
		}
		dash := ""
		if e.Dashed || e.Back {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"%s marker-end="url(#%s-a)"/>`+"\n", strings.Join(pts, " "), colLine, dash, id)
	}
	for _, n := range c.Nodes {
		c.svgNode(&b, n)
	}
	// Labels over the boxes and arrows, on a white ground.
	for _, e := range c.Edges {
		if e.Label == "" {
			continue
		}
		x, y := c.labelAt(e)
		w := textWidth(e.Label, smallSize)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" rx="3" fill="#ffffff"/>`, f(x-2), f(y-smallSize), f(w+4), f(smallSize*1.3))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" fill="%s">%s</text>`+"\n", f(x), f(y), f(smallSize), colBlue, esc(e.Label))
	}
	for _, k := range c.Clocks {
		col := colRed
		if k.Party {
			col = colBlue
		}
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/><text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="#ffffff" font-weight="bold">%s</text>`+"\n",
			f(k.AtFrom.X), f(k.AtFrom.Y), f(markR), col, f(k.AtFrom.X), f(k.AtFrom.Y+4), f(smallSize), esc(k.Mark))
		if k.AtTo != k.AtFrom {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="#ffffff" stroke="%s" stroke-width="2"/><text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="%s" font-weight="bold">%s</text>`+"\n",
				f(k.AtTo.X), f(k.AtTo.Y), f(markR-1), col, f(k.AtTo.X), f(k.AtTo.Y+4), f(smallSize), col, esc(k.Mark))
		}
	}
	y := c.H - margin - float64(len(c.legend))*smallSize*lineGap*1.1 + smallSize
	for _, l := range c.legend {
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" fill="%s">%s</text>`+"\n", f(margin), f(y), f(smallSize), colInk, esc(l))
		y += smallSize * lineGap * 1.1
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func (c *Chart) svgNode(b *bytes.Buffer, n *Node) {
	esc := html.EscapeString
	fill, stroke, dash := colBox, colLine, ""
	switch {
	case n.Review:
		fill, stroke = colReview, "#8a5a00"
	case n.Shape == End:
		fill, stroke = colEnd, colRed
	case n.Optional:
		fill = colOptional
	}
	if n.Optional || n.Review {
		dash = ` stroke-dasharray="6 4"`
	}
	fmt.Fprintf(b, `<g data-node="%s">`, esc(n.ID))
	switch n.Shape {
	case Choice:
		fmt.Fprintf(b, `<path d="M%s %sH%sL%s %sL%s %sH%sL%s %sz" fill="%s" stroke="%s" stroke-width="1.5"%s/>`,
			f(n.X+12), f(n.Y), f(n.X+n.W-12), f(n.X+n.W), f(n.Y+n.H/2), f(n.X+n.W-12), f(n.Y+n.H), f(n.X+12), f(n.X), f(n.Y+n.H/2), fill, stroke, dash)
	default:
		rx := 8.0
		if n.Shape == End {
			rx = min(n.H/2, 18)
		}
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s" stroke="%s" stroke-width="1.5"%s/>`,
			f(n.X), f(n.Y), f(n.W), f(n.H), f(rx), fill, stroke, dash)
	}
	y := n.Y + padY
	cx := n.X + n.W/2
	for _, l := range n.title {
		y += titleSize * lineGap
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" font-weight="bold" text-anchor="middle" fill="%s">%s</text>`, f(cx), f(y-titleSize*0.3), f(titleSize), colInk, esc(l))
	}
	for _, l := range n.badges {
		y += smallSize * lineGap
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="%s">%s</text>`, f(cx), f(y-smallSize*0.3), f(smallSize), colRed, esc(l))
	}
	if len(n.lines) > 0 {
		y += 4
	}
	for _, l := range n.lines {
		y += smallSize * lineGap
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="%s">%s</text>`, f(cx), f(y-smallSize*0.3), f(smallSize), colMuted, esc(l))
	}
	b.WriteString("</g>\n")
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
