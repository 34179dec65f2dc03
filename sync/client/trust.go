package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// TrustError is the device refusing a platform it cannot trust: an address
// without TLS off this machine, an enrolment code it cannot check, or a
// platform that is not the one the code (or the enrolment) named. Code is
// stable, for programs and tests; people read Why's message for it
// ("sync.why_" + Code).
type TrustError struct {
	Code   string
	Detail string
}

func (e *TrustError) Error() string {
	if e.Detail == "" {
		return e.Code
	}
	return e.Code + ": " + e.Detail
}

// Is matches any TrustError of the same code, so errors.Is(err,
// ErrWrongPin) holds for every wrong pin whatever its detail.
func (e *TrustError) Is(target error) bool {
	t, ok := target.(*TrustError)
	return ok && t.Code == e.Code
}

// The refusals, each with its own code.
var (
	// ErrInsecureURL: an http:// platform address that is not this
	// machine (127.0.0.0/8, ::1, localhost), or a code with a TLS pin for
	// an address without TLS.
	ErrInsecureURL = &TrustError{Code: "insecure_url"}
	// ErrNoFingerprint: an enrolment code without the platform key's
	// fingerprint, for a platform off this machine.
	ErrNoFingerprint = &TrustError{Code: "no_fingerprint"}
	// ErrMalformedCode: a code of the right characters but not the right
	// length (a group left out or typed twice).
	ErrMalformedCode = &TrustError{Code: "malformed_code"}
	// ErrWrongFingerprint: the platform answered the enrolment with a key
	// whose fingerprint is not the code's.
	ErrWrongFingerprint = &TrustError{Code: "wrong_fingerprint"}
	// ErrWrongPin: the TLS certificate's public key is not the one pinned
	// (by the code at enrolment, and for good afterwards).
	ErrWrongPin = &TrustError{Code: "wrong_pin"}
	// ErrWrongPlatformKey: a receipt signed by a key other than the
	// platform key the device enrolled with.
	ErrWrongPlatformKey = &TrustError{Code: "wrong_platform_key"}
	// ErrUntrustedCertificate: the platform's certificate does not chain to
	// a certificate authority this device trusts (or is expired, or for
	// another name).
	ErrUntrustedCertificate = &TrustError{Code: "untrusted_certificate"}
)

// TrustCode is the stable code of a trust refusal in err, "" if none.
func TrustCode(err error) string {
	var t *TrustError
	if errors.As(err, &t) {
		return t.Code
	}
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return ErrUntrustedCertificate.Code
	}
	return ""
}

// Loopback says whether a platform address is this machine: 127.0.0.0/8,
// ::1 or localhost. Only there may a device speak plain HTTP (the demo's
// platform runs in-process on http://127.0.0.1:8421).
func Loopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	return loopbackHost(u.Hostname())
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// CheckPlatformURL refuses an address a device must not send anything to:
// not http(s), or http:// off this machine.
func CheckPlatformURL(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return &TrustError{Code: ErrInsecureURL.Code, Detail: fmt.Sprintf("%q is not an http(s) address", base)}
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return &TrustError{Code: ErrInsecureURL.Code, Detail: fmt.Sprintf("%s is not on this machine: the platform must be reached by https://", u.Host)}
	}
	return &TrustError{Code: ErrInsecureURL.Code, Detail: fmt.Sprintf("%q is not an http(s) address", base)}
}

var roots atomic.Pointer[x509.CertPool]

// TrustRoots sets the certificate authorities devices check the platform's
// certificate against; nil (the default) is the system's. A city with its
// own CA installs it in the system's store (Windows: certificate store, by
// group policy; Debian: /usr/local/share/ca-certificates and
// update-ca-certificates); tests set one made in the test.
func TrustRoots(pool *x509.CertPool) {
	roots.Store(pool)
	transports.Clear()
}

// transports holds one transport per pin, so connections are used again
// across clients as they were on http.DefaultTransport.
var transports sync.Map // pin → *guard

// transport is the device's way to the platform: http.DefaultTransport's
// settings, the certificate checked against TrustRoots (and against pin,
// if not ""), and no request to an http:// address off this machine.
func transport(pin string) http.RoundTripper {
	if t, ok := transports.Load(pin); ok {
		return t.(*guard)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots.Load()}
	if pin != "" {
		tr.TLSClientConfig.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return &TrustError{Code: ErrWrongPin.Code, Detail: "the platform presented no certificate"}
			}
			if got := api.SPKIPin(cs.PeerCertificates[0]); got != pin {
				return &TrustError{Code: ErrWrongPin.Code, Detail: fmt.Sprintf("the platform's TLS key has pin %s, not %s", got, pin)}
			}
			return nil
		}
	}
	t, _ := transports.LoadOrStore(pin, &guard{next: tr})
	return t.(*guard)
}

// guard refuses, before anything is sent, a request to an address a
// device must not speak to (redirects included).
type guard struct{ next http.RoundTripper }

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := CheckPlatformURL(req.URL.String()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}
