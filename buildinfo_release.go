//go:build release

package main

import (
	_ "embed"

	"github.com/sanxiang-desk/sanxiang/internal/buildinfo"
)

// A release build (fyne package --release builds with the release tag)
// takes its version and build from the FyneApp.toml it was built from:
// fyne package -os windows builds twice, and the shipped second build
// loses the -X main.build the first took out of GOFLAGS.
//
//go:embed FyneApp.toml
var fyneApp string

func init() {
	v, b := buildinfo.FromFyneApp(fyneApp)
	if v != "" {
		version = v
	}
	if b != "" && build == "dev" {
		build = b
	}
}
