package pages

import (
	"strings"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// portrait is an officer's photo on their public page, or, without one,
// a placeholder that still says whose page it is: the surname in a circle,
// the name and 暂无照片.
type portrait struct {
	URL, Alt      string // the photo; "" for none
	Initial, Name string // the placeholder's
	None          string // its words
}

// portraitOf is the portrait of an item that has one (an officer), nil
// for any other.
func portraitOf(it catalog.Item) *portrait {
	o, ok := it.(*catalog.Officer)
	if !ok {
		return nil
	}
	if o.Photo != "" {
		return &portrait{URL: api.PhotoPath(o.Photo), Alt: words.L("platform.console.photo_of", map[string]any{"Name": o.Name})}
	}
	name := strings.TrimSpace(o.Name)
	r, _ := utf8.DecodeRuneInString(name)
	initial := ""
	if r != utf8.RuneError {
		initial = strings.ToUpper(string(r))
	}
	return &portrait{Initial: initial, Name: name, None: words.L("platform.console.no_photo")}
}
