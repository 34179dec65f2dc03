// Package winui holds what a Windows clerk expects of a desktop program
// and Fyne 2.7 does not do: the citizen display opened on the second
// monitor, and printing through the Windows print dialog. The Win32 calls
// are in the *_windows.go files; on other systems the functions report
// that they did nothing, and the choices they make (which monitor, where a
// page goes on the paper) are plain functions tested everywhere.
package winui

import "sort"

// Rect is a rectangle in virtual-screen pixels, right and bottom
// exclusive, as Win32's RECT.
type Rect struct{ Left, Top, Right, Bottom int }

// Dx is the rectangle's width.
func (r Rect) Dx() int { return r.Right - r.Left }

// Dy is the rectangle's height.
func (r Rect) Dy() int { return r.Bottom - r.Top }

func (r Rect) empty() bool { return r.Right <= r.Left || r.Bottom <= r.Top }

func (r Rect) contains(x, y int) bool {
	return x >= r.Left && x < r.Right && y >= r.Top && y < r.Bottom
}

// overlap is the area r and s share.
func (r Rect) overlap(s Rect) int {
	w := min(r.Right, s.Right) - max(r.Left, s.Left)
	h := min(r.Bottom, s.Bottom) - max(r.Top, s.Top)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// Monitor is one monitor as Windows describes it: its whole area and its
// work area (without the taskbar).
type Monitor struct {
	Bounds, Work Rect
	Primary      bool
}

// displayTarget picks where the citizen display goes: a monitor other than
// the console's (the one holding the centre of console, or failing that
// the one it overlaps most, or failing that the primary, or the first;
// a monitor mirroring it is the same one), the leftmost
// then topmost if there are several; its work area, or its whole area when
// fullscreen. ok is false when there is no other monitor.
func displayTarget(monitors []Monitor, console Rect, fullscreen bool) (target Rect, ok bool) {
	var mons []Monitor
	for _, m := range monitors {
		if !m.Bounds.empty() {
			mons = append(mons, m)
		}
	}
	home := -1
	cx, cy := console.Left+console.Dx()/2, console.Top+console.Dy()/2
	for i, m := range mons {
		if m.Bounds.contains(cx, cy) {
			home = i
			break
		}
	}
	if home < 0 {
		best := 0
		for i, m := range mons {
			if a := m.Bounds.overlap(console); a > best {
				home, best = i, a
			}
		}
	}
	if home < 0 {
		for i, m := range mons {
			if m.Primary {
				home = i
				break
			}
		}
	}
	if home < 0 {
		if len(mons) == 0 {
			return Rect{}, false
		}
		home = 0
	}
	// A monitor mirroring the console's (same area) is not another one.
	var others []Monitor
	for _, m := range mons {
		if m.Bounds != mons[home].Bounds {
			others = append(others, m)
		}
	}
	if len(others) == 0 {
		return Rect{}, false
	}
	sort.SliceStable(others, func(i, j int) bool {
		a, b := others[i].Bounds, others[j].Bounds
		if a.Left != b.Left {
			return a.Left < b.Left
		}
		return a.Top < b.Top
	})
	m := others[0]
	if fullscreen || m.Work.empty() {
		return m.Bounds, true
	}
	return m.Work, true
}
