package shell

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

// SignInError says in the person's language why a sign-in failed; "" for
// no error.
func SignInError(err error, lockedUntil time.Time) string {
	switch {
	case err == nil:
		return ""
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
	return L("error.generic") + " " + err.Error()
}

// CertificateError words a refusal because a certificate is not in force
// (at sign-in, or for an officer an on-site record names), or "" when err
// is not one.
func CertificateError(err error) string {
	if !errors.Is(err, account.ErrCertificate) {
		return ""
	}
	switch {
	case errors.Is(err, catalog.ErrCertRevoked):
		return L("cert.err_revoked")
	case errors.Is(err, catalog.ErrCertSuspended):
		return L("cert.err_suspended")
	}
	return L("cert.err_expired")
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
