package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// detailView lays out every public field of it beside a QR code that opens
// the item's page on the platform. It returns the fields' scroller too.
func detailView(it catalog.Item, platform string) (fyne.CanvasObject, *container.Scroll) {
	form := shell.FieldsForm(it.Fields())
	qr := shell.QRImage(api.PublicURL(platform, string(it.Kind()), it.Key()), 220)
	qrBox := container.NewVBox(qr, widget.NewLabelWithStyle(shell.L("kiosk.scan"), fyne.TextAlignCenter, fyne.TextStyle{}))
	var left fyne.CanvasObject
	if o, ok := it.(*catalog.Officer); ok {
		left = officerPhoto(o)
	}
	scroll := container.NewVScroll(form)
	return container.NewBorder(nil, nil, left, qrBox, scroll), scroll
}

// officerPhoto stands where the officer's photo will: officer photos come
// with the platform's media sync, which devices do not receive yet, so every
// officer shows a neutral silhouette.
func officerPhoto(*catalog.Officer) fyne.CanvasObject {
	img := canvas.NewImageFromResource(theme.AccountIcon())
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(160, 200))
	note := widget.NewLabelWithStyle(shell.L("kiosk.no_photo"), fyne.TextAlignCenter, fyne.TextStyle{})
	return container.NewVBox(img, note)
}
