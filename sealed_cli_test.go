package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/vault"
)

// demoKeyFile is the demo city's recovery key file, from the module root.
func demoKeyFile(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(demo.RecoveryKeyFile); err != nil {
		t.Fatal(err)
	}
	return demo.RecoveryKeyFile
}

// `sanxiang seed` writes a sealed demo folder: its log opens to nobody
// without a person or the recovery key; verify works for a signed-in
// person (the PIN on standard input) or with the city's recovery key, and
// says what it needs otherwise; a wrong PIN and another key are refused.
func TestSeedIsSealedAndVerifies(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "seed", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	db := filepath.Join(dir, "casefile.db")
	l, err := casefile.OpenExisting(context.Background(), db, filepath.Join(dir, "media"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Case numbers (device, day, count) are the index and stay readable;
	// what is in a case is not.
	ids, _ := l.CaseIDs(context.Background())
	_, cerr := l.Case(context.Background(), ids[0])
	sealed := l.IsSealed()
	l.Close()
	if !sealed || !errors.Is(cerr, ledger.ErrSealedLog) {
		t.Fatalf("the seeded log: sealed %v, a case read without keys: %v", sealed, cerr)
	}

	code, out, errOut := runCLI(t, "verify", db)
	if code != 1 || !strings.Contains(errOut, "--person") || !strings.Contains(errOut, "--recovery-key") {
		t.Fatalf("verify with nothing: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLIAs(t, demo.PIN, "verify", "--person", "990101000001", db)
	if code != 0 || !strings.Contains(out, "核验通过") {
		t.Fatalf("verify as a person: exit %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCLIAs(t, "000000", "verify", "--person", "990101000001", db)
	if code != 1 || !strings.Contains(errOut, "PIN") {
		t.Fatalf("verify with a wrong PIN: exit %d %q", code, errOut)
	}
	code, out, errOut = runCLI(t, "verify", "--recovery-key", demoKeyFile(t), db)
	if code != 0 || !strings.Contains(out, "核验通过") {
		t.Fatalf("verify with the recovery key: exit %d %q %q", code, out, errOut)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if code, _, errOut := runPlatformKeyNew(t, other); code != 0 {
		t.Fatal(errOut)
	}
	code, _, errOut = runCLI(t, "verify", "--recovery-key", other, db)
	if code != 1 || !strings.Contains(errOut, "recovery key") {
		t.Fatalf("verify with another recovery key: exit %d %q", code, errOut)
	}
}

// runPlatformKeyNew makes a recovery key file the demo folder is not
// wrapped for.
func runPlatformKeyNew(t *testing.T, path string) (int, string, string) {
	t.Helper()
	k, err := vault.NewRecoveryKey("sm2")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, k.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	return 0, "", ""
}

// A dead laptop's folder is opened with the city's recovery key: recover
// writes a verified bundle for every case, names evidence that is gone,
// never writes into the folder, and refuses another key naming the keys
// the folder is wrapped for.
func TestRecoverDeadLaptop(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "seed", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	// One evidence file lost with the disk.
	var lost string
	filepath.WalkDir(filepath.Join(dir, "media"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && lost == "" && d.Type().IsRegular() && len(d.Name()) == 64 {
			lost = p
		}
		return nil
	})
	if lost == "" {
		t.Fatal("the seeded folder holds no evidence")
	}
	os.Remove(lost)
	before := folderHashes(t, dir)

	out := filepath.Join(t.TempDir(), "recovered")
	code, stdout, errOut := runCLI(t, "recover", "--key", demoKeyFile(t), "--data", dir, "--out", out)
	if code != 0 {
		t.Fatalf("recover: exit %d %q %q", code, stdout, errOut)
	}
	var rep struct {
		Records  int64 `json:"records"`
		Verified bool  `json:"verified"`
		Cases    []struct {
			Case, Bundle, Error string
		} `json:"cases"`
	}
	b, err := os.ReadFile(filepath.Join(out, "recover-report.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("the report: %v", err)
	}
	if rep.Records == 0 || len(rep.Cases) < 3 {
		t.Fatalf("recovered %d records, %d cases", rep.Records, len(rep.Cases))
	}
	bundles, failed := 0, 0
	for _, c := range rep.Cases {
		if c.Bundle == "" {
			failed++
			if !strings.Contains(c.Error, filepath.Base(lost)) && !strings.Contains(c.Error, "missing") && !strings.Contains(c.Error, "缺失") {
				t.Errorf("case %s failed without naming the lost evidence: %s", c.Case, c.Error)
			}
			continue
		}
		bundles++
		code, vout, verr := runCLI(t, "verify", filepath.Join(out, c.Bundle))
		if code != 0 {
			t.Errorf("the recovered bundle of %s does not verify: %q %q", c.Case, vout, verr)
		}
	}
	if bundles < 2 {
		t.Errorf("only %d bundles written (%d failed)", bundles, failed)
	}
	if rep.Verified || failed == 0 {
		t.Errorf("the lost evidence went unreported: verified %v, %d cases failed", rep.Verified, failed)
	}
	if after := folderHashes(t, dir); after != before {
		t.Error("recover wrote into the dead laptop's folder")
	}
	if _, err := os.Stat(filepath.Join(out, ".work")); !os.IsNotExist(err) {
		t.Error("recover left its copies behind")
	}

	other := filepath.Join(t.TempDir(), "other.key")
	runPlatformKeyNew(t, other)
	code, _, errOut = runCLI(t, "recover", "--key", other, "--data", dir, "--out", filepath.Join(t.TempDir(), "x"))
	if code != 1 || !strings.Contains(errOut, "6a244698") && !strings.Contains(errOut, "wrapped for") {
		t.Fatalf("recover with another key: exit %d %q", code, errOut)
	}
}

// folderHashes is every file of a folder and its SHA-256, as one string.
func folderHashes(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasSuffix(p, "-shm") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %x\n", p, sha256.Sum256(data))
		return nil
	})
	return b.String()
}
