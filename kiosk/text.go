package kiosk

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// flowText is a paragraph wrapped the way Chinese is printed: a line may
// end after any Han character, but never inside a run of digits or Latin
// letters (a phone number such as 0999-87110001, "12345"), and a closing
// mark (。，、；：）) never starts a line, nor an opening mark (（《“) ends
// one. Fyne's own word wrap breaks only at spaces, so a Chinese sentence,
// which has none, is cut wherever the line is full, numbers and all.
type flowText struct {
	widget.BaseWidget
	Text      string
	TextStyle fyne.TextStyle
	SizeName  fyne.ThemeSizeName
	// Importance colours the text as a label's would.
	Importance widget.Importance

	width float32 // the width the lines were last broken for
	lines []string
}

func newFlowText(s string) *flowText {
	t := &flowText{Text: s, SizeName: theme.SizeNameText}
	t.ExtendBaseWidget(t)
	return t
}

// SetText replaces the paragraph.
func (t *flowText) SetText(s string) {
	t.Text = s
	t.width = -1
	t.Refresh()
}

const (
	closing = "。，、；：！？）》」』”’％,.;:!?)%"
	opening = "（《「『“‘("
)

// unbreakable is a character that stays on its line with its neighbours of
// the same kind: digits, Latin letters and what joins them in numbers,
// phone numbers and addresses of the web.
func unbreakable(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-+./:@_#&=?~*", r))
}

// tokens cuts s into the pieces a line may break between.
func tokens(s string) []string {
	var out []string
	var cur []rune
	glue := false // the last piece ended with an opening mark
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = nil
		}
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune(closing, r) && (len(cur) > 0 || len(out) > 0):
			if len(cur) == 0 {
				cur = []rune(out[len(out)-1])
				out = out[:len(out)-1]
			}
			cur = append(cur, r)
			flush()
		case strings.ContainsRune(opening, r):
			if !glue {
				flush()
			}
			cur = append(cur, r)
			glue = true
			continue
		case unicode.IsSpace(r):
			flush()
			out = append(out, " ")
		case unbreakable(r):
			if len(cur) > 0 && !glue && !unbreakable(cur[len(cur)-1]) {
				flush()
			}
			cur = append(cur, r)
		default:
			if !glue {
				flush()
			}
			cur = append(cur, r)
		}
		glue = false
	}
	flush()
	return out
}

// th is the theme the paragraph is drawn in, a ThemeOverride's where it
// stands in one (the window's display).
func (t *flowText) th() fyne.Theme { return t.Theme() }

func (t *flowText) textSize() float32 { return t.th().Size(t.SizeName) }

func (t *flowText) pad() float32 { return t.th().Size(theme.SizeNameInnerPadding) }

// lineHeight is the height of one line of text, without padding.
func (t *flowText) lineHeight() float32 {
	return fyne.MeasureText("国", t.textSize(), t.TextStyle).Height
}

// breakLines fills lines of at most width, piece by piece; a piece wider
// than a whole line (a long web address) is cut where the line is full.
func (t *flowText) breakLines(width float32) []string {
	size, style := t.textSize(), t.TextStyle
	measure := func(s string) float32 { return fyne.MeasureText(s, size, style).Width }
	var lines []string
	line := ""
	for _, p := range tokens(t.Text) {
		if p == " " && line == "" {
			continue
		}
		if measure(line+p) <= width || line == "" && measure(p) <= width {
			line += p
			continue
		}
		if line != "" {
			lines = append(lines, strings.TrimRight(line, " "))
			line = ""
		}
		if p == " " {
			continue
		}
		for measure(p) > width && len([]rune(p)) > 1 {
			rs := []rune(p)
			n := len(rs) - 1
			for n > 1 && measure(string(rs[:n])) > width {
				n--
			}
			lines = append(lines, string(rs[:n]))
			p = string(rs[n:])
		}
		line = p
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

// Resize breaks the lines again for the new width; when their number
// changes the widget asks to be laid out again at its new height.
func (t *flowText) Resize(s fyne.Size) {
	old := len(t.lines)
	t.BaseWidget.Resize(s)
	inner := s.Width - 2*t.pad()
	if inner != t.width {
		t.width = inner
		t.lines = t.breakLines(inner)
		if len(t.lines) != old {
			t.Refresh()
		}
	}
}

// MinSize is as wide as the widest piece (so a number is never cut) and as
// tall as the lines at the current width.
func (t *flowText) MinSize() fyne.Size {
	t.ExtendBaseWidget(t)
	pad := t.pad()
	size, style := t.textSize(), t.TextStyle
	var widest float32
	for _, p := range tokens(t.Text) {
		widest = max(widest, fyne.MeasureText(p, size, style).Width)
	}
	widest = min(widest, 12*size) // a web address may be cut
	n := 1
	if w := t.Size().Width - 2*pad; w > 0 {
		n = len(t.breakLines(w))
	}
	return fyne.NewSize(widest+2*pad, float32(n)*t.lineHeight()+2*pad)
}

func (t *flowText) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	return &flowRenderer{t: t}
}

type flowRenderer struct {
	t     *flowText
	texts []fyne.CanvasObject
}

func (r *flowRenderer) color() fyne.ThemeColorName {
	switch r.t.Importance {
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

func (r *flowRenderer) Layout(s fyne.Size) {
	t := r.t
	pad := t.pad()
	if w := s.Width - 2*pad; w != t.width || t.lines == nil {
		t.width = w
		t.lines = t.breakLines(w)
	}
	col := t.th().Color(r.color(), fyne.CurrentApp().Settings().ThemeVariant())
	r.texts = r.texts[:0]
	h := t.lineHeight()
	for i, l := range t.lines {
		c := canvas.NewText(l, col)
		c.TextSize, c.TextStyle = t.textSize(), t.TextStyle
		c.Move(fyne.NewPos(pad, pad+float32(i)*h))
		c.Resize(fyne.NewSize(max(0, s.Width-2*pad), h))
		r.texts = append(r.texts, c)
	}
}

func (r *flowRenderer) MinSize() fyne.Size { return r.t.MinSize() }
func (r *flowRenderer) Refresh() {
	r.t.width = -1
	r.Layout(r.t.Size())
	canvas.Refresh(r.t)
}
func (r *flowRenderer) Objects() []fyne.CanvasObject { return r.texts }
func (r *flowRenderer) Destroy()                     {}
