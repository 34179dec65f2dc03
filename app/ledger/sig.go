package ledger

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
)

// Sig is one person's signature of a record: Ed25519 over the record's
// statement (Statement), by a key the platform registered to that person.
type Sig struct {
	Person string `json:"person"` // certificate or staff number
	Key    string `json:"key"`    // the public key, standard base64
	Sig    string `json:"sig"`    // standard base64
}

// Errors a signature check returns.
var (
	ErrBadSig  = errors.New("a personal signature does not verify")
	ErrNoSig   = errors.New("a record lacks a person's signature")
	errSigForm = errors.New("a personal signature is malformed")
)

// statementPrefix separates a record statement from anything else an
// Ed25519 key might sign (an activation proof, a request).
const statementPrefix = "sanxiang/record/v1\n"

// Statement is what a person signs of a record: the log's origin (so the
// signature cannot be moved into another device's log) and the record as
// its author wrote it — case, kind, time, author, correction, media and
// canonical body — without the places the log assigns (seq, prev) and
// without the signatures themselves.
func Statement(origin string, r *Record) ([]byte, error) {
	c := *r
	c.Seq, c.Prev, c.Sigs = 0, 0, nil
	data, err := c.encode()
	if err != nil {
		return nil, fmt.Errorf("statement of a %s record: %w", r.Kind, err)
	}
	return append([]byte(statementPrefix+origin+"\n"), data...), nil
}

// Signer signs statements as one person.
type Signer interface {
	Person() string
	PublicKey() ed25519.PublicKey
	Sign(msg []byte) []byte
}

// AddSig signs r's statement as s and adds the signature; a person who
// signed it already is not added twice.
func (r *Record) AddSig(origin string, s Signer) error {
	for _, g := range r.Sigs {
		if g.Person == s.Person() {
			return nil
		}
	}
	st, err := Statement(origin, r)
	if err != nil {
		return err
	}
	r.Sigs = append(r.Sigs, Sig{Person: s.Person(), Key: base64.StdEncoding.EncodeToString(s.PublicKey()),
		Sig: base64.StdEncoding.EncodeToString(s.Sign(st))})
	return nil
}

// SigBy returns the signature r carries by person, if any.
func (r *Record) SigBy(person string) (Sig, bool) {
	for _, g := range r.Sigs {
		if g.Person == person {
			return g, true
		}
	}
	return Sig{}, false
}

// VerifySigs checks every signature r carries against its statement in the
// log of origin: ErrBadSig (naming the person) for one that does not
// verify. Whether the key is the person's is the caller's to check.
func VerifySigs(origin string, r *Record) error {
	if len(r.Sigs) == 0 {
		return nil
	}
	st, err := Statement(origin, r)
	if err != nil {
		return err
	}
	for _, g := range r.Sigs {
		pub, err1 := base64.StdEncoding.DecodeString(g.Key)
		sig, err2 := base64.StdEncoding.DecodeString(g.Sig)
		if err1 != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || g.Person == "" {
			return fmt.Errorf("%w: %w: %s on record %d", ErrBadSig, errSigForm, g.Person, r.Seq)
		}
		if !ed25519.Verify(pub, st, sig) {
			return fmt.Errorf("%w: %s on record %d", ErrBadSig, g.Person, r.Seq)
		}
	}
	return nil
}

// KeySigner signs as ID with a bare key (tools and tests; a device signs
// with the keys of people signed in, account.Keyring).
type KeySigner struct {
	ID  string
	Key ed25519.PrivateKey
}

func (k KeySigner) Person() string               { return k.ID }
func (k KeySigner) PublicKey() ed25519.PublicKey { return k.Key.Public().(ed25519.PublicKey) }
func (k KeySigner) Sign(msg []byte) []byte       { return ed25519.Sign(k.Key, msg) }
