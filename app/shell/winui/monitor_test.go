package winui

import "testing"

func TestDisplayGoesToTheOtherMonitor(t *testing.T) {
	left := Monitor{Bounds: Rect{0, 0, 1920, 1080}, Work: Rect{0, 0, 1920, 1040}, Primary: true}
	right := Monitor{Bounds: Rect{1920, 0, 3200, 800}, Work: Rect{1920, 0, 3200, 760}}
	above := Monitor{Bounds: Rect{0, -1080, 1920, 0}, Work: Rect{0, -1080, 1920, -40}}
	farLeft := Monitor{Bounds: Rect{-1280, 100, 0, 900}, Work: Rect{-1280, 100, 0, 860}}
	console := Rect{300, 200, 1200, 840}
	for _, tc := range []struct {
		name       string
		monitors   []Monitor
		console    Rect
		fullscreen bool
		want       Rect
		ok         bool
	}{
		{"one monitor: nowhere to go", []Monitor{left}, console, false, Rect{}, false},
		{"no monitors at all", nil, console, false, Rect{}, false},
		{"second to the right: its work area", []Monitor{left, right}, console, false, right.Work, true},
		{"full screen takes the whole monitor", []Monitor{left, right}, console, true, right.Bounds, true},
		{"order of enumeration does not matter", []Monitor{right, left}, console, false, right.Work, true},
		{"console on the secondary monitor: display to the primary", []Monitor{left, right}, Rect{2000, 100, 2900, 740}, false, left.Work, true},
		{"monitor above, negative coordinates", []Monitor{left, above}, console, false, above.Work, true},
		{"three monitors: the leftmost other", []Monitor{left, right, farLeft}, console, false, farLeft.Work, true},
		{"console straddling: the monitor holding its centre", []Monitor{left, right}, Rect{1500, 0, 2100, 600}, false, right.Work, true},
		{"console off every monitor: the one it overlaps most", []Monitor{left, right}, Rect{1800, 700, 2400, 1500}, false, left.Work, true},
		{"console nowhere: the primary is the console's", []Monitor{right, left}, Rect{9000, 9000, 9100, 9100}, false, right.Work, true},
		{"mirrored monitors are one", []Monitor{left, {Bounds: left.Bounds, Work: left.Work}}, console, false, Rect{}, false},
		{"a monitor with no area is ignored", []Monitor{left, {Bounds: Rect{1920, 0, 1920, 0}}}, console, false, Rect{}, false},
		{"no work area reported: the whole monitor", []Monitor{left, {Bounds: right.Bounds}}, console, false, right.Bounds, true},
	} {
		got, ok := displayTarget(tc.monitors, tc.console, tc.fullscreen)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
