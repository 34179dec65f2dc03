package main

import (
	"regexp"
)

var (
	tomlVersion = regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`)
	tomlBuild   = regexp.MustCompile(`(?m)^\s*Build\s*=\s*(\d+)`)
)

// fromFyneApp reads the version and build FyneApp.toml declares ("" for
// what it does not).
func fromFyneApp(toml string) (version, build string) {
	if m := tomlVersion.FindStringSubmatch(toml); m != nil {
		version = m[1]
	}
	if m := tomlBuild.FindStringSubmatch(toml); m != nil {
		build = m[1]
	}
	return version, build
}
