package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// scrollTarget is what a finger moves: a container.Scroll or a widget.List.
type scrollTarget interface {
	offset() float32
	// bottom is the largest offset, where the last line is in view.
	bottom() float32
	scrollTo(y float32)
	height() float32
}

type scrollOf struct{ s *container.Scroll }

func (t scrollOf) offset() float32 { return t.s.Offset.Y }
func (t scrollOf) height() float32 { return t.s.Size().Height }
func (t scrollOf) bottom() float32 {
	return max(0, t.s.Content.Size().Height-t.s.Size().Height)
}
func (t scrollOf) scrollTo(y float32) {
	t.s.ScrollToOffset(fyne.NewPos(t.s.Offset.X, y))
}

type listOf struct{ l *widget.List }

func (t listOf) offset() float32    { return t.l.GetScrollOffset() }
func (t listOf) height() float32    { return t.l.Size().Height }
func (t listOf) scrollTo(y float32) { t.l.ScrollToOffset(y) }

// bottom asks the list itself, which alone knows its rows' heights: it is
// scrolled to the end and back within one call, so nothing is drawn
// between.
func (t listOf) bottom() float32 {
	cur := t.l.GetScrollOffset()
	t.l.ScrollToBottom()
	b := t.l.GetScrollOffset()
	t.l.ScrollToOffset(cur)
	return b
}

// scrollBy moves t by dy, kept between the top and the bottom.
func scrollBy(t scrollTarget, dy float32, bottom float32) {
	t.scrollTo(min(max(t.offset()+dy, 0), bottom))
}

// dragSurface lies over a scrolled area and turns a finger's drag into
// scrolling, the content following the finger. Fyne 2.7's desktop driver
// scrolls only with the wheel or the scrollbar (container.Scroll ignores
// drags unless the device is a phone), and a hall touchscreen is a desktop
// to it. The surface is neither tappable nor scrollable, so taps reach the
// rows and buttons beneath and a mouse wheel still scrolls.
type dragSurface struct {
	widget.BaseWidget
	target   scrollTarget
	onScroll func()
	dragging bool
	end      float32
}

func newDragSurface(t scrollTarget, onScroll func()) *dragSurface {
	d := &dragSurface{target: t, onScroll: onScroll}
	d.ExtendBaseWidget(d)
	return d
}

func (d *dragSurface) Dragged(e *fyne.DragEvent) {
	if !d.dragging {
		d.dragging, d.end = true, d.target.bottom()
	}
	scrollBy(d.target, -e.Dragged.DY, d.end)
	if d.onScroll != nil {
		d.onScroll()
	}
}

func (d *dragSurface) DragEnd() { d.dragging = false }

func (d *dragSurface) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

// besideBar lays the surface over the content but clear of the scrollbar
// at its right edge, which keeps working as a scrollbar.
type besideBar struct{}

func (besideBar) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	bar := theme.Size(theme.SizeNameScrollBar)
	for i, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		if i == 0 {
			o.Resize(size)
		} else {
			o.Resize(fyne.NewSize(max(0, size.Width-bar), size.Height))
		}
	}
}

func (besideBar) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return objs[0].MinSize()
}

// TouchScroll is a scrolled area a finger can move: by dragging anywhere
// on it, or a page at a time with the large buttons beside it.
type TouchScroll struct {
	Up, Down *widget.Button
	surface  *dragSurface
	target   scrollTarget
	content  fyne.CanvasObject
}

// touchScroll puts content, scrolled by target, under a drag surface with
// page-up and page-down buttons on its right. onScroll runs after each
// move (the kiosk counts it as a touch).
func touchScroll(content fyne.CanvasObject, target scrollTarget, onScroll func()) *TouchScroll {
	ts := &TouchScroll{target: target}
	ts.surface = newDragSurface(target, onScroll)
	page := func(dir float32) func() {
		return func() {
			// One screenful less a little, so the last line read stays
			// in view.
			scrollBy(target, dir*target.height()*0.85, target.bottom())
			if onScroll != nil {
				onScroll()
			}
		}
	}
	ts.Up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), page(-1))
	ts.Down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), page(1))
	pager := container.New(pagerLayout{}, ts.Up, ts.Down)
	ts.content = container.NewBorder(nil, nil, nil, pager, container.New(besideBar{}, content, ts.surface))
	return ts
}

// pagerLayout stacks the page-up and page-down buttons, each half the
// height, while that half is a whole touch target (shell.MinTouch); on a
// shorter list (the keyboard open below it) it sets them side by side,
// each the full height, so neither shrinks under a fingertip.
type pagerLayout struct{}

func (pagerLayout) stacked(h float32) bool {
	return (h-theme.Padding())/2 >= shell.MinTouch
}

func (l pagerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	up, down := objs[0], objs[1]
	pad := theme.Padding()
	if l.stacked(size.Height) {
		h := (size.Height - pad) / 2
		up.Move(fyne.NewPos(0, 0))
		up.Resize(fyne.NewSize(size.Width, h))
		down.Move(fyne.NewPos(0, h+pad))
		down.Resize(fyne.NewSize(size.Width, h))
		return
	}
	w := (size.Width - pad) / 2
	up.Move(fyne.NewPos(0, 0))
	up.Resize(fyne.NewSize(w, size.Height))
	down.Move(fyne.NewPos(w+pad, 0))
	down.Resize(fyne.NewSize(w, size.Height))
}

// MinSize is one button's, or two side by side: the layout cannot know
// the height it will get, so it asks for the width both need then.
func (pagerLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize().Max(objs[1].MinSize())
	return fyne.NewSize(2*m.Width+theme.Padding(), m.Height)
}
