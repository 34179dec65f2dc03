package server

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func openAt(t *testing.T, path string, o Options) (*Server, error) {
	t.Helper()
	s, err := Open(context.Background(), path, o)
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

// A new platform makes its receipt key in a file only its owner reads; the
// database holds the public verifier and no secret.
func TestKeyFileMadeOnFirstRunDatabaseHoldsNoSecret(t *testing.T) {
	db := filepath.Join(t.TempDir(), "platform.db")
	s, err := openAt(t, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", st.Mode().Perm())
	}
	var signer, verifier string
	if err := s.db.QueryRowContext(context.Background(), `SELECT signer, verifier FROM platform_key`).Scan(&signer, &verifier); err != nil {
		t.Fatal(err)
	}
	if signer != "" || verifier != s.PlatformKey() {
		t.Fatalf("database holds signer %q, verifier %q (platform %q)", signer, verifier, s.PlatformKey())
	}
	s.Close()
	again, err := openAt(t, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.PlatformKey() != verifier {
		t.Fatal("the key changed when the platform opened again")
	}
}

// A key file group or others can read is refused, with what to do.
func TestKeyFileReadableByOthersRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "platform.db")
	s, err := openAt(t, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(db+".key", 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = openAt(t, db, Options{})
	if !errors.Is(err, ErrKeyFileOpen) || !strings.Contains(err.Error(), "chmod 600") || !strings.HasPrefix(err.Error(), "platform key: key file: 平台密钥文件") {
		t.Fatalf("err = %v", err)
	}
}

// A database that still holds its key (from before key files) moves it out
// to the key file at the next start and keeps only the verifier; the log
// says so.
func TestKeyInDatabaseMovesToKeyFile(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "platform.db")
	s, err := openAt(t, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	verifier := s.PlatformKey()
	// As the database was before migration 0020: the key in platform_key.
	if _, err := s.db.ExecContext(ctx, `UPDATE platform_key SET signer = ?`, strings.TrimSpace(string(secret))); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Remove(db + ".key"); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	moved, err := openAt(t, db, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if moved.PlatformKey() != verifier {
		t.Fatal("the moved key is another key")
	}
	got, err := os.ReadFile(db + ".key")
	if err != nil || string(got) != string(secret) {
		t.Fatalf("key file %q, %v", got, err)
	}
	var left string
	if err := moved.db.QueryRowContext(ctx, `SELECT signer FROM platform_key`).Scan(&left); err != nil || left != "" {
		t.Fatalf("database still holds %q (%v)", left, err)
	}
	if !strings.Contains(logs.String(), "moved out of the database") {
		t.Fatalf("the log does not say the key moved:\n%s", logs.String())
	}
}

// The key may come from the environment (Options.Key) instead of a file;
// a key that is not this platform's is refused.
func TestKeyFromEnvironmentAndForeignKeyRefused(t *testing.T) {
	dir := t.TempDir()
	skey, vkey, err := note.GenerateKey(nil, keyName)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "platform.db")
	s, err := openAt(t, db, Options{Key: skey})
	if err != nil {
		t.Fatal(err)
	}
	if s.PlatformKey() != vkey {
		t.Fatalf("verifier %s, want %s", s.PlatformKey(), vkey)
	}
	if _, err := os.Stat(db + ".key"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a key file was written though the key came from the environment: %v", err)
	}
	s.Close()
	other, _, _ := note.GenerateKey(nil, keyName)
	if _, err := openAt(t, db, Options{Key: other}); err == nil || !strings.Contains(err.Error(), "not this platform's") {
		t.Fatalf("a foreign key: err = %v", err)
	}
	// No key anywhere, but the database knows this platform's verifier:
	// refused, not a new key made.
	if _, err := openAt(t, db, Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no key: err = %v", err)
	}
}

// Rotation: the new key replaces the key file; old verifiers stay in the
// key set with a rotation note both keys signed; the replaced key no
// longer starts the platform.
func TestRotateKey(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "platform.db")
	s, err := openAt(t, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	oldSecret, _ := os.ReadFile(db + ".key")
	old := s.PlatformKey()
	next, err := s.RotateKey(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	st, err := os.Stat(db + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("new key file: %v %v", st, err)
	}
	r, err := openAt(t, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.PlatformKey() != next {
		t.Fatalf("after rotation the platform signs with %s, want %s", r.PlatformKey(), next)
	}
	set, err := r.KeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if set.Verifier != next || len(set.Verifiers) != 2 || set.Verifiers[0] != old || len(set.Rotations) != 1 {
		t.Fatalf("key set %+v", set)
	}
	for _, k := range []string{old, next} {
		v, _ := note.NewVerifier(k)
		if _, err := note.Open([]byte(set.Rotations[0]), note.VerifierList(v)); err != nil {
			t.Fatalf("rotation note not signed by %s: %v", k, err)
		}
	}
	r.Close()
	if _, err := openAt(t, db, Options{Key: string(oldSecret)}); err == nil || !strings.Contains(err.Error(), "replaced by a rotation") {
		t.Fatalf("the replaced key: err = %v", err)
	}
}
