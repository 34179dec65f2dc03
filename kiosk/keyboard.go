package kiosk

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/hanzi"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// Keyboard is the kiosk's own on-screen keyboard: letters for pinyin and
// its initials, digits for certificate numbers, no input method needed.
// Chinese characters still come from an attached keyboard.
type Keyboard struct {
	target  *widget.Entry
	onKey   func()
	Keys    map[string]*widget.Button // by the key's text: "a", "7", "back", "clear"
	Toggle  *widget.Button            // hides and shows the keyboard, where there is one
	onFold  func()                    // lays the screen out again after Toggle
	keys    fyne.CanvasObject         // the rows of keys
	bar     *pinyinBar                // the candidates, where it writes Chinese
	content fyne.CanvasObject
}

// newKeyboard types into target; onKey runs after every key (the kiosk
// resets its idle timer there). digitsOnly makes a PIN pad.
func newKeyboard(target *widget.Entry, digitsOnly bool, onKey func()) *Keyboard {
	k := &Keyboard{target: target, onKey: onKey, Keys: map[string]*widget.Button{}}
	rows := []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}
	if digitsOnly {
		rows = []string{"123", "456", "789", "0"}
	}
	var lines []fyne.CanvasObject
	for i, row := range rows {
		var keys []fyne.CanvasObject
		for _, r := range row {
			s := string(r)
			b := widget.NewButton(strings.ToUpper(s), func() { k.Type(s) })
			k.Keys[s] = b
			keys = append(keys, b)
		}
		if i == len(rows)-1 {
			back := widget.NewButtonWithIcon(shell.L("keyboard.back"), theme.NavigateBackIcon(), k.Backspace)
			clear := widget.NewButtonWithIcon(shell.L("keyboard.clear"), theme.ContentClearIcon(), k.Clear)
			if !digitsOnly {
				// A letter's width holds an icon, not its word as well.
				back.SetText("")
				clear.SetText("")
			}
			k.Keys["back"], k.Keys["clear"] = back, clear
			keys = append(keys, back, clear)
		}
		lines = append(lines, container.NewGridWithColumns(len(keys), keys...))
	}
	k.keys = container.NewVBox(lines...)
	k.content = container.NewThemeOverride(k.keys, keyTheme{})
	return k
}

// drawIn draws the keys in base's sizes, not the app's: a keyboard on the
// citizen display, whose app theme is the staff desk's.
func (k *Keyboard) drawIn(base fyne.Theme) {
	k.content = container.NewThemeOverride(k.keys, keyTheme{base: base})
}

// keyTheme draws the keys in the app's colours but never in 大字's larger
// text: a key's single letter reads well at the kiosk's size, and the rows
// it would take are results the citizen could see instead.
type keyTheme struct{ base fyne.Theme }

func (t keyTheme) cur() fyne.Theme {
	if t.base != nil {
		return t.base
	}
	return fyne.CurrentApp().Settings().Theme()
}
func (t keyTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.cur().Color(n, v)
}
func (t keyTheme) Font(s fyne.TextStyle) fyne.Resource     { return t.cur().Font(s) }
func (t keyTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.cur().Icon(n) }
func (t keyTheme) Size(n fyne.ThemeSizeName) float32 {
	if s, ok := t.cur().(shell.Theme); ok {
		s.HighContrast = false
		return s.Size(n)
	}
	return t.cur().Size(n)
}

// Type adds s to the target, as a tap on its key does.
func (k *Keyboard) Type(s string) {
	if k.bar != nil && s >= "a" && s <= "z" {
		k.compose(s)
		k.onKey()
		return
	}
	k.target.SetText(k.target.Text + s)
	k.onKey()
}

// Backspace removes the last character: of the composition, where
// Chinese is being written, else of the text.
func (k *Keyboard) Backspace() {
	if b := k.bar; b != nil && b.letters != "" {
		b.letters = b.letters[:len(b.letters)-1]
		b.page = 0
		b.all = hanzi.Candidates(b.letters, 0)
		k.showBar()
		k.onKey()
		return
	}
	t := k.target.Text
	if _, size := utf8.DecodeLastRuneInString(t); size > 0 {
		k.target.SetText(t[:len(t)-size])
	}
	k.onKey()
}

// Clear empties the target.
func (k *Keyboard) Clear() {
	if b := k.bar; b != nil {
		b.letters, b.all, b.page = "", nil, 0
		k.showBar()
	}
	k.target.SetText("")
	k.onKey()
}
