package kiosk

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// adminGate guards leaving fullscreen and quitting. Once a kiosk
// administrator (account.RoleKioskAdmin) has activated on this kiosk, they
// sign in with their number and PIN, which unseals their key (the account
// book's lockout applies), and what they do is a kiosk.admin record of the
// device's log signed with it, pushed to the platform. Until then the
// administrator PIN from the configuration (hash) guards it, with the same
// lockout kept here, and nothing is recorded.
type adminGate struct {
	// toClose is set when the window's close (Alt+F4) asked for the
	// administrator: their actions then have 退出 in the keyboard's focus.
	toClose bool

	hash        string
	failures    int
	lockedUntil time.Time
	// lockPath keeps failures and lockedUntil across restarts
	// (KeepLockout); "" keeps them in memory.
	lockPath string

	book     *account.Book
	activate Activator
	hall     HallRecorder
	// background runs the slow unsealing off the UI's goroutine (tests run
	// it in place); post brings its result back.
	background func(func())
	post       func(func())

	ID      *widget.Entry // the administrator's number (people's mode)
	Prompt  *widget.Label // says what to type on the pad
	PIN     *widget.Entry
	Message *widget.Label
	Busy    *shell.Busy
	dialog  dialog.Dialog
	// Signed is the kiosk administrator signed in, while the actions
	// dialog is open; nil in the PIN's mode.
	Signed  *account.Account
	Actions dialog.Dialog

	// Activation of a kiosk administrator on this kiosk.
	ActivateOpen          *widget.Button
	Code, NewPIN, NewPIN2 *widget.Entry
	DoActivate            *widget.Button
	ActivateMessage       *widget.Label
	activation            dialog.Dialog
}

// Attach gives the kiosk its window: closing it (Alt+F4, the window
// manager) asks for the administrator instead.
func (k *Kiosk) Attach(w fyne.Window) {
	k.win = w
	w.SetCloseIntercept(k.CloseRequested)
}

// CloseRequested is the window's close (Alt+F4, the window manager): it
// asks for the administrator, and their actions then have 退出 in the
// keyboard's focus.
func (k *Kiosk) CloseRequested() {
	k.admin.toClose = true
	k.AskAdmin()
}

// SetAdmins lets kiosk administrators activate on this kiosk (act) and
// sign in with their own keys from the account book, recording what they
// do in the hall log.
func (k *Kiosk) SetAdmins(book *account.Book, act Activator, h HallRecorder) {
	k.admin.book, k.admin.activate, k.admin.hall = book, act, h
}

// AdminPIN is the PIN box of the open administrator dialog, for tests.
func (k *Kiosk) AdminPIN() *widget.Entry { return k.admin.PIN }

// AdminGate is the administrator's dialogs' state, for tests.
func (k *Kiosk) AdminGate() *adminGate { return &k.admin }

// kioskAdmins says whether a kiosk administrator has activated here: then
// only they may leave the kiosk, and the configured PIN no longer does.
func (k *Kiosk) kioskAdmins() bool {
	if k.admin.book == nil {
		return false
	}
	list, err := k.admin.book.List(context.Background(), account.RoleKioskAdmin)
	if err != nil {
		fyne.LogError("kiosk administrators", err)
		return false
	}
	return len(list) > 0
}

// padEntry is an entry that points the dialog's on-screen keyboard at
// itself when touched.
type padEntry struct {
	widget.Entry
	focus func()
}

func newPadEntry(password bool, focus func()) *padEntry {
	e := &padEntry{focus: focus}
	e.Password = password
	e.ExtendBaseWidget(e)
	return e
}

func (e *padEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.focus != nil {
		e.focus()
	}
}

// AskAdmin opens the administrator's sign-in: number and PIN where a kiosk
// administrator has activated, else the configured PIN's pad.
func (k *Kiosk) AskAdmin() {
	k.touch()
	if k.win == nil {
		return
	}
	a := &k.admin
	people := k.kioskAdmins()
	a.ActivateOpen = widget.NewButtonWithIcon(shell.L("admin.activate"), theme.AccountIcon(), k.ShowAdminActivate)
	a.ActivateOpen.Importance = widget.LowImportance
	if a.activate == nil {
		a.ActivateOpen.Hide()
	}
	if !people && a.hash == "" {
		msg := widget.NewLabel(shell.L("admin.no_pin"))
		msg.Wrapping = fyne.TextWrapWord
		a.dialog = dialog.NewCustom(shell.L("admin.title"), shell.L("admin.cancel"), container.NewVBox(msg, a.ActivateOpen), k.win)
		a.dialog.Resize(fyne.NewSize(520, 0))
		a.dialog.Show()
		return
	}
	a.Message = widget.NewLabel("")
	a.Message.Importance = widget.DangerImportance
	a.Message.Wrapping = fyne.TextWrapWord
	var pad *Keyboard
	target := func(e *widget.Entry) func() { return func() { pad.target = e } }
	pin := newPadEntry(true, nil)
	pin.SetPlaceHolder(shell.L("window.pin_hint"))
	pin.focus = target(&pin.Entry)
	a.PIN, a.ID = &pin.Entry, nil
	pad = newKeyboard(a.PIN, true, k.touch)
	ok := widget.NewButton(shell.L("admin.ok"), k.SubmitAdminPIN)
	ok.Importance = widget.HighImportance
	var fields fyne.CanvasObject = pin // the widget itself, not its embedded Entry
	first := pin
	pin.OnSubmitted = func(string) { k.SubmitAdminPIN() } // Enter, on a kiosk with a keyboard
	if people {
		id := newPadEntry(false, nil)
		id.SetPlaceHolder(shell.L("admin.id"))
		id.focus = target(&id.Entry)
		a.ID = &id.Entry
		pad.target = a.ID
		id.OnSubmitted = func(string) { k.win.Canvas().Focus(pin) }
		first = id
		fields = widget.NewForm(widget.NewFormItem(shell.L("admin.id"), id), widget.NewFormItem(shell.L("admin.pin"), pin))
	}
	a.Busy = shell.NewBusy(ok, a.ActivateOpen)
	prompt := widget.NewLabel(shell.L("admin.pin_prompt"))
	if people {
		prompt.SetText(shell.L("admin.id_prompt"))
	}
	prompt.Wrapping = fyne.TextWrapWord
	a.Prompt = prompt
	content := container.NewVBox(prompt, fields, pad.content, ok, a.Busy.Content, a.Message, a.ActivateOpen)
	if now := k.now(); !people && now.Before(a.lockedUntil) {
		a.Message.SetText(lockedText(a.lockedUntil, now)) // locked before a restart, too
	}
	a.dialog = dialog.NewCustom(shell.L("admin.title"), shell.L("admin.cancel"), content, k.win)
	a.dialog.Resize(fyne.NewSize(520, 0))
	a.dialog.Show()
	k.win.Canvas().Focus(first) // a kiosk with a keyboard types at once
}

// SubmitAdminPIN checks the number and PIN (or the configured PIN) typed
// on the pad; on success it offers the administrator's actions.
func (k *Kiosk) SubmitAdminPIN() {
	a := &k.admin
	if a.ID != nil {
		k.submitAdmin()
		return
	}
	now := k.now()
	pin := a.PIN.Text
	a.PIN.SetText("")
	if now.Before(a.lockedUntil) {
		a.Message.SetText(lockedText(a.lockedUntil, now))
		return
	}
	if !account.VerifyPIN(pin, a.hash) {
		a.failures++
		defer a.saveLockout()
		if a.failures >= account.MaxFailures {
			a.failures, a.lockedUntil = 0, now.Add(account.LockFor)
			a.Message.SetText(lockedText(a.lockedUntil, now))
			return
		}
		a.Message.SetText(shell.L("admin.wrong_pin"))
		return
	}
	if a.failures != 0 || !a.lockedUntil.IsZero() {
		a.failures, a.lockedUntil = 0, time.Time{}
		a.saveLockout()
	}
	a.dialog.Hide()
	k.showActions()
}

// submitAdmin signs a kiosk administrator in with their number and PIN:
// their key is unsealed off the UI's goroutine while the dialog says so.
func (k *Kiosk) submitAdmin() {
	a := &k.admin
	if a.Busy.Running() {
		return
	}
	id, pin := strings.TrimSpace(a.ID.Text), a.PIN.Text
	a.PIN.SetText("")
	a.Message.Importance = widget.DangerImportance
	a.Message.SetText("")
	a.Busy.Start(shell.L("signin.busy"))
	a.run(func() {
		p, until, err := a.book.SignIn(context.Background(), id, pin, "kiosk")
		if err == nil && p.Role != account.RoleKioskAdmin {
			a.book.Log(context.Background(), p.ID, "signout", "kiosk")
			err = errNotKioskAdmin
		}
		a.done(func() {
			a.Busy.Stop()
			switch {
			case errors.Is(err, errNotKioskAdmin):
				a.Message.SetText(shell.L("admin.not_admin"))
				return
			case err != nil:
				a.Message.SetText(shell.SignInError(err, until))
				return
			}
			a.Signed = &p
			a.dialog.Hide()
			k.showActions()
		})
	})
}

var errNotKioskAdmin = errors.New("not a kiosk administrator")

func (a *adminGate) run(f func()) {
	if a.background == nil {
		go f()
		return
	}
	a.background(f)
}

func (a *adminGate) done(f func()) {
	if a.post == nil {
		fyne.Do(f)
		return
	}
	a.post(f)
}

// signOut puts the signed-in administrator's key away.
func (a *adminGate) signOut() {
	if a.Signed == nil {
		return
	}
	if err := a.book.Log(context.Background(), a.Signed.ID, "signout", "kiosk"); err != nil {
		fyne.LogError("kiosk administrator sign-out", err)
	}
	a.Signed = nil
}

// AdminDo does an administrator's action (hall.ActionLeaveFullscreen,
// ActionEnterFullscreen, ActionQuit): a kiosk administrator's is first
// recorded, signed with their key; an action that cannot be recorded is
// not done. The administrator is signed out after it.
func (k *Kiosk) AdminDo(action string) {
	a := &k.admin
	if d := a.Actions; d != nil {
		a.Actions = nil // closing it now does not sign the administrator out before the record
		d.Hide()
	}
	if a.Signed != nil && a.hall != nil {
		err := a.hall.Kiosk(context.Background(), action, a.Signed.ID)
		a.signOut()
		if err != nil {
			fyne.LogError("kiosk administrator record", err)
			dialog.ShowError(errors.New(shell.L("admin.record_failed", map[string]any{"Error": err.Error()})), k.win)
			return
		}
	}
	a.signOut()
	switch action {
	case hall.ActionQuit:
		if k.quit != nil {
			k.quit()
		} else {
			shell.Quit()
		}
	default:
		k.win.SetFullScreen(action == hall.ActionEnterFullscreen)
	}
}

// showActions offers the administrator's actions; closing it signs a kiosk
// administrator out.
func (k *Kiosk) showActions() {
	a := &k.admin
	full, action := shell.L("admin.leave_fullscreen"), hall.ActionLeaveFullscreen
	if !k.win.FullScreen() {
		full, action = shell.L("admin.enter_fullscreen"), hall.ActionEnterFullscreen
	}
	list := container.NewVBox()
	if a.Signed != nil {
		who := widget.NewLabel(shell.L("admin.signed_as", map[string]any{"Name": a.Signed.Name, "ID": a.Signed.ID}))
		who.Wrapping = fyne.TextWrapWord
		list.Add(who)
	}
	list.Add(widget.NewButton(full, func() { k.AdminDo(action) }))
	if k.pull != nil {
		list.Add(widget.NewButton(shell.L("admin.update_lists"), func() {
			a.Actions.Hide()
			k.PullNow()
		}))
	}
	quit := widget.NewButton(shell.L("admin.quit"), func() { k.AdminDo(hall.ActionQuit) })
	quit.Importance = widget.DangerImportance
	list.Add(quit)
	if a.toClose {
		defer k.win.Canvas().Focus(quit) // once shown: Space leaves, as Alt+F4 asked
	}
	var d dialog.Dialog = dialog.NewCustom(shell.L("admin.title"), shell.L("admin.cancel"), list, k.win)
	d.SetOnClosed(func() {
		if a.Actions == d {
			a.signOut()
		}
	})
	d.Resize(fyne.NewSize(520, 0))
	a.Actions = d
	d.Show()
}

// ShowAdminActivate is the activation form of a kiosk administrator on
// this kiosk: the one-time code, a PIN twice, typed on the kiosk's own
// keyboard.
func (k *Kiosk) ShowAdminActivate() {
	a := &k.admin
	if a.activate == nil || k.win == nil {
		return
	}
	if a.dialog != nil {
		a.dialog.Hide()
	}
	var pad *Keyboard
	entry := func(password bool, hint string) *padEntry {
		e := newPadEntry(password, nil)
		e.focus = func() { pad.target = &e.Entry }
		e.SetPlaceHolder(hint)
		return e
	}
	code, pin, pin2 := entry(false, "ABCD-EFGH-JKLM-NPQR"), entry(true, shell.L("window.pin_hint")), entry(true, shell.L("window.pin_hint"))
	a.Code, a.NewPIN, a.NewPIN2 = &code.Entry, &pin.Entry, &pin2.Entry
	pad = newKeyboard(a.Code, false, k.touch)
	a.DoActivate = widget.NewButtonWithIcon(shell.L("activate.submit"), theme.ConfirmIcon(), k.TryAdminActivate)
	a.DoActivate.Importance = widget.HighImportance
	a.ActivateMessage = widget.NewLabel("")
	a.ActivateMessage.Wrapping = fyne.TextWrapWord
	a.Busy = shell.NewBusy(a.DoActivate)
	intro := widget.NewLabel(shell.L("admin.activate_intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(shell.L("activate.code"), code),
		widget.NewFormItem(shell.L("activate.pin"), pin),
		widget.NewFormItem(shell.L("activate.pin2"), pin2),
	)
	// The form beside the keyboard, so both fit a kiosk's screen.
	content := container.NewBorder(intro, nil, nil, nil, container.NewGridWithColumns(2,
		container.NewVBox(form, a.DoActivate, a.Busy.Content, a.ActivateMessage), pad.content))
	a.activation = dialog.NewCustom(shell.L("activate.title"), shell.L("admin.cancel"), content, k.win)
	a.activation.Resize(fyne.NewSize(1180, 0))
	a.activation.Show()
}

// TryAdminActivate checks the activation form, then activates off the
// UI's goroutine; on success the administrator's sign-in opens with their
// number filled in.
func (k *Kiosk) TryAdminActivate() {
	a := &k.admin
	if a.activate == nil || a.Busy.Running() {
		return
	}
	say := func(text string, ok bool) {
		a.ActivateMessage.Importance = widget.DangerImportance
		if ok {
			a.ActivateMessage.Importance = widget.SuccessImportance
		}
		a.ActivateMessage.SetText(text)
	}
	code, pin, pin2 := strings.TrimSpace(a.Code.Text), a.NewPIN.Text, a.NewPIN2.Text
	if msg, clearPINs := shell.CheckActivation(code, pin, pin2); msg != "" {
		if clearPINs {
			a.NewPIN.SetText("")
			a.NewPIN2.SetText("")
		}
		say(msg, false)
		return
	}
	say("", false)
	a.Busy.Start(shell.L("activate.busy"))
	a.run(func() {
		p, err := a.activate.Activate(context.Background(), code, pin)
		a.done(func() {
			a.Busy.Stop()
			if err != nil {
				fyne.LogError("activate", err)
				say(shell.ActivationError(client.Reason(err), err), false)
				return
			}
			a.activation.Hide()
			k.AskAdmin()
			if a.ID != nil {
				a.ID.SetText(p.ID)
			}
			a.Message.Importance = widget.SuccessImportance
			a.Message.SetText(shell.L("activate.done", map[string]any{"Name": p.Name, "ID": p.ID}))
		})
	})
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
		at := map[string]any{"Time": k.now().Format("15:04"), "N": n}
		fyne.Do(func() {
			defer close(done)
			wait.Hide()
			if err != nil {
				dialog.ShowError(errors.New(msg), k.win)
			} else {
				// Words alone: the information dialog's large icon
				// stands behind its text.
				msg = shell.L("admin.pulled_none", at)
				if n > 0 {
					msg = shell.L("admin.pulled_some", at)
				}
				k.PullMessage = widget.NewLabel(msg)
				k.PullMessage.Wrapping = fyne.TextWrapWord
				d := dialog.NewCustom(shell.L("admin.update_lists"), shell.L("admin.ok"), k.PullMessage, k.win)
				d.Resize(fyne.NewSize(520, 0))
				d.Show()
			}
			if n > 0 {
				k.Refresh()
			}
		})
	}()
	return done
}
