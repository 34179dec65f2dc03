package shelltest

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
)

// Shot saves what w shows as name.png under $SANXIANG_SHOTS, when that is
// set: screens a test walks through, to look at (never compared).
func Shot(t testing.TB, w fyne.Window, name string) {
	t.Helper()
	dir := os.Getenv("SANXIANG_SHOTS")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
