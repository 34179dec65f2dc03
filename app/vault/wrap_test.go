package vault

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func newPerson(t *testing.T) (string, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pub), priv
}

func newDK(t *testing.T) []byte {
	t.Helper()
	dk, err := NewDK()
	if err != nil {
		t.Fatal(err)
	}
	return dk
}

// The X25519 key derived from the Ed25519 private key and the one mapped
// from its public key are the two halves of one key pair: ECDH with a third
// key agrees from both sides.
func TestEd25519ToX25519Agree(t *testing.T) {
	for i := 0; i < 50; i++ {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		xpriv, err := X25519Private(priv)
		if err != nil {
			t.Fatal(err)
		}
		xpub, err := X25519Public(pub)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(xpriv.PublicKey().Bytes(), xpub.Bytes()) {
			t.Fatalf("key %d: private maps to %x, public to %x", i, xpriv.PublicKey().Bytes(), xpub.Bytes())
		}
	}
	// RFC 8032 test 1's key.
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	priv := ed25519.NewKeyFromSeed(seed)
	xpub, err := X25519Public(priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	xpriv, err := X25519Private(priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(xpub.Bytes(), xpriv.PublicKey().Bytes()) {
		t.Fatalf("RFC 8032 key: %x vs %x", xpub.Bytes(), xpriv.PublicKey().Bytes())
	}
	// Two people agree on a secret from their Ed25519 keys alone.
	_, a, _ := ed25519.GenerateKey(rand.Reader)
	_, b, _ := ed25519.GenerateKey(rand.Reader)
	ax, _ := X25519Private(a)
	bx, _ := X25519Private(b)
	apub, _ := X25519Public(a.Public().(ed25519.PublicKey))
	bpub, _ := X25519Public(b.Public().(ed25519.PublicKey))
	s1, err := ax.ECDH(bpub)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := bx.ECDH(apub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s1, s2) {
		t.Fatal("the two sides do not agree")
	}
	if _, err := X25519Public(make([]byte, 31)); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestWrapPersonRoundTrip(t *testing.T) {
	dk := newDK(t)
	pub, priv := newPerson(t)
	w, err := WrapPerson(dk, "P001", pub)
	if err != nil {
		t.Fatal(err)
	}
	if w.Kind != KindPerson || w.Holder != "P001" || w.Alg() != "x25519" {
		t.Fatalf("wrap %+v", w)
	}
	if bytes.Contains(w.Blob, dk) {
		t.Fatal("the data key is in the wrap in the clear")
	}
	got, err := UnwrapPerson(w, "P001", priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, dk) {
		t.Fatal("unwrapped another key")
	}
	// Stored and read back.
	r, err := ParseWrap(w.Kind, w.Holder, w.Blob)
	if err != nil {
		t.Fatal(err)
	}
	if r.KeyID != w.KeyID {
		t.Fatal("parsed key id differs")
	}
	if got, err := UnwrapPerson(r, "P001", priv); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("parsed wrap: %v", err)
	}
	if _, err := WrapPerson(dk, "P001", "not base64!"); err == nil {
		t.Fatal("a bad public key was accepted")
	}
	if _, err := WrapPerson(dk[:16], "P001", pub); err == nil {
		t.Fatal("a short data key was wrapped")
	}
	if _, err := ParseWrap(KindPerson, "P001", []byte("SXX\x01")); !errors.Is(err, ErrWrapFormat) {
		t.Fatalf("bad blob: %v", err)
	}
}

func TestWrapWrongKeyRefused(t *testing.T) {
	dk := newDK(t)
	pub, _ := newPerson(t)
	_, other := newPerson(t)
	w, err := WrapPerson(dk, "P001", pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := UnwrapPerson(w, "P001", other); !errors.Is(err, ErrWrap) {
		t.Fatalf("another person's key: %v", err)
	}
	m := make([]byte, 32)
	rand.Read(m)
	mw, err := WrapMachine(dk, m, "bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := UnwrapMachine(mw, m); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("machine unwrap: %v", err)
	}
	m2 := append([]byte(nil), m...)
	m2[0] ^= 1
	if _, err := UnwrapMachine(mw, m2); !errors.Is(err, ErrWrap) {
		t.Fatalf("another machine's secret: %v", err)
	}
	if _, err := UnwrapMachine(mw, m[:16]); err == nil {
		t.Fatal("a short machine secret was accepted")
	}
	// A flipped bit anywhere in the body is refused.
	for i := wrapHead; i < len(mw.Blob); i++ {
		b := append([]byte(nil), mw.Blob...)
		b[i] ^= 0x10
		if _, err := UnwrapMachine(Wrap{KeyID: mw.KeyID, Kind: mw.Kind, Holder: mw.Holder, Blob: b}, m); err == nil {
			t.Fatalf("byte %d flipped: opened", i)
		}
	}
}

// A wrap stored under another holder, or as another kind, does not open,
// even with the right key.
func TestWrapAADBindsHolder(t *testing.T) {
	dk := newDK(t)
	pub, priv := newPerson(t)
	w, err := WrapPerson(dk, "P001", pub)
	if err != nil {
		t.Fatal(err)
	}
	moved := w
	moved.Holder = "P002"
	if _, err := UnwrapPerson(moved, "P002", priv); !errors.Is(err, ErrWrap) {
		t.Fatalf("moved to another holder: %v", err)
	}
	if _, err := UnwrapPerson(w, "P002", priv); !errors.Is(err, ErrWrap) {
		t.Fatalf("opened for another id: %v", err)
	}
	kind := w
	kind.Kind = KindRecovery
	if _, err := UnwrapPerson(kind, "P001", priv); !errors.Is(err, ErrWrap) {
		t.Fatalf("stored as another kind: %v", err)
	}

	m := make([]byte, 32)
	rand.Read(m)
	mw, err := WrapMachine(dk, m, "bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	mm := mw
	mm.Holder = "desk"
	if _, err := UnwrapMachine(mm, m); !errors.Is(err, ErrWrap) {
		t.Fatalf("machine wrap moved to another purpose: %v", err)
	}
	mk := mw
	mk.Kind = KindPerson
	if _, err := UnwrapMachine(mk, m); !errors.Is(err, ErrWrap) {
		t.Fatalf("machine wrap stored as a person's: %v", err)
	}
	// The row's key id must be the wrap's.
	mi := mw
	mi.KeyID[0] ^= 1
	if _, err := UnwrapMachine(mi, m); !errors.Is(err, ErrWrap) {
		t.Fatalf("row with another key id: %v", err)
	}
}

// The key a wrap opens to is checked against the key id it names: a wrap
// made (by a buggy or hostile writer) around another key is refused.
func TestUnwrapChecksKeyID(t *testing.T) {
	dk, other := newDK(t), newDK(t)
	m := make([]byte, 32)
	rand.Read(m)
	good, err := WrapMachine(dk, m, "desk")
	if err != nil {
		t.Fatal(err)
	}
	// Seal other under dk's id and AAD, by hand.
	a, err := machineKey(m)
	if err != nil {
		t.Fatal(err)
	}
	aad := wrapAAD(KindMachine, "desk", good.KeyID)
	blob := header(algMachine, good.KeyID)
	nonce := make([]byte, 12)
	blob = append(blob, nonce...)
	blob = a.Seal(blob, nonce, other, aad)
	bad := Wrap{KeyID: good.KeyID, Kind: KindMachine, Holder: "desk", Blob: blob}
	_, err = UnwrapMachine(bad, m)
	if !errors.Is(err, ErrWrap) || !strings.Contains(err.Error(), "the key opened is") {
		t.Fatalf("a wrap of another key: %v", err)
	}
}
