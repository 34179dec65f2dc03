package account

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// A person's key is on disk only sealed: the file holds neither the PIN
// nor the seed, the right PIN unseals a key that signs, a wrong one does
// not, and the box cannot be moved to another account.
func TestKeySealedUnderPIN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := Open(ctx, filepath.Join(dir, "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.SetKDF(Quick)
	key, _ := NewKey()
	a := Account{ID: "990101000001", Name: "张三", Agency: "01", Unit: "u", Role: RoleOfficer}
	if err := b.EnrolKey(ctx, a, key, "147258"); err != nil {
		t.Fatal(err)
	}
	if pub, err := b.KeyOf(ctx, a.ID); err != nil || pub != PublicKeyOf(key) {
		t.Fatalf("KeyOf = %q, %v", pub, err)
	}
	got, _, err := b.SignIn(ctx, a.ID, "147258", "officer")
	if err != nil || !got.CanSign() {
		t.Fatalf("SignIn = %+v, %v", got, err)
	}
	sig := got.Sign([]byte("statement"))
	if !ed25519.Verify(key.Public().(ed25519.PublicKey), []byte("statement"), sig) {
		t.Fatal("the unsealed key is not the enrolled one")
	}
	if k, ok := b.Keys.Take(a.ID); !ok || !k.CanSign() {
		t.Fatal("the signed-in key is not in the keyring")
	}
	if err := b.Log(ctx, a.ID, "signout", "officer"); err != nil {
		t.Fatal(err)
	}
	if b.Keys.Has(a.ID) {
		t.Fatal("the key stayed in the keyring after signing out")
	}
	if _, _, err := b.SignIn(ctx, a.ID, "147259", "officer"); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("wrong PIN: %v", err)
	}
	// A second person confirms once: the key serves one record.
	if _, _, err := b.Confirm(ctx, a.ID, "147258"); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Keys.Take(a.ID); !ok {
		t.Fatal("confirmation not kept")
	}
	if b.Keys.Has(a.ID) {
		t.Fatal("a confirmation served twice")
	}
	b.Close()
	for _, f := range []string{"device.db", "device.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		if bytes.Contains(data, key.Seed()) || bytes.Contains(data, []byte("147258")) {
			t.Fatalf("%s holds the seed or the PIN in the clear", f)
		}
	}
	// The box is bound to its account and public key.
	sealed, err := seal(key.Seed(), "147258", a.ID, PublicKeyOf(key), Quick, noBinding())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unseal(sealed, "147258", "990101000002", PublicKeyOf(key), noSecret); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("a box moved to another account opened: %v", err)
	}
	if !strings.HasPrefix(sealed, sealedPrefixV2+"m=8192,t=1,p=1$bind=none:") {
		t.Fatalf("parameters not recorded: %s", sealed)
	}
}

// The production cost is what the package says: a key sealed with Strong
// carries its parameters, which unsealing reads back (TestKeySealedUnderPIN
// unseals; BenchmarkUnseal times Strong's).
func TestStrongParametersRecorded(t *testing.T) {
	key, _ := NewKey()
	sealed, err := seal(key.Seed(), "147258", "x", PublicKeyOf(key), Strong, noBinding())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, sealedPrefixV2+"m=262144,t=7,p=2$") {
		t.Fatalf("sealed with %s", sealed)
	}
}

// noSecret is the machine secret of a box bound to no keystore.
func noSecret(kind, check string) ([]byte, error) { return noBinding().m, nil }

// sealV1 is how keys were sealed before v2 (XChaCha20-Poly1305 under
// Argon2id(PIN) alone, one lane): the boxes still on devices, which
// unseal reads and the first sign-in seals again.
func sealV1(seed []byte, pin, id, pub string, k KDF) (string, error) {
	salt := make([]byte, 16)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	rand.Read(salt)
	rand.Read(nonce)
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(pin), salt, k.Time, k.Memory, 1, chacha20poly1305.KeySize))
	if err != nil {
		return "", err
	}
	box := aead.Seal(nil, nonce, seed, []byte(id+"\n"+pub))
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%sm=%d,t=%d,p=1$%s$%s$%s", sealedPrefix, k.Memory, k.Time,
		enc.EncodeToString(salt), enc.EncodeToString(nonce), enc.EncodeToString(box)), nil
}

// cpuTime is the CPU this process has used, on every core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkUnseal measures one PIN guess at the production cost (Argon2id
// at Strong, two lanes, and the rest of a v2 unseal): cpu-s is the core
// time a guess costs, which is what an attacker pays (the wall time is
// about half, on two cores); days/10⁶PINs is trying every six-digit PIN
// on one core.
func BenchmarkUnseal(b *testing.B) {
	key, _ := NewKey()
	sealed, err := seal(key.Seed(), "147258", "x", PublicKeyOf(key), Strong, noBinding())
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	for b.Loop() {
		unseal(sealed, "000000", "x", PublicKeyOf(key), noSecret)
	}
	cpu := float64(cpuTime()-cpu0) / float64(b.N) / 1e9
	b.ReportMetric(cpu, "cpu-s")
	b.ReportMetric(cpu*1e6/86400, "days/10⁶PINs")
}
