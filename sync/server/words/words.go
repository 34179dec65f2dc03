// Package words gives the platform's words for people — its pages, the
// messages of its HTTP errors, its alerts and receipt flags — from the
// translation files the device uses (assets/translations), keyed as the
// device's are. It is a small JSON lookup, not Fyne's lang package: the
// platform builds without Fyne and without cgo. The platform speaks
// Chinese, so it reads zh-Hans.json.
package words

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/sanxiang-desk/sanxiang/assets"
)

// File is the translation file the platform speaks.
const File = "translations/zh-Hans.json"

var table = sync.OnceValues(func() (map[string]string, error) {
	data, err := assets.Translations.ReadFile(File)
	if err != nil {
		return nil, fmt.Errorf("words: %w", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("words: %s: %w", File, err)
	}
	return m, nil
})

// Check says whether the translations can be read (the platform refuses
// to start without them).
func Check() error {
	_, err := table()
	return err
}

// L is the text of key, its {{.X}} filled from data when given; a key the
// file lacks is returned as it is.
func L(key string, data ...map[string]any) string {
	m, _ := table()
	v, ok := m[key]
	if !ok {
		return key
	}
	if len(data) == 0 {
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
