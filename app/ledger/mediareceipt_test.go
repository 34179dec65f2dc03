package ledger

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// TestVerifyMediaReceiptRefusesEveryChange: a media receipt as the
// platform signs it verifies, names its file, size and time; with any one
// of its bytes changed to any other value it is refused, the lenient
// base64 of note's signatures included (as tlog's tests flip every bit of
// a proof).
func TestVerifyMediaReceiptRefusesEveryChange(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "sanxiang-platform")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	d := Digest(sha256.Sum256([]byte("现场录像")))
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	text := "sanxiang-media\n" + d.String() + "\n4096\ntime " + at.Format(time.RFC3339) + "\n"
	b, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(b)
	got, err := VerifyMediaReceipt(msg, vkey, d, 4096)
	if err != nil || !got.Equal(at) {
		t.Fatalf("the platform's receipt: %v, %v", got, err)
	}
	if _, err := VerifyMediaReceipt(msg, vkey, d, 4097); !errors.Is(err, ErrBadReceipt) || errors.Is(err, ErrReceiptForged) {
		t.Fatalf("another size: %v; want ErrBadReceipt, not forged", err)
	}
	for i := range len(msg) {
		for c := range 256 {
			if byte(c) == msg[i] {
				continue
			}
			changed := msg[:i] + string([]byte{byte(c)}) + msg[i+1:]
			if _, err := VerifyMediaReceipt(changed, vkey, d, 4096); err == nil {
				t.Fatalf("byte %d changed from %#x to %#x: still verifies\n%s", i, msg[i], c, changed)
			} else if !errors.Is(err, ErrBadReceipt) {
				t.Fatalf("byte %d changed: %v is not ErrBadReceipt", i, err)
			}
		}
	}
}
