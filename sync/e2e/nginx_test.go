package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// TestNginxInFront starts Debian's nginx on loopback with
// packaging/nginx/sanxiang-platform.conf (ports and paths substituted),
// terminating TLS with a certificate of a CA made in the test, in front of
// the real platform binary started --behind-proxy; a device enrols with a
// code carrying the proxy's pin, pushes and uploads through it, and the
// platform records the client's address nginx saw, not one the client
// forged in X-Forwarded-For.
func TestNginxInFront(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/nginx"); err2 == nil {
			nginx = "/usr/sbin/nginx"
		} else if os.Getenv("SANXIANG_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("nginx is not installed (apt install nginx) and SANXIANG_TEST_REQUIRE_ALL=1")
		} else {
			t.Skip("nginx is not installed (apt install nginx)")
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	ca := newCA(t, "青禾市 CA")
	trust(t, ca)
	_, _, certPEM, keyPEM := ca.leaf(t)
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	// The platform on loopback, plain HTTP, told of its proxy: only
	// 127.0.0.1 (where nginx connects from) may name a client's address.
	platformAddr := freePort(t)
	logs := &bytes.Buffer{}
	cmd := exec.Command(platformBinary(t), "--listen", platformAddr, "--db", filepath.Join(dir, "platform.db"),
		"--media", filepath.Join(dir, "media"), "--admin-token", admin, "--demo",
		"--behind-proxy", "--proxy-addr", "127.0.0.1", "--proxy-cert", certFile)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitHealthy(t, "http://"+platformAddr, nil, logs)

	// nginx with the packaged site, in a private prefix.
	site, err := os.ReadFile("../../packaging/nginx/sanxiang-platform.conf")
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr, plainAddr := freePort(t), freePort(t)
	conf := string(site)
	for _, sub := range [][2]string{
		{"listen [::]:80;", ""}, {"listen [::]:443 ssl http2;", ""},
		{"listen 80;", "listen " + plainAddr + ";"},
		{"listen 443 ssl http2;", "listen " + tlsAddr + " ssl http2;"},
		{"/etc/ssl/sanxiang/fullchain.pem", certFile},
		{"/etc/ssl/sanxiang/privkey.pem", keyFile},
		{"http://127.0.0.1:8421", "http://" + platformAddr},
	} {
		if !strings.Contains(conf, sub[0]) {
			t.Fatalf("packaging/nginx/sanxiang-platform.conf no longer has %q", sub[0])
		}
		conf = strings.ReplaceAll(conf, sub[0], sub[1])
	}
	prefix := filepath.Join(dir, "nginx")
	for _, d := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(prefix, "site.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // workers read the private prefix as the test does
	}
	main := user + `worker_processes 1;
pid ` + prefix + `/nginx.pid;
error_log ` + prefix + `/logs/error.log;
events { worker_connections 64; }
http {
    access_log ` + prefix + `/logs/access.log;
    client_body_temp_path ` + prefix + `/tmp/body;
    proxy_temp_path ` + prefix + `/tmp/proxy;
    fastcgi_temp_path ` + prefix + `/tmp/fastcgi;
    uwsgi_temp_path ` + prefix + `/tmp/uwsgi;
    scgi_temp_path ` + prefix + `/tmp/scgi;
    include ` + prefix + `/site.conf;
}
`
	if err := os.WriteFile(filepath.Join(prefix, "nginx.conf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	ng := exec.Command(nginx, "-p", prefix, "-c", filepath.Join(prefix, "nginx.conf"), "-g", "daemon off;")
	nlogs := &bytes.Buffer{}
	ng.Stdout, ng.Stderr = nlogs, nlogs
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ng.Process.Signal(os.Interrupt); ng.Wait() })
	base := "https://" + tlsAddr
	// An administrator's program, from 127.0.0.2 (not a proxy), which
	// forges X-Forwarded-For.
	from := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	tr := &http.Transport{DialContext: from.DialContext, TLSClientConfig: &tls.Config{RootCAs: ca.pool}}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	waitHealthy(t, base, hc, nlogs)

	// Port 80 sends to https.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noRedirect.Get("http://" + plainAddr + "/p/"); err != nil || resp.StatusCode != http.StatusMovedPermanently ||
		!strings.HasPrefix(resp.Header.Get("Location"), "https://") {
		t.Fatalf("plain HTTP through nginx: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	req, _ := http.NewRequest(http.MethodPost, base+api.PathCodes, strings.NewReader(`{"kind":"officer"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var made struct{ Code string }
	json.NewDecoder(resp.Body).Decode(&made)
	resp.Body.Close()
	code, err := api.ParseEnrolCode(made.Code)
	if resp.StatusCode != http.StatusCreated || err != nil || code.Pin == "" || code.Fingerprint == "" {
		t.Fatalf("a code through nginx: %d %q %v", resp.StatusCode, made.Code, err)
	}

	// The device: enrol (the proxy's pin checked), push, upload.
	l := openLog(t, "NGINX-1", testPeople[0])
	appendN(t, l, 4, "note")
	data := bytes.Repeat([]byte{0x5a, 0xa5, 0x17}, 3<<20) // 9 MiB: several PATCHes
	d, _, err := l.Media().Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddNote(ctx, mustCase(t, l), testPeople[0], "现场录像", d.String()); err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, base, code.String(), "laptop", api.DeviceOfficer, l.Verifier)
	if err != nil {
		t.Fatalf("enrol through nginx: %v\n%s\n%s", err, nlogs, logs)
	}
	if id.TLSPin != code.Pin {
		t.Fatalf("pinned %q, want %q", id.TLSPin, code.Pin)
	}
	c := client.New(id)
	c.Chunk = 4 << 20
	// The officer's key (a person of the demo city), registered through
	// the administrator API and the device's activation, both through nginx.
	keys, _ := keysOf.Load(l)
	for person, key := range keys.(casefiletest.Keys) {
		act, _ := http.NewRequest(http.MethodPost, base+api.PathPeople+person+"/activation", nil)
		act.Header.Set("Authorization", "Bearer "+admin)
		var issued struct{ Code string }
		for _, r := range []*http.Request{act} {
			resp, err := hc.Do(r)
			if err != nil || resp.StatusCode >= 300 {
				t.Fatalf("%s %s: %v %v", r.Method, r.URL.Path, resp, err)
			}
			json.NewDecoder(resp.Body).Decode(&issued)
			resp.Body.Close()
		}
		if _, err := c.Activate(ctx, issued.Code, key); err != nil {
			t.Fatalf("activate %s through nginx: %v", person, err)
		}
	}
	if pr, err := c.Push(ctx, l); err != nil || pr.Receipts == 0 {
		t.Fatalf("push through nginx: %+v %v", pr, err)
	}
	if n, err := c.PushMedia(ctx, l, nil); err != nil || n != 1 {
		t.Fatalf("upload through nginx: %d %v\n%s", n, err, logs)
	}
	if rc, _ := l.MediaReceipt(ctx, d); rc == "" {
		t.Fatal("no media receipt")
	}

	// The address in the audit log is the one nginx saw (127.0.0.2), not
	// the forged one; straight to the platform (no proxy), a forged header
	// is ignored as well.
	direct, _ := http.NewRequest(http.MethodPost, "http://"+platformAddr+api.PathCodes, strings.NewReader(`{"kind":"kiosk"}`))
	direct.Header.Set("Authorization", "Bearer "+admin)
	direct.Header.Set("X-Forwarded-For", "198.51.100.7")
	if resp, err := hc.Do(direct); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("direct: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	areq, _ := http.NewRequest(http.MethodGet, base+api.PathAudit, nil)
	areq.Header.Set("Authorization", "Bearer "+admin)
	aresp, err := hc.Do(areq)
	if err != nil {
		t.Fatal(err)
	}
	var audit struct {
		Entries []struct {
			Object string `json:"object"`
			IP     string `json:"ip"`
		} `json:"entries"`
	}
	json.NewDecoder(aresp.Body).Decode(&audit)
	aresp.Body.Close()
	codes := 0
	for _, e := range audit.Entries {
		u, _ := url.Parse(e.Object)
		if u == nil || u.Path != api.PathCodes {
			continue
		}
		codes++
		if e.IP != "127.0.0.2" {
			t.Errorf("an enrolment code made from 127.0.0.2 is logged from %q", e.IP)
		}
	}
	if codes != 2 {
		t.Fatalf("%d enrolment codes in the audit log, want 2: %+v", codes, audit.Entries)
	}
}

// waitHealthy waits for base's health check to answer 200.
func waitHealthy(t *testing.T, base string, hc *http.Client, logs *bytes.Buffer) {
	t.Helper()
	if hc == nil {
		hc = http.DefaultClient
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := hc.Get(base + api.PathHealth); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("%s did not come up:\n%s", base, logs)
}
