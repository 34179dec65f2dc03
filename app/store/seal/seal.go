// Package seal encrypts data at rest: small blobs (database fields, side
// files, the token) and stream files (evidence, recording segments,
// archives). Every blob and file names its suite and its key, so the suite
// can change without a rewrite. SM4-GCM (GB/T 32907, through
// github.com/emmansun/gmsm, pure Go) is the default; AES-256-GCM is the
// second suite, kept for comparison and for files a setting assigns to it.
//
// The package knows nothing of people, PINs or keystores: it is given a
// data key (Keys) by app/vault, and refuses with ErrLocked while none is.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// Suite is an AEAD with the KDF that goes with it.
type Suite byte

const (
	// SM4GCM is SM4 in GCM mode with HKDF-SM3: the default.
	SM4GCM Suite = 1
	// AES256GCM is AES-256 in GCM mode with HKDF-SHA-256.
	AES256GCM Suite = 2
)

// String names the suite as the benchmark table and the reports do.
func (s Suite) String() string {
	switch s {
	case SM4GCM:
		return "SM4-GCM"
	case AES256GCM:
		return "AES-256-GCM"
	}
	return fmt.Sprintf("suite(%d)", byte(s))
}

// KeyID names a data key without revealing it: the first 8 bytes of
// HKDF(DK, "sanxiang key id"), so whoever unwraps a DK can check it.
type KeyID [8]byte

// String is the key id in hex.
func (id KeyID) String() string { return fmt.Sprintf("%x", id[:]) }

var (
	// ErrLocked is returned while no data key is held: nobody signed in.
	ErrLocked = errors.New("seal: locked: sign in to open this data")
	// ErrUnknownKey is a blob sealed under a key this device does not hold.
	ErrUnknownKey = errors.New("seal: sealed under another data key")
	// ErrCorrupt is a blob or file that does not authenticate: altered,
	// truncated, or moved from its place.
	ErrCorrupt = errors.New("seal: does not authenticate (altered or moved)")
	// ErrNotSealed is plaintext where a sealed blob or file was expected.
	ErrNotSealed = errors.New("seal: not sealed")
)

// Key is a data key made ready for one suite.
type Key struct {
	ID    KeyID
	Suite Suite
	sub   []byte // the suite's subkey
	aead  cipher.AEAD
}

// kdf is the suite's hash for HKDF.
func (s Suite) kdf() (func() hash.Hash, int, error) {
	switch s {
	case SM4GCM:
		return sm3.New, 16, nil
	case AES256GCM:
		return sha256.New, 32, nil
	}
	return nil, 0, fmt.Errorf("seal: unknown suite %d", byte(s))
}

// aeadFor makes the suite's AEAD over key.
func (s Suite) aeadFor(key []byte) (cipher.AEAD, error) {
	var b cipher.Block
	var err error
	switch s {
	case SM4GCM:
		b, err = sm4.NewCipher(key)
	case AES256GCM:
		b, err = aes.NewCipher(key)
	default:
		return nil, fmt.Errorf("seal: unknown suite %d", byte(s))
	}
	if err != nil {
		return nil, fmt.Errorf("seal: %s key: %w", s, err)
	}
	return cipher.NewGCM(b)
}

// IDOf is the key id of a data key (the same for every suite).
func IDOf(dk []byte) (KeyID, error) {
	var id KeyID
	b, err := hkdf.Key(sm3.New, dk, nil, "sanxiang key id", len(id))
	if err != nil {
		return id, fmt.Errorf("seal: key id: %w", err)
	}
	copy(id[:], b)
	return id, nil
}

// NewKey derives the subkey of suite s from the data key dk (32 bytes).
func NewKey(dk []byte, s Suite) (*Key, error) {
	if len(dk) != 32 {
		return nil, fmt.Errorf("seal: a data key is 32 bytes, not %d", len(dk))
	}
	h, n, err := s.kdf()
	if err != nil {
		return nil, err
	}
	sub, err := hkdf.Key(h, dk, nil, "sanxiang seal v1 "+s.String(), n)
	if err != nil {
		return nil, fmt.Errorf("seal: subkey: %w", err)
	}
	a, err := s.aeadFor(sub)
	if err != nil {
		return nil, err
	}
	id, err := IDOf(dk)
	if err != nil {
		return nil, err
	}
	return &Key{ID: id, Suite: s, sub: sub, aead: a}, nil
}

// Keys is who holds the data key: a vault that may be locked, or one fixed
// key (Static) for tests, recovery and the upgrade.
type Keys interface {
	// Current is the key new blobs are sealed under; ErrLocked while locked.
	Current() (*Key, error)
	// Lookup is the key a blob names; ErrLocked while locked, ErrUnknownKey
	// for a key this holder does not have.
	Lookup(id KeyID, s Suite) (*Key, error)
}

// Static holds one data key, in every suite.
type Static struct {
	DK    []byte
	Suite Suite // what Current seals with; zero is SM4GCM
}

// Current implements Keys.
func (s Static) Current() (*Key, error) {
	su := s.Suite
	if su == 0 {
		su = SM4GCM
	}
	return NewKey(s.DK, su)
}

// Lookup implements Keys.
func (s Static) Lookup(id KeyID, su Suite) (*Key, error) {
	k, err := NewKey(s.DK, su)
	if err != nil {
		return nil, err
	}
	if k.ID != id {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKey, id)
	}
	return k, nil
}

// The small blob:
//
//	0  2  magic "SX"
//	2  1  version = 1
//	3  1  suite
//	4  8  key id
//	12 12 nonce (random)
//	24 .. ciphertext ‖ 16-byte tag
//	AAD = bytes 0..12 ‖ context
const (
	blobHead   = 12
	nonceSize  = 12
	tagSize    = 16
	blobMagic0 = 'S'
	blobMagic1 = 'X'
)

// Overhead is what Seal adds to a plaintext.
const Overhead = blobHead + nonceSize + tagSize

// IsSealed says whether b starts like a sealed blob.
func IsSealed(b []byte) bool {
	return len(b) >= Overhead && b[0] == blobMagic0 && b[1] == blobMagic1 && b[2] == 1
}

// Seal encrypts plain under k's current key, bound to context (a row's or a
// file's name: a blob moved elsewhere does not open).
func Seal(k Keys, plain, context []byte) ([]byte, error) {
	if k == nil {
		return nil, ErrLocked
	}
	key, err := k.Current()
	if err != nil {
		return nil, err
	}
	out := make([]byte, blobHead+nonceSize, Overhead+len(plain))
	out[0], out[1], out[2], out[3] = blobMagic0, blobMagic1, 1, byte(key.Suite)
	copy(out[4:12], key.ID[:])
	if _, err := rand.Read(out[blobHead:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	aad := append(append([]byte(nil), out[:blobHead]...), context...)
	return key.aead.Seal(out, out[blobHead:blobHead+nonceSize], plain, aad), nil
}

// Open decrypts a blob made by Seal with the same context.
func Open(k Keys, blob, context []byte) ([]byte, error) {
	if !IsSealed(blob) {
		return nil, ErrNotSealed
	}
	if k == nil {
		return nil, ErrLocked
	}
	var id KeyID
	copy(id[:], blob[4:12])
	key, err := k.Lookup(id, Suite(blob[3]))
	if err != nil {
		return nil, err
	}
	aad := append(append([]byte(nil), blob[:blobHead]...), context...)
	plain, err := key.aead.Open(nil, blob[blobHead:blobHead+nonceSize], blob[blobHead+nonceSize:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}
