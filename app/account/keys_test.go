package account

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	sealed, err := seal(key.Seed(), "147258", a.ID, PublicKeyOf(key), Quick)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unseal(sealed, "147258", "990101000002", PublicKeyOf(key)); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("a box moved to another account opened: %v", err)
	}
	if !strings.HasPrefix(sealed, sealedPrefix+"m=8192,t=1,p=1$") {
		t.Fatalf("parameters not recorded: %s", sealed)
	}
}

// The production cost is what the package says: a key sealed with Strong
// carries its parameters, which unsealing reads back (TestKeySealedUnderPIN
// unseals; BenchmarkUnseal times Strong's).
func TestStrongParametersRecorded(t *testing.T) {
	key, _ := NewKey()
	sealed, err := seal(key.Seed(), "147258", "x", PublicKeyOf(key), Strong)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, sealedPrefix+"m=262144,t=8,p=1$") {
		t.Fatalf("sealed with %s", sealed)
	}
}

// BenchmarkUnseal measures one PIN guess at the production cost: ns/op
// times 10⁶ is the cost of trying every six-digit PIN on one core.
func BenchmarkUnseal(b *testing.B) {
	key, _ := NewKey()
	sealed, err := seal(key.Seed(), "147258", "x", PublicKeyOf(key), Strong)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		unseal(sealed, "000000", "x", PublicKeyOf(key))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)*1e6/86400e9, "days/10⁶PINs")
}
