// Package reporoot finds, for a test, the repository it runs in: the
// folder above the test's holding go.mod, where the assets and the pinned
// tools are.
package reporoot

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir is the repository's root folder.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("reporoot: no go.mod above the test's folder")
		}
		dir = parent
	}
}
