package officer

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// Activator activates a person on this device with their one-time code
// and the PIN they chose: the device makes their key, the platform
// registers it, and the person is enrolled here (client.ActivatePerson).
type Activator interface {
	Activate(ctx context.Context, code, pin string) (account.Account, error)
}

// ActivateFunc makes a function an Activator.
type ActivateFunc func(ctx context.Context, code, pin string) (account.Account, error)

// Activate calls f.
func (f ActivateFunc) Activate(ctx context.Context, code, pin string) (account.Account, error) {
	return f(ctx, code, pin)
}

// Consenter is an Activator on a desk whose data is sealed while nobody
// is signed in: someone already activated there opens it first.
type Consenter interface {
	NeedsConsent() bool
	Consent(ctx context.Context, id, pin string) error
}

// SetReviewOpener lets a reviewer open a case the platform's review queue
// sent masked: open asks for it whole as the reviewer of agency signed in
// here (the platform records the opening) and keeps it in the queue.
func (d *Desk) SetReviewOpener(open func(ctx context.Context, agency, device, caseID string) error) {
	d.openReview = open
}

// SetActivate lets people activate on this device from the sign-in screen.
func (d *Desk) SetActivate(a Activator) {
	d.activate = a
	if d.Me == nil && d.ActivateOpen != nil {
		d.ActivateOpen.Show()
	}
}

// say puts a message on the current form's line: a refusal in red, news
// (an activation done) in green.
func (d *Desk) say(text string, ok bool) {
	d.Message.Importance = widget.DangerImportance
	if ok {
		d.Message.Importance = widget.SuccessImportance
	}
	d.Message.SetText(text)
}

// ShowActivate is the activation form: the person's code, a PIN twice.
func (d *Desk) ShowActivate() {
	d.Code = widget.NewEntry()
	d.Code.SetPlaceHolder("ABCD-EFGH-JKLM-NPQR")
	d.NewPIN = widget.NewPasswordEntry()
	d.NewPIN.SetPlaceHolder(shell.L("window.pin_hint"))
	d.NewPIN2 = widget.NewPasswordEntry()
	d.NewPIN2.OnSubmitted = func(string) { d.TryActivate() }
	d.DoActivate = widget.NewButtonWithIcon(shell.L("activate.submit"), theme.ConfirmIcon(), d.TryActivate)
	d.DoActivate.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(shell.L("activate.back"), theme.NavigateBackIcon(), func() { d.showSignIn() })
	back.Importance = widget.LowImportance
	d.Message = widget.NewLabel("")
	d.Message.Wrapping = fyne.TextWrapWord
	d.Busy = shell.NewBusy(d.Code, d.NewPIN, d.NewPIN2, d.DoActivate, back)
	form := widget.NewForm(
		widget.NewFormItem(shell.L("activate.code"), d.Code),
		widget.NewFormItem(shell.L("activate.pin"), d.NewPIN),
		widget.NewFormItem(shell.L("activate.pin2"), d.NewPIN2),
	)
	d.ConsentID, d.ConsentPIN = nil, nil
	if c, ok := d.activate.(Consenter); ok && c.NeedsConsent() {
		// The desk's data is sealed and nobody is in: a person already
		// activated here opens it for this activation.
		d.ConsentID = widget.NewEntry()
		d.ConsentID.SetPlaceHolder(shell.L("officer.id_hint"))
		d.ConsentPIN = widget.NewPasswordEntry()
		form.Append(shell.L("activate.consent_id"), d.ConsentID)
		form.Append(shell.L("activate.consent_pin"), d.ConsentPIN)
		d.Busy = shell.NewBusy(d.Code, d.NewPIN, d.NewPIN2, d.ConsentID, d.ConsentPIN, d.DoActivate, back)
	}
	title := widget.NewLabelWithStyle(shell.L("activate.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(shell.L("activate.intro"))
	if d.ConsentID != nil {
		intro.SetText(shell.L("activate.intro") + "\n" + shell.L("activate.consent_intro"))
	}
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, intro, form, d.DoActivate, d.Busy.Content, d.Message, back)
	d.set(container.NewCenter(container.NewGridWrap(fyne.NewSize(560, box.MinSize().Height+160), box)))
}

// TryActivate checks the form, then activates off the UI's goroutine (the
// platform is asked, the key is sealed), and on success returns to the
// sign-in form with the person's number filled in.
func (d *Desk) TryActivate() {
	if d.activate == nil || d.Busy.Running() {
		return
	}
	d.touch()
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
	consentID, consentPIN := "", ""
	if d.ConsentID != nil {
		consentID, consentPIN = strings.TrimSpace(d.ConsentID.Text), d.ConsentPIN.Text
		d.ConsentPIN.SetText("")
	}
	d.background(func() {
		if c, ok := d.activate.(Consenter); ok && consentID != "" && c.NeedsConsent() {
			if err := c.Consent(context.Background(), consentID, consentPIN); err != nil {
				d.post(func() {
					d.Busy.Stop()
					d.say(shell.SignInError(err, time.Time{}), false)
				})
				return
			}
		}
		a, err := d.activate.Activate(context.Background(), code, pin)
		d.post(func() {
			d.Busy.Stop()
			if err != nil {
				fyne.LogError("activate", err)
				d.say(shell.ActivationError(client.Reason(err), err), false)
				return
			}
			d.showSignIn()
			d.ID.SetText(a.ID)
			d.say(shell.L("activate.done", map[string]any{"Name": a.Name, "ID": a.ID}), true)
			d.win.Canvas().Focus(d.PIN)
		})
	})
}
