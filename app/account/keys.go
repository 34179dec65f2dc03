package account

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KDF is the cost of turning a PIN into the key that seals a person's
// private key: Argon2id with Memory KiB, Time passes and one lane.
//
// A six-digit PIN has 10⁶ values, so the file alone lets an attacker try
// them all offline; the cost of each try is the only defence. Strong is
// measured (BenchmarkUnseal, and the note in docs/keys.md) at about 1.7 s
// of one core a try, so trying every PIN takes about 19 days of one core,
// and its 256 MiB a try keeps a GPU from running thousands at once. A
// person signs in once a session, so the wait is paid rarely.
type KDF struct {
	Memory uint32 // KiB
	Time   uint32
}

var (
	// Strong is what a person's key is sealed with.
	Strong = KDF{Memory: 256 * 1024, Time: 8}
	// Quick is for the demo, whose PIN is printed in the README, and for
	// tests: it guards nothing.
	Quick = KDF{Memory: 8 * 1024, Time: 1}
)

// ErrNoKey is a signature asked of an account that holds no unsealed key.
var ErrNoKey = errors.New("account: no key to sign with (not signed in)")

const sealedPrefix = "$sealed-ed25519$v=1$"

// seal encrypts seed under pin: Argon2id(pin, salt) is the key of an
// XChaCha20-Poly1305 box whose associated data binds it to the account and
// its public key, so a sealed key copied onto another account does not open.
func seal(seed []byte, pin, id, pub string, k KDF) (string, error) {
	salt := make([]byte, 16)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(pin), salt, k.Time, k.Memory, 1, chacha20poly1305.KeySize))
	if err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	box := aead.Seal(nil, nonce, seed, []byte(id+"\n"+pub))
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%sm=%d,t=%d,p=1$%s$%s$%s", sealedPrefix, k.Memory, k.Time,
		enc.EncodeToString(salt), enc.EncodeToString(nonce), enc.EncodeToString(box)), nil
}

// errSealed is a sealed key that cannot be read: damaged, not ours.
var errSealed = errors.New("account: sealed key unreadable")

// unseal opens a sealed key with pin: the private key, or ErrWrongPIN.
func unseal(sealed, pin, id, pub string) (ed25519.PrivateKey, error) {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	parts := strings.Split(rest, "$")
	if !ok || len(parts) != 4 {
		return nil, errSealed
	}
	var k KDF
	var p uint8
	if _, err := fmt.Sscanf(parts[0], "m=%d,t=%d,p=%d", &k.Memory, &k.Time, &p); err != nil || p != 1 || k.Memory == 0 || k.Time == 0 {
		return nil, errSealed
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	nonce, err2 := enc.DecodeString(parts[2])
	box, err3 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || len(nonce) != chacha20poly1305.NonceSizeX {
		return nil, errSealed
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(pin), salt, k.Time, k.Memory, 1, chacha20poly1305.KeySize))
	if err != nil {
		return nil, errSealed
	}
	seed, err := aead.Open(nil, nonce, box, []byte(id+"\n"+pub))
	if err != nil {
		return nil, ErrWrongPIN
	}
	if len(seed) != ed25519.SeedSize {
		return nil, errSealed
	}
	key := ed25519.NewKeyFromSeed(seed)
	if base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)) != pub {
		return nil, errSealed
	}
	return key, nil
}

// NewKey makes a person's Ed25519 key, on the device that will hold it.
func NewKey() (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	return key, nil
}

// PublicKeyOf is a key's public half in the form records and the platform
// carry: standard base64.
func PublicKeyOf(key ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
}

// Person is the account's ID, for ledger.Signer.
func (a Account) Person() string { return a.ID }

// PublicKey is the account's public key (nil for an account without one).
func (a Account) PublicKey() ed25519.PublicKey {
	if a.key == nil {
		return nil
	}
	return a.key.Public().(ed25519.PublicKey)
}

// Sign signs msg with the account's unsealed key. Only an Account that
// SignIn or Confirm returned holds one; use CanSign first.
func (a Account) Sign(msg []byte) []byte { return ed25519.Sign(a.key, msg) }

// CanSign says whether the account holds its unsealed key.
func (a Account) CanSign() bool { return a.key != nil }

// Keyring holds the keys of the people signed in on a device, for the
// case file to sign their records with, and those who confirmed their
// presence for the next record only (a second officer on site).
type Keyring struct {
	mu   sync.Mutex
	keys map[string]Account
	once map[string]Account
}

// Add keeps a signed-in person's key until Remove.
func (k *Keyring) Add(a Account) {
	if !a.CanSign() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]Account{}
	}
	k.keys[a.ID] = a
}

// AddOnce keeps a key for the next record that needs it, then forgets it.
func (k *Keyring) AddOnce(a Account) {
	if !a.CanSign() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.once == nil {
		k.once = map[string]Account{}
	}
	k.once[a.ID] = a
}

// Remove forgets a person's keys (signing out, locking).
func (k *Keyring) Remove(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, id)
	delete(k.once, id)
}

// Take returns the key to sign as id with: a one-time confirmation first
// (which it forgets), else a signed-in person's.
func (k *Keyring) Take(id string) (Account, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if a, ok := k.once[id]; ok {
		delete(k.once, id)
		return a, true
	}
	a, ok := k.keys[id]
	return a, ok
}

// SignedIn lists the people signed in (not those confirmed once), by ID.
func (k *Keyring) SignedIn() []Account {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]Account, 0, len(k.keys))
	for _, a := range k.keys {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Has says whether id could sign now, without using a confirmation.
func (k *Keyring) Has(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, once := k.once[id]
	_, ok := k.keys[id]
	return once || ok
}
