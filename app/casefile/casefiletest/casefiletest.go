// Package casefiletest opens case logs in a test's temporary folder, for
// the tests of the packages built on the case file.
package casefiletest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// Open opens a new log (casefile.db, media/) in a fresh temporary folder
// with origin as its device, closed when the test ends.
func Open(t testing.TB, origin string) *casefile.Log {
	t.Helper()
	dir := t.TempDir()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), origin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
