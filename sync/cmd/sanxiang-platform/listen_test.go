package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// writeSelfSigned writes a fresh self-signed certificate for 127.0.0.1
// and its key, and returns the certificate.
func writeSelfSigned(t *testing.T, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "platform"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	// The key first: a reader seeing the new certificate with the old key
	// keeps the previous pair.
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func openServer(t *testing.T) *server.Server {
	t.Helper()
	dir := t.TempDir()
	s, err := server.Open(context.Background(), filepath.Join(dir, "platform.db"), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPlainHTTPOnlyOnLoopback: without TLS or a proxy, the platform
// refuses to listen on anything but loopback.
func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	s := openServer(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	plain, err := newTransportConfig(s, log, "", "", false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		if ln, err := plain.listen(addr); err == nil || !strings.Contains(err.Error(), "拒绝") {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("plain HTTP on %s: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := plain.listen(addr)
		if err != nil {
			t.Errorf("plain HTTP on %s: %v", addr, err)
			continue
		}
		ln.Close()
	}
	behind, err := newTransportConfig(s, log, "", "", true, "10.0.0.5", "")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := behind.listen(":0")
	if err != nil {
		t.Fatalf("behind a proxy: %v", err)
	}
	ln.Close()
	if _, err := newTransportConfig(s, log, "cert.pem", "", false, "", ""); err == nil {
		t.Error("--tls-cert without --tls-key accepted")
	}
}

// TestCertificateReloadedWhenChanged: a renewed certificate (here with a
// new key) is served from the next handshake on without a restart, and
// the codes the platform makes carry its pin.
func TestCertificateReloadedWhenChanged(t *testing.T) {
	s := openServer(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeSelfSigned(t, certFile, keyFile)
	tc, err := newTransportConfig(s, slog.New(slog.NewTextHandler(io.Discard, nil)), certFile, keyFile, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tc.listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: tc.handler(apitest.Checked(t, s.Handler()))}
	go tc.serve(srv, ln)
	t.Cleanup(func() { srv.Close() })
	served := func() *x509.Certificate {
		t.Helper()
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	codePin := func() string {
		code, err := s.NewEnrolCode(context.Background(), api.DeviceKiosk)
		if err != nil {
			t.Fatal(err)
		}
		c, err := api.ParseEnrolCode(code)
		if err != nil || c.Fingerprint != api.KeyFingerprint(s.PlatformKey()) {
			t.Fatalf("code %s: %+v %v", code, c, err)
		}
		return c.Pin
	}
	if got := served(); !got.Equal(first) || codePin() != api.SPKIPin(first) {
		t.Fatal("the first certificate is not the one served or pinned")
	}
	second := writeSelfSigned(t, certFile, keyFile)
	// Let the once-a-second look at the files come round.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if served().Equal(second) {
			if codePin() != api.SPKIPin(second) {
				t.Fatal("codes still carry the old pin")
			}
			return
		}
	}
	t.Fatal("the renewed certificate was never served")
}

// TestForwardedForOnlyFromTheProxy: X-Forwarded-For names the client only
// when the connection comes from a proxy given in --proxy-addr, and then
// the nearest address no proxy wrote.
func TestForwardedForOnlyFromTheProxy(t *testing.T) {
	s := openServer(t)
	tc, err := newTransportConfig(s, slog.New(slog.NewTextHandler(io.Discard, nil)), "", "", true, "10.0.0.5, 10.1.0.0/16", "")
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	h := tc.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		seen = host
	}))
	for _, c := range []struct{ peer, xff, want string }{
		{"10.0.0.5:4000", "203.0.113.9", "203.0.113.9"},
		{"10.0.0.5:4000", "198.51.100.1, 203.0.113.9", "203.0.113.9"}, // the client wrote the first
		{"10.0.0.5:4000", "203.0.113.9, 10.1.2.3", "203.0.113.9"},     // two proxies of ours
		{"192.0.2.7:4000", "203.0.113.9", "192.0.2.7"},                // not a proxy: ignored
		{"10.0.0.5:4000", "", "10.0.0.5"},                             // nothing forwarded
		{"10.0.0.5:4000", "203.0.113.9, not-an-address", "10.0.0.5"},  // unreadable: nothing believed
		{"[::ffff:10.0.0.5]:4000", "2001:db8::7", "2001:db8::7"},      // mapped IPv4 proxy
	} {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = c.peer
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		h.ServeHTTP(nil, req)
		if seen != c.want {
			t.Errorf("from %s with %q: client %s, want %s", c.peer, c.xff, seen, c.want)
		}
	}
}
