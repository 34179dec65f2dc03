package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// runCLIAs runs a command with pin on its standard input (a tool opening
// a sealed folder as --person).
func runCLIAs(t *testing.T, pin string, args ...string) (int, string, string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(pin + "\n")
	defer func() { stdin = old }()
	return runCLI(t, args...)
}

func TestSeedWritesTheDemoCatalog(t *testing.T) {
	dir := t.TempDir()
	// --data before the command and after it mean the same.
	for _, args := range [][]string{{"--data", dir, "seed"}, {"seed", "--data", dir}} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if !strings.Contains(out, dir) || !strings.Contains(out, "240") {
			t.Errorf("%v: output %q does not name the folder and the officers", args, out)
		}
	}
	cat, err := catalog.Open(context.Background(), filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	for kind, min := range map[catalog.Kind]int{
		catalog.KindOfficer: 200, catalog.KindFee: 25, catalog.KindGuide: 30,
		catalog.KindItem: 50, catalog.KindInspection: 10,
	} {
		n, err := cat.Count(context.Background(), catalog.Query{Kind: kind})
		if err != nil || n < min {
			t.Errorf("%s: %d items (%v), want at least %d", kind, n, err, min)
		}
	}
}

func TestCommandLineErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "kiosk"},
		{[]string{"bogus"}, 2, "未知命令“bogus”"},
		{[]string{"--lang", "en", "bogus"}, 2, `Unknown command "bogus"`},
		{[]string{"--lang", "fr", "version"}, 2, "不支持的语言"},
		{[]string{"version", "extra"}, 2, "多余的参数"},
		{[]string{"seed", "--help"}, 0, "-large"},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "sanxiang ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l, err := casefile.Open(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "cli-test", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := l.Append(ctx, &casefile.Record{Case: "C1", Kind: "note", Author: "990101000001",
			Body: []byte(fmt.Sprintf(`{"text":"%d"}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	key := l.Verifier
	cp, _ := l.Latest(ctx)
	l.Close()
	cpFile := filepath.Join(dir, "seen.checkpoint")
	os.WriteFile(cpFile, cp.Note, 0o600)

	code, out, errOut := runCLI(t, "verify", "--key", key, "--checkpoint", cpFile, filepath.Join(dir, "casefile.db"))
	if code != 0 || !strings.Contains(out, "核验通过：5 条记录") {
		t.Fatalf("clean log: exit %d, %q %q", code, out, errOut)
	}
	db, _ := sql.Open("sqlite", filepath.Join(dir, "casefile.db"))
	db.Exec(`DROP TRIGGER records_no_update`)
	db.Exec(`UPDATE records SET data = CAST(replace(CAST(data AS TEXT), '"3"', '"X"') AS BLOB) WHERE seq = 3`)
	db.Close()
	code, _, errOut = runCLI(t, "verify", "--key", key, filepath.Join(dir, "casefile.db"))
	if code != 1 || !strings.Contains(errOut, "核验未通过：第 3 条记录：记录内容已被改动") {
		t.Fatalf("altered log: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "verify", filepath.Join(dir, "nothing.db"))
	if code != 1 {
		t.Fatalf("missing file: exit %d %q", code, errOut)
	}
}

// exportSeededCase seeds a device's data folder, exports its first case
// with the command and gives the folder, the device's key, the case and
// the bundle's path.
func exportSeededCase(t *testing.T) (dir, key, caseID, bundle string) {
	t.Helper()
	dir = t.TempDir()
	if code, _, errOut := runCLI(t, "seed", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	l, err := casefile.OpenExisting(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := l.CaseIDs(context.Background())
	key = l.Verifier
	l.Close()
	bundle = filepath.Join(dir, "case.zip")
	if code, _, errOut := runCLIAs(t, demo.PIN, "export", "--data", dir, "--case", ids[0], "--out", bundle, "--person", "990101000001"); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	return dir, key, ids[0], bundle
}

func TestExportAndVerifyBundle(t *testing.T) {
	dir, key, id, out := exportSeededCase(t)
	code, stdout, errOut := runCLI(t, "verify", "--key", key, out)
	if code != 0 || !strings.Contains(stdout, "案卷包核验通过：案件 "+id) {
		t.Fatalf("verify bundle: exit %d %q %q", code, stdout, errOut)
	}
	if code, _, _ := runCLIAs(t, demo.PIN, "export", "--data", dir, "--case", "NO-SUCH-CASE", "--out", filepath.Join(dir, "x.zip"), "--person", "990101000001"); code == 0 {
		t.Fatal("exported a case that does not exist")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.zip")); !os.IsNotExist(err) {
		t.Fatal("a failed export left a file")
	}
}

func TestWorkdaysCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"workdays", "add", "2026-09-29", "5"}, 0, "2026-10-12\n"},
		{[]string{"workdays", "between", "2026-09-29", "2026-10-12"}, 0, "5\n"},
		{[]string{"workdays", "add", "2027-03-01", "1"}, 0, "2027-03-02\n注意：日历中没有 2027 年"},
		{[]string{"workdays", "add", "29/09/2026", "5"}, 1, ""},
		{[]string{"workdays", "add", "2026-09-29"}, 1, ""},
	} {
		code, out, _ := runCLI(t, tc.args...)
		if code != tc.code || !strings.HasPrefix(out, tc.want) {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, code, out, tc.code, tc.want)
		}
	}
}

// The version the program reports is the one packages are built with.
func TestVersionMatchesFyneApp(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nVersion = \""+version+"\"\n") {
		t.Fatalf("FyneApp.toml does not name version %s", version)
	}
}

// sanxiang redact prints a decision as it will be published, and refuses a
// file that is not UTF-8 in words.
func TestRedactCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "redact", "assets/redaction/01-person-food.txt")
	want, _ := os.ReadFile("assets/redaction/01-person-food.redacted.txt")
	if code != 0 || out != string(want) {
		t.Fatalf("exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	bad := filepath.Join(t.TempDir(), "gbk.txt")
	os.WriteFile(bad, []byte{0xd5, 0xc5, 0xc8, 0xfd, 0xff}, 0o644)
	if code, _, errOut := runCLI(t, "redact", bad); code != 1 || !strings.Contains(errOut, "不是 UTF-8") {
		t.Fatalf("a GBK file: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "redact"); code != 1 || !strings.Contains(errOut, "用法") {
		t.Fatalf("no file: exit %d, %q", code, errOut)
	}
}
