// Package tsatest runs a real RFC 3161 time-stamping authority on loopback
// for tests: sigstore's timestamp-authority (v2) server, in-process, signing
// with a key of a test CA chain (root → intermediate → a TSA certificate
// whose only, critical, extended key usage is timeStamping, as RFC 3161
// §2.3 asks and the authority itself checks). The chain is written as PEM
// files so that an independent reader (openssl ts -verify) can check the
// tokens too. It is for tests only; no production package imports it.
package tsatest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tsalog "github.com/sigstore/timestamp-authority/v2/pkg/log"
	"github.com/sigstore/timestamp-authority/v2/pkg/server"
	"github.com/spf13/viper"
	"go.uber.org/zap"
)

// PathTimestamp is where the authority takes RFC 3161 requests.
const PathTimestamp = "/api/v1/timestamp"

// CA is the test chain the authority signs under.
type CA struct {
	Root, Intermediate, Leaf *x509.Certificate
	key                      *ecdsa.PrivateKey // the TSA's
}

// Roots is a pool holding the root alone: what a verifier trusts.
func (c *CA) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Root)
	return p
}

// Intermediates is a pool holding the intermediate.
func (c *CA) Intermediates() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Intermediate)
	return p
}

// RootPEM is the root as PEM.
func (c *CA) RootPEM() []byte { return pemCert(c.Root) }

// ChainPEM is the TSA certificate and the intermediate, as PEM.
func (c *CA) ChainPEM() []byte { return append(pemCert(c.Leaf), pemCert(c.Intermediate)...) }

// WriteFiles writes root.pem and chain.pem (the TSA certificate and the
// intermediate) into dir and returns their paths.
func (c *CA) WriteFiles(t testing.TB, dir string) (root, chain string) {
	t.Helper()
	root, chain = filepath.Join(dir, "root.pem"), filepath.Join(dir, "chain.pem")
	if err := os.WriteFile(root, c.RootPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(chain, c.ChainPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, chain
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// NewCA makes a fresh chain: root, intermediate and the TSA's certificate.
func NewCA() (*CA, error) {
	now := time.Now().Add(-time.Hour)
	mk := func(tmpl, parent *x509.Certificate, pub, signer any) (*x509.Certificate, error) {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			return nil, err
		}
		return x509.ParseCertificate(der)
	}
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
	rootKey, midKey, tsaKey := key(), key(), key()
	ca := func(serial int64, name string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name, Organization: []string{"Sanxiang test CA"}},
			NotBefore: now, NotAfter: now.Add(24 * 365 * time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	rootT := ca(1, "Sanxiang test root")
	root, err := mk(rootT, rootT, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	midT := ca(2, "Sanxiang test intermediate")
	mid, err := mk(midT, root, &midKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	// RFC 3161 §2.3: the TSA's certificate has exactly one extended key
	// usage, timeStamping, marked critical; crypto/x509 writes the
	// extension non-critical, so it goes in as a raw extension.
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, err
	}
	leafT := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "Sanxiang test TSA", Organization: []string{"Sanxiang test CA"}},
		NotBefore: now, NotAfter: now.Add(24 * 365 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}}
	leaf, err := mk(leafT, mid, &tsaKey.PublicKey, midKey)
	if err != nil {
		return nil, err
	}
	return &CA{Root: root, Intermediate: mid, Leaf: leaf, key: tsaKey}, nil
}

// The authority's server keeps its configuration in process-wide state
// (viper and a package variable), so one authority serves the whole test
// binary; each TSA is its own listener in front of it.
var (
	once    sync.Once
	shared  *CA
	handler http.Handler
	initErr error
)

func setup() {
	shared, initErr = NewCA()
	if initErr != nil {
		return
	}
	dir, err := os.MkdirTemp("", "tsatest-")
	if err != nil {
		initErr = err
		return
	}
	// The authority reads its key and chain once, here.
	defer os.RemoveAll(dir)
	der, err := x509.MarshalPKCS8PrivateKey(shared.key)
	if err != nil {
		initErr = err
		return
	}
	keyPath, chainPath := filepath.Join(dir, "tsa.key"), filepath.Join(dir, "chain.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		initErr = err
		return
	}
	if err := os.WriteFile(chainPath, append(shared.ChainPEM(), shared.RootPEM()...), 0o600); err != nil {
		initErr = err
		return
	}
	// The authority logs each request at debug level in colour; the
	// tests say what went wrong themselves.
	tsalog.Logger = zap.NewNop().Sugar()
	viper.Set("timestamp-signer", "file")
	viper.Set("timestamp-signer-hash", "sha256")
	viper.Set("file-signer-key-path", keyPath)
	viper.Set("file-signer-passwd", "")
	viper.Set("certificate-chain-path", chainPath)
	viper.Set("include-chain-in-response", true)
	viper.Set("accepted-policy-oids", []string{"1.3.6.1.4.1.57264.2"})
	viper.Set("default-policy-oid", "1.3.6.1.4.1.57264.2")
	viper.Set("allow-custom-extensions", false)
	handler = server.NewRestAPIServer("127.0.0.1", 0, []string{"http"}, false, 10*time.Second, 10*time.Second).GetHandler()
}

// TSA is one authority on loopback.
type TSA struct {
	CA   *CA
	URL  string // the RFC 3161 endpoint
	addr string
	mu   sync.Mutex
	srv  *http.Server
}

// Start runs an authority on a loopback port until the test ends.
func Start(t testing.TB) *TSA {
	t.Helper()
	once.Do(setup)
	if initErr != nil {
		t.Fatalf("time-stamping authority: %v", initErr)
	}
	a := &TSA{CA: shared}
	if err := a.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	a.URL = "http://" + a.addr + PathTimestamp
	t.Cleanup(a.Stop)
	return a
}

func (a *TSA) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	a.addr = ln.Addr().String()
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	a.srv = srv
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Stop takes the authority down: its port refuses connections.
func (a *TSA) Stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv != nil {
		_ = a.srv.Close()
		a.srv = nil
	}
}

// Restart brings a stopped authority back on the same port.
func (a *TSA) Restart(t testing.TB) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv != nil {
		t.Fatal(errors.New("the authority is already up"))
	}
	if err := a.listen(a.addr); err != nil {
		t.Fatal(err)
	}
}
