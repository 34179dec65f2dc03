package vault

import (
	"time"

	"golang.org/x/mod/sumdb/note"
)

// RecoveryPublic is a city recovery key's public part. As a string:
// "sm2:<base64 65-byte uncompressed point>" or "x25519:<base64 32 bytes>".
type RecoveryPublic struct {
	Alg string // "sm2" or "x25519"
	Key []byte
}

// String is the key's text form.
func (p RecoveryPublic) String() string { panic("todo") }

// Fingerprint is hex(SHA-256(String()))[:16]: a wrap's holder.
func (p RecoveryPublic) Fingerprint() string { panic("todo") }

// ParseRecoveryPublic reads the text form.
func ParseRecoveryPublic(s string) (RecoveryPublic, error) { panic("todo") }

// RecoveryPrivate is a city recovery key's private part. Its file is one
// line: "sanxiang-recovery-key:sm2:<base64 32-byte scalar>" (or x25519).
type RecoveryPrivate struct {
	Alg string
	Key []byte
}

// Public is the public part.
func (k RecoveryPrivate) Public() RecoveryPublic { panic("todo") }

// Marshal is the key file's content.
func (k RecoveryPrivate) Marshal() []byte { panic("todo") }

// NewRecoveryKey makes a recovery key ("sm2" or "x25519").
func NewRecoveryKey(alg string) (RecoveryPrivate, error) { panic("todo") }

// ParseRecoveryKey reads a key file's content.
func ParseRecoveryKey(data []byte) (RecoveryPrivate, error) { panic("todo") }

// WrapRecovery wraps dk for a city recovery key.
func WrapRecovery(dk []byte, pub RecoveryPublic) (Wrap, error) { panic("todo") }

// UnwrapRecovery opens a recovery wrap.
func UnwrapRecovery(w Wrap, key RecoveryPrivate) ([]byte, error) { panic("todo") }

// RecoveryNote is the signed note the platform publishes for a key:
//
//	sanxiang recovery key
//	sm2:BASE64…
//	since 2026-07-10T00:00:00Z
func RecoveryNote(p RecoveryPublic, since time.Time, signer note.Signer) (string, error) {
	panic("todo")
}

// OpenRecoveryNote checks a note under the platform key the device pinned
// (a note verifier string) and reads the key in it.
func OpenRecoveryNote(msg, platformVerifier string) (RecoveryPublic, error) { panic("todo") }
