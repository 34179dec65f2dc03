// Package npmtools finds the third-party tools the tests run from outside
// the project (tools/npm: @redocly/cli, axe-core, tus-js-client), installed
// by ./dev from the pinned lock file. Without them a test fails when
// SANXIANG_REQUIRE_NPM=1 (./dev test) and skips otherwise.
package npmtools

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/internal/reporoot"
)

// Dir is tools/npm/node_modules of the repository holding the test.
func Dir(t testing.TB) string {
	t.Helper()
	return filepath.Join(reporoot.Dir(t), "tools", "npm", "node_modules")
}

// Path is the file rel inside node_modules (e.g. "axe-core/axe.min.js").
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		missing(t, rel)
	}
	return p
}

// Node is the node command that runs the tools.
func Node(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node")
	}
	return p
}

func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("SANXIANG_REQUIRE_NPM") == "1" {
		t.Fatalf("SANXIANG_REQUIRE_NPM=1 but %s is missing: run ./dev deps (npm ci --prefix tools/npm)", what)
	}
	t.Skipf("%s is missing (./dev deps installs tools/npm; SANXIANG_REQUIRE_NPM=1 makes this a failure)", what)
}
