package officer

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

type widgetButton = widget.Button

// findButtonIn walks o for a button whose text is text.
func findButtonIn(o fyne.CanvasObject, text string) *widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text {
			return v
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := findButtonIn(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if b := findButtonIn(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// textOf is every text shown in o, joined: labels, entries' texts,
// buttons' and canvas texts.
func textOf(o fyne.CanvasObject) string {
	var b []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			b = append(b, v.Text)
			return
		case *canvas.Text:
			b = append(b, v.Text)
			return
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return strings.Join(b, "\n")
}

// hasText says whether o shows s somewhere.
func hasText(o fyne.CanvasObject, s string) bool { return strings.Contains(textOf(o), s) }
