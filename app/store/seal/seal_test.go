package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

func TestBlobRoundTripBothSuites(t *testing.T) {
	k := sealtest.Keys(t)
	for _, su := range []seal.Suite{seal.SM4GCM, seal.AES256GCM} {
		t.Run(su.String(), func(t *testing.T) {
			ks := seal.Static{DK: k.DK, Suite: su}
			for _, plain := range [][]byte{nil, []byte("柏拉图测试 110101199003071234"), bytes.Repeat([]byte{7}, 100000)} {
				blob, err := seal.Seal(ks, plain, []byte("rec/42"))
				if err != nil {
					t.Fatal(err)
				}
				if !seal.IsSealed(blob) || seal.Suite(blob[3]) != su || len(blob) != len(plain)+seal.Overhead {
					t.Fatalf("blob head %x, len %d for %d", blob[:4], len(blob), len(plain))
				}
				if len(plain) > 8 && bytes.Contains(blob, plain[:8]) {
					t.Fatal("plaintext visible in the blob")
				}
				// Whoever holds the DK opens it whatever suite it seals with now.
				got, err := seal.Open(seal.Static{DK: k.DK}, blob, []byte("rec/42"))
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("open: %v, %d bytes", err, len(got))
				}
			}
		})
	}
	other := sealtest.Keys(t)
	blob, _ := seal.Seal(k, []byte("x"), nil)
	if _, err := seal.Open(other, blob, nil); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("another key: %v", err)
	}
	if _, err := seal.Open(nil, blob, nil); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := seal.Open(k, []byte(`{"plain":true}`), nil); !errors.Is(err, seal.ErrNotSealed) {
		t.Fatalf("plaintext: %v", err)
	}
}

func TestBlobContextBinds(t *testing.T) {
	k := sealtest.Keys(t)
	blob, err := seal.Seal(k, []byte("罚款5000元"), []byte("rec/1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []string{"rec/2", "rec/", "", "rec/10"} {
		if _, err := seal.Open(k, blob, []byte(ctx)); !errors.Is(err, seal.ErrCorrupt) {
			t.Fatalf("blob of rec/1 opened as %q: %v", ctx, err)
		}
	}
	if _, err := seal.Open(k, blob, []byte("rec/1")); err != nil {
		t.Fatal(err)
	}
}

func TestBlobTamper(t *testing.T) {
	k := sealtest.Keys(t)
	blob, err := seal.Seal(k, []byte("罚款5000元"), []byte("rec/1"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range blob {
		if i < 3 {
			continue // the magic: no longer a blob at all
		}
		b := bytes.Clone(blob)
		b[i] ^= 0x01
		if _, err := seal.Open(k, b, []byte("rec/1")); err == nil {
			t.Fatalf("byte %d flipped and the blob still opens", i)
		}
	}
	for n := range len(blob) {
		if _, err := seal.Open(k, blob[:n], []byte("rec/1")); err == nil {
			t.Fatalf("cut to %d bytes and still opens", n)
		}
	}
}
