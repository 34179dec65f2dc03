package flowchart

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Sizes of the drawing, in CSS pixels at scale 1. A box is narrow enough
// that a phone shows two side by side when the SVG is scaled to its width.
const (
	boxW      = 200.0
	padX      = 10.0
	padY      = 8.0
	titleSize = 15.0
	smallSize = 12.0
	lineGap   = 1.35
	rankGap   = 46.0
	colGap    = 26.0
	dummyW    = 10.0
	margin    = 16.0
	markGap   = 20.0
	markR     = 9.0
	backLane  = 30.0
	legendGap = 8.0
)

// textWidth estimates how wide s is at size: Chinese characters are
// square, Latin letters and digits about half as wide. Exact widths would
// need the font's metrics; the boxes leave room for the difference.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2E80 || unicode.Is(unicode.Han, r) {
			w += size
		} else {
			w += size * 0.56
		}
	}
	return w
}

// wrap breaks s into lines at most width wide: between two Chinese
// characters (never before a closing mark such as ，or ）) or at a space,
// so a number or a Latin word stays whole where it can.
func wrap(s string, size, width float64) []string {
	var lines []string
	var cur []rune
	for _, r := range s {
		if len(cur) > 0 && textWidth(string(cur)+string(r), size) > width {
			cut := len(cur)
			for i := len(cur); i > 0; i-- {
				next := r
				if i < len(cur) {
					next = cur[i]
				}
				if breakable(cur[i-1], next) {
					cut = i
					break
				}
			}
			lines = append(lines, strings.TrimRight(string(cur[:cut]), " "))
			cur = trimSpace(slices.Clone(cur[cut:]))
		}
		if r == ' ' && len(cur) == 0 {
			continue
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// breakable says whether a line may break between a and b.
func breakable(a, b rune) bool {
	if a == ' ' || b == ' ' {
		return true
	}
	if strings.ContainsRune("，。、；：）》」』】〕！？", b) || strings.ContainsRune("（《「『【〔", a) {
		return false
	}
	return a > 0x2E80 || b > 0x2E80
}

func trimSpace(rs []rune) []rune {
	for len(rs) > 0 && rs[0] == ' ' {
		rs = rs[1:]
	}
	return rs
}

// layout places the nodes in ranks (the longest path of forward arrows
// to each), orders each rank by where its predecessors stand, routes the
// arrows (through a point in every rank an arrow crosses), and puts the
// clocks' brackets at the right and the legend below.
func (c *Chart) layout() error {
	index := map[string]int{}
	for i, n := range c.Nodes {
		if _, dup := index[n.ID]; dup {
			return fmt.Errorf("node %s twice", n.ID)
		}
		index[n.ID] = i
		n.order = float64(i)
	}
	for _, e := range c.Edges {
		if _, ok := index[e.From]; !ok {
			return fmt.Errorf("arrow from unknown node %s", e.From)
		}
		if _, ok := index[e.To]; !ok {
			return fmt.Errorf("arrow to unknown node %s", e.To)
		}
	}
	if err := c.rank(index); err != nil {
		return err
	}
	// Boxes' sizes.
	for _, n := range c.Nodes {
		n.W = boxW
		inner := boxW - 2*padX
		if n.Shape == Choice {
			inner -= 24 // the pointed sides
		}
		n.title = wrap(n.Title, titleSize, inner)
		n.badges = nil
		for _, b := range n.Badges {
			n.badges = append(n.badges, wrap(b, smallSize, inner)...)
		}
		n.lines = nil
		for _, l := range n.Lines {
			n.lines = append(n.lines, wrap(l, smallSize, inner)...)
		}
		n.H = 2*padY + float64(len(n.title))*titleSize*lineGap + float64(len(n.badges)+len(n.lines))*smallSize*lineGap
		if len(n.lines) > 0 {
			n.H += 4
		}
	}
	// Arrows across several ranks pass through a point in each.
	type route struct {
		e    *Edge
		via  []*Node
		from *Node
		to   *Node
	}
	var routes []route
	ranks := 0
	for _, n := range c.Nodes {
		ranks = max(ranks, n.rank+1)
	}
	layers := make([][]*Node, ranks)
	for _, n := range c.Nodes {
		layers[n.rank] = append(layers[n.rank], n)
	}
	for _, e := range c.Edges {
		from, to := c.Nodes[index[e.From]], c.Nodes[index[e.To]]
		rt := route{e: e, from: from, to: to}
		if !e.Back {
			for r := from.rank + 1; r < to.rank; r++ {
				d := &Node{ID: e.From + ">" + e.To, dummy: true, rank: r, W: dummyW, order: (from.order + to.order) / 2}
				layers[r] = append(layers[r], d)
				rt.via = append(rt.via, d)
			}
		}
		routes = append(routes, rt)
	}
	// Order each rank by its predecessors' places (barycentres), twice.
	preds := map[*Node][]*Node{}
	for _, rt := range routes {
		if rt.e.Back {
			continue
		}
		chain := append(append([]*Node{rt.from}, rt.via...), rt.to)
		for i := 1; i < len(chain); i++ {
			preds[chain[i]] = append(preds[chain[i]], chain[i-1])
		}
	}
	sortRank := func(l []*Node) {
		slices.SortStableFunc(l, func(a, b *Node) int {
			switch {
			case a.order < b.order:
				return -1
			case a.order > b.order:
				return 1
			}
			return 0
		})
		for i, n := range l {
			n.order = float64(i)
		}
	}
	for _, l := range layers {
		sortRank(l)
	}
	for range 2 {
		for r := 1; r < ranks; r++ {
			for _, n := range layers[r] {
				if ps := preds[n]; len(ps) > 0 {
					sum := 0.0
					for _, p := range ps {
						sum += p.order
					}
					// keep the stage's own order as the tie-break
					n.order = sum/float64(len(ps)) + n.order*1e-3
				}
			}
			sortRank(layers[r])
		}
	}
	// Places: each rank centred on the widest; ranks one under another.
	widest := 0.0
	widths := make([]float64, ranks)
	for r, l := range layers {
		w := 0.0
		for i, n := range l {
			if i > 0 {
				w += colGap
			}
			w += n.W
		}
		widths[r] = w
		widest = max(widest, w)
	}
	// Back arrows run up a lane at the left, wide enough for their labels.
	lane := 0.0
	for _, e := range c.Edges {
		if e.Back {
			lane = max(lane, backLane, textWidth(e.Label, smallSize)+16)
		}
	}
	left := margin + lane
	c.left = margin + lane/2
	c.header = margin + titleSize*1.6 + smallSize*lineGap*2
	y := c.header + 8
	for r, l := range layers {
		x := left + (widest-widths[r])/2
		tall := 0.0
		for _, n := range l {
			tall = max(tall, n.H)
		}
		for _, n := range l {
			n.X, n.Y = x, y+(tall-n.H)/2
			if n.dummy {
				n.H = tall
				n.Y = y
			}
			x += n.W + colGap
		}
		y += tall + rankGap
	}
	bottom := y - rankGap
	right := left + widest
	// Arrows.
	for _, rt := range routes {
		e := rt.e
		e.Points = nil
		if e.Back {
			e.Points = []Point{
				{rt.from.X, rt.from.Y + rt.from.H/2}, {c.left, rt.from.Y + rt.from.H/2},
				{c.left, rt.to.Y + rt.to.H/2}, {rt.to.X, rt.to.Y + rt.to.H/2}}
			continue
		}
		e.Points = append(e.Points, Point{rt.from.X + rt.from.W/2, rt.from.Y + rt.from.H})
		for _, d := range rt.via {
			e.Points = append(e.Points, Point{d.X + d.W/2, d.Y}, Point{d.X + d.W/2, d.Y + d.H})
		}
		e.Points = append(e.Points, Point{rt.to.X + rt.to.W/2, rt.to.Y})
	}
	// Clocks: a mark on each box's top edge, right to left.
	marks := map[*Node]int{}
	place := func(n *Node) Point {
		marks[n]++
		return Point{n.X + n.W - 4 - float64(marks[n])*markGap, n.Y}
	}
	for _, k := range c.Clocks {
		from, to := c.node(k.From), c.node(k.To)
		if from == nil || to == nil {
			return fmt.Errorf("clock %s names an unknown stage", k.Mark)
		}
		k.AtFrom = place(from)
		if to != from {
			k.AtTo = place(to)
		} else {
			k.AtTo = k.AtFrom
		}
	}
	c.W = right + margin
	// The legend: clocks first, then what the marks mean.
	width := c.W - 2*margin
	c.legend = nil
	for _, k := range c.Clocks {
		c.legend = append(c.legend, wrap(circled(k.Mark)+" "+k.Length+"："+k.Text, smallSize, width)...)
	}
	for _, l := range c.Legend {
		c.legend = append(c.legend, wrap(l, smallSize, width)...)
	}
	c.H = bottom + margin + legendGap + float64(len(c.legend))*smallSize*lineGap*1.1 + margin
	// Drop the dummies' traces: only real nodes are drawn.
	return nil
}

// circled is a clock's mark as the legend writes it: ① to ⑩ (in the
// bundled GB2312 font), a number in brackets after.
func circled(mark string) string {
	var n int
	if _, err := fmt.Sscan(mark, &n); err == nil && n >= 1 && n <= 10 {
		return string(rune('①' + n - 1))
	}
	return "(" + mark + ")"
}

// rank gives each node the length of the longest path of forward arrows
// to it (Kahn's order, so a cycle is found, not looped on).
func (c *Chart) rank(index map[string]int) error {
	in := make([]int, len(c.Nodes))
	out := make([][]int, len(c.Nodes))
	for _, e := range c.Edges {
		if e.Back {
			continue
		}
		f, t := index[e.From], index[e.To]
		in[t]++
		out[f] = append(out[f], t)
	}
	var queue []int
	for i := range c.Nodes {
		c.Nodes[i].rank = 0
		if in[i] == 0 {
			queue = append(queue, i)
		}
	}
	done := 0
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		done++
		for _, t := range out[i] {
			c.Nodes[t].rank = max(c.Nodes[t].rank, c.Nodes[i].rank+1)
			if in[t]--; in[t] == 0 {
				queue = append(queue, t)
			}
		}
	}
	if done != len(c.Nodes) {
		return ErrCycle
	}
	return nil
}

// labelAt is where an arrow's label is written (its baseline's start):
// a choice's answers near the choice, an "or" near the stage it joins, a
// returned review beside the lane it runs up.
func (c *Chart) labelAt(e *Edge) (x, y float64) {
	n := len(e.Points)
	if e.Back {
		p, q := e.Points[1], e.Points[2]
		return p.X - textWidth(e.Label, smallSize)/2, (p.Y+q.Y)/2 + smallSize/2
	}
	if from := c.node(e.From); from != nil && from.Shape == Choice {
		p, q := e.Points[0], e.Points[1]
		return (p.X+q.X)/2 + 6, (p.Y+q.Y)/2 + smallSize/2
	}
	p, q := e.Points[n-2], e.Points[n-1]
	return (p.X+q.X)/2 + 4, (p.Y+q.Y)/2 + smallSize/2
}
