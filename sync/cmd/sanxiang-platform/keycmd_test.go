package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/vault"
)

// key recovery new, add, show and remove from the command line: the
// private key stays in its file (0600), the platform is given the public
// one, and refuses the private file.
func TestKeyRecoveryCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "platform.db")
	keyF := filepath.Join(dir, "city.key")
	var out bytes.Buffer
	if err := keySubcommand([]string{"recovery", "new", "--out", keyF}, &out); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(keyF)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", st, err)
	}
	data, _ := os.ReadFile(keyF)
	k, err := vault.ParseRecoveryKey(data)
	if err != nil || k.Alg != vault.RecoverySM2 {
		t.Fatalf("private key file: %v %q", err, data)
	}
	pub := k.Public()
	if !strings.Contains(out.String(), "public "+pub.String()+"\n") {
		t.Fatalf("new says:\n%s", out.String())
	}
	if err := keySubcommand([]string{"recovery", "new", "--out", keyF}, &out); err == nil {
		t.Fatal("new overwrote a key file")
	}
	if err := keySubcommand([]string{"recovery", "add", "--db", db, "--file", keyF}, &out); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Fatalf("add of the private key file: %v", err)
	}
	out.Reset()
	if err := keySubcommand([]string{"recovery", "add", "--db", db, "--file", keyF + ".pub"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), pub.Fingerprint()) || !strings.Contains(out.String(), "sanxiang recovery key\n"+pub.String()) {
		t.Fatalf("add says:\n%s", out.String())
	}
	x, _ := vault.NewRecoveryKey(vault.RecoveryX25519)
	if err := keySubcommand([]string{"recovery", "add", x.Public().String(), "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := keySubcommand([]string{"recovery", "show", "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], pub.Fingerprint()+" "+pub.String()+" since ") || !strings.Contains(lines[1], x.Public().String()) {
		t.Fatalf("show says:\n%s", out.String())
	}
	if err := keySubcommand([]string{"recovery", "remove", "--db", db, pub.Fingerprint()}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := keySubcommand([]string{"recovery", "show", "--db", db}, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), pub.String()) || !strings.Contains(out.String(), x.Public().String()) {
		t.Fatalf("show after remove:\n%s", out.String())
	}
	if err := keySubcommand([]string{"recovery", "add", "--db", db, "sm2:AAAA"}, &out); err == nil {
		t.Fatal("a bad key was published")
	}
	if err := keySubcommand([]string{"recovery", "frob"}, &out); err == nil || !strings.Contains(err.Error(), "key recovery new") {
		t.Fatalf("an unknown verb: %v", err)
	}
}
