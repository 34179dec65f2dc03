package account

import (
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// KDF is the cost of turning a PIN into the key that seals a person's
// private key: Argon2id with Memory KiB, Time passes and Lanes lanes.
//
// A six-digit PIN has 10⁶ values, so the file alone lets an attacker try
// them all offline; the cost of each try is the only defence. Strong runs
// two lanes, which x/crypto fills on two cores at once: a sign-in waits
// about half the core time a guess costs. BenchmarkSignIn measures both
// (docs/keys.md has the figures): a whole sign-in under 1 s on the
// reference 2-core machine, a guess about 1.4 core-seconds, and 256 MiB a
// try keeps a GPU from running thousands at once. Where the folder is
// bound to an OS keystore (v2 boxes), a copied disk gives no guesses at
// all without that machine's secret M.
type KDF struct {
	Memory uint32 // KiB
	Time   uint32
	Lanes  uint8
}

var (
	// Strong is what a person's key is sealed with.
	Strong = KDF{Memory: 256 * 1024, Time: 7, Lanes: 2}
	// Quick is for the demo, whose PIN is printed in the README, and for
	// tests: it guards nothing.
	Quick = KDF{Memory: 8 * 1024, Time: 1, Lanes: 1}
)

// ErrNoKey is a signature asked of an account that holds no unsealed key.
var ErrNoKey = errors.New("account: no key to sign with (not signed in)")

// The two box formats. v1 (XChaCha20-Poly1305 under Argon2id(PIN) alone)
// is still read, and resealed to v2 at the first sign-in.
const (
	sealedPrefix   = "$sealed-ed25519$v=1$"
	sealedPrefixV2 = "$sealed-ed25519$v=2$"
)

// binding is what a v2 box is bound to besides the PIN: the folder's
// keystore kind and its machine secret M (32 zero bytes for "none").
type binding struct {
	kind string
	m    []byte
}

// noBinding is a folder without a keystore (or without a vault yet).
func noBinding() binding { return binding{kind: keystore.None{}.Kind(), m: make([]byte, 32)} }

// checkOf is the check of a machine secret a box and the vault row record:
// hex(HKDF-SM3(M, "check"))[:16]. It tells a folder on another machine
// from a wrong PIN, and says nothing of M.
func checkOf(m []byte) (string, error) {
	b, err := hkdf.Key(sm3.New, m, nil, "check", 8)
	if err != nil {
		return "", fmt.Errorf("binding check: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// kekV2 is a v2 box's key: HKDF-SM3(Argon2id(pin, salt) ‖ M) for this
// account and public key, 16 bytes for SM4.
func kekV2(pin string, salt []byte, k KDF, m []byte, id, pub string) ([]byte, error) {
	ikm := append(argon2.IDKey([]byte(pin), salt, k.Time, k.Memory, k.Lanes, 32), m...)
	defer clear(ikm)
	return hkdf.Key(sm3.New, ikm, nil, "sanxiang person v2\n"+id+"\n"+pub, 16)
}

func sm4GCM(key []byte) (cipher.AEAD, error) {
	b, err := sm4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// seal encrypts seed under pin and the folder's binding (a v2 box):
//
//	$sealed-ed25519$v=2$m=..,t=..,p=..$bind=<kind>:<check>$salt$nonce$box
//
// The key is HKDF-SM3(Argon2id(pin, salt) ‖ M), the box SM4-GCM with the
// account and its public key as associated data, so a sealed key copied
// onto another account does not open, and without M (another machine, or
// another user's keyring) the right PIN opens nothing either.
func seal(seed []byte, pin, id, pub string, k KDF, bd binding) (string, error) {
	if k.Lanes == 0 {
		k.Lanes = 1
	}
	check, err := checkOf(bd.m)
	if err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	salt := make([]byte, 16)
	nonce := make([]byte, 12)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	kek, err := kekV2(pin, salt, k, bd.m, id, pub)
	if err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	defer clear(kek)
	aead, err := sm4GCM(kek)
	if err != nil {
		return "", fmt.Errorf("seal key: %w", err)
	}
	box := aead.Seal(nil, nonce, seed, []byte(id+"\n"+pub))
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%sm=%d,t=%d,p=%d$bind=%s:%s$%s$%s$%s", sealedPrefixV2, k.Memory, k.Time, k.Lanes,
		bd.kind, check, enc.EncodeToString(salt), enc.EncodeToString(nonce), enc.EncodeToString(box)), nil
}

// errSealed is a sealed key that cannot be read: damaged, not ours.
var errSealed = errors.New("account: sealed key unreadable")

// secretFunc gives the machine secret for a v2 box bound to kind with
// check: vault.ErrOtherMachine when this machine does not hold it (which
// is not a wrong PIN), keystore.ErrUnavailable when it cannot be asked.
type secretFunc func(kind, check string) ([]byte, error)

// unsealed is what unseal found: the key, and whether the box is to be
// sealed again (a v1 box, or bound otherwise than the folder now is).
type unsealed struct {
	key     ed25519.PrivateKey
	version int
	kind    string // v2: the binding's kind
}

func parseKDF(s string) (KDF, bool) {
	var k KDF
	if _, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &k.Memory, &k.Time, &k.Lanes); err != nil ||
		k.Lanes < 1 || k.Lanes > 4 || k.Memory == 0 || k.Time == 0 {
		return k, false
	}
	return k, true
}

// unseal opens a sealed key (v1 or v2) with pin: the private key, or
// ErrWrongPIN, or (v2) the error secret gives, before any Argon2 is run.
func unseal(sealed, pin, id, pub string, secret secretFunc) (unsealed, error) {
	if rest, ok := strings.CutPrefix(sealed, sealedPrefixV2); ok {
		return unsealV2(rest, pin, id, pub, secret)
	}
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	parts := strings.Split(rest, "$")
	if !ok || len(parts) != 4 {
		return unsealed{}, errSealed
	}
	k, ok := parseKDF(parts[0])
	if !ok {
		return unsealed{}, errSealed
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	nonce, err2 := enc.DecodeString(parts[2])
	box, err3 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || len(nonce) != chacha20poly1305.NonceSizeX {
		return unsealed{}, errSealed
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(pin), salt, k.Time, k.Memory, k.Lanes, chacha20poly1305.KeySize))
	if err != nil {
		return unsealed{}, errSealed
	}
	seed, err := aead.Open(nil, nonce, box, []byte(id+"\n"+pub))
	if err != nil {
		return unsealed{}, ErrWrongPIN
	}
	key, err := keyOf(seed, pub)
	return unsealed{key: key, version: 1}, err
}

func unsealV2(rest, pin, id, pub string, secret secretFunc) (unsealed, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 5 {
		return unsealed{}, errSealed
	}
	k, ok := parseKDF(parts[0])
	bind, okb := strings.CutPrefix(parts[1], "bind=")
	kind, check, okc := strings.Cut(bind, ":")
	if !ok || !okb || !okc || kind == "" || len(check) != 16 {
		return unsealed{}, errSealed
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	nonce, err2 := enc.DecodeString(parts[3])
	box, err3 := enc.DecodeString(parts[4])
	if err1 != nil || err2 != nil || err3 != nil || len(nonce) != 12 || len(salt) < 16 {
		return unsealed{}, errSealed
	}
	m, err := secret(kind, check)
	if err != nil {
		return unsealed{}, err
	}
	if got, err := checkOf(m); err != nil {
		return unsealed{}, err
	} else if subtle.ConstantTimeCompare([]byte(got), []byte(check)) != 1 {
		return unsealed{}, fmt.Errorf("%w: the key's binding check differs from this keystore's", vault.ErrOtherMachine)
	}
	kek, err := kekV2(pin, salt, k, m, id, pub)
	if err != nil {
		return unsealed{}, errSealed
	}
	defer clear(kek)
	aead, err := sm4GCM(kek)
	if err != nil {
		return unsealed{}, errSealed
	}
	seed, err := aead.Open(nil, nonce, box, []byte(id+"\n"+pub))
	if err != nil {
		return unsealed{}, ErrWrongPIN
	}
	key, err := keyOf(seed, pub)
	return unsealed{key: key, version: 2, kind: kind}, err
}

// keyOf is the key of an unsealed seed, which must be pub's.
func keyOf(seed []byte, pub string) (ed25519.PrivateKey, error) {
	defer clear(seed)
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
