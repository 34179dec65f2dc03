package catalog_test

import (
	"os"
	"path/filepath"
	"testing"
)

func makeTempDir() (string, error) { return os.MkdirTemp("", "sanxiang-bench-") }

// TestMain removes the benchmark catalog that several benchmarks share.
func TestMain(m *testing.M) {
	code := m.Run()
	if large.path != "" {
		os.RemoveAll(filepath.Dir(large.path))
	}
	os.Exit(code)
}
