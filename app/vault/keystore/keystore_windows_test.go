package keystore

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDPAPIRoundTrip(t *testing.T) {
	// Not t.TempDir: under wine 8 its RemoveAll fails on files
	// ("unlinkat: Invalid function"), while os.Remove works.
	dir, err := os.MkdirTemp("", "dpapi")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Remove(filepath.Join(dir, DPAPIFile))
		os.Remove(dir)
	})
	s := System(dir)
	if s.Kind() != "dpapi" {
		t.Fatalf("System is %s", s.Kind())
	}
	if _, err := s.Get("f1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before Put: %v", err)
	}
	m := make([]byte, 32)
	rand.Read(m)
	if err := s.Put("f1", m); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, DPAPIFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, m) {
		t.Fatal("the secret is in the blob in the clear")
	}
	got, err := s.Get("f1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, m) {
		t.Fatal("read another secret")
	}
	// The folder id is the entropy: the blob does not open for another folder.
	if _, err := s.Get("f2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another folder id: %v", err)
	}
}
