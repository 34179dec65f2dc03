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

// AVRequirements is the audio/video requirement list (音像记录事项清单) a
// platform bundles and holds until an administrator sets its city's. It is
// today the same file the demo city uses.
//
//go:embed demo/av.json
var AVRequirements []byte

// Demo holds the pools the demo data generator draws from.
//
//go:embed demo/*.json
var Demo embed.FS
