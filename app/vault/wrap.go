package vault

import (
	"crypto/ed25519"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// Wrap is the data key encrypted for one holder.
//
//	"SXW" | version 1 | alg u8 | key id [8] | alg-specific
//	alg 1 x25519:  eph pub [32] | SM4-GCM(K, nonce 0, DK)
//	               K = HKDF-SM3(ECDH(eph, R), salt = eph‖R, info = AAD)
//	alg 2 sm2:     sm2.Encrypt(rand, pub, DK) (C1C3C2, GB/T 32918.4)
//	alg 3 machine: nonce [12] | SM4-GCM(HKDF-SM3(M, "sanxiang machine wrap"), nonce, DK)
//	AAD = "sanxiang dk wrap v1" ‖ kind ‖ holder ‖ key id
//
// After any unwrap the DK is checked against the key id.
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

// WrapPerson wraps dk for a person: to the X25519 key derived from their
// Ed25519 public key (standard base64, as accounts store it).
func WrapPerson(dk []byte, id, ed25519Pub string) (Wrap, error) { panic("todo: WrapPerson") }

// UnwrapPerson opens a person's wrap with their (unsealed) Ed25519 key.
func UnwrapPerson(w Wrap, id string, key ed25519.PrivateKey) ([]byte, error) {
	panic("todo: UnwrapPerson")
}

// WrapMachine wraps dk under the machine secret m (from the keystore).
func WrapMachine(dk, m []byte, holder string) (Wrap, error) { panic("todo: WrapMachine") }

// UnwrapMachine opens a machine wrap with m.
func UnwrapMachine(w Wrap, m []byte) ([]byte, error) { panic("todo: UnwrapMachine") }
