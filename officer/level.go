package officer

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// LevelMeter shows a microphone's level as a bar over a dark track: green,
// amber near full scale, red when it clips. (A progress bar reads as
// "done" when full and is ambiguous when empty.)
type LevelMeter struct {
	widget.BaseWidget
	Value float64 // 0 to 1
	track *canvas.Rectangle
	bar   *canvas.Rectangle
}

// NewLevelMeter makes an empty meter.
func NewLevelMeter() *LevelMeter {
	m := &LevelMeter{track: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)), bar: canvas.NewRectangle(color.NRGBA{0, 158, 115, 255})}
	m.track.CornerRadius, m.bar.CornerRadius = 4, 4
	m.ExtendBaseWidget(m)
	return m
}

// SetValue shows a level.
func (m *LevelMeter) SetValue(v float64) {
	m.Value = min(max(v, 0), 1)
	switch {
	case m.Value > 0.95:
		m.bar.FillColor = color.NRGBA{213, 94, 0, 255}
	case m.Value > 0.75:
		m.bar.FillColor = color.NRGBA{230, 159, 0, 255}
	default:
		m.bar.FillColor = color.NRGBA{0, 158, 115, 255}
	}
	m.Refresh()
}

func (m *LevelMeter) CreateRenderer() fyne.WidgetRenderer { return &levelRenderer{m: m} }

type levelRenderer struct{ m *LevelMeter }

func (r *levelRenderer) Layout(s fyne.Size) {
	r.m.track.Resize(s)
	r.m.bar.Resize(fyne.NewSize(s.Width*float32(r.m.Value), s.Height))
}
func (r *levelRenderer) MinSize() fyne.Size { return fyne.NewSize(120, 18) }
func (r *levelRenderer) Refresh() {
	r.Layout(r.m.Size())
	r.m.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.m.track.Refresh()
	r.m.bar.Refresh()
}
func (r *levelRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.m.track, r.m.bar} }
func (r *levelRenderer) Destroy()                     {}
