package kiosk

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// Activator activates a person on this device with their one-time code
// and the PIN they chose (client.ActivatePerson): window staff activate on
// the window's device before they first sign in.
type Activator interface {
	Activate(ctx context.Context, code, pin string) (account.Account, error)
}

// SetActivate lets staff activate on this device from the sign-in form.
func (d *WindowDesk) SetActivate(a Activator) {
	d.activate = a
	if d.Staff == nil && d.ActivateOpen != nil {
		d.ActivateOpen.Show()
	}
}

// ShowActivate is the activation form: the person's code, a PIN twice.
func (d *WindowDesk) ShowActivate() {
	d.Code = widget.NewEntry()
	d.Code.SetPlaceHolder("ABCD-EFGH-JKLM-NPQR")
	d.NewPIN = widget.NewPasswordEntry()
	d.NewPIN.SetPlaceHolder(shell.L("window.pin_hint"))
	d.NewPIN2 = widget.NewPasswordEntry()
	d.NewPIN2.OnSubmitted = func(string) { d.TryActivate() }
	d.DoActivate = widget.NewButtonWithIcon(shell.L("activate.submit"), theme.ConfirmIcon(), d.TryActivate)
	d.DoActivate.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(shell.L("activate.back"), theme.NavigateBackIcon(), d.showSignIn)
	back.Importance = widget.LowImportance
	d.Message = widget.NewLabel("")
	d.Message.Wrapping = fyne.TextWrapWord
	d.Busy = shell.NewBusy(d.Code, d.NewPIN, d.NewPIN2, d.DoActivate, back)
	form := widget.NewForm(
		widget.NewFormItem(shell.L("activate.code"), d.Code),
		widget.NewFormItem(shell.L("activate.pin"), d.NewPIN),
		widget.NewFormItem(shell.L("activate.pin2"), d.NewPIN2),
	)
	title := widget.NewLabelWithStyle(shell.L("activate.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(shell.L("activate.intro"))
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, intro, form, d.DoActivate, d.Busy.Content, d.Message, back)
	d.setConsole(container.NewCenter(container.NewGridWrap(fyne.NewSize(560, box.MinSize().Height+160), box)))
}

// TryActivate checks the form, then activates off the UI's goroutine, and
// on success returns to the sign-in form with the staff number filled in.
func (d *WindowDesk) TryActivate() {
	if d.activate == nil || d.Busy.Running() {
		return
	}
	code, pin, pin2 := strings.TrimSpace(d.Code.Text), d.NewPIN.Text, d.NewPIN2.Text
	if msg, clearPINs := shell.CheckActivation(code, pin, pin2); msg != "" {
		if clearPINs {
			d.NewPIN.SetText("")
			d.NewPIN2.SetText("")
		}
		d.say(msg, false)
		return
	}
	d.say("", false)
	d.Busy.Start(shell.L("activate.busy"))
	d.background(func() {
		a, err := d.activate.Activate(context.Background(), code, pin)
		d.post(func() {
			d.Busy.Stop()
			if err != nil {
				fyne.LogError("activate", err)
				d.say(shell.ActivationError(client.Reason(err), err), false)
				return
			}
			d.showSignIn()
			d.StaffID.SetText(a.ID)
			d.say(shell.L("activate.done", map[string]any{"Name": a.Name, "ID": a.ID}), true)
		})
	})
}
