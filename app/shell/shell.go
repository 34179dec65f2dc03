// Package shell starts the Fyne application every mode runs in: the theme
// with the bundled Chinese font, the translations and the language choice,
// the app icon. It is the only package under app/ that imports Fyne.
package shell

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	_ "github.com/sanxiang-desk/sanxiang/app/shell/localeinit" // must run before Fyne reads the locale
	"github.com/sanxiang-desk/sanxiang/assets"
)

// AppID is the application's reverse-DNS identifier, as in FyneApp.toml.
const AppID = "cn.sanxiang.desk"

// NewApp creates the Fyne application with the application theme.
func NewApp(t Theme) fyne.App {
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	a.Settings().SetTheme(t)
	return a
}
