package shell

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// SignInError says in the person's language why a sign-in failed; "" for
// no error.
func SignInError(err error, lockedUntil time.Time) string {
	switch {
	case err == nil:
		return ""
	// The data folder's vault (issue 21): neither is a wrong PIN, and
	// neither counts toward the lockout.
	case errors.Is(err, vault.ErrOtherMachine):
		return L("signin.err_other_machine")
	case errors.Is(err, keystore.ErrUnavailable):
		return L("signin.err_keystore_unavailable")
	case errors.Is(err, vault.ErrNoDataKey):
		return L("signin.err_no_data_key")
	case errors.Is(err, account.ErrUnknown):
		return L("signin.err_unknown")
	case errors.Is(err, account.ErrWrongPIN):
		return L("signin.err_pin")
	case errors.Is(err, account.ErrLocked):
		return L("signin.err_locked", map[string]any{"Time": lockedUntil.Local().Format("15:04")})
	}
	if msg := CertificateError(err); msg != "" {
		return msg
	}
	// A window's sign-in is a record of its log: refused while the clock
	// is behind it.
	if msg := ClockError(err); msg != "" {
		return msg
	}
	return L("error.generic") + " " + err.Error()
}

// PINError is SignInError for someone whose number is already known and
// shown (unlocking the desk, a second officer confirming, a reviewer
// signing): a wrong PIN is said to be the PIN, not "number or PIN".
func PINError(err error, lockedUntil time.Time) string {
	if errors.Is(err, account.ErrWrongPIN) {
		return L("signin.err_pin_only")
	}
	return SignInError(err, lockedUntil)
}

// CertificateError words a refusal because a certificate is not in force
// (at sign-in, or for an officer an on-site record names), or "" when err
// is not one.
func CertificateError(err error) string {
	if !errors.Is(err, account.ErrCertificate) {
		return ""
	}
	switch {
	case errors.Is(err, account.ErrDeactivated):
		return L("signin.err_deactivated")
	case errors.Is(err, account.ErrKeyRevoked):
		return L("signin.err_key_revoked")
	case errors.Is(err, catalog.ErrCertRevoked):
		return L("cert.err_revoked")
	case errors.Is(err, catalog.ErrCertSuspended):
		return L("cert.err_suspended")
	}
	return L("cert.err_expired")
}

// CheckActivation checks an activation form before the platform is asked
// (a code given, the PIN typed the same twice and good enough): the
// message to show, "" when the form may go; clearPINs says the PIN fields
// are to be typed again.
func CheckActivation(code, pin, pin2 string) (msg string, clearPINs bool) {
	switch {
	case code == "":
		return L("activate.err.no_code"), false
	case pin != pin2:
		return L("activate.err.pin_mismatch"), true
	}
	if err := account.CheckPIN(pin); err != nil {
		return ActivationError("", err), true
	}
	return "", false
}

// ActivationError says why activating a person on this device failed.
// reason is the sync client's stable code for it (client.Reason), which
// this package cannot ask for itself: the shell sits below sync.
func ActivationError(reason string, err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, account.ErrWeakPIN):
		return L("activate.err.weak_pin")
	}
	switch reason {
	case "bad_activation_code", "activation_wrong_device", "person_inactive", "bad_person_key",
		"unreachable", "unauthorized", "not_enrolled", "role_not_here", "locked":
		return L("activate.err." + reason)
	}
	return L("error.generic") + " " + err.Error()
}

// PINControls are what every sign-in and unlock screen shows besides its
// own fields: the PIN entry (Enter submits), the sign-in button with the
// given label, and the message line for refusals.
func PINControls(button string, submit func()) (pin *widget.Entry, signIn *widget.Button, message *widget.Label) {
	pin = widget.NewPasswordEntry()
	pin.SetPlaceHolder(L("window.pin_hint"))
	pin.OnSubmitted = func(string) { submit() }
	signIn = widget.NewButtonWithIcon(button, theme.LoginIcon(), submit)
	signIn.Importance = widget.HighImportance
	message = widget.NewLabel("")
	message.Importance = widget.DangerImportance
	message.Wrapping = fyne.TextWrapWord
	return pin, signIn, message
}

// Busy is what a screen shows while a slow step runs off the UI's
// goroutine (unsealing a key takes one or two seconds, registering
// one needs the network): a line saying what, a moving bar, and the
// controls kept from being used meanwhile. Content is hidden until Start.
type Busy struct {
	Label    *widget.Label
	Content  *fyne.Container
	bar      *widget.ProgressBarInfinite
	controls []fyne.Disableable
}

// NewBusy makes a busy line that disables controls while it runs.
func NewBusy(controls ...fyne.Disableable) *Busy {
	b := &Busy{Label: widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{}), bar: widget.NewProgressBarInfinite(), controls: controls}
	b.Label.Wrapping = fyne.TextWrapWord
	b.bar.Stop()
	b.Content = container.NewVBox(b.Label, b.bar)
	b.Content.Hide()
	return b
}

// Start shows text with the moving bar and disables the controls.
func (b *Busy) Start(text string) {
	b.Label.SetText(text)
	b.Content.Show()
	b.bar.Start()
	for _, c := range b.controls {
		c.Disable()
	}
}

// Stop hides the line and enables the controls again.
func (b *Busy) Stop() {
	b.bar.Stop()
	b.Content.Hide()
	for _, c := range b.controls {
		c.Enable()
	}
}

// Running says whether Start was called without Stop.
func (b *Busy) Running() bool { return b.Content.Visible() }
