package api

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"errors"
	"strings"
)

// An enrolment code is what an administrator hands to the person setting
// up a device, to type or scan:
//
//	ABCD-EFGH-KP7Q-2M4X-…               (2 + 5 groups: secret, fingerprint)
//	ABCD-EFGH-KP7Q-…-…-T3ZA-…           (2 + 5 + 5 groups: … and TLS pin)
//
// Every group is four characters of base32 (RFC 4648: A–Z and 2–7, so no
// 0/O or 1/I to confuse); the dashes and any spaces are for people and are
// ignored, as is case. The first two groups are the one-time secret the
// platform keeps hashed; the next five are the fingerprint of the
// platform's receipt key (KeyFingerprint), which the device checks the key
// in the enrolment answer against; the optional last five are the pin of
// the TLS certificate's public key (SPKIPin), which the device checks the
// TLS peer against before it sends anything. Fingerprint and pin are
// 100 bits each: finding another key with the same 100 bits is a second
// preimage of SHA-256 truncated to 100 bits, out of reach.
//
// A code made before fingerprints (one group of other characters) parses
// as a legacy code with no fingerprint; devices take it only from a
// platform on their own machine (see sync/client).

// Sizes of an enrolment code's parts, in base32 characters.
const (
	SecretChars      = 8
	FingerprintChars = 20
	groupChars       = 4
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// digest is the first FingerprintChars base32 characters of SHA-256(b).
func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return b32.EncodeToString(sum[:])[:FingerprintChars]
}

// KeyFingerprint is the fingerprint of a platform receipt key, given as
// its note verifier ("sanxiang-platform+hash+base64key"): 20 base32
// characters in groups of four. Every place that shows or checks a
// platform key's fingerprint (enrolment codes, the platform's log, key
// rotation) calls this one function.
func KeyFingerprint(verifier string) string {
	return group(digest([]byte(strings.TrimSpace(verifier))))
}

// SPKIPin is the pin of a TLS certificate: the fingerprint of its
// SubjectPublicKeyInfo, which stays the same when the certificate is
// renewed with the same key.
func SPKIPin(cert *x509.Certificate) string {
	return group(digest(cert.RawSubjectPublicKeyInfo))
}

// EnrolCode is an enrolment code taken apart.
type EnrolCode struct {
	// Secret is what the platform checks (the one-time code proper).
	Secret string
	// Fingerprint is KeyFingerprint of the platform key the code was made
	// by, grouped; "" in a legacy code.
	Fingerprint string
	// Pin is SPKIPin of the platform's TLS certificate, grouped; "" if the
	// code carries none.
	Pin string
}

// ErrBadEnrolCode: a code that has the new form's characters but not its
// length (a group left out or typed twice).
var ErrBadEnrolCode = errors.New("enrolment code: wrong number of characters (8 + 20, or 8 + 20 + 20, in base32)")

// String is the code as people see it: groups of four joined by dashes.
func (c EnrolCode) String() string {
	if c.Fingerprint == "" {
		return c.Secret
	}
	s := group(c.Secret) + "-" + c.Fingerprint
	if c.Pin != "" {
		s += "-" + c.Pin
	}
	return s
}

// ParseEnrolCode reads a code as typed or scanned.
func ParseEnrolCode(s string) (EnrolCode, error) {
	s = strings.TrimSpace(s)
	flat := strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t', '\n', '\r':
			return -1
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
	if !isBase32(flat) || len(flat) <= SecretChars {
		// A legacy code: as it was made, checked by the platform alone.
		return EnrolCode{Secret: s}, nil
	}
	switch len(flat) {
	case SecretChars + FingerprintChars:
		return EnrolCode{Secret: flat[:SecretChars], Fingerprint: group(flat[SecretChars:])}, nil
	case SecretChars + 2*FingerprintChars:
		return EnrolCode{Secret: flat[:SecretChars], Fingerprint: group(flat[SecretChars : SecretChars+FingerprintChars]),
			Pin: group(flat[SecretChars+FingerprintChars:])}, nil
	}
	return EnrolCode{}, ErrBadEnrolCode
}

func isBase32(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// group puts a dash after every four characters.
func group(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += groupChars {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+groupChars, len(s))])
	}
	return b.String()
}
