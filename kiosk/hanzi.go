package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/hanzi"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// perPage is how many characters the candidate bar offers at a time.
const perPage = 6

// pinyinBar is the keyboard's candidate bar where it writes Chinese: the
// letters typed so far (the composition), the characters they may stand
// for, a page at a time, and the letters themselves to take as typed.
type pinyinBar struct {
	Composing *widget.Label
	// Picks are the candidate buttons, perPage of them; one with no text
	// offers nothing.
	Picks      []*widget.Button
	Prev, Next *widget.Button
	// Letters takes the composition as letters (a name, an abbreviation).
	Letters *widget.Button
	letters string
	page    int
	all     []rune
	content fyne.CanvasObject
}

// WriteChinese gives the keyboard a candidate bar: letters compose pinyin,
// and a tap on a candidate writes its character; digits, backspace and
// clear work on the composition first, then on the text.
func (k *Keyboard) WriteChinese() {
	b := &pinyinBar{Composing: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	var cells []fyne.CanvasObject
	for i := range perPage {
		p := widget.NewButton("", func() { k.pick(i) })
		b.Picks = append(b.Picks, p)
		cells = append(cells, p)
	}
	b.Prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { k.turn(-1) })
	b.Next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { k.turn(1) })
	b.Letters = widget.NewButton(shell.L("keyboard.letters"), func() { k.commit(b.letters) })
	// The pinyin's own room, so the candidates do not move as it grows.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(120, 0))
	b.content = container.NewBorder(nil, nil, container.NewStack(room, b.Composing), container.NewHBox(b.Prev, b.Next, b.Letters),
		container.NewGridWithColumns(perPage, cells...))
	k.bar = b
	k.keys = container.NewVBox(b.content, k.keys)
	k.content = container.NewThemeOverride(k.keys, keyTheme{})
	k.showBar()
}

// compose adds a typed letter to the composition.
func (k *Keyboard) compose(s string) {
	k.bar.letters += s
	k.bar.page = 0
	k.bar.all = hanzi.Candidates(k.bar.letters, 0)
	k.showBar()
}

// pick writes the i-th candidate on the page in view.
func (k *Keyboard) pick(i int) {
	b := k.bar
	if n := b.page*perPage + i; n < len(b.all) {
		k.commit(string(b.all[n]))
	}
	k.onKey()
}

// commit writes s and ends the composition.
func (k *Keyboard) commit(s string) {
	k.target.SetText(k.target.Text + s)
	b := k.bar
	b.letters, b.all, b.page = "", nil, 0
	k.showBar()
	k.onKey()
}

// turn shows the next or previous page of candidates.
func (k *Keyboard) turn(dir int) {
	b := k.bar
	if p := b.page + dir; p >= 0 && p*perPage < len(b.all) {
		b.page = p
	}
	k.showBar()
	k.onKey()
}

// showBar draws the composition and the page of candidates in view.
func (k *Keyboard) showBar() {
	b := k.bar
	b.Composing.SetText(b.letters)
	for i, p := range b.Picks {
		if n := b.page*perPage + i; n < len(b.all) {
			p.SetText(string(b.all[n]))
			p.Enable()
		} else {
			p.SetText("")
			p.Disable()
		}
	}
	enable := func(w *widget.Button, on bool) {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	enable(b.Prev, b.page > 0)
	enable(b.Next, (b.page+1)*perPage < len(b.all))
	enable(b.Letters, b.letters != "")
}
