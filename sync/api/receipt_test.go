package api

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// signedReceipt is a media receipt signed as the platform signs one.
// Its size is size, given as text: notes one byte apart in length need
// no padding, one "=" and two "==" in base64.
func signedReceipt(t testing.TB, size string) (msg, verifier string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "sanxiang-platform")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := note.Sign(&note.Note{Text: "sanxiang-media\n" + strings.Repeat("ab", 32) + "\n" + size + "\ntime 2026-12-06T12:00:00Z\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), vkey
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// TestReceiptHeader: the header value is printable ASCII and decodes to
// the exact note, whose signature holds; the older "|" form decodes too;
// a value changed on its way is ErrReceiptHeader.
func TestReceiptHeader(t *testing.T) {
	msg, vkey := signedReceipt(t, "12345")
	if printable(msg) {
		t.Fatal("the signed note is ASCII: the test shows nothing") // its em dash
	}
	v := EncodeReceipt(msg)
	if !printable(v) {
		t.Fatalf("header value %q is not printable ASCII", v)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, value string
		want        error
	}{
		{"base64", v, nil},
		{"older form", strings.ReplaceAll(msg, "\n", "|"), nil},
		{"empty", "", ErrReceiptHeader},
		{"not base64", v[:10] + "*" + v[11:], ErrReceiptHeader},
		{"cut short", v[:len(v)-1], ErrReceiptHeader},
		{"unpadded", unpadded(t, msg), ErrReceiptHeader},
		{"URL alphabet", base64.URLEncoding.EncodeToString([]byte(msg + "\xfb\xff")), ErrReceiptHeader},
		{"raw note", strings.ReplaceAll(msg, "\n", " "), ErrReceiptHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeReceipt(tc.value)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("DecodeReceipt(%q) = %q, %v; want %v", tc.value, got, err, tc.want)
				}
				return
			}
			if err != nil || got != msg {
				t.Fatalf("DecodeReceipt(%q) = %q, %v; want the note", tc.value, got, err)
			}
			if _, err := note.Open([]byte(got), note.VerifierList(verifier)); err != nil {
				t.Fatalf("decoded receipt does not verify: %v", err)
			}
		})
	}
}

// unpadded is the base64 of a note one byte longer than msg, which needs
// padding, without it.
func unpadded(t *testing.T, msg string) string {
	v := EncodeReceipt(msg + "\n")
	if !strings.HasSuffix(v, "=") {
		v = EncodeReceipt(msg + "\n\n")
	}
	if !strings.HasSuffix(v, "=") {
		t.Fatalf("%q has no padding", v)
	}
	return strings.TrimRight(v, "=")
}

// TestReceiptHeaderEveryChangeRefused: every character of the header
// changed to every other printable one is refused, or decodes to another
// note than was signed (the strict decoding leaves no padding bit
// unread); whose signature then fails (ledger.VerifyMediaReceipt refuses
// every changed byte of a note).
func TestReceiptHeaderEveryChangeRefused(t *testing.T) {
	for _, size := range []string{"12345", "123456", "1234567"} {
		msg, _ := signedReceipt(t, size)
		v := EncodeReceipt(msg)
		for i := range len(v) {
			for c := byte(0x20); c <= 0x7e; c++ {
				if c == v[i] {
					continue
				}
				changed := v[:i] + string(c) + v[i+1:]
				got, err := DecodeReceipt(changed)
				if err == nil && got == msg {
					t.Fatalf("size %s: character %d changed to %q decodes to the same note", size, i, c)
				}
				if err != nil && !errors.Is(err, ErrReceiptHeader) {
					t.Fatalf("size %s: character %d changed to %q: %v is not ErrReceiptHeader", size, i, c, err)
				}
			}
		}
	}
}

// FuzzDecodeReceipt: any value decodes or is refused without panic, and a
// base64 value decodes to what encodes back to it.
func FuzzDecodeReceipt(f *testing.F) {
	msg, _ := signedReceipt(f, "12345")
	f.Add(EncodeReceipt(msg))
	f.Add(strings.ReplaceAll(msg, "\n", "|"))
	f.Add("")
	f.Add("====")
	f.Fuzz(func(t *testing.T, v string) {
		got, err := DecodeReceipt(v)
		if err != nil || strings.Contains(v, "|") {
			return
		}
		if EncodeReceipt(got) != strings.NewReplacer("\r", "", "\n", "").Replace(v) {
			t.Fatalf("%q decodes to %q, which encodes to %q", v, got, EncodeReceipt(got))
		}
	})
}
