// Package shelltest starts Fyne's test app the way the real application
// looks: the application theme with its bundled fonts, in Chinese. Screen
// tests built on it render the same on any machine, whatever fonts, locale,
// time zone or hostname it has. It holds test helpers only; no production
// package may import it.
package shelltest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"github.com/go-text/typesetting/font"

	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// NewApp is test.NewTempApp with the application's theme th and Chinese
// translations. Fyne's own test theme draws with Fyne's default font, which
// has no Chinese: every Han character would then be measured with whatever
// CJK font the machine happens to have, and golden files would pass only on
// the machine they were recorded on.
func NewApp(t testing.TB, th shell.Theme) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(th)
	if _, err := shell.SetLanguage(shell.LangChinese); err != nil {
		t.Fatalf("set language: %v", err)
	}
	return a
}

var faces = sync.OnceValues(func() ([]*font.Face, error) {
	var out []*font.Face
	for _, name := range []string{assets.FontRegular, assets.FontBold} {
		data, err := assets.Fonts.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read bundled font %s: %w", name, err)
		}
		f, err := font.ParseTTF(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse bundled font %s: %w", name, err)
		}
		out = append(out, f)
	}
	return out, nil
})

// RequireBundledGlyphs fails t if any text on c would be drawn with a face
// found on the machine: a character missing from the bundled fonts, or
// non-ASCII text in Fyne's monospace face. Fyne measures such text with a
// system font, so a golden file holding it is not hermetic.
func RequireBundledGlyphs(t testing.TB, c fyne.Canvas) {
	t.Helper()
	fs, err := faces()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[rune]bool{}
	visit := func(o fyne.CanvasObject) bool {
		v, ok := o.(*canvas.Text)
		if !ok {
			return true
		}
		for _, r := range v.Text {
			if seen[r] || unicode.IsSpace(r) || unicode.IsControl(r) {
				continue
			}
			seen[r] = true
			if v.TextStyle.Monospace || v.TextStyle.Symbol {
				if r > unicode.MaxASCII {
					t.Errorf("%q in monospace text %q: Fyne's monospace face lacks it, so a system font would draw it", r, v.Text)
				}
				continue
			}
			for _, f := range fs {
				if _, ok := f.NominalGlyph(r); !ok {
					t.Errorf("%q in %q is not in the bundled fonts: a system font would draw it", r, v.Text)
					break
				}
			}
		}
		return true
	}
	Walk(c.Content(), visit)
	for _, o := range c.Overlays().List() {
		Walk(o, visit)
	}
	if len(seen) == 0 {
		t.Error("no text on the canvas: nothing was checked")
	}
}

// Walk calls visit on o and, where visit returns true, on everything under
// it: a container's objects and a widget's rendered objects, as the
// screen draws them.
func Walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if o == nil || !visit(o) {
		return
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			Walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			Walk(c, visit)
		}
	}
}
