package server

import (
	"crypto/rand"
	"encoding/base32"
	"sync/atomic"

	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// tlsPin is the pin (api.SPKIPin) of the TLS certificate devices meet when
// they reach this platform, put into the enrolment codes it makes; nil or
// "" leaves codes without a pin.
type tlsPin = atomic.Pointer[func() string]

// SetTLSPin tells the platform how to learn the pin of the certificate
// devices see: the one it serves itself (read again when the certificate
// file changes) or the certificate of the proxy in front of it. Codes made
// afterwards carry it.
func (s *Server) SetTLSPin(pin func() string) { s.pin.Store(&pin) }

// currentPin is the pin for the next code; "" when none is known.
func (s *Server) currentPin() string {
	if f := s.pin.Load(); f != nil && *f != nil {
		return (*f)()
	}
	return ""
}

// KeyFingerprint is the fingerprint of the platform's current receipt key,
// as enrolment codes carry it.
func (s *Server) KeyFingerprint() string { return api.KeyFingerprint(s.PlatformKey()) }

// enrolCode makes the code handed to people for one new secret: the
// secret, the receipt key's fingerprint and, when known, the TLS pin.
func (s *Server) enrolCode() (secret, code string) {
	b := make([]byte, api.SecretChars*5/8)
	rand.Read(b)
	secret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	return secret, api.EnrolCode{Secret: secret, Fingerprint: s.KeyFingerprint(), Pin: s.currentPin()}.String()
}

// enrolSecret is the part of a code as a device or a program sent it that
// the platform checks: the secret of a code with a fingerprint, or a legacy
// code whole.
func enrolSecret(code string) string {
	c, err := api.ParseEnrolCode(code)
	if err != nil {
		return code
	}
	return c.Secret
}
