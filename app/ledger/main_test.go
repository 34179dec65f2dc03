package ledger

import (
	"os"
	"testing"
)

var benchDirs []string

func makeBenchDir() (string, error) {
	d, err := os.MkdirTemp("", "sanxiang-ledger-bench-")
	if err == nil {
		benchDirs = append(benchDirs, d)
	}
	return d, err
}

// TestMain removes what benchmarks shared across runs.
func TestMain(m *testing.M) {
	code := m.Run()
	if bigLog.log != nil {
		bigLog.log.Close()
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}
