package officer

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/winui"
)

// Printing: documents are shown as they print (the same layout drawn into
// an image), then saved as PDF through an in-app form in Chinese (the
// system file dialog of Fyne speaks English: Home, Computer), into a
// folder the officer picks from the usual places or types, under a name
// made of the case number and the document (DESK-1-20261205-0001_立案审批表.pdf);
// a confirmation says where the file is. On Windows a document can also be
// printed through the Windows print dialog (打印…); elsewhere officers
// print the saved PDF.

// canPrint and printPages are the Windows print dialog (tests put a
// printer of their own here).
var (
	canPrint   = winui.CanPrint
	printPages = winui.PrintPages
)

// previewWidth is the width of a page in the previews, in Fyne units.
const previewWidth = 600

// previewDPI renders pages a little finer than they are shown.
const previewDPI = 100

// pageImages shows a document's pages one under the other, as printed.
func pageImages(d document.Doc, chk *document.Check, width float32) ([]*canvas.Image, error) {
	imgs, err := document.CheckedImages(d, chk, previewDPI)
	if err != nil {
		return nil, fmt.Errorf("preview %s: %w", d.Title, err)
	}
	var out []*canvas.Image
	for _, img := range imgs {
		out = append(out, pageImage(img, width))
	}
	return out, nil
}

func pageImage(img image.Image, width float32) *canvas.Image {
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScaleSmooth
	ci.SetMinSize(fyne.NewSize(width, width*297/210))
	return ci
}

// pagesBox stacks page images on a grey desk, each with its border.
func pagesBox(pages []*canvas.Image) *fyne.Container {
	box := container.NewVBox()
	for _, p := range pages {
		border := canvas.NewRectangle(theme.Color(theme.ColorNameShadow))
		box.Add(container.NewStack(border, container.NewPadded(p)))
	}
	return box
}

// PrintForm is the print preview and save dialog, for tests.
type PrintForm struct {
	// Pages are the document's pages as printed (nil for a bundle).
	Pages  []*canvas.Image
	Places *widget.Select
	Folder *widget.Entry
	Name   *widget.Entry
	// SaveButton writes the file; Message says what is wrong.
	SaveButton *widget.Button
	// PrintButton opens the Windows print dialog (nil where there is
	// none, and for a bundle); Printed is set once a job went out.
	PrintButton *widget.Button
	Printed     bool
	Message     *widget.Label
	buttons     *fyne.Container
	// Saved is the path written, and Confirmation what the officer was
	// told, once saved.
	Saved        string
	Confirmation string
	dialog       dialog.Dialog
	done         dialog.Dialog
}

// printForms holds each desk's open print dialog (the UI runs on one
// goroutine).
var printForms = map[*Cases]*PrintForm{}

// Printing is the open print or export dialog.
func (c *Cases) Printing() *PrintForm { return printForms[c] }

// place is a usual folder to save in.
type place struct{ label, path string }

// places are the officer's home folder and, where they exist, its
// documents, desktop and downloads folders (English or Chinese names).
func places() []place {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return nil
	}
	out := []place{}
	for _, p := range []struct{ key, en, zh string }{
		{"print.place.documents", "Documents", "文档"}, {"print.place.desktop", "Desktop", "桌面"},
		{"print.place.downloads", "Downloads", "下载"},
	} {
		for _, name := range []string{p.zh, p.en} {
			dir := filepath.Join(home, name)
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				out = append(out, place{shell.L(p.key), dir})
				break
			}
		}
	}
	return append(out, place{shell.L("print.place.home"), home})
}

func placeLabel(p place) string { return p.label + "（" + p.path + "）" }

// showSave opens the save dialog, its button saying button: preview (may be nil) above, then where
// and under which name to save; data makes the file's bytes, and
// confirm is what to say once saved at path.
func (c *Cases) showSave(title, button string, preview fyne.CanvasObject, pages []*canvas.Image, name string,
	data func() ([]byte, error), confirm func(path string) string) *PrintForm {
	f := &PrintForm{Pages: pages, Folder: widget.NewEntry(), Name: widget.NewEntry(), Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	ps := places()
	var labels []string
	for _, p := range ps {
		labels = append(labels, placeLabel(p))
	}
	f.Places = widget.NewSelect(labels, func(s string) {
		for _, p := range ps {
			if placeLabel(p) == s {
				f.Folder.SetText(p.path)
			}
		}
	})
	f.Places.PlaceHolder = shell.L("print.places_hint")
	if len(ps) > 0 {
		f.Places.SetSelectedIndex(0)
	}
	f.Name.SetText(name)
	f.Folder.OnChanged = func(string) { c.d.touch() }
	f.SaveButton = widget.NewButtonWithIcon(button, theme.DocumentSaveIcon(), func() { f.save(c, data, confirm) })
	f.SaveButton.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(shell.L("print.places"), f.Places),
		widget.NewFormItem(shell.L("print.folder"), f.Folder),
		widget.NewFormItem(shell.L("print.name"), f.Name),
	)
	f.buttons = container.NewStack(f.SaveButton)
	bottom := container.NewVBox(widget.NewSeparator(), form, f.Message, f.buttons)
	var body fyne.CanvasObject = bottom
	size := fyne.NewSize(760, 360)
	if preview != nil {
		body = container.NewBorder(nil, bottom, nil, nil, preview)
		size = fyne.NewSize(1000, 780)
	}
	f.dialog = dialog.NewCustom(title, shell.L("admin.cancel"), body, c.d.win)
	f.dialog.Resize(size)
	f.dialog.SetOnClosed(func() {
		if printForms[c] == f && f.Saved == "" && !f.Printed {
			delete(printForms, c)
		}
	})
	printForms[c] = f
	f.dialog.Show()
	return f
}

// save writes the file into the folder chosen, never over another file
// (a second copy is numbered), then says where it is.
func (f *PrintForm) save(c *Cases, data func() ([]byte, error), confirm func(string) string) {
	c.d.touch()
	folder := strings.TrimSpace(f.Folder.Text)
	name := strings.TrimSpace(f.Name.Text)
	if name == "" || strings.ContainsAny(name, `/\`) {
		f.Message.SetText(shell.L("print.no_name"))
		return
	}
	if st, err := os.Stat(folder); folder == "" || err != nil || !st.IsDir() {
		f.Message.SetText(shell.L("print.no_folder", map[string]any{"Folder": folder}))
		return
	}
	b, err := data()
	if err != nil {
		f.Message.SetText(shell.L("print.failed", map[string]any{"Error": err.Error()}))
		return
	}
	path, err := writeNew(folder, name, b)
	if err != nil {
		f.Message.SetText(shell.L("print.failed", map[string]any{"Error": err.Error()}))
		return
	}
	f.Saved = path
	f.confirm(c, shell.L("print.saved_title"), confirm(path))
}

// confirm closes the form and says what became of the document.
func (f *PrintForm) confirm(c *Cases, title, text string) {
	f.Confirmation = text
	f.dialog.Hide()
	label := widget.NewLabel(f.Confirmation)
	label.Wrapping = fyne.TextWrapWord
	f.done = dialog.NewCustom(title, shell.L("print.close"),
		container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ConfirmIcon())), nil, label), c.d.win)
	f.done.Resize(fyne.NewSize(640, 240))
	f.done.Show()
}

// writeNew writes b as name in folder, or as "name（2）.ext" and so on if
// a file of that name is there already.
func writeNew(folder, name string, b []byte) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; i < 1000; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s（%d）%s", stem, i, ext)
		}
		path := filepath.Join(folder, n)
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save %s: %w", path, err)
		}
		_, err = fh.Write(b)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", fmt.Errorf("save %s: %w", path, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("save %s: too many copies", name)
}

// printDocument shows a recorded document as it prints and saves it as
// PDF under the case number and the document's title.
func (c *Cases) printDocument(doc document.Doc, chk *document.Check) {
	caseID := ""
	if c.Open != nil {
		caseID = c.Open.ID
	}
	pages, err := pageImages(doc, chk, previewWidth)
	if err != nil {
		dialog.ShowError(errors.New(shell.L("print.failed", map[string]any{"Error": err.Error()})), c.d.win)
		return
	}
	head := widget.NewLabel(shell.L("print.pages", map[string]any{"N": len(pages)}))
	preview := container.NewBorder(head, nil, nil, nil, container.NewVScroll(container.NewCenter(pagesBox(pages))))
	f := c.showSave(shell.L("print.title", map[string]any{"Title": doc.Title}), shell.L("print.save"), preview, pages,
		document.FileName(caseID, doc.Title, ".pdf"),
		func() ([]byte, error) { return document.CheckedPDF(doc, chk) },
		func(path string) string { return shell.L("print.saved", map[string]any{"Path": path}) })
	if canPrint {
		f.PrintButton = widget.NewButtonWithIcon(shell.L("print.print"), theme.DocumentPrintIcon(), func() { f.print(c, doc, chk) })
		f.buttons.Objects = []fyne.CanvasObject{container.NewGridWithColumns(2, f.SaveButton, f.PrintButton)}
		f.buttons.Refresh()
	}
}

// print sends the document to a printer through the Windows print
// dialog, its pages drawn at the printer's resolution; cancelling the
// dialog does nothing, and a failure is said on the form.
func (f *PrintForm) print(c *Cases, doc document.Doc, chk *document.Check) {
	c.d.touch()
	printed, err := printPages(doc.Title, func(dpi int) ([]image.Image, error) {
		imgs, err := document.CheckedImages(doc, chk, float64(dpi))
		if err != nil {
			return nil, fmt.Errorf("draw %s: %w", doc.Title, err)
		}
		out := make([]image.Image, len(imgs))
		for i, img := range imgs {
			out[i] = img
		}
		return out, nil
	}, c.d.win)
	switch {
	case errors.Is(err, winui.ErrNoPrinter):
		f.Message.SetText(shell.L("print.no_printer"))
	case err != nil:
		f.Message.SetText(shell.L("print.print_failed", map[string]any{"Error": err.Error()}))
	case printed:
		f.Printed = true
		f.Message.SetText("")
		f.confirm(c, shell.L("print.printed_title"), shell.L("print.printed", map[string]any{"Title": doc.Title}))
	}
}

// docPreviewWidth is the width of a page in the 制作文书 dialog.
const docPreviewWidth = 620

// docMissing names the empty field in Chinese, or says that the legal
// review's opinion a 法制审核意见书 prints is not signed yet.
func docMissing(err error) string {
	if errors.Is(err, document.ErrNoOpinion) {
		return shell.L("print.no_opinion")
	}
	if errors.Is(err, document.ErrMissingInput) {
		if _, label, ok := strings.Cut(err.Error(), ": "); ok {
			return shell.L("print.field_empty", map[string]any{"Field": label})
		}
	}
	return err.Error()
}
