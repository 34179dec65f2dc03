package kiosk

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// Portrait is a person's photo as the kiosk and the citizen display show
// it: the photo the platform sent (kept in the catalog, so it shows
// offline), or, while there is none, a placeholder that still says who:
// the surname in a circle, the name and 暂无照片. Tests read Photo and
// Initial.
type Portrait struct {
	widget.BaseWidget
	content fyne.CanvasObject
	// Photo is the photo drawn, nil for the placeholder.
	Photo *canvas.Image
	// Initial is the placeholder's surname, nil when the photo shows;
	// Note says 暂无照片 under it.
	Initial, Note *canvas.Text
}

// placeholderColor is the circle behind a missing photo's surname: a calm
// slate that white text reads on in both themes.
var placeholderColor = color.NRGBA{R: 0x4a, G: 0x5a, B: 0x6b, A: 0xff}

// newPortrait is the portrait of the person named name whose photo is sha
// ("" for none), height pixels tall (a photo 3:4 wide, the placeholder a
// disc as wide as tall), from the photos cat holds. The placeholder holds
// the surname and 暂无照片 in its disc, and the name below it unless
// nameBeside (the staff card shows the name in large letters right
// below). A photo the catalog does not hold (not fetched yet) or cannot
// read shows the placeholder; the latter is logged.
func newPortrait(cat *catalog.Catalog, sha, name string, height float32, nameBeside bool) *Portrait {
	if img := photoImage(cat, sha); img != nil {
		ph := canvas.NewImageFromImage(img)
		ph.FillMode = canvas.ImageFillContain
		ph.ScaleMode = canvas.ImageScaleSmooth
		ph.SetMinSize(fyne.NewSize(height*3/4, height))
		return newPortraitOf(ph, ph, nil)
	}
	initial := canvas.NewText(Surname(name), color.White)
	initial.TextSize = height * 0.38
	initial.Alignment = fyne.TextAlignCenter
	note := canvas.NewText(shell.L("kiosk.no_photo"), color.White)
	note.TextSize = max(12, height*0.11)
	note.Alignment = fyne.TextAlignCenter
	size := canvas.NewRectangle(color.Transparent)
	size.SetMinSize(fyne.NewSize(height, height))
	disc := container.NewStack(size, canvas.NewCircle(placeholderColor),
		container.NewCenter(container.New(layout.NewCustomPaddedVBoxLayout(0), initial, note)))
	var o fyne.CanvasObject = container.NewCenter(disc)
	if !nameBeside {
		o = container.NewVBox(o, widget.NewLabelWithStyle(name, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	p := newPortraitOf(o, nil, initial)
	p.Note = note
	return p
}

func newPortraitOf(content fyne.CanvasObject, photo *canvas.Image, initial *canvas.Text) *Portrait {
	p := &Portrait{content: content, Photo: photo, Initial: initial}
	p.ExtendBaseWidget(p)
	return p
}

// CreateRenderer draws the photo or the placeholder.
func (p *Portrait) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(p.content) }

// photoImage is the decoded photo sha from cat; nil for none.
func photoImage(cat *catalog.Catalog, sha string) image.Image {
	if cat == nil || sha == "" {
		return nil
	}
	data, err := cat.Photo(context.Background(), sha)
	if err != nil {
		return nil // not fetched yet: the next pull brings it
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		slog.Error("show photo", "sha", sha, "err", err)
		return nil
	}
	return img
}

// Surname is what a placeholder shows of a name: its first character (a
// Chinese name's surname comes first), or a Latin name's first letter in
// capitals.
func Surname(name string) string {
	name = strings.TrimSpace(name)
	r, _ := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return "?"
	}
	return strings.ToUpper(string(r))
}

// staffPortrait is a staff member's portrait on the citizen display: the
// photo the people's standing names for them, else their officers-list
// entry's.
func (d *Display) staffPortrait(id, name string, side float32) *Portrait {
	sha := ""
	if d.cat != nil {
		var err error
		if sha, err = d.cat.PortraitOf(context.Background(), id); err != nil {
			slog.Error("staff photo", "person", id, "err", err)
		}
	}
	return newPortrait(d.cat, sha, name, side, true)
}
