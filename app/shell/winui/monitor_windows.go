//go:build windows

package winui

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"golang.org/x/sys/windows"
)

// x/sys/windows (already a direct dependency) loads the DLLs from
// system32 only; it wraps none of the monitor or window calls, so they are
// looked up by name here.
var (
	user32                  = windows.NewLazySystemDLL("user32.dll")
	procEnumDisplayMonitors = user32.NewProc("EnumDisplayMonitors")
	procGetMonitorInfoW     = user32.NewProc("GetMonitorInfoW")
	procSetWindowPos        = user32.NewProc("SetWindowPos")
)

const (
	monitorInfoPrimary = 0x1 // MONITORINFOF_PRIMARY
	swpNoZOrder        = 0x0004
	swpNoActivate      = 0x0010
	swpFrameChanged    = 0x0020
	gwlStyle           = ^uintptr(15)                                                   // GWL_STYLE, -16
	wsFrame            = 0x00C00000 | 0x00040000 | 0x00080000 | 0x00020000 | 0x00010000 // caption, sizing border, system menu, minimise, maximise
	wsPopup            = 0x80000000
)

type monitorInfo struct { // MONITORINFO
	Size          uint32
	Monitor, Work windows.Rect
	Flags         uint32
}

// The enumeration callback is made once: Windows callbacks made by
// NewCallback are never freed. What it finds goes to enumFound under
// enumMu; EnumDisplayMonitors calls it synchronously on this thread.
var (
	enumMu    sync.Mutex
	enumFound []Monitor
	enumErr   error
	enumProc  = sync.OnceValue(func() uintptr {
		return windows.NewCallback(func(hmon, _, _, _ uintptr) uintptr {
			mi := monitorInfo{Size: uint32(unsafe.Sizeof(monitorInfo{}))}
			if r, _, err := procGetMonitorInfoW.Call(hmon, uintptr(unsafe.Pointer(&mi))); r == 0 {
				enumErr = fmt.Errorf("GetMonitorInfoW: %w", err)
				return 0
			}
			enumFound = append(enumFound, Monitor{
				Bounds:  rect(mi.Monitor),
				Work:    rect(mi.Work),
				Primary: mi.Flags&monitorInfoPrimary != 0,
			})
			return 1
		})
	})
)

func rect(r windows.Rect) Rect {
	return Rect{int(r.Left), int(r.Top), int(r.Right), int(r.Bottom)}
}

// Monitors lists the monitors of the desktop as Windows sees them.
func Monitors() ([]Monitor, error) {
	cb := enumProc()
	enumMu.Lock()
	defer enumMu.Unlock()
	enumFound, enumErr = nil, nil
	r, _, err := procEnumDisplayMonitors.Call(0, 0, cb, 0)
	if enumErr != nil {
		return nil, fmt.Errorf("list monitors: %w", enumErr)
	}
	if r == 0 {
		return nil, fmt.Errorf("list monitors: EnumDisplayMonitors: %w", err)
	}
	return enumFound, nil
}

// PlaceOnSecondMonitor moves w, the citizen display, to a monitor other
// than the primary one (where Windows opens the console) and makes it fill
// that monitor's work area, or, when fullscreen is true, makes it full
// screen there through Fyne. placed is false, and w left alone, when there
// is only one monitor (or several showing the same picture).
//
// Fyne makes a window full screen on the GLFW monitor holding the window's
// centre, so the window is moved first (a full-screen one made windowed
// before), then made full screen, then set on the monitor's area once
// more: GLFW takes monitor positions from EnumDisplaySettingsExW, which
// wine (Xinerama) answers for the primary only, reporting the second as
// 0,0 0x0, and there Fyne's full screen lands on the primary. A full
// screen window is a bare popup to GLFW, so a later resize by Fyne keeps
// it to the monitor; a borderless window made here instead would grow by
// a frame's size whenever Fyne resizes it (GLFW adds the frame of the
// style it believes the window has).
//
// Call it on the UI goroutine (directly in main before app.Run, or inside
// fyne.Do) and after w.Show(): Fyne creates the native window in Show,
// and RunNative reads it without locking, passing a zero HWND before.
func PlaceOnSecondMonitor(w fyne.Window, fullscreen bool) (placed bool, err error) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return false, errors.New("place display: the window has no native handle")
	}
	var hwnd uintptr
	nw.RunNative(func(ctx any) {
		switch c := ctx.(type) {
		case driver.WindowsWindowContext:
			hwnd = c.HWND
		case *driver.WindowsWindowContext:
			hwnd = c.HWND
		}
	})
	if hwnd == 0 {
		return false, errors.New("place display: the window is not shown yet")
	}
	mons, err := Monitors()
	if err != nil {
		return false, fmt.Errorf("place display: %w", err)
	}
	var primary Rect
	for _, m := range mons {
		if m.Primary {
			primary = m.Bounds
		}
	}
	target, ok := displayTarget(mons, primary, fullscreen)
	if !ok {
		return false, nil
	}
	if w.FullScreen() {
		w.SetFullScreen(false)
	}
	if err := setWindowPos(hwnd, target); err != nil {
		return false, err
	}
	if fullscreen {
		w.SetFullScreen(true)
		if err := setWindowPos(hwnd, target); err != nil {
			return false, err
		}
	}
	return true, nil
}

func setWindowPos(hwnd uintptr, r Rect) error {
	ok, _, err := procSetWindowPos.Call(hwnd, 0,
		uintptr(r.Left), uintptr(r.Top), uintptr(r.Dx()), uintptr(r.Dy()), swpNoZOrder|swpNoActivate)
	if ok == 0 {
		return fmt.Errorf("place display: SetWindowPos: %w", err)
	}
	return nil
}
