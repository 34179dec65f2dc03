package flowchart

import (
	"math"
	"strconv"
)

// OpKind is what one drawing operation draws.
type OpKind int

const (
	// Rect is a box at X, Y of W×H with corners of Radius.
	Rect OpKind = iota
	// Path is a line through Points; Closed joins the last to the first
	// (and Fill fills it).
	Path
	// Text is one line of words whose baseline starts (or, Middle, is
	// centred) at X, Y.
	Text
	// Circle is a disc centred at X, Y of radius W.
	Circle
)

// Op is one operation of a chart's drawing, in its units. The SVG, the
// PDF and the kiosk's screen draw the same list, so they agree.
type Op struct {
	Kind       OpKind
	X, Y, W, H float64
	Radius     float64
	Points     []Point
	Closed     bool
	// Fill and Stroke are "#rrggbb", or "" for none.
	Fill, Stroke string
	Width        float64 // the stroke's width
	Dashed       bool
	Text         string
	Size         float64
	Bold, Middle bool
	// Node is the node the operation draws part of, "" for the rest.
	Node string
}

// RGB is a colour of the drawing as red, green and blue.
func RGB(hex string) (r, g, b uint8) {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return uint8(v >> 16), uint8(v >> 8), uint8(v)
}

// Ops is the chart's drawing: the page, the title, the arrows, the boxes
// with their words, the arrows' labels, the clocks' marks and the legend,
// in the order they are painted.
func (c *Chart) Ops() []Op {
	var ops []Op
	text := func(x, y, size float64, col, s string, bold, middle bool, node string) {
		ops = append(ops, Op{Kind: Text, X: x, Y: y, Size: size, Fill: col, Text: s, Bold: bold, Middle: middle, Node: node})
	}
	ops = append(ops, Op{Kind: Rect, W: c.W, H: c.H, Fill: "#ffffff"})
	text(margin, margin+titleSize*1.2, titleSize*1.3, colInk, c.Title, true, false, "")
	for i, l := range wrap(c.Subtitle, smallSize, c.W-2*margin) {
		if i == 2 {
			break
		}
		text(margin, margin+titleSize*1.6+smallSize*lineGap*float64(i+1), smallSize, colMuted, l, false, false, "")
	}
	for _, e := range c.Edges {
		if len(e.Points) < 2 {
			continue
		}
		ops = append(ops, Op{Kind: Path, Points: e.Points, Stroke: colLine, Width: 1.5, Dashed: e.Dashed || e.Back})
		// The arrowhead: a triangle at the end, along the last segment.
		a, b := e.Points[len(e.Points)-2], e.Points[len(e.Points)-1]
		ang := math.Atan2(b.Y-a.Y, b.X-a.X)
		const l, w = 9.0, 4.5
		ops = append(ops, Op{Kind: Path, Closed: true, Fill: colLine, Points: []Point{b,
			{round(b.X - l*math.Cos(ang) + w*math.Sin(ang)), round(b.Y - l*math.Sin(ang) - w*math.Cos(ang))},
			{round(b.X - l*math.Cos(ang) - w*math.Sin(ang)), round(b.Y - l*math.Sin(ang) + w*math.Cos(ang))}}})
	}
	for _, n := range c.Nodes {
		fill, stroke := colBox, colLine
		switch {
		case n.Review:
			fill, stroke = colReview, colReviewLine
		case n.Shape == End:
			fill, stroke = colEnd, colRed
		case n.Optional:
			fill = colOptional
		}
		dashed := n.Optional || n.Review
		switch n.Shape {
		case Choice:
			ops = append(ops, Op{Kind: Path, Closed: true, Fill: fill, Stroke: stroke, Width: 1.5, Dashed: dashed, Node: n.ID, Points: []Point{
				{n.X + 12, n.Y}, {n.X + n.W - 12, n.Y}, {n.X + n.W, n.Y + n.H/2}, {n.X + n.W - 12, n.Y + n.H}, {n.X + 12, n.Y + n.H}, {n.X, n.Y + n.H/2}}})
		default:
			r := 8.0
			if n.Shape == End {
				r = min(n.H/2, 18)
			}
			ops = append(ops, Op{Kind: Rect, X: n.X, Y: n.Y, W: n.W, H: n.H, Radius: r, Fill: fill, Stroke: stroke, Width: 1.5, Dashed: dashed, Node: n.ID})
		}
		y, cx := n.Y+padY, n.X+n.W/2
		for _, l := range n.title {
			y += titleSize * lineGap
			text(cx, y-titleSize*0.3, titleSize, colInk, l, true, true, n.ID)
		}
		for _, l := range n.badges {
			y += smallSize * lineGap
			text(cx, y-smallSize*0.3, smallSize, colRed, l, false, true, n.ID)
		}
		if len(n.lines) > 0 {
			y += 4
		}
		for _, l := range n.lines {
			y += smallSize * lineGap
			text(cx, y-smallSize*0.3, smallSize, colMuted, l, false, true, n.ID)
		}
	}
	// Labels over the boxes and arrows, on a white ground.
	for _, e := range c.Edges {
		if e.Label == "" || len(e.Points) < 2 {
			continue
		}
		x, y := c.labelAt(e)
		ops = append(ops, Op{Kind: Rect, X: x - 2, Y: y - smallSize, W: textWidth(e.Label, smallSize) + 4, H: smallSize * 1.3, Radius: 3, Fill: "#ffffff"})
		text(x, y, smallSize, colBlue, e.Label, false, false, "")
	}
	for _, k := range c.Clocks {
		col := colRed
		if k.Party {
			col = colBlue
		}
		ops = append(ops, Op{Kind: Circle, X: k.AtFrom.X, Y: k.AtFrom.Y, W: markR, Fill: col})
		text(k.AtFrom.X, k.AtFrom.Y+4, smallSize, "#ffffff", k.Mark, true, true, "")
		if k.AtTo != k.AtFrom {
			ops = append(ops, Op{Kind: Circle, X: k.AtTo.X, Y: k.AtTo.Y, W: markR - 1, Fill: "#ffffff", Stroke: col, Width: 2})
			text(k.AtTo.X, k.AtTo.Y+4, smallSize, col, k.Mark, true, true, "")
		}
	}
	y := c.H - margin - float64(len(c.legend))*smallSize*lineGap*1.1 + smallSize
	for _, l := range c.legend {
		text(margin, y, smallSize, colInk, l, false, false, "")
		y += smallSize * lineGap * 1.1
	}
	return ops
}

// round keeps computed points to a tenth, so that the same chart gives
// the same bytes on every machine.
func round(v float64) float64 { return math.Round(v*10) / 10 }
