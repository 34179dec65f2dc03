package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sanxiang verify on a bundle whose manifest's header says 1000 bytes and
// whose entry holds 4 MiB says, in Chinese first, that the bundle expands
// beyond the verifier's limits, and fails.
func TestVerifyBundleRefusesABombInWords(t *testing.T) {
	dir, key, _, good := exportSeededCase(t)
	zr, err := zip.OpenReader(good)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		if f.Name != "manifest.json" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	body := bytes.Repeat([]byte{' '}, 4<<20)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "manifest.json", Method: zip.Store,
		CompressedSize64: uint64(len(body)), UncompressedSize64: 1000})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bomb.zip")
	if err := os.WriteFile(bad, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "verify", "--key", key, bad)
	if code != 1 || !strings.Contains(errOut, "核验未通过") || !strings.Contains(errOut, "超出核验上限") {
		t.Fatalf("a bomb: exit %d %q", code, errOut)
	}
	t.Log(errOut)
}
