package kiosk

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// adminGate guards leaving fullscreen and quitting with the administrator
// PIN from the configuration, with the same lockout as sign-in.
type adminGate struct {
	hash        string
	failures    int
	lockedUntil time.Time

	PIN     *widget.Entry
	Message *widget.Label
	dialog  dialog.Dialog
}

// Attach gives the kiosk its window: closing it (Alt+F4, the window
// manager) asks for the administrator PIN instead.
func (k *Kiosk) Attach(w fyne.Window) {
	k.win = w
	w.SetCloseIntercept(k.AskAdmin)
}

// AdminPIN is the PIN box of the open administrator dialog, for tests.
func (k *Kiosk) AdminPIN() *widget.Entry { return k.admin.PIN }

// AskAdmin opens the administrator PIN pad.
func (k *Kiosk) AskAdmin() {
	k.touch()
	if k.win == nil {
		return
	}
	if k.admin.hash == "" {
		dialog.ShowInformation(shell.L("admin.title"), shell.L("admin.no_pin"), k.win)
		return
	}
	a := &k.admin
	a.PIN = widget.NewPasswordEntry()
	a.Message = widget.NewLabel("")
	a.Message.Importance = widget.DangerImportance
	pad := newKeyboard(a.PIN, true, k.touch)
	ok := widget.NewButton(shell.L("admin.ok"), k.SubmitAdminPIN)
	ok.Importance = widget.HighImportance
	content := container.NewVBox(a.PIN, pad.content, ok, a.Message)
	a.dialog = dialog.NewCustom(shell.L("admin.title"), shell.L("admin.cancel"), content, k.win)
	a.dialog.Resize(fyne.NewSize(520, 0))
	a.dialog.Show()
}

// SubmitAdminPIN checks the PIN typed on the pad; on success it offers the
// administrator's actions.
func (k *Kiosk) SubmitAdminPIN() {
	a := &k.admin
	now := k.now()
	pin := a.PIN.Text
	a.PIN.SetText("")
	if now.Before(a.lockedUntil) {
		a.Message.SetText(shell.SignInError(account.ErrLocked, a.lockedUntil))
		return
	}
	if !account.VerifyPIN(pin, a.hash) {
		a.failures++
		if a.failures >= account.MaxFailures {
			a.failures, a.lockedUntil = 0, now.Add(account.LockFor)
			a.Message.SetText(shell.SignInError(account.ErrLocked, a.lockedUntil))
			return
		}
		a.Message.SetText(shell.L("admin.wrong_pin"))
		return
	}
	a.failures = 0
	a.dialog.Hide()
	full := shell.L("admin.leave_fullscreen")
	if !k.win.FullScreen() {
		full = shell.L("admin.enter_fullscreen")
	}
	var actions dialog.Dialog
	toggle := widget.NewButton(full, func() {
		k.win.SetFullScreen(!k.win.FullScreen())
		actions.Hide()
	})
	quit := widget.NewButton(shell.L("admin.quit"), func() { fyne.CurrentApp().Quit() })
	quit.Importance = widget.DangerImportance
	list := container.NewVBox(toggle)
	if k.pull != nil {
		list.Add(widget.NewButton(shell.L("admin.update_lists"), func() {
			actions.Hide()
			k.PullNow()
		}))
	}
	list.Add(quit)
	actions = dialog.NewCustom(shell.L("admin.title"), shell.L("admin.cancel"), list, k.win)
	actions.Show()
}

// PullNow pulls the public lists in the background, says what happened
// in a dialog and shows what arrived. The channel closes when it has.
func (k *Kiosk) PullNow() <-chan struct{} {
	done := make(chan struct{})
	if k.pull == nil || k.win == nil {
		close(done)
		return done
	}
	wait := dialog.NewCustomWithoutButtons(shell.L("admin.update_lists"), widget.NewLabel(shell.L("window.updating")), k.win)
	wait.Show()
	go func() {
		n, err := k.pull.Pull(context.Background())
		msg := pullText(n, err)
		fyne.Do(func() {
			defer close(done)
			wait.Hide()
			if err != nil {
				dialog.ShowError(errors.New(msg), k.win)
			} else {
				dialog.ShowInformation(shell.L("admin.update_lists"), msg, k.win)
			}
			if n > 0 {
				k.Refresh()
			}
		})
	}()
	return done
}
