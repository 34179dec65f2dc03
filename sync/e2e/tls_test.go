package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// testCA is a certificate authority made in the test, as a city's own CA
// would be; devices trust it through client.TrustRoots.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf is a server certificate for 127.0.0.1 and localhost with a fresh
// key, and its PEM files' contents.
func (ca *testCA) leaf(t *testing.T) (tls.Certificate, *x509.Certificate, []byte, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "platform"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return pair, cert, certPEM, keyPEM
}

// trust makes the devices of this test trust ca (and only it) until the
// test ends.
func trust(t *testing.T, ca *testCA) {
	client.TrustRoots(ca.pool)
	t.Cleanup(func() { client.TrustRoots(nil) })
}

// serveTLS serves s over real TLS on loopback with a certificate of ca, and
// tells s its pin so that the codes it makes carry it.
func serveTLS(t *testing.T, s *server.Server, ca *testCA) (*httptest.Server, string) {
	t.Helper()
	pair, cert, _, _ := ca.leaf(t)
	h := httptest.NewUnstartedServer(apitest.Checked(t, s.Handler()))
	h.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	h.StartTLS()
	t.Cleanup(h.Close)
	pin := api.SPKIPin(cert)
	s.SetTLSPin(func() string { return pin })
	return h, pin
}

// TestTLSEnrolPushUpload: a device enrols over HTTPS with a code carrying
// the platform key's fingerprint and the certificate's pin, pushes its log
// and uploads evidence; afterwards it refuses a platform with another TLS
// key and receipts signed by another platform key.
func TestTLSEnrolPushUpload(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		ca := newCA(t, "青禾市 CA")
		trust(t, ca)
		s := b.Open(t, server.Options{AdminToken: admin})
		h, pin := serveTLS(t, s, ca)
		if !strings.HasPrefix(h.URL, "https://127.0.0.1:") {
			t.Fatalf("not TLS on loopback: %s", h.URL)
		}
		code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := api.ParseEnrolCode(code)
		if err != nil || parsed.Fingerprint != api.KeyFingerprint(s.PlatformKey()) || parsed.Pin != pin {
			t.Fatalf("code %s parses as %+v, %v; want fingerprint %s and pin %s", code, parsed, err, api.KeyFingerprint(s.PlatformKey()), pin)
		}
		if len(strings.Split(code, "-")) != 12 {
			t.Fatalf("code %s: want 12 groups of four", code)
		}

		l := deviceLog(t, "TLS-1", 5)
		data := bytes.Repeat([]byte("录像帧"), 300_000) // ~2.7 MB
		d, _, err := l.Media().Put(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddNote(ctx, mustCase(t, l), testPeople[0], "现场录像", d.String()); err != nil {
			t.Fatal(err)
		}
		// Typed by a person: lower case, spaces for dashes.
		typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
		id, err := client.Enrol(ctx, h.URL, typed, "laptop", api.DeviceOfficer, l.Verifier)
		if err != nil {
			t.Fatalf("enrol over TLS: %v", err)
		}
		if id.TLSPin != pin || id.PlatformKey != s.PlatformKey() {
			t.Fatalf("identity pins %q and %q", id.TLSPin, id.PlatformKey)
		}
		activateKeys(t, s, id, l)
		c := client.New(id)
		pr, err := c.Push(ctx, l)
		if err != nil || pr.Receipts == 0 {
			t.Fatalf("push over TLS: %+v %v", pr, err)
		}
		n, err := c.PushMedia(ctx, l, nil)
		if err != nil || n != 1 {
			t.Fatalf("upload over TLS: %d %v", n, err)
		}
		got, err := readMedia(s, d.String())
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("the platform holds %d bytes (%v), want %d", len(got), err, len(data))
		}
		cat := openCatalog(t)
		if _, err := client.PullPinned(ctx, h.URL, id.TLSPin, cat); err != nil {
			t.Fatalf("pull over the pinned connection: %v", err)
		}

		// The same platform behind another certificate of the same CA (a
		// key swapped, or someone in between with a certificate the CA
		// gave them): trusted by the CA, refused by the pin.
		other := httptest.NewUnstartedServer(apitest.Checked(t, s.Handler()))
		otherPair, _, _, _ := ca.leaf(t)
		other.TLS = &tls.Config{Certificates: []tls.Certificate{otherPair}}
		other.StartTLS()
		t.Cleanup(other.Close)
		moved := id
		moved.Platform = other.URL
		appendN(t, l, 2, "note")
		_, err = client.New(moved).Push(ctx, l)
		if !errors.Is(err, client.ErrWrongPin) || client.TrustCode(err) != "wrong_pin" {
			t.Fatalf("a platform with another TLS key: %v", err)
		}
		if msg := client.Why(ctx, err, other.URL); msg.Key != "sync.why_wrong_pin" {
			t.Fatalf("people are told %s", msg.Key)
		}
		// A kiosk's or a window's lists pull as its device does: pinned.
		dir := t.TempDir()
		if err := client.SaveIdentity(dir, moved, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := client.NewLists(other.URL, openCatalog(t)).OnDevice(dir).Pull(ctx); !errors.Is(err, client.ErrWrongPin) {
			t.Fatalf("lists pulled from a platform with another TLS key: %v", err)
		}
		if err := client.SaveIdentity(dir, id, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := client.NewLists(h.URL, openCatalog(t)).OnDevice(dir).Pull(ctx); err != nil {
			t.Fatalf("lists pulled over the pinned connection: %v", err)
		}

		// Receipts signed by a platform key other than the pinned one.
		s2 := b.Open(t, server.Options{})
		forged := id
		forged.PlatformKey = s2.PlatformKey()
		_, err = client.New(forged).Push(ctx, l)
		if !errors.Is(err, client.ErrWrongPlatformKey) || client.TrustCode(err) != "wrong_platform_key" {
			t.Fatalf("a receipt from another platform key: %v", err)
		}
		// The genuine identity still syncs.
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatalf("push after the refusals: %v", err)
		}
	})
}

// TestTLSRefusals: an attacker's or a mistaken setup — plain HTTP to a
// city address, a code without or with a wrong fingerprint, a certificate
// with another key than the pin, one from an unknown authority — each
// refused with its own code, and a code refused by its pin is not spent.
func TestTLSRefusals(t *testing.T) {
	ctx := context.Background()
	b := servertest.Backends(t)[0]
	ca := newCA(t, "青禾市 CA")
	trust(t, ca)
	s := b.Open(t, server.Options{AdminToken: admin})
	h, pin := serveTLS(t, s, ca)
	l := openLog(t, "TLS-REFUSE")
	newCode := func() api.EnrolCode {
		code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := api.ParseEnrolCode(code)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	want := func(what string, err error, code string) {
		t.Helper()
		if got := client.TrustCode(err); got != code {
			t.Fatalf("%s: code %q (%v), want %q", what, got, err, code)
		}
		if msg := client.Why(ctx, err, h.URL); msg.Key != "sync.why_"+code {
			t.Fatalf("%s: people are told %s", what, msg.Key)
		}
	}

	good := newCode()
	// Plain HTTP to an address off this machine: refused before a byte
	// is sent, whatever the code.
	for _, u := range []string{"http://192.0.2.10:8421", "http://zf.example.cn", "HTTP://[2001:db8::1]:8421"} {
		_, err := client.Enrol(ctx, u, good.String(), "laptop", api.DeviceOfficer, l.Verifier)
		want("enrol at "+u, err, "insecure_url")
	}
	_, err := client.PullPublic(ctx, "http://192.0.2.10:8421", openCatalog(t))
	want("pull from plain HTTP", err, "insecure_url")
	// A legacy code (no fingerprint) for an address off this machine.
	_, err = client.Enrol(ctx, "https://zf.example.cn", good.Secret, "laptop", api.DeviceOfficer, l.Verifier)
	want("a code without fingerprint", err, "no_fingerprint")
	// A group left out.
	_, err = client.Enrol(ctx, h.URL, good.String()[5:], "laptop", api.DeviceOfficer, l.Verifier)
	want("a code missing a group", err, "malformed_code")

	// A pin of another key: the handshake is refused, the code never sent.
	_, otherCert, _, _ := ca.leaf(t)
	wrongPin := good
	wrongPin.Pin = api.SPKIPin(otherCert)
	_, err = client.Enrol(ctx, h.URL, wrongPin.String(), "laptop", api.DeviceOfficer, l.Verifier)
	want("a wrong pin", err, "wrong_pin")
	if wrongPin.Pin == pin {
		t.Fatal("two keys with one pin")
	}

	// A certificate from an authority the device does not trust.
	stranger := newCA(t, "someone else")
	pair, _, _, _ := stranger.leaf(t)
	h2 := httptest.NewUnstartedServer(apitest.Checked(t, s.Handler()))
	h2.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	h2.StartTLS()
	t.Cleanup(h2.Close)
	fpOnly := good
	fpOnly.Pin = ""
	_, err = client.Enrol(ctx, h2.URL, fpOnly.String(), "laptop", api.DeviceOfficer, l.Verifier)
	want("an unknown authority", err, "untrusted_certificate")

	// The code survived both: enrol with it now, as it was made.
	if _, err := client.Enrol(ctx, h.URL, good.String(), "laptop", api.DeviceOfficer, l.Verifier); err != nil {
		t.Fatalf("the code refused by its pin was spent: %v", err)
	}

	// A wrong fingerprint: the platform answers with its key, which is not
	// the code's; the device keeps no identity.
	other := b.Open(t, server.Options{})
	wrongFP := newCode()
	wrongFP.Fingerprint = api.KeyFingerprint(other.PlatformKey())
	l2 := openLog(t, "TLS-REFUSE-2")
	id, err := client.Enrol(ctx, h.URL, wrongFP.String(), "laptop 2", api.DeviceOfficer, l2.Verifier)
	want("a wrong fingerprint", err, "wrong_fingerprint")
	if id.Token != "" {
		t.Fatal("an identity came back with a wrong fingerprint")
	}

	// Loopback keeps plain HTTP for the demo, with or without fingerprint.
	plain := httptest.NewServer(apitest.Checked(t, s.Handler()))
	t.Cleanup(plain.Close)
	l3 := openLog(t, "TLS-REFUSE-3")
	fp := newCode()
	fp.Pin = ""
	if _, err := client.Enrol(ctx, plain.URL, fp.String(), "demo", api.DeviceOfficer, l3.Verifier); err != nil {
		t.Fatalf("plain HTTP on loopback with a fingerprint: %v", err)
	}
	l4 := openLog(t, "TLS-REFUSE-4")
	if _, err := client.Enrol(ctx, plain.URL, newCode().Secret, "demo", api.DeviceOfficer, l4.Verifier); err != nil {
		t.Fatalf("plain HTTP on loopback with a legacy code: %v", err)
	}
	// A pin cannot be checked without TLS.
	l5 := openLog(t, "TLS-REFUSE-5")
	_, err = client.Enrol(ctx, plain.URL, newCode().String(), "demo", api.DeviceOfficer, l5.Verifier)
	want("a pin over plain HTTP", err, "insecure_url")
}

// openCatalog is an empty device catalog.
func openCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}
