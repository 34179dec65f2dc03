package ledger

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
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

// A store with keys seals what it takes (Put, PutFile) and places only
// sealed files; it opens sealed and plaintext files alike, and Check finds
// a sealed file altered.
func TestSealedMediaStore(t *testing.T) {
	dir := t.TempDir()
	keys := sealtest.Keys(t)
	m := &MediaStore{Dir: filepath.Join(dir, "media"), Keys: keys}
	data := bytes.Repeat([]byte("现场录音 PCM "), 300_000) // several chunks
	d, n, err := m.Put(bytes.NewReader(data))
	if err != nil || n != int64(len(data)) || d != Digest(sha256.Sum256(data)) {
		t.Fatalf("put: %s %d %v", d, n, err)
	}
	raw, _ := os.ReadFile(m.Path(d))
	if bytes.Contains(raw, []byte("现场录音")) || string(raw[:4]) != "SXF1" {
		t.Fatal("the stored file is not sealed")
	}
	if !m.Exists(d) || m.Exists(Digest{}) {
		t.Fatal("exists")
	}
	f, err := m.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	mid := make([]byte, 100)
	if k, err := f.ReadAt(mid, 1<<20-50); err != nil || k != 100 {
		t.Fatalf("read at: %d %v", k, err)
	}
	f.Close()
	if !bytes.Equal(got, data) || f.Size() != int64(len(data)) || !bytes.Equal(mid, data[1<<20-50:1<<20+50]) {
		t.Fatal("the sealed file reads back otherwise")
	}
	if err := m.Check(d); err != nil {
		t.Fatal(err)
	}

	// PutFile seals a plaintext file in and scrubs it.
	plain := filepath.Join(dir, "segment.wav")
	os.WriteFile(plain, []byte("RIFF segment"), 0o600)
	d2, _, err := m.PutFile(plain)
	if err != nil || d2 != Digest(sha256.Sum256([]byte("RIFF segment"))) {
		t.Fatalf("put file: %v", err)
	}
	if _, err := os.Stat(plain); !os.IsNotExist(err) {
		t.Fatalf("the plaintext is still there: %v", err)
	}
	if err := m.Check(d2); err != nil {
		t.Fatal(err)
	}

	// Place takes a sealed file, not a plaintext one.
	os.WriteFile(plain, []byte("plain"), 0o600)
	if err := m.Place(plain, Digest(sha256.Sum256([]byte("plain")))); !errors.Is(err, seal.ErrNotSealed) {
		t.Fatalf("a plaintext file placed: %v", err)
	}
	sealed := filepath.Join(dir, "sealed")
	sum, _, err := seal.SealFile(sealed, strings.NewReader("sealed segment"), keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Place(sealed, Digest(sum)); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(Digest(sum)); err != nil {
		t.Fatal(err)
	}
	// A file sealed under another key is not placed.
	other := filepath.Join(dir, "other")
	sum, _, _ = seal.SealFile(other, strings.NewReader("other key"), sealtest.Keys(t))
	if err := m.Place(other, Digest(sum)); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("a file of another key placed: %v", err)
	}

	// A plaintext file already in the store (before the folder was
	// sealed) still reads.
	pd := Digest(sha256.Sum256([]byte("old")))
	os.MkdirAll(filepath.Dir(m.Path(pd)), 0o700)
	os.WriteFile(m.Path(pd), []byte("old"), 0o600)
	if err := m.Check(pd); err != nil {
		t.Fatal(err)
	}

	// A bit flipped in a sealed chunk: altered, with seal.ErrCorrupt; in
	// the last chunk, which reads as a torn tail: altered (it is short).
	raw[len(raw)-20] ^= 1
	os.WriteFile(m.Path(d), raw, 0o600)
	if err := m.Check(d); !errors.Is(err, ErrMediaAltered) {
		t.Fatalf("check of a file flipped at its end: %v", err)
	}
	raw[len(raw)-20] ^= 1
	raw[200] ^= 1
	os.WriteFile(m.Path(d), raw, 0o600)
	if err := m.Check(d); !errors.Is(err, ErrMediaAltered) || !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("check of a flipped file: %v", err)
	}
	if err := m.Check(Digest{1}); !errors.Is(err, ErrMediaMissing) {
		t.Fatalf("check of a missing file: %v", err)
	}
	// Without keys a sealed file does not open.
	if _, err := (&MediaStore{Dir: m.Dir}).Open(d2); !errors.Is(err, ErrSealedLog) {
		t.Fatalf("open without keys: %v", err)
	}
}
