// Package buildinfo reads the version and build FyneApp.toml declares, for
// a release build that embeds the file (fyne package -os windows builds
// twice, and its second build loses -X flags).
package buildinfo

import "regexp"

var (
	tomlVersion = regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`)
	tomlBuild   = regexp.MustCompile(`(?m)^\s*Build\s*=\s*(\d+)`)
)

// FromFyneApp reads the version and build a FyneApp.toml declares ("" for
// what it does not).
func FromFyneApp(toml string) (version, build string) {
	if m := tomlVersion.FindStringSubmatch(toml); m != nil {
		version = m[1]
	}
	if m := tomlBuild.FindStringSubmatch(toml); m != nil {
		build = m[1]
	}
	return version, build
}
