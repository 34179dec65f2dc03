package main

import (
	"os"
	"testing"

	"github.com/sanxiang-desk/sanxiang/internal/buildinfo"
)

// A release build takes its version from FyneApp.toml: it must be the one
// a development build reports.
func TestVersionIsFyneApps(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := buildinfo.FromFyneApp(string(data)); v != version {
		t.Fatalf("FyneApp.toml says %q; main.version is %q", v, version)
	}
}
