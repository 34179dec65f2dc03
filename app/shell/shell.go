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
// app (Quit).
func QuitOnClose(w fyne.Window) {
	w.SetCloseIntercept(Quit)
}

// OnQuit adds f to what Quit does before the process exits (the mode's
// own closing: its background work stopped, its device closed); the last
// added runs first.
func OnQuit(f func()) {
	quitMu.Lock()
	defer quitMu.Unlock()
	onQuit = append(onQuit, f)
}

// Quit ends the app: its windows go at once, the OnQuit functions run and
// the process exits. Fyne's own teardown is not waited for: in 2.7 it
// can hang for good — a second close event arriving while a window closes
// resets its "should close" flag, so it is never destroyed; a window
// event still queued as the main loop stops leaves Run waiting for it
// forever — and both were seen under wine, about once in five to twenty
// closes. Nothing is lost by not waiting: every record is committed as it
// is made, and the OS frees the windows. If the OnQuit functions
// themselves hang, ExitWatch later every goroutine's stack is written to
// stderr, so that the hang can be found, and the process exits with
// status 3. A second Quit does nothing.
func Quit() {
	quitOnce.Do(func() {
		watch := time.AfterFunc(ExitWatch, exitStuck)
		for _, w := range fyne.CurrentApp().Driver().AllWindows() {
			w.Hide()
		}
		quitMu.Lock()
		fs := onQuit
		quitMu.Unlock()
		for i := len(fs) - 1; i >= 0; i-- {
			fs[i]()
		}
		exit(0)
		watch.Stop() // only where exit returns: in tests
	})
}

// LogError logs err, if there is one, as what failed.
func LogError(what string, err error) {
	if err != nil {
		fyne.LogError(what, err)
	}
}

// ExitWatch is how long a quitting process may take to end.
var ExitWatch = 15 * time.Second

var (
	quitOnce sync.Once
	quitMu   sync.Mutex
	onQuit   []func()
	// stuckOut and exit are where exitStuck writes and how the process
	// ends, for tests.
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
