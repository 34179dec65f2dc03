package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The core and everything the platform will import stay free of Fyne (and so
// of cgo's GL), as the architecture requires.
func TestCoreImportsNoFyne(t *testing.T) {
	core := []string{"./app/store", "./app/catalog", "./app/config", "./app/demo", "./app/redact", "./app/publish", "./app/draw", "./sync/..."}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, core...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("a core package depends on %s", p)
		}
	}
}

// The device layer, the sync client and the bundle builder never know the
// demo city: a real city's device must not fall back on its rules.
func TestDeviceLayerKnowsNoDemo(t *testing.T) {
	pkgs := []string{"./app/device", "./app/bundle", "./sync/client"}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/sanxiang-desk/sanxiang/app/demo" {
			t.Errorf("%v depend on %s", pkgs, p)
		}
		if strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("%v depend on %s", pkgs, p)
		}
	}
}
