package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// How the platform meets the network: HTTPS from its own certificate, or
// plain HTTP on loopback, or plain HTTP behind a TLS-terminating proxy
// (packaging/nginx) that it was told of. Each flag may come from the
// environment (/etc/sanxiang/platform.env), as the unit passes nothing
// else.
var (
	tlsCertFile = flag.String("tls-cert", os.Getenv("SANXIANG_TLS_CERT"), "serve HTTPS with this certificate (PEM, the chain after it; or $SANXIANG_TLS_CERT), read again when the file changes")
	tlsKeyFile  = flag.String("tls-key", os.Getenv("SANXIANG_TLS_KEY"), "the private key of --tls-cert (PEM; or $SANXIANG_TLS_KEY)")
	behindProxy = flag.Bool("behind-proxy", os.Getenv("SANXIANG_BEHIND_PROXY") == "1", "a TLS-terminating proxy sits in front (or $SANXIANG_BEHIND_PROXY=1): plain HTTP is served on any address, and X-Forwarded-For is believed from --proxy-addr only")
	proxyAddrs  = flag.String("proxy-addr", envOr("SANXIANG_PROXY_ADDR", "127.0.0.0/8,::1/128"), "with --behind-proxy: the proxies' addresses or networks, comma-separated (or $SANXIANG_PROXY_ADDR)")
	proxyCert   = flag.String("proxy-cert", os.Getenv("SANXIANG_PROXY_CERT"), "with --behind-proxy: the certificate the proxy presents to devices (PEM; or $SANXIANG_PROXY_CERT), whose public-key pin enrolment codes then carry")
)

// transportConfig is what the flags above say, checked.
type transportConfig struct {
	cert    *certFiles     // nil: no TLS of the platform's own
	proxies []netip.Prefix // nil: not behind a proxy
}

// platformTransport reads the TLS and proxy flags, loads the certificate
// and tells s the pin its enrolment codes carry.
func platformTransport(s *server.Server, log *slog.Logger) (*transportConfig, error) {
	return newTransportConfig(s, log, *tlsCertFile, *tlsKeyFile, *behindProxy, *proxyAddrs, *proxyCert)
}

func newTransportConfig(s *server.Server, log *slog.Logger, certFile, keyFile string, behind bool, proxyAddrs, proxyCertFile string) (_ *transportConfig, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("transport: %w", err)
		}
	}()
	t := &transportConfig{}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("需要同时给出 --tls-cert 和 --tls-key (--tls-cert and --tls-key go together)")
	}
	if certFile != "" {
		if behind {
			return nil, errors.New("--tls-cert 与 --behind-proxy 只能选一 (the platform serves TLS itself, or a proxy does; not both)")
		}
		t.cert = &certFiles{cert: certFile, key: keyFile, log: log}
		if err := t.cert.load(); err != nil {
			return nil, err
		}
		s.SetTLSPin(t.cert.pin)
	}
	if proxyCertFile != "" {
		if !behind {
			return nil, errors.New("--proxy-cert 需与 --behind-proxy 一起使用 (--proxy-cert goes with --behind-proxy)")
		}
		c, err := readCertificate(proxyCertFile)
		if err != nil {
			return nil, err
		}
		pin := api.SPKIPin(c)
		s.SetTLSPin(func() string { return pin })
	}
	if behind {
		for _, a := range strings.Split(proxyAddrs, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			p, err := netip.ParsePrefix(a)
			if err != nil {
				ip, err2 := netip.ParseAddr(a)
				if err2 != nil {
					return nil, fmt.Errorf("--proxy-addr %q: %w", a, err)
				}
				p = netip.PrefixFrom(ip, ip.BitLen())
			}
			t.proxies = append(t.proxies, p.Masked())
		}
		if len(t.proxies) == 0 {
			return nil, errors.New("--behind-proxy 需要代理的地址 (--proxy-addr names no proxy)")
		}
	}
	return t, nil
}

// listen opens addr: TLS with the platform's certificate if it has one;
// plain HTTP only on loopback, or anywhere behind a proxy.
func (t *transportConfig) listen(addr string) (net.Listener, error) {
	if t.cert == nil && t.proxies == nil && !loopbackAddr(addr) {
		return nil, fmt.Errorf("拒绝在非本机地址 %s 上以明文 HTTP 提供服务：请给出 --tls-cert 和 --tls-key，或在 TLS 反向代理（packaging/nginx）之后用 --behind-proxy "+
			"(refusing plain HTTP on %s, which is not loopback: give --tls-cert and --tls-key, or --behind-proxy behind a TLS-terminating proxy)", addr, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if t.cert != nil {
		ln = tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: t.cert.get,
			NextProtos: []string{"h2", "http/1.1"}})
	}
	return ln, nil
}

// handler wraps h for the proxy in front, if any: a request from a proxy
// named in --proxy-addr takes its client's address from X-Forwarded-For
// (the nearest address no proxy of ours wrote) and counts as TLS when the
// proxy says X-Forwarded-Proto https, so the console's audit log and login
// throttle see the citizen's or administrator's address and its cookie is
// Secure. From anyone else, those headers are ignored: a client cannot name
// its own address.
func (t *transportConfig) handler(h http.Handler) http.Handler {
	if t.proxies == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !t.fromProxy(r.RemoteAddr) {
			h.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		if ip, ok := t.forwardedFor(r.Header.Values("X-Forwarded-For")); ok {
			r2.RemoteAddr = net.JoinHostPort(ip.String(), "0")
		}
		if strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") && r2.TLS == nil {
			r2.TLS = &tls.ConnectionState{HandshakeComplete: true}
		}
		h.ServeHTTP(w, r2)
	})
}

func (t *transportConfig) fromProxy(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && t.trusted(ip)
}

func (t *transportConfig) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range t.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedFor is the client's address in X-Forwarded-For: read from the
// right (the nearest hop), the first address that is not one of our
// proxies; what lies further left the client could have written itself.
func (t *transportConfig) forwardedFor(values []string) (netip.Addr, bool) {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a hop we cannot read: believe nothing beyond it
		}
		if !t.trusted(ip) {
			return ip.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// serve serves srv on ln until it is shut down.
func (t *transportConfig) serve(srv *http.Server, ln net.Listener) error {
	return srv.Serve(ln)
}

// loopbackAddr says whether addr (host:port) listens on this machine only.
// An empty host (":8421") is every interface.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// certFiles is the platform's certificate and key, read again when either
// file changes (a renewal by certbot or the city's CA, without a restart):
// handshakes look at the files' times and sizes at most once a second. A
// pair that does not load (a renewal half written) leaves the last good one
// in use and is logged; the next handshake after a change tries again.
// Hand-written rather than a library: this is a stat and
// tls.LoadX509KeyPair, where certmagic or a file-watching package would
// bring ACME or fsnotify the platform does not need.
type certFiles struct {
	cert, key string
	log       *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
	stamp   string // the files' modification times and sizes when loaded
	checked time.Time
	pinNow  string
}

func fileStamp(paths ...string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s:%d:%d;", p, st.ModTime().UnixNano(), st.Size())
	}
	return b.String(), nil
}

// load reads the pair now.
func (c *certFiles) load() error {
	stamp, err := fileStamp(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("TLS certificate %s: %w", c.cert, err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return fmt.Errorf("TLS certificate %s: %w", c.cert, err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current, c.stamp, c.checked, c.pinNow = &pair, stamp, time.Now(), api.SPKIPin(leaf)
	return nil
}

// get is tls.Config.GetCertificate.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	due := time.Since(c.checked) >= time.Second
	if due {
		c.checked = time.Now()
	}
	stamp := c.stamp
	c.mu.Unlock()
	if due {
		if now, err := fileStamp(c.cert, c.key); err == nil && now != stamp {
			if err := c.load(); err != nil {
				c.log.Error("the changed TLS certificate does not load; serving the previous one", "err", err)
			} else {
				c.log.Info("TLS certificate read again", "cert", c.cert, "tls_pin", c.pin())
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current, nil
}

// pin is the current certificate's public-key pin.
func (c *certFiles) pin() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pinNow
}

// readCertificate reads the first certificate of a PEM file.
func readCertificate(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, fmt.Errorf("certificate %s: no CERTIFICATE block", path)
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate %s: %w", path, err)
			}
			return c, nil
		}
	}
}
