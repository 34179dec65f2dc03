package officer

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// ConfirmForm is the dialog in which a second officer on site confirms
// their presence with their own PIN (行政处罚法 art. 42: two officers).
type ConfirmForm struct {
	Officer casefile.Officer
	PIN     *widget.Entry
	OK      *widget.Button
	Cancel  *widget.Button
	Message *widget.Label
	Busy    *shell.Busy
	dialog  dialog.Dialog
}

// confirmPresence asks each officer of others in turn to confirm with
// their own PIN on this device (account.Book.Confirm keeps their key for
// the next record only), then runs record. An officer not enrolled here
// cannot confirm: refusal says so and nothing is recorded; neither is
// anything when a dialog is cancelled.
func (c *Cases) confirmPresence(others []casefile.Officer, refusal *widget.Label, record func()) {
	if len(others) == 0 {
		c.Confirm = nil
		record()
		return
	}
	o := others[0]
	who := map[string]any{"Name": o.Name, "ID": o.CertNo}
	pub, err := c.d.book.KeyOf(context.Background(), o.CertNo)
	if errors.Is(err, account.ErrUnknown) || (err == nil && pub == "") {
		forget(c.d.book, others)
		refusal.SetText(shell.L("confirm.not_enrolled", who))
		return
	}
	if err != nil {
		forget(c.d.book, others)
		refusal.SetText(caseError(err))
		return
	}
	f := &ConfirmForm{Officer: o, Message: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	f.Message.Wrapping = fyne.TextWrapWord
	f.PIN = widget.NewPasswordEntry()
	f.PIN.SetPlaceHolder(shell.L("window.pin_hint"))
	submit := func() {
		if f.Busy.Running() {
			return
		}
		c.d.touch()
		pin := f.PIN.Text
		f.PIN.SetText("")
		f.Message.SetText("")
		f.Busy.Start(shell.L("confirm.busy"))
		c.d.background(func() {
			_, until, err := c.d.book.Confirm(context.Background(), o.CertNo, pin)
			c.d.post(func() {
				f.Busy.Stop()
				if err != nil {
					f.Message.SetText(shell.PINError(err, until))
					return
				}
				f.dialog.Hide()
				c.confirmPresence(others[1:], refusal, record)
			})
		})
	}
	f.PIN.OnSubmitted = func(string) { submit() }
	f.OK = widget.NewButtonWithIcon(shell.L("confirm.submit"), theme.ConfirmIcon(), submit)
	f.OK.Importance = widget.HighImportance
	f.Cancel = widget.NewButtonWithIcon(shell.L("admin.cancel"), theme.CancelIcon(), func() {
		forget(c.d.book, others)
		f.dialog.Hide()
		c.Confirm = nil
	})
	f.Busy = shell.NewBusy(f.PIN, f.OK, f.Cancel)
	prompt := widget.NewLabelWithStyle(shell.L("confirm.prompt", who), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	prompt.Wrapping = fyne.TextWrapWord
	note := widget.NewLabel(shell.L("confirm.note"))
	note.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(prompt, note, f.PIN, f.Busy.Content, f.Message,
		container.NewHBox(layout.NewSpacer(), f.Cancel, f.OK))
	f.dialog = dialog.NewCustomWithoutButtons(shell.L("confirm.title"), body, c.d.win)
	f.dialog.Resize(fyne.NewSize(520, 0))
	c.Confirm = f
	f.dialog.Show()
	c.d.win.Canvas().Focus(f.PIN)
}

// forget drops the confirmations of officers whose record was not made:
// a confirmation is for one record, the one the officer was asked about.
func forget(book *account.Book, officers []casefile.Officer) {
	for _, o := range officers {
		book.Keys.Remove(o.CertNo)
	}
}
