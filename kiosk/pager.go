package kiosk

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// pager shows a scroll that nobody touches (the citizens' display) a page
// at a time: when its content is taller than the screen, a line under it
// says which page shows, and Turn moves on a page (from the last, back to
// the first). The desk turns it every few seconds (TurnEvery).
type pager struct {
	scroll *container.Scroll
	label  *widget.Label
	box    *fyne.Container
}

func newPager(content fyne.CanvasObject) *pager {
	p := &pager{scroll: container.NewVScroll(content), label: widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})}
	p.label.Importance = widget.HighImportance
	p.box = container.New(p, p.scroll, p.label)
	return p
}

// Layout gives the scroll the room above the page line, shown only when
// there is more than one page.
func (p *pager) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	lh := p.label.MinSize().Height
	p.scroll.Move(fyne.NewPos(0, 0))
	p.scroll.Resize(fyne.NewSize(size.Width, size.Height-lh))
	p.label.Move(fyne.NewPos(0, size.Height-lh))
	p.label.Resize(fyne.NewSize(size.Width, lh))
	p.update()
}

func (p *pager) MinSize(_ []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(p.scroll.MinSize().Width, p.label.MinSize().Height*2)
}

// pages is how many screens the content takes, and which one shows (from 1).
func (p *pager) pages() (page, of int) {
	view := p.scroll.Size().Height
	total := p.scroll.Content.MinSize().Height
	if view <= 0 || total <= view {
		return 1, 1
	}
	of = int(math.Ceil(float64((total - view) / step(view))))
	page = int(math.Round(float64(p.scroll.Offset.Y/step(view)))) + 1
	return min(page, of+1), of + 1
}

// step is how far a turn moves: a screen less a little, so that the line
// at the foot of one page heads the next.
func step(view float32) float32 { return view * 0.9 }

func (p *pager) update() {
	page, of := p.pages()
	if of <= 1 {
		if p.label.Text != "" {
			p.label.SetText("")
		}
		return
	}
	text := shell.L("display.page", map[string]any{"Page": page, "Of": of})
	if p.label.Text != text {
		p.label.SetText(text)
	}
}

// Turn shows the next page, or the first after the last.
func (p *pager) Turn() {
	view := p.scroll.Size().Height
	max := p.scroll.Content.MinSize().Height - view
	if view <= 0 || max <= 0 {
		return
	}
	y := p.scroll.Offset.Y + step(view)
	if p.scroll.Offset.Y >= max-1 {
		y = 0
	}
	p.scroll.ScrollToOffset(fyne.NewPos(0, min(y, max)))
	p.update()
}
