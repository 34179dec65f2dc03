// Package assets embeds the files every build carries: the bundled Chinese
// font, the translations, the demo data pools and document templates. It holds
// data only; code that interprets the files lives in the packages that use them.
package assets

import "embed"

// Fonts holds the Noto Sans SC subsets made by fonts/subset.sh.
//
//go:embed fonts/NotoSansSC-Regular-GB2312.otf fonts/NotoSansSC-Bold-GB2312.otf
var Fonts embed.FS

// FontRegular and FontBold name the files in Fonts.
const (
	FontRegular = "fonts/NotoSansSC-Regular-GB2312.otf"
	FontBold    = "fonts/NotoSansSC-Bold-GB2312.otf"
)

// Translations holds one JSON file per language in translations/, in the
// format of Fyne's lang package (go-i18n), named by language tag.
//
//go:embed translations
var Translations embed.FS

// Icon is the application icon (make-icon.sh), as in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte

// PDFFont is the TrueType twin of the regular face (fonts/to-ttf.py), for
// printed documents: the PDF writer embeds TrueType outlines only.
//
//go:embed fonts/NotoSansSC-Regular-GB2312.ttf
var PDFFont []byte

// DocumentTemplates are the standard enforcement documents (文书).
//
//go:embed documents/templates.json
var DocumentTemplates []byte

// PrintWords are the words printed on paper case files (always Chinese).
//
//go:embed documents/print.json
var PrintWords []byte

// Checklists are the legal review checklist templates (法制审核).
//
//go:embed review/checklists.json
var Checklists []byte

// Calendar is the working-day calendar: holidays and make-up workdays.
//
//go:embed calendar/cn.json
var Calendar []byte

// AVBaseline is the nationwide audio/video recording baseline (音像记录事项
// 清单, rules/README.md): what every agency records until its city's own list
// arrives. A platform serves it until an administrator sets the city's list;
// a device applies it before its first sync. It describes no city.
//
//go:embed rules/av.json
var AVBaseline []byte

// Demo holds the pools the demo data generator draws from, and the demo
// city's agencies and people as the files an administrator imports
// (agencies.csv, people.csv; regenerated from the pools by
// `go test ./sync/server/demoload -update`), and the demo hall's emblem.
//
//go:embed demo/*.json demo/*.csv demo/emblem.svg
var Demo embed.FS

// Procedures are the national default procedures of the six acts
// (执法程序): each act's stages in order with their prerequisites, documents,
// audio-visual flags and statutory clocks. An agency's own versions come
// from its platform and replace these for that agency.
//
//go:embed procedures/national.json
var Procedures []byte

// Retention is how long an archive keeps a closed case's file (保管期限) by
// act, procedure and what the case decided: rules read in order, the first
// that fits gives "permanent" or a number of years.
//
//go:embed procedures/retention.json
var Retention []byte
