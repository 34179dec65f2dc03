package officer

import (
	"os"
	"path/filepath"
	"testing"
)

// Copies handed to the system player (plaintext, read-only) are all
// removed by the sweep, and a sweep with none is no error.
func TestSweepPlayCopies(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	if err := SweepPlayCopies(); err != nil {
		t.Fatalf("sweep with nothing to sweep: %v", err)
	}
	dir := filepath.Join(playDir(), "0123456789abcdef")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	copy := filepath.Join(dir, "VID_0001.MP4")
	if err := os.WriteFile(copy, []byte("evidence"), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := SweepPlayCopies(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(playDir()); !os.IsNotExist(err) {
		t.Fatalf("the copies are still there: %v", err)
	}
}
