package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// sanxiang verify on a bundle whose manifest's header says 1000 bytes and
// whose entry holds 4 MiB says, in Chinese first, that the bundle expands
// beyond the verifier's limits, and fails.
func TestVerifyBundleRefusesABombInWords(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "seed", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	l, err := casefile.OpenExisting(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := l.CaseIDs(context.Background())
	key := l.Verifier
	l.Close()
	good := filepath.Join(dir, "case.zip")
	if code, _, errOut := runCLI(t, "export", "--data", dir, "--case", ids[0], "--out", good); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
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
