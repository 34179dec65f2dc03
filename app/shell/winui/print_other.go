//go:build !windows

package winui

import (
	"errors"
	"image"

	"fyne.io/fyne/v2"
)

// CanPrint says whether PrintPages opens a print dialog here: only on
// Windows; elsewhere officers print the saved PDF.
const CanPrint = false

// PrintPages prints through the Windows print dialog; outside Windows it
// prints nothing and says so.
func PrintPages(title string, render func(dpi int) ([]image.Image, error), parent fyne.Window) (printed bool, err error) {
	return false, errors.New("print " + title + ": printing needs Windows; print the saved PDF")
}
