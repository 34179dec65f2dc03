package ledger

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

// HashFile gives a file's SHA-256 and size, for sizes around its read
// buffer (empty, one byte, a buffer less or more by one, several).
func TestHashFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 12345} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i*7 + i>>11)
		}
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		d, n, err := HashFile(path)
		if err != nil || n != int64(size) || d != Digest(sha256.Sum256(data)) {
			t.Fatalf("size %d: got %s, %d, %v", size, d, n, err)
		}
	}
	if _, _, err := HashFile(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing file hashed")
	}
}
