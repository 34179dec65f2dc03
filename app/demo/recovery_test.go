package demo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/vault"
)

// The committed demo recovery key file is the private half of
// RecoveryPublic, and opens what is wrapped to it.
func TestDemoRecoveryKeyMatchesPublic(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", RecoveryKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	k, err := vault.ParseRecoveryKey(data)
	if err != nil {
		t.Fatal(err)
	}
	if k.Public().String() != RecoveryPublic {
		t.Fatalf("the key file's public key is %s, RecoveryPublic %s", k.Public(), RecoveryPublic)
	}
	pub, err := vault.ParseRecoveryPublic(RecoveryPublic)
	if err != nil {
		t.Fatal(err)
	}
	dk, _ := vault.NewDK()
	w, err := vault.WrapRecovery(dk, pub)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := vault.UnwrapRecovery(w, k); err != nil || string(got) != string(dk) {
		t.Fatalf("unwrap with the demo key: %v", err)
	}
}
