package kiosk

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/flowchart"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// The kiosk's flowcharts (执法流程) are drawn from the national procedures
// bundled with every build: a kiosk receives only the public lists, and
// the agencies' own versions go to officers' devices (api.PathProcedures
// is theirs alone). The platform's /p/flows/ pages, behind the QR code,
// show each agency's own.

// words is shell.L as the charts want it.
func words(key string, data map[string]any) string {
	if data == nil {
		return shell.L(key)
	}
	return shell.L(key, data)
}

// FlowEntry is one chart the 执法流程 screen lists.
type FlowEntry struct {
	ID     string // a procedure's ID, or flowchart.ReviewID
	Title  string
	Button *widget.Button
}

// flowEntries are the national procedures in their file's order, then the
// legal review's chart.
func flowEntries() ([]FlowEntry, error) {
	list, err := casefile.ParseProcedures(assets.Procedures)
	if err != nil {
		return nil, err
	}
	var out []FlowEntry
	for _, p := range list {
		out = append(out, FlowEntry{ID: p.ID, Title: shell.L("procedure." + p.ID)})
	}
	return append(out, FlowEntry{ID: flowchart.ReviewID, Title: shell.L("flow.review.title")}), nil
}

// flowCount is how many charts the 执法流程 screen lists, for its tile.
func flowCount() int {
	es, err := flowEntries()
	if err != nil {
		fyne.LogError("flowcharts", err)
	}
	return len(es)
}

// ShowFlows lists the flowcharts: a large button for each.
func (k *Kiosk) ShowFlows() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	entries, err := flowEntries()
	if err != nil {
		fyne.LogError("flowcharts", err)
	}
	var buttons []fyne.CanvasObject
	for i := range entries {
		e := &entries[i]
		e.Button = widget.NewButton(e.Title, func() {
			k.history = append(k.history, k.ShowFlows)
			k.ShowFlow(e.ID)
		})
		buttons = append(buttons, e.Button)
	}
	hint := widget.NewLabelWithStyle(shell.L("kiosk.flows_hint"), fyne.TextAlignCenter, fyne.TextStyle{})
	grid := container.NewGridWithColumns(3, buttons...)
	k.show(shell.L("kiosk.flows"), container.NewBorder(hint, nil, nil, nil, container.NewVScroll(grid)), true)
	k.FlowList = entries
}

// ShowFlow shows the chart id: the national procedure of that ID, or the
// legal review's (with the review rules every agency starts from).
func (k *Kiosk) ShowFlow(id string) {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	var c *flowchart.Chart
	var err error
	if id == flowchart.ReviewID {
		var cls map[string]review.Checklist
		if cls, err = review.Checklists(); err == nil {
			c, err = flowchart.Review(review.Policy{}, cls, "", words)
		}
	} else if p, ok := casefile.National().Get("", id); ok {
		c, err = flowchart.Procedure(p, "", words)
	} else {
		err = casefile.ErrNoProcedure
	}
	if err != nil {
		fyne.LogError("flowchart "+id, err)
		k.show(shell.L("kiosk.flows"), widget.NewLabel(shell.L("kiosk.flow_missing")), true)
		return
	}
	v := newFlowView(c, k.touch)
	k.show(c.Title, v.content, true)
	k.Flow = v
}

// flowButton is the button under a service guide's QR code that opens its
// act's chart; nil for other items.
func (k *Kiosk) flowButton(it catalog.Item) *widget.Button {
	g, ok := it.(*catalog.ServiceGuide)
	if !ok {
		return nil
	}
	if _, found := casefile.National().Get("", string(g.Act)); !found {
		return nil
	}
	b := widget.NewButtonWithIcon(shell.L("kiosk.flow_of_guide"), theme.ZoomInIcon(), func() {
		k.history = append(k.history, func() { k.ShowDetail(it) })
		k.ShowFlow(string(g.Act))
	})
	b.Importance = widget.HighImportance
	return b
}

// Zoom limits of a chart on screen.
const (
	zoomStep = 1.25
	zoomMin  = 0.35
	zoomMax  = 3.0
)

// FlowView is a chart on screen: drawn with Fyne's own shapes and text
// from the chart's drawing operations (the SVG's and the PDF's), so it
// stays sharp at any zoom. A finger drags it about; the buttons zoom in,
// out and to fit (Fyne 2.7 has no pinch).
type FlowView struct {
	Chart                *flowchart.Chart
	Zoom                 float32
	ZoomIn, ZoomOut, Fit *widget.Button
	Scroll               *container.Scroll
	sheet                *fyne.Container
	content              fyne.CanvasObject
	onActivity           func()
	ops                  []flowchart.Op
	width, height        float32 // the chart's size at zoom 1
}

func newFlowView(c *flowchart.Chart, activity func()) *FlowView {
	v := &FlowView{Chart: c, Zoom: 1, onActivity: activity, ops: c.Ops(), width: float32(c.W), height: float32(c.H)}
	v.sheet = container.New(&sheetLayout{v: v})
	v.Scroll = container.NewScroll(container.NewCenter(v.sheet)) // centred while narrower than the view
	v.ZoomIn = widget.NewButtonWithIcon(shell.L("kiosk.zoom_in"), theme.ZoomInIcon(), func() { v.SetZoom(v.Zoom * zoomStep) })
	v.ZoomOut = widget.NewButtonWithIcon(shell.L("kiosk.zoom_out"), theme.ZoomOutIcon(), func() { v.SetZoom(v.Zoom / zoomStep) })
	v.Fit = widget.NewButtonWithIcon(shell.L("kiosk.zoom_fit"), theme.ZoomFitIcon(), v.FitWidth)
	v.draw()
	pan := newPanSurface(v)
	bar := container.NewGridWithRows(3, v.ZoomIn, v.ZoomOut, v.Fit)
	v.content = container.NewBorder(nil, nil, nil, container.NewVBox(bar), container.NewStack(v.Scroll, pan))
	return v
}

// SetZoom draws the chart at zoom z (kept within the limits), keeping the
// point at the centre of the view where it was.
func (v *FlowView) SetZoom(z float32) {
	z = min(max(z, zoomMin), zoomMax)
	if z == v.Zoom {
		return
	}
	view := v.Scroll.Size()
	cx := (v.Scroll.Offset.X + view.Width/2) / v.Zoom
	cy := (v.Scroll.Offset.Y + view.Height/2) / v.Zoom
	v.Zoom = z
	v.draw()
	v.Scroll.Refresh()
	v.panTo(fyne.NewPos(cx*z-view.Width/2, cy*z-view.Height/2))
	if v.onActivity != nil {
		v.onActivity()
	}
}

// FitWidth zooms so the chart's width fills the view.
func (v *FlowView) FitWidth() {
	if w := v.Scroll.Size().Width; w > 0 {
		v.SetZoom(w / v.width)
	}
}

// panTo scrolls to p, kept inside the chart.
func (v *FlowView) panTo(p fyne.Position) {
	view, size := v.Scroll.Size(), v.sheet.MinSize()
	p.X = min(max(p.X, 0), max(0, size.Width-view.Width))
	p.Y = min(max(p.Y, 0), max(0, size.Height-view.Height))
	v.Scroll.ScrollToOffset(p)
}

// Pan moves the chart by a finger's drag of d.
func (v *FlowView) Pan(d fyne.Delta) {
	v.panTo(v.Scroll.Offset.Subtract(fyne.NewPos(d.DX, d.DY)))
	if v.onActivity != nil {
		v.onActivity()
	}
}

// Texts are the words drawn on screen, for tests and for reading aloud.
func (v *FlowView) Texts() []string {
	var out []string
	for _, o := range v.sheet.Objects {
		if t, ok := o.(*canvas.Text); ok {
			out = append(out, t.Text)
		}
	}
	return out
}

func rgb(hex string) color.Color {
	r, g, b := flowchart.RGB(hex)
	return color.NRGBA{R: r, G: g, B: b, A: 0xff}
}

// draw makes the canvas objects of the chart at the current zoom.
func (v *FlowView) draw() {
	z := float64(v.Zoom)
	pos := func(x, y float64) fyne.Position { return fyne.NewPos(float32(x*z), float32(y*z)) }
	var objs []fyne.CanvasObject
	var line func(a, b flowchart.Point, col string, width float64, dashed bool)
	line = func(a, b flowchart.Point, col string, width float64, dashed bool) {
		if !dashed {
			l := canvas.NewLine(rgb(col))
			l.StrokeWidth = float32(width * z)
			l.Position1, l.Position2 = pos(a.X, a.Y), pos(b.X, b.Y)
			objs = append(objs, l)
			return
		}
		// Fyne draws no dashes: a dashed line is its dashes.
		length := math.Hypot(b.X-a.X, b.Y-a.Y)
		for s := 0.0; s < length; s += 10 {
			e := min(s+6, length)
			p := flowchart.Point{X: a.X + (b.X-a.X)*s/length, Y: a.Y + (b.Y-a.Y)*s/length}
			q := flowchart.Point{X: a.X + (b.X-a.X)*e/length, Y: a.Y + (b.Y-a.Y)*e/length}
			line(p, q, col, width, false)
		}
	}
	for _, o := range v.ops {
		switch o.Kind {
		case flowchart.Rect:
			r := canvas.NewRectangle(color.Transparent)
			if o.Fill != "" {
				r.FillColor = rgb(o.Fill)
			}
			r.CornerRadius = float32(o.Radius * z)
			if o.Stroke != "" && !o.Dashed {
				r.StrokeColor, r.StrokeWidth = rgb(o.Stroke), float32(o.Width*z)
			}
			r.Move(pos(o.X, o.Y))
			r.Resize(fyne.NewSize(float32(o.W*z), float32(o.H*z)))
			objs = append(objs, r)
			if o.Stroke != "" && o.Dashed {
				c := []flowchart.Point{{X: o.X, Y: o.Y}, {X: o.X + o.W, Y: o.Y}, {X: o.X + o.W, Y: o.Y + o.H}, {X: o.X, Y: o.Y + o.H}}
				for i := range c {
					line(c[i], c[(i+1)%4], o.Stroke, o.Width, true)
				}
			}
		case flowchart.Path:
			pts := o.Points
			if o.Closed && len(pts) == 3 && o.Stroke == "" {
				// An arrowhead: its two sides.
				line(pts[0], pts[1], o.Fill, 2, false)
				line(pts[0], pts[2], o.Fill, 2, false)
				continue
			}
			if o.Closed && o.Fill != "" && len(pts) == 6 {
				// A choice's box: filled between its points.
				r := canvas.NewRectangle(rgb(o.Fill))
				r.Move(pos(pts[0].X, pts[0].Y))
				r.Resize(fyne.NewSize(float32((pts[1].X-pts[0].X)*z), float32((pts[3].Y-pts[1].Y)*z)))
				objs = append(objs, r)
			}
			if o.Closed {
				pts = append(pts[:len(pts):len(pts)], pts[0])
			}
			col := o.Stroke
			if col == "" {
				col = o.Fill
			}
			for i := 1; i < len(pts); i++ {
				line(pts[i-1], pts[i], col, max(o.Width, 1), o.Dashed)
			}
		case flowchart.Circle:
			c := canvas.NewCircle(rgb(o.Fill))
			if o.Stroke != "" {
				c.StrokeColor, c.StrokeWidth = rgb(o.Stroke), float32(o.Width*z)
			}
			c.Move(pos(o.X-o.W, o.Y-o.W))
			c.Resize(fyne.NewSize(float32(2*o.W*z), float32(2*o.W*z)))
			objs = append(objs, c)
		case flowchart.Text:
			t := canvas.NewText(o.Text, rgb(o.Fill))
			t.TextSize = float32(o.Size * z)
			t.TextStyle.Bold = o.Bold
			size := t.MinSize()
			// The operation gives the baseline; Fyne places the text by
			// its box, whose baseline is about four fifths down.
			p := pos(o.X, o.Y).Subtract(fyne.NewPos(0, size.Height*0.78))
			if o.Middle {
				p.X -= size.Width / 2
			}
			t.Move(p)
			t.Resize(size)
			objs = append(objs, t)
		}
	}
	v.sheet.Objects = objs
	v.sheet.Refresh()
}

// sheetLayout is the chart's size at its zoom; its objects are placed by
// draw and stay where they are put.
type sheetLayout struct{ v *FlowView }

func (l *sheetLayout) Layout([]fyne.CanvasObject, fyne.Size) {}

func (l *sheetLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(l.v.width*l.v.Zoom, l.v.height*l.v.Zoom)
}

// panSurface lies over the chart and turns a finger's drag into panning
// both ways (container.Scroll takes drags only on phones, kiosk/drag.go).
type panSurface struct {
	widget.BaseWidget
	v *FlowView
}

func newPanSurface(v *FlowView) *panSurface {
	p := &panSurface{v: v}
	p.ExtendBaseWidget(p)
	return p
}

func (p *panSurface) Dragged(e *fyne.DragEvent) { p.v.Pan(e.Dragged) }
func (p *panSurface) DragEnd()                  {}

func (p *panSurface) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}
