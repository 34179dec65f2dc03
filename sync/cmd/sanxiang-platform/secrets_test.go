package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The packaged unit puts no setting, let alone a secret, on the command
// line (ps shows it to every user): ExecStart is the bare program, the
// settings come from EnvironmentFile=, which the package installs 0600 and
// which names every variable the program reads. No command shown in the
// READMEs passes a password either.
func TestUnitPutsNoSecretOnCommandLine(t *testing.T) {
	read := func(path string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("..", "..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	unit := read("packaging/linux/sanxiang-platform.service")
	var exec []string
	for _, l := range strings.Split(unit, "\n") {
		if strings.HasPrefix(l, "ExecStart") {
			exec = append(exec, l)
		}
	}
	if len(exec) != 1 {
		t.Fatalf("ExecStart lines: %q", exec)
	}
	for _, bad := range []string{"$", "--db", "--media", "--admin-token", "--key", "://", "PASS", "SECRET", "password", "secret", "@"} {
		if strings.Contains(exec[0], bad) {
			t.Errorf("the unit's command line carries %q: %s", bad, exec[0])
		}
	}
	if !strings.Contains(unit, "\nEnvironmentFile=/etc/sanxiang/platform.env\n") {
		t.Error("the unit reads no EnvironmentFile")
	}
	env := read("packaging/linux/platform.env")
	for _, name := range []string{"SANXIANG_LISTEN", "SANXIANG_DB", "SANXIANG_MEDIA", "SANXIANG_PLATFORM_KEY_FILE", "SANXIANG_ADMIN_TOKEN"} {
		if !regexp.MustCompile(`(?m)^` + name + `=`).MatchString(env) {
			t.Errorf("platform.env does not set %s", name)
		}
	}
	nfpm := read("packaging/linux/nfpm-platform.yaml")
	if !regexp.MustCompile(`dst: /etc/sanxiang/platform.env\n\s+type: config\|noreplace\n\s+file_info: \{mode: 0600\}`).MatchString(nfpm) {
		t.Error("the package does not install platform.env 0600")
	}
	// A command line with a URL's password in the READMEs.
	withPassword := regexp.MustCompile(`sanxiang-platform\b.*://[^/\s:@]+:[^@\s]+@`)
	for _, doc := range []string{"README.md", "packaging/README.md"} {
		for i, l := range strings.Split(read(doc), "\n") {
			if withPassword.MatchString(l) {
				t.Errorf("%s:%d shows a password on a command line: %s", doc, i+1, l)
			}
		}
	}
}

// --db and --media come from the environment or from files only the
// service reads; a file others can read is refused; a password on the
// command line is recognised (and warned about).
func TestSecretsFromEnvironmentAndFiles(t *testing.T) {
	db, media := "platform.db", ""
	t.Setenv("SANXIANG_DB", "postgres://u:p@db.internal/sx")
	t.Setenv("SANXIANG_MEDIA", "s3://k:s@s3.internal/b")
	if err := settleSecrets(&db, &media); err != nil {
		t.Fatal(err)
	}
	if db != "postgres://u:p@db.internal/sx" || media != "s3://k:s@s3.internal/b" {
		t.Fatalf("db %q media %q", db, media)
	}
	f := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(f, []byte("postgres://u:from-file@db.internal/sx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	*dbFile = f
	defer func() { *dbFile = "" }()
	if err := settleSecrets(&db, &media); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a file others read: err = %v", err)
	}
	os.Chmod(f, 0o600)
	if err := settleSecrets(&db, &media); err != nil || db != "postgres://u:from-file@db.internal/sx" {
		t.Fatalf("db %q, %v", db, err)
	}
	for v, want := range map[string]bool{
		"platform.db": false, "/var/lib/x/platform.db": false, "postgres://u@h/db": false,
		"postgres://u:p@h/db": true, "s3://KEY:SECRET@h/b": true, "s3+http://k:s@h:9000/b": true,
		"postgres://u@h/db?password=x": true, "media/": false,
	} {
		if hasSecret(v) != want {
			t.Errorf("hasSecret(%q) = %v", v, !want)
		}
	}
	if got := redactDB("postgres://u:p@h/db"); strings.Contains(got, ":p@") {
		t.Errorf("redactDB leaves the password: %s", got)
	}
}

// key rotate and key show from the command line.
func TestKeyRotateCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "platform.db")
	var out bytes.Buffer
	if err := keySubcommand([]string{"show", "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	first := strings.TrimPrefix(strings.TrimSpace(out.String()), "current ")
	out.Reset()
	if err := keySubcommand([]string{"rotate", "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "old "+first+"\n") {
		t.Fatalf("rotate says:\n%s", out.String())
	}
	out.Reset()
	if err := keySubcommand([]string{"show", "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "earlier "+first+"\n") || strings.Contains(out.String(), "current "+first) {
		t.Fatalf("show after rotation:\n%s", out.String())
	}
	if st, err := os.Stat(db + ".key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file after rotation: %v %v", st, err)
	}
}
