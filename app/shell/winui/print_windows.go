//go:build windows

package winui

import (
	"errors"
	"fmt"
	"image"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"golang.org/x/sys/windows"
)

// CanPrint says whether PrintPages opens a print dialog here.
const CanPrint = true

var (
	comdlg32                 = windows.NewLazySystemDLL("comdlg32.dll")
	procPrintDlgW            = comdlg32.NewProc("PrintDlgW")
	procCommDlgExtendedError = comdlg32.NewProc("CommDlgExtendedError")
	gdi32                    = windows.NewLazySystemDLL("gdi32.dll")
	procStartDocW            = gdi32.NewProc("StartDocW")
	procStartPage            = gdi32.NewProc("StartPage")
	procEndPage              = gdi32.NewProc("EndPage")
	procEndDoc               = gdi32.NewProc("EndDoc")
	procAbortDoc             = gdi32.NewProc("AbortDoc")
	procDeleteDC             = gdi32.NewProc("DeleteDC")
	procGetDeviceCaps        = gdi32.NewProc("GetDeviceCaps")
	procStretchDIBits        = gdi32.NewProc("StretchDIBits")
	procSetStretchBltMode    = gdi32.NewProc("SetStretchBltMode")
	procSetBrushOrgEx        = gdi32.NewProc("SetBrushOrgEx")
	kernel32                 = windows.NewLazySystemDLL("kernel32.dll")
	procGlobalFree           = kernel32.NewProc("GlobalFree")
)

const (
	pdReturnDC    = 0x00000100
	pdNoSelection = 0x00000004
	pdPageNums    = 0x00000002
	pdNoWarning   = 0x00080000 // the form says it in Chinese, not a message box

	horzRes    = 8  // HORZRES: printable width, device pixels
	vertRes    = 10 // VERTRES
	logPixelsX = 88 // LOGPIXELSX
	logPixelsY = 90 // LOGPIXELSY

	halftone     = 4          // HALFTONE stretch mode
	dibRGBColors = 0          // DIB_RGB_COLORS
	srcCopy      = 0x00CC0020 // SRCCOPY
)

// printDlg is PRINTDLGW with the 64-bit layout (natural alignment).
type printDlg struct {
	StructSize          uint32
	Owner               uintptr
	DevMode             uintptr
	DevNames            uintptr
	DC                  uintptr
	Flags               uint32
	FromPage            uint16
	ToPage              uint16
	MinPage             uint16
	MaxPage             uint16
	Copies              uint16
	Instance            uintptr
	CustData            uintptr
	PrintHook           uintptr
	SetupHook           uintptr
	PrintTemplateName   *uint16
	SetupTemplateName   *uint16
	PrintTemplateHandle uintptr
	SetupTemplateHandle uintptr
}

type docInfo struct { // DOCINFOW
	Size     int32
	DocName  *uint16
	Output   *uint16
	Datatype *uint16
	Type     uint32
}

type bitmapInfoHeader struct { // BITMAPINFOHEADER
	Size          uint32
	Width         int32
	Height        int32
	Planes        uint16
	BitCount      uint16
	Compression   uint32
	SizeImage     uint32
	XPelsPerMeter int32
	YPelsPerMeter int32
	ClrUsed       uint32
	ClrImportant  uint32
}

// PrintPages opens the Windows print dialog over parent and prints the
// pages render draws, at the printer's resolution (at most MaxPrintDPI),
// each fitted into the printable area, as a print job named title: the
// pages the officer chose, as many copies as asked. Cancelling the dialog
// prints nothing and returns false, nil.
//
// Call it on the UI goroutine: the dialog is modal to parent and runs its
// own message loop on the thread that owns parent's window.
func PrintPages(title string, render func(dpi int) ([]image.Image, error), parent fyne.Window) (printed bool, err error) {
	var owner uintptr
	if nw, ok := parent.(driver.NativeWindow); ok && parent != nil {
		nw.RunNative(func(ctx any) {
			if c, ok := ctx.(driver.WindowsWindowContext); ok {
				owner = c.HWND
			}
		})
	}
	// How many pages there are is known only once drawn; the dialog
	// offers a range, so they are drawn first at the cap, and again at the
	// printer's resolution if it is lower.
	pages, err := render(MaxPrintDPI)
	if err != nil {
		return false, fmt.Errorf("print %s: %w", title, err)
	}
	if len(pages) == 0 {
		return false, fmt.Errorf("print %s: no pages", title)
	}
	pd := printDlg{
		Owner: owner, Flags: pdReturnDC | pdNoSelection | pdNoWarning,
		FromPage: 1, ToPage: uint16(len(pages)), MinPage: 1, MaxPage: uint16(len(pages)), Copies: 1,
	}
	pd.StructSize = uint32(unsafe.Sizeof(pd))
	r, _, _ := procPrintDlgW.Call(uintptr(unsafe.Pointer(&pd)))
	defer func() {
		for _, h := range []uintptr{pd.DevMode, pd.DevNames} {
			if h != 0 {
				procGlobalFree.Call(h)
			}
		}
	}()
	if r == 0 {
		code, _, _ := procCommDlgExtendedError.Call()
		if code == 0 {
			return false, nil // cancelled
		}
		return false, fmt.Errorf("print %s: PrintDlgW: %w", title, printDlgError(code))
	}
	if pd.DC == 0 {
		return false, fmt.Errorf("print %s: the print dialog gave no printer", title)
	}
	dc := pd.DC
	defer procDeleteDC.Call(dc)

	dpi := devCap(dc, logPixelsX)
	if d := printDPI(dpi); d < MaxPrintDPI {
		if pages, err = render(d); err != nil {
			return false, fmt.Errorf("print %s: %w", title, err)
		}
	}
	first, last := 1, len(pages)
	if pd.Flags&pdPageNums != 0 {
		first, last = max(int(pd.FromPage), 1), min(int(pd.ToPage), len(pages))
	}
	copies := max(int(pd.Copies), 1)
	var order []image.Image
	for c := 0; c < copies; c++ {
		order = append(order, pages[first-1:last]...)
	}
	if len(order) == 0 {
		return false, fmt.Errorf("print %s: pages %d to %d of %d", title, first, last, len(pages))
	}

	name, err := windows.UTF16PtrFromString(title)
	if err != nil {
		return false, fmt.Errorf("print %s: %w", title, err)
	}
	di := docInfo{DocName: name}
	di.Size = int32(unsafe.Sizeof(di))
	if r, _, err := procStartDocW.Call(dc, uintptr(unsafe.Pointer(&di))); int32(r) <= 0 {
		return false, fmt.Errorf("print %s: StartDocW: %w", title, err)
	}
	areaW, areaH := devCap(dc, horzRes), devCap(dc, vertRes)
	procSetStretchBltMode.Call(dc, halftone)
	procSetBrushOrgEx.Call(dc, 0, 0, 0)
	for i, pg := range order {
		if err := printPage(dc, pg, areaW, areaH); err != nil {
			procAbortDoc.Call(dc)
			return false, fmt.Errorf("print %s: page %d: %w", title, i+1, err)
		}
	}
	if r, _, err := procEndDoc.Call(dc); int32(r) <= 0 {
		return false, fmt.Errorf("print %s: EndDoc: %w", title, err)
	}
	return true, nil
}

func devCap(dc uintptr, index int) int {
	r, _, _ := procGetDeviceCaps.Call(dc, uintptr(index))
	return int(int32(r))
}

func printPage(dc uintptr, pg image.Image, areaW, areaH int) error {
	if r, _, err := procStartPage.Call(dc); int32(r) <= 0 {
		return fmt.Errorf("StartPage: %w", err)
	}
	b := pg.Bounds()
	bits, _ := dib24(pg)
	bi := bitmapInfoHeader{Width: int32(b.Dx()), Height: -int32(b.Dy()), Planes: 1, BitCount: 24}
	bi.Size = uint32(unsafe.Sizeof(bi))
	at := fitPage(b.Dx(), b.Dy(), areaW, areaH)
	r, _, err := procStretchDIBits.Call(dc,
		uintptr(at.Left), uintptr(at.Top), uintptr(at.Dx()), uintptr(at.Dy()),
		0, 0, uintptr(b.Dx()), uintptr(b.Dy()),
		uintptr(unsafe.Pointer(&bits[0])), uintptr(unsafe.Pointer(&bi)), dibRGBColors, srcCopy)
	if int32(r) <= 0 {
		return fmt.Errorf("StretchDIBits: %w", err)
	}
	if r, _, err := procEndPage.Call(dc); int32(r) <= 0 {
		return fmt.Errorf("EndPage: %w", err)
	}
	return nil
}

// printDlgError names the common dialog's error codes a clerk can meet.
func printDlgError(code uintptr) error {
	switch code {
	case 0x1008: // PDERR_NODEFAULTPRN
		return ErrNoPrinter
	case 0x100A: // PDERR_PRINTERNOTFOUND
		return errors.New("the printer was not found")
	case 0x1006: // PDERR_INITFAILURE
		return errors.New("the printer driver could not start")
	}
	return fmt.Errorf("common dialog error %#x", code)
}
