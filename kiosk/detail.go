package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// detailView lays out every public field of it beside a QR code that opens
// the item's page on the platform.
func detailView(it catalog.Item, platform string) fyne.CanvasObject {
	form := widget.NewForm()
	for _, f := range it.Fields() {
		v := f.Value
		if f.ValueIsKey {
			v = shell.L(v)
		}
		val := widget.NewLabel(v)
		val.Wrapping = fyne.TextWrapWord
		form.Append(shell.L(f.Label), val)
	}
	url := api.PublicURL(platform, string(it.Kind()), it.Key())
	qr := qrImage(url)
	qrBox := container.NewVBox(qr, widget.NewLabelWithStyle(shell.L("kiosk.scan"), fyne.TextAlignCenter, fyne.TextStyle{}))
	return container.NewBorder(nil, nil, nil, qrBox, container.NewVScroll(form))
}

// qrImage draws url as a QR code with medium error correction.
func qrImage(url string) fyne.CanvasObject {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return widget.NewLabel(url)
	}
	img := canvas.NewImageFromImage(q.Image(256))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(220, 220))
	return img
}
