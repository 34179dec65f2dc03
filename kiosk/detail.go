package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// detail is an item's page: every public field in a scroller, an officer's
// photo and certificate at the left, the QR code at the right.
type detail struct {
	left, right fyne.CanvasObject // left is nil but for officers
	scroll      *container.Scroll
}

// detailView lays out every public field of it beside a QR code that opens
// the item's page on the platform; an officer's photo comes from cat.
func detailView(it catalog.Item, platform string, cat *catalog.Catalog) detail {
	form := shell.FieldsForm(it.Fields())
	qr := shell.QRImage(api.PublicURL(platform, string(it.Kind()), it.Key()), 220)
	qrBox := container.NewVBox(qr, widget.NewLabelWithStyle(shell.L("kiosk.scan"), fyne.TextAlignCenter, fyne.TextStyle{}))
	d := detail{right: qrBox, scroll: container.NewVScroll(form)}
	if o, ok := it.(*catalog.Officer); ok {
		d.left = officerCard(o, cat)
	}
	return d
}

// officerCard is the column beside an officer's fields: the photo, then
// what a citizen checks first, whether the certificate is in force and
// until when, in view however large the text and however long the form.
func officerCard(o *catalog.Officer, cat *catalog.Catalog) fyne.CanvasObject {
	fact := func(label, value string) fyne.CanvasObject {
		v := widget.NewLabelWithStyle(value, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		if label == "field.cert_status" && o.Status != catalog.CertValid {
			v.Importance = widget.DangerImportance
		}
		return container.NewVBox(widget.NewLabel(shell.L(label)), v)
	}
	return container.NewVBox(newPortrait(cat, o.Photo, o.Name, 200, false),
		fact("field.cert_status", shell.L("cert."+o.Status)),
		fact("field.valid_until", o.ValidUntil))
}
