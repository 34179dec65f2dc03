//go:build windows

package winui

import "testing"

// Windows always has a primary monitor with an area; a lister that finds
// none, or none marked primary, has misread MONITORINFO.
func TestMonitorsListed(t *testing.T) {
	mons, err := Monitors()
	if err != nil {
		t.Fatal(err)
	}
	primary := 0
	for _, m := range mons {
		t.Logf("monitor %+v", m)
		if m.Bounds.empty() {
			t.Errorf("monitor with no area: %+v", m)
		}
		if m.Primary {
			primary++
		}
	}
	if primary != 1 {
		t.Errorf("%d primary monitors among %d, want 1", primary, len(mons))
	}
}
