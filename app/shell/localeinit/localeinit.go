// Package localeinit runs before Fyne's lang package reads the locale at
// start-up. Fyne parses the language of LC_ALL/LC_MESSAGES/LANG and logs an
// error for "C.UTF-8", the default of Debian images and kiosks; naming
// Chinese in LANGUAGE (which gettext and go-locale read for any locale but
// C and POSIX) gives it a tag it can parse. shell.SetLanguage sets the real
// choice later.
//
// It must import nothing but the standard library: Go initialises packages in
// import-path order among those whose imports are ready, so this package
// (github.com/s…) runs before golang.org/x/text, and with it fyne.io/…/lang.
package localeinit

import (
	"os"
	"strings"
)

func init() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			if strings.HasPrefix(s, "C.") && os.Getenv("LANGUAGE") == "" {
				os.Setenv("LANGUAGE", "zh_CN:zh")
			}
			return
		}
	}
}
