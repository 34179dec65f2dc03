package vault

import (
	"bytes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// Wrap is the data key encrypted for one holder.
//
//	"SXW" | version 1 | alg u8 | key id [8] | alg-specific
//	alg 1 x25519:  eph pub [32] | SM4-GCM(K, nonce 0, DK)
//	               K = HKDF-SM3(ECDH(eph, R), salt = eph‖R, info = AAD)
//	alg 2 sm2:     sm2.Encrypt(rand, pub, DK ‖ SM3(AAD)) (C1C3C2, GB/T 32918.4)
//	alg 3 machine: nonce [12] | SM4-GCM(HKDF-SM3(M, "sanxiang machine wrap"), nonce, DK)
//	AAD = "sanxiang dk wrap v1\n" ‖ kind ‖ "\n" ‖ holder ‖ "\n" ‖ key id
//
// The GCM of alg 1 and 3 also authenticates AAD. SM2 encryption takes no
// associated data, so alg 2 encrypts SM3(AAD) after the DK and the unwrap
// compares it. After any unwrap the DK is checked against the key id.
//
// Blob is the whole wrap, header included; KeyID, Kind and Holder are what
// the row that stores it says, and must match what the wrap was made for.
type Wrap struct {
	KeyID  seal.KeyID
	Kind   string // "person", "recovery" or "machine"
	Holder string // the person's id, the recovery key's fingerprint, or the machine wrap's purpose ("bootstrap", "upgrade", "desk")
	Blob   []byte
}

// Kinds of wrap.
const (
	KindPerson   = "person"
	KindRecovery = "recovery"
	KindMachine  = "machine"
)

// Wrap algorithms (the byte after the version).
const (
	algX25519  = 1
	algSM2     = 2
	algMachine = 3
)

const (
	wrapHead = 3 + 1 + 1 + 8 // "SXW", version, alg, key id
	dkSize   = 32
)

var (
	// ErrWrap is a wrap that does not open: another holder's, another
	// kind's, altered, or opened with the wrong key.
	ErrWrap = errors.New("vault: the data key wrap does not open with this key")
	// ErrWrapFormat is bytes that are not a wrap this version reads.
	ErrWrapFormat = errors.New("vault: not a data key wrap")
)

// ParseWrap checks a stored wrap's header and fills its key id: for a row
// that holds kind, holder and blob.
func ParseWrap(kind, holder string, blob []byte) (Wrap, error) {
	if _, err := wrapAlg(blob); err != nil {
		return Wrap{}, err
	}
	w := Wrap{Kind: kind, Holder: holder, Blob: append([]byte(nil), blob...)}
	copy(w.KeyID[:], blob[5:wrapHead])
	return w, nil
}

// Alg names the wrap's algorithm: "x25519", "sm2" or "machine".
func (w Wrap) Alg() string {
	a, err := wrapAlg(w.Blob)
	if err != nil {
		return ""
	}
	switch a {
	case algX25519:
		return "x25519"
	case algSM2:
		return "sm2"
	}
	return "machine"
}

// wrapAlg reads a blob's header.
func wrapAlg(blob []byte) (byte, error) {
	if len(blob) < wrapHead || string(blob[:3]) != "SXW" {
		return 0, ErrWrapFormat
	}
	if blob[3] != 1 {
		return 0, fmt.Errorf("%w: version %d", ErrWrapFormat, blob[3])
	}
	switch a := blob[4]; a {
	case algX25519, algSM2, algMachine:
		return a, nil
	default:
		return 0, fmt.Errorf("%w: algorithm %d", ErrWrapFormat, a)
	}
}

// wrapAAD binds a wrap to its kind, holder and key id.
func wrapAAD(kind, holder string, id seal.KeyID) []byte {
	b := []byte("sanxiang dk wrap v1\n" + kind + "\n" + holder + "\n")
	return append(b, id[:]...)
}

// header starts a wrap blob.
func header(alg byte, id seal.KeyID) []byte {
	b := make([]byte, wrapHead, 128)
	copy(b, "SXW")
	b[3], b[4] = 1, alg
	copy(b[5:], id[:])
	return b
}

// begin checks dk and gives its key id and the AAD of the wrap to make.
func begin(dk []byte, kind, holder string) (seal.KeyID, []byte, error) {
	if len(dk) != dkSize {
		return seal.KeyID{}, nil, fmt.Errorf("a data key is %d bytes, not %d", dkSize, len(dk))
	}
	if holder == "" {
		return seal.KeyID{}, nil, errors.New("a wrap needs a holder")
	}
	id, err := seal.IDOf(dk)
	if err != nil {
		return id, nil, err
	}
	return id, wrapAAD(kind, holder, id), nil
}

// opening checks a wrap against the kind and alg expected and gives its AAD
// and body (after the header).
func opening(w Wrap, kind string, alg byte) ([]byte, []byte, error) {
	a, err := wrapAlg(w.Blob)
	if err != nil {
		return nil, nil, err
	}
	if w.Kind != kind {
		return nil, nil, fmt.Errorf("%w: a %s wrap, not a %s one", ErrWrap, w.Kind, kind)
	}
	if a != alg {
		return nil, nil, fmt.Errorf("%w: algorithm %d, expected %d", ErrWrap, a, alg)
	}
	if !bytes.Equal(w.Blob[5:wrapHead], w.KeyID[:]) {
		return nil, nil, fmt.Errorf("%w: the wrap names key %x, its row %s", ErrWrap, w.Blob[5:wrapHead], w.KeyID)
	}
	return wrapAAD(w.Kind, w.Holder, w.KeyID), w.Blob[wrapHead:], nil
}

// checkDK compares an unwrapped key with the wrap's key id.
func checkDK(dk []byte, id seal.KeyID) ([]byte, error) {
	if len(dk) != dkSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrWrap, len(dk))
	}
	got, err := seal.IDOf(dk)
	if err != nil {
		return nil, err
	}
	if got != id {
		return nil, fmt.Errorf("%w: the key opened is %s, the wrap names %s", ErrWrap, got, id)
	}
	return dk, nil
}

// sm4gcm is SM4-GCM over a 16-byte key.
func sm4gcm(key []byte) (cipher.AEAD, error) {
	b, err := sm4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// WrapPerson wraps dk for a person: to the X25519 key derived from their
// Ed25519 public key (standard base64, as accounts store it).
func WrapPerson(dk []byte, id, ed25519Pub string) (Wrap, error) {
	raw, err := base64.StdEncoding.DecodeString(ed25519Pub)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return Wrap{}, fmt.Errorf("wrap for %s: the public key is not a base64 Ed25519 key", id)
	}
	r, err := X25519Public(ed25519.PublicKey(raw))
	if err != nil {
		return Wrap{}, fmt.Errorf("wrap for %s: %w", id, err)
	}
	w, err := wrapX25519(dk, KindPerson, id, r)
	if err != nil {
		return Wrap{}, fmt.Errorf("wrap for %s: %w", id, err)
	}
	return w, nil
}

// UnwrapPerson opens a person's wrap with their (unsealed) Ed25519 key.
func UnwrapPerson(w Wrap, id string, key ed25519.PrivateKey) ([]byte, error) {
	if w.Holder != id {
		return nil, fmt.Errorf("unwrap for %s: %w: the wrap is %s's", id, ErrWrap, w.Holder)
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("unwrap for %s: not an Ed25519 private key", id)
	}
	priv, err := X25519Private(key)
	if err != nil {
		return nil, fmt.Errorf("unwrap for %s: %w", id, err)
	}
	dk, err := unwrapX25519(w, KindPerson, priv)
	if err != nil {
		return nil, fmt.Errorf("unwrap for %s: %w", id, err)
	}
	return dk, nil
}

// wrapX25519 is ECIES to r (alg 1).
func wrapX25519(dk []byte, kind, holder string, r *ecdh.PublicKey) (Wrap, error) {
	id, aad, err := begin(dk, kind, holder)
	if err != nil {
		return Wrap{}, err
	}
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return Wrap{}, fmt.Errorf("ephemeral key: %w", err)
	}
	k, err := eciesKey(eph, r, eph.PublicKey().Bytes(), aad)
	if err != nil {
		return Wrap{}, err
	}
	a, err := sm4gcm(k)
	if err != nil {
		return Wrap{}, err
	}
	out := append(header(algX25519, id), eph.PublicKey().Bytes()...)
	out = a.Seal(out, make([]byte, a.NonceSize()), dk, aad)
	return Wrap{KeyID: id, Kind: kind, Holder: holder, Blob: out}, nil
}

// unwrapX25519 opens alg 1 with the recipient's private key.
func unwrapX25519(w Wrap, kind string, priv *ecdh.PrivateKey) ([]byte, error) {
	aad, body, err := opening(w, kind, algX25519)
	if err != nil {
		return nil, err
	}
	if len(body) != 32+dkSize+16 {
		return nil, fmt.Errorf("%w: x25519 body of %d bytes", ErrWrapFormat, len(body))
	}
	ephPub, err := ecdh.X25519().NewPublicKey(body[:32])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrapFormat, err)
	}
	// The shared secret is ECDH(eph, R) = ECDH(r, Eph).
	shared, err := priv.ECDH(ephPub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrap, err)
	}
	k, err := hkdf.Key(sm3.New, shared, append(body[:32:32], priv.PublicKey().Bytes()...), string(aad), 16)
	if err != nil {
		return nil, err
	}
	a, err := sm4gcm(k)
	if err != nil {
		return nil, err
	}
	dk, err := a.Open(nil, make([]byte, a.NonceSize()), body[32:], aad)
	if err != nil {
		return nil, ErrWrap
	}
	return checkDK(dk, w.KeyID)
}

// eciesKey is HKDF-SM3(ECDH(eph, r), salt = eph‖R, info = aad), 16 bytes.
func eciesKey(eph *ecdh.PrivateKey, r *ecdh.PublicKey, ephPub, aad []byte) ([]byte, error) {
	shared, err := eph.ECDH(r)
	if err != nil {
		return nil, fmt.Errorf("x25519: %w", err)
	}
	salt := append(append([]byte(nil), ephPub...), r.Bytes()...)
	return hkdf.Key(sm3.New, shared, salt, string(aad), 16)
}

// X25519Private is the X25519 key of an Ed25519 key: the clamped first
// half of SHA-512(seed), as RFC 8032 derives the signing scalar.
func X25519Private(key ed25519.PrivateKey) (*ecdh.PrivateKey, error) {
	h := sha512.Sum512(key.Seed())
	s := h[:32]
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	p, err := ecdh.X25519().NewPrivateKey(s)
	for i := range h {
		h[i] = 0
	}
	return p, err
}

// p25519 is 2^255 - 19.
var p25519 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// X25519Public maps an Ed25519 public key to the X25519 public key of the
// same secret: u = (1+y)/(1-y) mod 2^255-19 (RFC 7748 §4.1).
func X25519Public(pub ed25519.PublicKey) (*ecdh.PublicKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("an Ed25519 public key is %d bytes, not %d", ed25519.PublicKeySize, len(pub))
	}
	le := append([]byte(nil), pub...)
	le[31] &= 0x7f // the sign of x
	y := new(big.Int).SetBytes(reverse(le))
	if y.Cmp(p25519) >= 0 {
		return nil, errors.New("not a canonical Ed25519 public key")
	}
	den := new(big.Int).Sub(big.NewInt(1), y)
	den.Mod(den, p25519)
	if den.Sign() == 0 {
		return nil, errors.New("the Ed25519 public key is the identity")
	}
	u := new(big.Int).Add(big.NewInt(1), y)
	u.Mul(u, den.ModInverse(den, p25519))
	u.Mod(u, p25519)
	b := make([]byte, 32)
	u.FillBytes(b)
	k, err := ecdh.X25519().NewPublicKey(reverse(b))
	if err != nil {
		return nil, fmt.Errorf("x25519 public key: %w", err)
	}
	return k, nil
}

// reverse reverses b in place and returns it (little- to big-endian).
func reverse(b []byte) []byte {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// machineKey derives the machine wrap's key from the keystore secret m.
func machineKey(m []byte) (cipher.AEAD, error) {
	if len(m) != 32 {
		return nil, fmt.Errorf("a machine secret is 32 bytes, not %d", len(m))
	}
	k, err := hkdf.Key(sm3.New, m, nil, "sanxiang machine wrap", 16)
	if err != nil {
		return nil, err
	}
	return sm4gcm(k)
}

// WrapMachine wraps dk under the machine secret m (from the keystore).
func WrapMachine(dk, m []byte, holder string) (Wrap, error) {
	id, aad, err := begin(dk, KindMachine, holder)
	if err != nil {
		return Wrap{}, fmt.Errorf("machine wrap %s: %w", holder, err)
	}
	a, err := machineKey(m)
	if err != nil {
		return Wrap{}, fmt.Errorf("machine wrap %s: %w", holder, err)
	}
	out := header(algMachine, id)
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Wrap{}, fmt.Errorf("machine wrap %s: nonce: %w", holder, err)
	}
	out = append(out, nonce...)
	out = a.Seal(out, nonce, dk, aad)
	return Wrap{KeyID: id, Kind: KindMachine, Holder: holder, Blob: out}, nil
}

// UnwrapMachine opens a machine wrap with m.
func UnwrapMachine(w Wrap, m []byte) ([]byte, error) {
	aad, body, err := opening(w, KindMachine, algMachine)
	if err != nil {
		return nil, fmt.Errorf("machine unwrap %s: %w", w.Holder, err)
	}
	a, err := machineKey(m)
	if err != nil {
		return nil, fmt.Errorf("machine unwrap %s: %w", w.Holder, err)
	}
	if len(body) != a.NonceSize()+dkSize+a.Overhead() {
		return nil, fmt.Errorf("machine unwrap %s: %w: body of %d bytes", w.Holder, ErrWrapFormat, len(body))
	}
	n := a.NonceSize()
	dk, err := a.Open(nil, body[:n], body[n:], aad)
	if err != nil {
		return nil, fmt.Errorf("machine unwrap %s: %w", w.Holder, ErrWrap)
	}
	dk, err = checkDK(dk, w.KeyID)
	if err != nil {
		return nil, fmt.Errorf("machine unwrap %s: %w", w.Holder, err)
	}
	return dk, nil
}
