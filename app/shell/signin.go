package shell

import (
	"errors"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
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
	return L("error.generic") + " " + err.Error()
}
