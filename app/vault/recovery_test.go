package vault

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"

	"golang.org/x/mod/sumdb/note"
)

func recoveryRoundTrip(t *testing.T, alg string) {
	t.Helper()
	k, err := NewRecoveryKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	// Through the key file and the public text form, as the city and the
	// platform hold them.
	k2, err := ParseRecoveryKey(k.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k2.Key, k.Key) || k2.Alg != alg {
		t.Fatalf("key file: %q", k.Marshal())
	}
	pubText := k.Public().String()
	if !strings.HasPrefix(pubText, alg+":") {
		t.Fatalf("public text %q", pubText)
	}
	pub, err := ParseRecoveryPublic(pubText)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"sm2": 65, "x25519": 32}[alg]; len(pub.Key) != want {
		t.Fatalf("%s public key of %d bytes", alg, len(pub.Key))
	}
	if len(pub.Fingerprint()) != 16 || pub.Fingerprint() != k.Public().Fingerprint() {
		t.Fatalf("fingerprint %q", pub.Fingerprint())
	}
	dk := newDK(t)
	w, err := WrapRecovery(dk, pub)
	if err != nil {
		t.Fatal(err)
	}
	if w.Kind != KindRecovery || w.Holder != pub.Fingerprint() || w.Alg() != alg {
		t.Fatalf("wrap %+v alg %s", w, w.Alg())
	}
	if bytes.Contains(w.Blob, dk) {
		t.Fatal("the data key is in the wrap in the clear")
	}
	r, err := ParseWrap(w.Kind, w.Holder, w.Blob)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapRecovery(r, k2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, dk) {
		t.Fatal("unwrapped another key")
	}
	// Another city key of the same algorithm does not open it.
	other, _ := NewRecoveryKey(alg)
	if _, err := UnwrapRecovery(w, other); !errors.Is(err, ErrWrap) {
		t.Fatalf("another key: %v", err)
	}
	// Nor does a wrap stored as another kind or under another key's id.
	moved := w
	moved.Kind = KindPerson
	if _, err := UnwrapRecovery(moved, k); !errors.Is(err, ErrWrap) {
		t.Fatalf("stored as a person's wrap: %v", err)
	}
	moved = w
	moved.KeyID[7] ^= 1
	if _, err := UnwrapRecovery(moved, k); !errors.Is(err, ErrWrap) {
		t.Fatalf("row with another key id: %v", err)
	}
	// A flipped byte of the body is refused.
	b := append([]byte(nil), w.Blob...)
	b[len(b)-5] ^= 1
	if _, err := UnwrapRecovery(Wrap{KeyID: w.KeyID, Kind: w.Kind, Holder: w.Holder, Blob: b}, k); err == nil {
		t.Fatal("an altered wrap opened")
	}
}

func TestRecoveryWrapSM2(t *testing.T) { recoveryRoundTrip(t, RecoverySM2) }

func TestRecoveryWrapX25519(t *testing.T) { recoveryRoundTrip(t, RecoveryX25519) }

// The SM2 wrap binds its kind, holder and key id inside the ciphertext
// (SM2 has no associated data): a ciphertext made for another kind, under
// the right key and the right row, is refused.
func TestRecoverySM2BindsAAD(t *testing.T) {
	k, _ := NewRecoveryKey(RecoverySM2)
	pub := k.Public()
	dk := newDK(t)
	id, err := seal.IDOf(dk)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sm2.NewPublicKey(pub.Key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sm3.Sum(wrapAAD(KindPerson, pub.Fingerprint(), id))
	ct, err := sm2.Encrypt(rand.Reader, p, append(append([]byte(nil), dk...), sum[:]...), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := Wrap{KeyID: id, Kind: KindRecovery, Holder: pub.Fingerprint(), Blob: append(header(algSM2, id), ct...)}
	if _, err := UnwrapRecovery(w, k); !errors.Is(err, ErrWrap) || !strings.Contains(err.Error(), "another kind") {
		t.Fatalf("made for another kind: %v", err)
	}
}

func TestRecoveryKeyParseErrors(t *testing.T) {
	for _, s := range []string{
		"",
		"sanxiang-recovery-key:rsa:AAAA",
		"sanxiang-recovery-key:sm2:AAAA",
		"sanxiang-recovery-key:sm2:not base64",
		"sm2:AAAA",
		"AGE-SECRET-KEY-1QQQQ",
	} {
		if _, err := ParseRecoveryKey([]byte(s)); !errors.Is(err, ErrRecoveryKey) {
			t.Errorf("key file %q: %v", s, err)
		}
	}
	for _, s := range []string{"", "sm2", "sm2:AAAA", "x25519:AAAA", "rsa:AAAA", "sm2:" + strings.Repeat("A", 88)} {
		if _, err := ParseRecoveryPublic(s); !errors.Is(err, ErrRecoveryKey) {
			t.Errorf("public %q: %v", s, err)
		}
	}
	if _, err := NewRecoveryKey("rsa"); !errors.Is(err, ErrRecoveryKey) {
		t.Errorf("new rsa: %v", err)
	}
}

func newNoteKey(t *testing.T, name string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func TestRecoveryNoteMustBeSignedByPinnedKey(t *testing.T) {
	platform, pinned := newNoteKey(t, "platform.example")
	k, _ := NewRecoveryKey(RecoverySM2)
	since := time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC)
	msg, err := RecoveryNote(k.Public(), since, platform)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg, "sanxiang recovery key\n"+k.Public().String()+"\nsince 2026-07-10T00:00:00Z\n\n") {
		t.Fatalf("note:\n%s", msg)
	}
	got, err := OpenRecoveryNote(msg, pinned)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != k.Public().String() {
		t.Fatalf("read %s", got)
	}

	// A man in the middle signs his own key, with his own key of the same name.
	mitm, _ := newNoteKey(t, "platform.example")
	own, _ := NewRecoveryKey(RecoverySM2)
	forged, err := RecoveryNote(own.Public(), since, mitm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRecoveryNote(forged, pinned); !errors.Is(err, ErrRecoveryNoteSigner) {
		t.Fatalf("note of another key: %v", err)
	}
	// Another name altogether.
	other, _ := newNoteKey(t, "elsewhere")
	forged, _ = RecoveryNote(own.Public(), since, other)
	if _, err := OpenRecoveryNote(forged, pinned); !errors.Is(err, ErrRecoveryNoteSigner) {
		t.Fatalf("note of another name: %v", err)
	}
	// The platform's note with its key swapped for his.
	changed := strings.Replace(msg, k.Public().String(), own.Public().String(), 1)
	if _, err := OpenRecoveryNote(changed, pinned); !errors.Is(err, ErrRecoveryNoteAltered) {
		t.Fatalf("changed body: %v", err)
	}
	// A signed note that is not a recovery key note.
	n, _ := note.Sign(&note.Note{Text: "something else\n"}, platform)
	if _, err := OpenRecoveryNote(string(n), pinned); !errors.Is(err, ErrRecoveryNoteFormat) {
		t.Fatalf("other note: %v", err)
	}
	if _, err := OpenRecoveryNote("garbage", pinned); !errors.Is(err, ErrRecoveryNoteFormat) {
		t.Fatalf("garbage: %v", err)
	}
	// X25519 keys are published the same way.
	x, _ := NewRecoveryKey(RecoveryX25519)
	msg, _ = RecoveryNote(x.Public(), since, platform)
	if got, err := OpenRecoveryNote(msg, pinned); err != nil || got.Alg != RecoveryX25519 {
		t.Fatalf("x25519 note: %v %v", got, err)
	}
}
