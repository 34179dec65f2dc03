package shell

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/sanxiang-desk/sanxiang/assets"
)

var fontRegular, fontBold = loadFont(assets.FontRegular), loadFont(assets.FontBold)

func loadFont(name string) fyne.Resource {
	data, err := assets.Fonts.ReadFile(name)
	if err != nil {
		panic("bundled font missing from the build: " + name) // go:embed guarantees it; only a broken build gets here
	}
	return fyne.NewStaticResource(name, data)
}

// Theme is the application's look: Fyne's default colours and icons with the
// bundled Simplified Chinese font, so Chinese renders on machines without a
// CJK system font. Large is the kiosk's touch variant: bigger text and targets,
// readable from a standing distance. HighContrast is the option for elderly
// and low-vision citizens (适老化): white on black, yellow accents. Scheme
// fixes the colours to light or dark whatever the system prefers: the
// kiosk is light by default, as a public service's screens are, and a
// hall may choose dark.
type Theme struct {
	Large bool
	// Touch is the kiosk's: Large, with every button at least MinTouch
	// tall (a display nobody touches keeps Large's tighter padding).
	Touch        bool
	HighContrast bool
	Scheme       Scheme
}

// Scheme is a theme's colour scheme: SchemeSystem follows the system's
// light or dark preference.
type Scheme string

// The colour schemes; their values are what the settings file holds.
const (
	SchemeSystem Scheme = ""
	SchemeLight  Scheme = "light"
	SchemeDark   Scheme = "dark"
)

// variant is the variant t draws in when the system asks for v.
func (t Theme) variant(v fyne.ThemeVariant) fyne.ThemeVariant {
	switch t.Scheme {
	case SchemeLight:
		return theme.VariantLight
	case SchemeDark:
		return theme.VariantDark
	}
	return v
}

var _ fyne.Theme = Theme{}

// Font returns the bundled face for all proportional text; Fyne's monospace
// face stays for code-like text, with system fallback for any CJK in it.
func (t Theme) Font(style fyne.TextStyle) fyne.Resource {
	if style.Monospace || style.Symbol {
		return theme.DefaultTheme().Font(style)
	}
	if style.Bold {
		return fontBold
	}
	return fontRegular
}

func (t Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if !t.HighContrast {
		return theme.DefaultTheme().Color(n, t.variant(v))
	}
	switch n {
	case theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground,
		theme.ColorNameHeaderBackground:
		return color.Black
	case theme.ColorNameInputBackground, theme.ColorNameButton:
		return color.Gray{Y: 0x22}
	case theme.ColorNameForeground, theme.ColorNameForegroundOnPrimary:
		if n == theme.ColorNameForegroundOnPrimary {
			return color.Black
		}
		return color.White
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return color.NRGBA{R: 0xff, G: 0xd6, B: 0x00, A: 0xff}
	case theme.ColorNameSeparator, theme.ColorNameInputBorder:
		return color.Gray{Y: 0xaa}
	case theme.ColorNamePlaceHolder, theme.ColorNameDisabled:
		return color.Gray{Y: 0xbb}
	}
	return theme.DefaultTheme().Color(n, theme.VariantDark)
}

// How much bigger the kiosk draws text and spacing (Large), and how much
// bigger again the high-contrast look draws text for elderly and
// low-vision citizens (大字): a real step of 1.5×. Only text and the icons
// set in it grow by that step; padding and targets stay as in Large, so the
// screens keep fitting 1280×800. largeInner is Large's padding inside a
// button, which makes every button at least MinTouch tall.
const (
	largeScale = 1.6
	largeInner = 21
	elderText  = 1.5
	elderIcon  = 1.25
)

// MinTouch is the smallest touch target the kiosk draws, 15 mm, in Fyne's
// units: Fyne scales a canvas so that a unit is 1/120 inch on a screen of
// 120 dpi or more (its baselineDPI), and one pixel, larger still, on a
// coarser screen, so 15 mm is at most 15/25.4×120 ≈ 70.9 units.
const MinTouch = 71

func (t Theme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	if !t.Large {
		return s
	}
	switch n {
	case theme.SizeNameSeparatorThickness, theme.SizeNameInputBorder:
		return s * 2
	case theme.SizeNameScrollBar:
		return 24 // a finger can drag it
	case theme.SizeNameScrollBarSmall:
		return 8
	case theme.SizeNameInnerPadding:
		if t.Touch {
			return largeInner
		}
	}
	s *= largeScale
	if t.HighContrast {
		switch n {
		case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText:
			s *= elderText
		case theme.SizeNameInlineIcon:
			s *= elderIcon
		}
	}
	return s
}
