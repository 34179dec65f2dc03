package shell

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/sanxiang-desk/sanxiang/assets"
)

// Languages the application ships, Simplified Chinese first.
const (
	LangChinese = "zh"
	LangEnglish = "en"
)

var translationFile = map[string]string{
	LangChinese: "translations/zh-Hans.json",
	LangEnglish: "translations/en.json",
}

// SystemLanguage is the language the OS asks for, or "" when it names none
// (LANG=C or POSIX, common on kiosks), in which case Chinese is used.
func SystemLanguage() string {
	var loc string
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		loc = string(lang.SystemLocale())
	} else {
		loc = unixLocale()
	}
	switch {
	case strings.HasPrefix(loc, "zh"):
		return LangChinese
	case loc == "":
		return ""
	}
	return LangEnglish
}

// unixLocale reads the variables gettext reads, in its order; "" for the C
// locale. It does not ask Fyne, which logs an error for "C.UTF-8".
func unixLocale() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		s := os.Getenv(v)
		if s == "" {
			continue
		}
		if s == "C" || s == "POSIX" || strings.HasPrefix(s, "C.") {
			return ""
		}
		if l := os.Getenv("LANGUAGE"); l != "" {
			return l
		}
		return s
	}
	return ""
}

// SetLanguage loads the translations and makes choice ("zh", "en", or "" to
// follow the OS, Chinese when the OS names no language) the language of every
// string, Fyne's own dialogs included. It returns the language in force.
//
// Fyne has no public override of the locale: it asks go-locale, which reads
// LANGUAGE and the LC_* variables on Linux and the user's UI language on
// Windows. So on Linux the environment is pointed at the choice before the
// translations are added (each addition re-reads it); elsewhere the chosen
// file is also registered under the OS locale, which covers every string of
// ours (Fyne's built-in dialog words then stay in the OS language).
func SetLanguage(choice string) (string, error) {
	switch choice {
	case "":
		choice = SystemLanguage()
		if choice == "" {
			choice = LangChinese
		}
	case LangChinese, LangEnglish:
	default:
		return "", fmt.Errorf("unknown language %q: use zh or en", choice)
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		pointEnvironmentAt(choice)
	}
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		return "", fmt.Errorf("load translations: %w", err)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		if SystemLanguage() != choice {
			data, err := assets.Translations.ReadFile(translationFile[choice])
			if err != nil {
				return "", err
			}
			if err := lang.AddTranslationsForLocale(data, lang.SystemLocale()); err != nil {
				return "", err
			}
		}
	}
	current = choice
	return choice, nil
}

var current = LangChinese

// Language is the language SetLanguage put in force.
func Language() string { return current }

func pointEnvironmentAt(choice string) {
	want := "zh_CN:zh"
	if choice == LangEnglish {
		want = "en_US:en"
	}
	isC := func(s string) bool { return s == "C" || s == "POSIX" }
	// go-locale ignores LANGUAGE while the locale is C or POSIX; C.UTF-8 has
	// the same meaning to the C library and lets LANGUAGE speak.
	if all := os.Getenv("LC_ALL"); all != "" {
		if isC(all) {
			os.Setenv("LC_ALL", "C.UTF-8")
		}
	} else if m := os.Getenv("LC_MESSAGES"); m == "" || isC(m) {
		if l := os.Getenv("LANG"); m != "" || l == "" || isC(l) {
			os.Setenv("LC_MESSAGES", "C.UTF-8")
		}
	}
	os.Setenv("LANGUAGE", want)
}

// L translates key; a shorthand the screens share.
func L(key string, data ...any) string { return lang.L(key, data...) }

// Locale is the fyne.Locale of the language in force, for formatting.
func Locale() fyne.Locale {
	if current == LangEnglish {
		return "en"
	}
	return "zh-Hans"
}
