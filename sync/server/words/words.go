// Package words gives the platform's words for people — its pages, the
// messages of its HTTP errors, its alerts and receipt flags — from the
// translation files the device uses (assets/translations), keyed as the
// device's are. It is a small JSON lookup, not Fyne's lang package: the
// platform builds without Fyne and without cgo. The platform speaks
// Chinese (zh-Hans.json); an API caller that asks for English by
// Accept-Language gets its error messages from en.json (Lang, In).
package words

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"golang.org/x/text/language"

	"github.com/sanxiang-desk/sanxiang/assets"
)

// The languages the platform speaks, the first its own.
const (
	Chinese = "zh-Hans"
	English = "en"
)

// File is the translation file the platform speaks.
const File = "translations/" + Chinese + ".json"

var tables = sync.OnceValues(func() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, lang := range []string{Chinese, English} {
		name := "translations/" + lang + ".json"
		data, err := assets.Translations.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("words: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("words: %s: %w", name, err)
		}
		out[lang] = m
	}
	return out, nil
})

// Check says whether the translations can be read (the platform refuses
// to start without them).
func Check() error {
	_, err := tables()
	return err
}

// L is the Chinese text of key, its {{.X}} filled from data when given; a
// key the file lacks is returned as it is.
func L(key string, data ...map[string]any) string {
	return In(Chinese, key, data...)
}

// In is L in the language lang (Chinese or English); a key English lacks
// falls back to Chinese.
func In(lang, key string, data ...map[string]any) string {
	all, _ := tables()
	v, ok := all[lang][key]
	if !ok {
		if v, ok = all[Chinese][key]; !ok {
			return key
		}
	}
	if len(data) == 0 || data[0] == nil {
		return v
	}
	t, err := template.New("").Parse(v)
	if err != nil {
		return v
	}
	var b strings.Builder
	if t.Execute(&b, data[0]) != nil {
		return v
	}
	return b.String()
}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Lang is the language to answer a caller whose Accept-Language header is
// accept: English when it prefers English to Chinese, else Chinese (also
// for no header, a malformed one, or only languages the platform lacks).
func Lang(accept string) string {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return English
	}
	return Chinese
}

// Msg is a message for people not yet put in a language: a translation
// key and what fills it. As an error it reads in Chinese.
type Msg struct {
	Key  string
	Data map[string]any
}

// M is the message of key with data.
func M(key string, data ...map[string]any) Msg {
	m := Msg{Key: key}
	if len(data) > 0 {
		m.Data = data[0]
	}
	return m
}

// In is the message in lang.
func (m Msg) In(lang string) string { return In(lang, m.Key, m.Data) }

// Error is the message in Chinese.
func (m Msg) Error() string { return L(m.Key, m.Data) }

// Of is the message err carries (a Msg it wraps), or err's own text for
// an error that carries none.
func Of(err error) Msg {
	var m Msg
	if errors.As(err, &m) {
		return m
	}
	return Msg{Key: err.Error()}
}
