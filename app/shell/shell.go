// Package shell starts the Fyne application every mode runs in: the theme
// with the bundled Chinese font, the translations and the language choice,
// the app icon. It is the only package under app/ that imports Fyne.
package shell

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
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

// QuitOnClose makes closing w (its close button, Alt+F4) quit the whole
// app (Quit). Fyne 2.7 quits when its master window is destroyed, but a
// second close event that arrives while the window is closing (wine
// delivers Alt+F4 twice now and then) resets the window's "should close"
// flag, so it is never destroyed and the process lives on with no window;
// quitting the app does not depend on that flag, and a second quit does
// nothing.
func QuitOnClose(w fyne.Window) {
	w.SetCloseIntercept(Quit)
}

// Quit quits the app and watches that the process ends: if it still runs
// ExitWatch later (its windows are gone by then), every goroutine's stack
// is written to stderr, so that the hang can be found, and the process
// exits with status 3. The records need no goodbye: every one is
// committed as it is made.
func Quit() {
	watchExit.Do(func() { time.AfterFunc(ExitWatch, exitStuck) })
	fyne.CurrentApp().Quit()
}

// ExitWatch is how long a quitting process may take to end.
var ExitWatch = 15 * time.Second

var (
	watchExit sync.Once
	// stuckOut and exit are where exitStuck writes and how it ends, for tests.
	stuckOut io.Writer = os.Stderr
	exit               = os.Exit
)

func exitStuck() {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	fmt.Fprintf(stuckOut, "sanxiang: still running %s after quitting; every goroutine:\n%s\n", ExitWatch, buf[:n])
	exit(3)
}

// Every runs fn on the UI goroutine every period until ctx ends: the idle
// and lock timers of the kiosk and the officer desk.
func Every(ctx context.Context, period time.Duration, fn func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fyne.Do(fn)
		}
	}
}

// FieldsForm lays out an item's labelled fields, values wrapped; a field
// whose value is a translation key is translated.
func FieldsForm(fields []catalog.Field) *widget.Form {
	form := widget.NewForm()
	for _, f := range fields {
		v := f.Value
		if f.ValueIsKey {
			v = L(v)
		}
		val := widget.NewLabel(v)
		val.Wrapping = fyne.TextWrapWord
		form.Append(L(f.Label), val)
	}
	return form
}

// QRImage draws url as a QR code (medium error correction) of the given
// size on screen, so a phone can open it; the URL itself if it cannot.
func QRImage(url string, size float32) fyne.CanvasObject {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return widget.NewLabel(url)
	}
	img := canvas.NewImageFromImage(q.Image(256))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}
