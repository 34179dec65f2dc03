package vault

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/mod/sumdb/note"
)

// Recovery key algorithms.
const (
	RecoverySM2    = "sm2"
	RecoveryX25519 = "x25519"
)

var (
	// ErrRecoveryKey is a recovery key (public or private, or its file)
	// that does not parse.
	ErrRecoveryKey = errors.New("vault: not a recovery key")
	// ErrRecoveryNoteSigner is a recovery key note not signed by the
	// platform key this device pinned: it may be a substitute.
	ErrRecoveryNoteSigner = errors.New("vault: the recovery key note is not signed by the pinned platform key")
	// ErrRecoveryNoteAltered is a note whose signature does not match its
	// text: changed on the way.
	ErrRecoveryNoteAltered = errors.New("vault: the recovery key note was altered (its signature does not verify)")
	// ErrRecoveryNoteFormat is a signed note that is not a recovery key note.
	ErrRecoveryNoteFormat = errors.New("vault: not a recovery key note")
)

// RecoveryPublic is a city recovery key's public part. As a string:
// "sm2:<base64 65-byte uncompressed point>" or "x25519:<base64 32 bytes>".
type RecoveryPublic struct {
	Alg string // "sm2" or "x25519"
	Key []byte
}

// String is the key's text form.
func (p RecoveryPublic) String() string {
	return p.Alg + ":" + base64.StdEncoding.EncodeToString(p.Key)
}

// Fingerprint is hex(SHA-256(String()))[:16]: a wrap's holder.
func (p RecoveryPublic) Fingerprint() string {
	h := sha256.Sum256([]byte(p.String()))
	return hex.EncodeToString(h[:])[:16]
}

// check validates the key for its algorithm.
func (p RecoveryPublic) check() error {
	switch p.Alg {
	case RecoverySM2:
		if len(p.Key) != 65 {
			return fmt.Errorf("%w: an sm2 public key is a 65-byte uncompressed point, not %d bytes", ErrRecoveryKey, len(p.Key))
		}
		if _, err := sm2.NewPublicKey(p.Key); err != nil {
			return fmt.Errorf("%w: sm2: %v", ErrRecoveryKey, err)
		}
	case RecoveryX25519:
		if _, err := ecdh.X25519().NewPublicKey(p.Key); err != nil {
			return fmt.Errorf("%w: x25519: %v", ErrRecoveryKey, err)
		}
	default:
		return fmt.Errorf("%w: unknown algorithm %q (sm2 or x25519)", ErrRecoveryKey, p.Alg)
	}
	return nil
}

// ParseRecoveryPublic reads the text form.
func ParseRecoveryPublic(s string) (RecoveryPublic, error) {
	alg, b64, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return RecoveryPublic{}, fmt.Errorf("%w: %q is not alg:base64", ErrRecoveryKey, s)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return RecoveryPublic{}, fmt.Errorf("%w: %v", ErrRecoveryKey, err)
	}
	p := RecoveryPublic{Alg: alg, Key: key}
	if err := p.check(); err != nil {
		return RecoveryPublic{}, err
	}
	return p, nil
}

// RecoveryPrivate is a city recovery key's private part. Its file is one
// line: "sanxiang-recovery-key:sm2:<base64 32-byte scalar>" (or x25519).
type RecoveryPrivate struct {
	Alg string
	Key []byte
}

const keyFilePrefix = "sanxiang-recovery-key:"

// Public is the public part.
func (k RecoveryPrivate) Public() RecoveryPublic {
	switch k.Alg {
	case RecoverySM2:
		if p, err := sm2.NewPrivateKey(k.Key); err == nil {
			pub, err := sm2.PublicKeyToECDH(&p.PublicKey)
			if err == nil {
				return RecoveryPublic{Alg: k.Alg, Key: pub.Bytes()}
			}
		}
	case RecoveryX25519:
		if p, err := ecdh.X25519().NewPrivateKey(k.Key); err == nil {
			return RecoveryPublic{Alg: k.Alg, Key: p.PublicKey().Bytes()}
		}
	}
	return RecoveryPublic{Alg: k.Alg}
}

// Marshal is the key file's content.
func (k RecoveryPrivate) Marshal() []byte {
	return []byte(keyFilePrefix + k.Alg + ":" + base64.StdEncoding.EncodeToString(k.Key) + "\n")
}

// NewRecoveryKey makes a recovery key ("sm2" or "x25519").
func NewRecoveryKey(alg string) (RecoveryPrivate, error) {
	switch alg {
	case RecoverySM2, "":
		p, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return RecoveryPrivate{}, fmt.Errorf("new recovery key: %w", err)
		}
		return RecoveryPrivate{Alg: RecoverySM2, Key: p.D.FillBytes(make([]byte, 32))}, nil
	case RecoveryX25519:
		p, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return RecoveryPrivate{}, fmt.Errorf("new recovery key: %w", err)
		}
		return RecoveryPrivate{Alg: RecoveryX25519, Key: p.Bytes()}, nil
	}
	return RecoveryPrivate{}, fmt.Errorf("new recovery key: %w: unknown algorithm %q (sm2 or x25519)", ErrRecoveryKey, alg)
}

// ParseRecoveryKey reads a key file's content.
func ParseRecoveryKey(data []byte) (RecoveryPrivate, error) {
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "AGE-SECRET-KEY-1") {
		return RecoveryPrivate{}, fmt.Errorf("%w: age identities are not read; make a key with `sanxiang-platform key recovery new`", ErrRecoveryKey)
	}
	rest, ok := strings.CutPrefix(s, keyFilePrefix)
	if !ok || strings.ContainsAny(rest, "\n\r") {
		return RecoveryPrivate{}, fmt.Errorf("%w: a key file is one line %q…", ErrRecoveryKey, keyFilePrefix)
	}
	alg, b64, _ := strings.Cut(rest, ":")
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return RecoveryPrivate{}, fmt.Errorf("%w: %v", ErrRecoveryKey, err)
	}
	k := RecoveryPrivate{Alg: alg, Key: key}
	switch alg {
	case RecoverySM2:
		if len(key) != 32 {
			return RecoveryPrivate{}, fmt.Errorf("%w: an sm2 private key is 32 bytes, not %d", ErrRecoveryKey, len(key))
		}
		if _, err := sm2.NewPrivateKey(key); err != nil {
			return RecoveryPrivate{}, fmt.Errorf("%w: sm2: %v", ErrRecoveryKey, err)
		}
	case RecoveryX25519:
		if _, err := ecdh.X25519().NewPrivateKey(key); err != nil {
			return RecoveryPrivate{}, fmt.Errorf("%w: x25519: %v", ErrRecoveryKey, err)
		}
	default:
		return RecoveryPrivate{}, fmt.Errorf("%w: unknown algorithm %q (sm2 or x25519)", ErrRecoveryKey, alg)
	}
	return k, nil
}

// WrapRecovery wraps dk for a city recovery key.
func WrapRecovery(dk []byte, pub RecoveryPublic) (Wrap, error) {
	if err := pub.check(); err != nil {
		return Wrap{}, fmt.Errorf("recovery wrap: %w", err)
	}
	holder := pub.Fingerprint()
	switch pub.Alg {
	case RecoveryX25519:
		r, err := ecdh.X25519().NewPublicKey(pub.Key)
		if err != nil {
			return Wrap{}, fmt.Errorf("recovery wrap %s: %w", holder, err)
		}
		w, err := wrapX25519(dk, KindRecovery, holder, r)
		if err != nil {
			return Wrap{}, fmt.Errorf("recovery wrap %s: %w", holder, err)
		}
		return w, nil
	}
	id, aad, err := begin(dk, KindRecovery, holder)
	if err != nil {
		return Wrap{}, fmt.Errorf("recovery wrap %s: %w", holder, err)
	}
	p, err := sm2.NewPublicKey(pub.Key)
	if err != nil {
		return Wrap{}, fmt.Errorf("recovery wrap %s: %w", holder, err)
	}
	sum := sm3.Sum(aad)
	ct, err := sm2.Encrypt(rand.Reader, p, append(append([]byte(nil), dk...), sum[:]...), nil)
	if err != nil {
		return Wrap{}, fmt.Errorf("recovery wrap %s: sm2: %w", holder, err)
	}
	return Wrap{KeyID: id, Kind: KindRecovery, Holder: holder, Blob: append(header(algSM2, id), ct...)}, nil
}

// UnwrapRecovery opens a recovery wrap.
func UnwrapRecovery(w Wrap, key RecoveryPrivate) ([]byte, error) {
	pub := key.Public()
	if pub.Fingerprint() != w.Holder {
		return nil, fmt.Errorf("recovery unwrap: %w: the wrap is for key %s, this is %s", ErrWrap, w.Holder, pub.Fingerprint())
	}
	switch key.Alg {
	case RecoveryX25519:
		p, err := ecdh.X25519().NewPrivateKey(key.Key)
		if err != nil {
			return nil, fmt.Errorf("recovery unwrap: %w", err)
		}
		dk, err := unwrapX25519(w, KindRecovery, p)
		if err != nil {
			return nil, fmt.Errorf("recovery unwrap %s: %w", w.Holder, err)
		}
		return dk, nil
	case RecoverySM2:
	default:
		return nil, fmt.Errorf("recovery unwrap: %w: unknown algorithm %q", ErrRecoveryKey, key.Alg)
	}
	aad, body, err := opening(w, KindRecovery, algSM2)
	if err != nil {
		return nil, fmt.Errorf("recovery unwrap %s: %w", w.Holder, err)
	}
	p, err := sm2.NewPrivateKey(key.Key)
	if err != nil {
		return nil, fmt.Errorf("recovery unwrap: %w", err)
	}
	plain, err := sm2.Decrypt(p, body)
	if err != nil {
		return nil, fmt.Errorf("recovery unwrap %s: %w", w.Holder, ErrWrap)
	}
	sum := sm3.Sum(aad)
	if len(plain) != dkSize+len(sum) || !bytes.Equal(plain[dkSize:], sum[:]) {
		return nil, fmt.Errorf("recovery unwrap %s: %w: made for another kind, holder or key", w.Holder, ErrWrap)
	}
	dk, err := checkDK(plain[:dkSize], w.KeyID)
	if err != nil {
		return nil, fmt.Errorf("recovery unwrap %s: %w", w.Holder, err)
	}
	return dk, nil
}

const noteTitle = "sanxiang recovery key"

// RecoveryNote is the signed note the platform publishes for a key:
//
//	sanxiang recovery key
//	sm2:BASE64…
//	since 2026-07-10T00:00:00Z
func RecoveryNote(p RecoveryPublic, since time.Time, signer note.Signer) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("recovery note: %w", err)
	}
	text := noteTitle + "\n" + p.String() + "\nsince " + since.UTC().Format(time.RFC3339) + "\n"
	b, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return "", fmt.Errorf("recovery note: %w", err)
	}
	return string(b), nil
}

// OpenRecoveryNote checks a note under the platform key the device pinned
// (a note verifier string) and reads the key in it.
func OpenRecoveryNote(msg, platformVerifier string) (RecoveryPublic, error) {
	v, err := note.NewVerifier(platformVerifier)
	if err != nil {
		return RecoveryPublic{}, fmt.Errorf("recovery note: the pinned platform key: %w", err)
	}
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &invalid):
			return RecoveryPublic{}, fmt.Errorf("%w: %v", ErrRecoveryNoteAltered, err)
		case errors.As(err, &unverified):
			return RecoveryPublic{}, fmt.Errorf("%w: %v", ErrRecoveryNoteSigner, err)
		}
		return RecoveryPublic{}, fmt.Errorf("%w: %v", ErrRecoveryNoteFormat, err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != noteTitle || !strings.HasPrefix(lines[2], "since ") {
		return RecoveryPublic{}, fmt.Errorf("%w: %q", ErrRecoveryNoteFormat, n.Text)
	}
	if _, err := time.Parse(time.RFC3339, strings.TrimPrefix(lines[2], "since ")); err != nil {
		return RecoveryPublic{}, fmt.Errorf("%w: since: %v", ErrRecoveryNoteFormat, err)
	}
	p, err := ParseRecoveryPublic(lines[1])
	if err != nil {
		return RecoveryPublic{}, fmt.Errorf("recovery note: %w", err)
	}
	return p, nil
}
