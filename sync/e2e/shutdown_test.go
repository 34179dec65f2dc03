package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// TestShutdownDrainsInFlightUpload: SIGTERM arrives while an upload's PATCH
// is halfway through its body. The platform stops accepting connections at
// once, lets the PATCH finish (the device sends the rest after the
// signal), answers it with its receipt, closes the database only then,
// and exits 0; the file it holds is the one sent, byte for byte.
func TestShutdownDrainsInFlightUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a platform process")
	}
	ctx := context.Background()
	bin := platformBinary(t)
	dir := t.TempDir()
	db, media := filepath.Join(dir, "platform.db"), filepath.Join(dir, "media")
	p := startPlatform(t, bin, db, media)
	out, err := exec.Command(bin, "--db", db, "--media", media, "--new-code", "officer").Output()
	if err != nil {
		t.Fatalf("new code beside the serving instance: %v", err)
	}
	l := openLog(t, "DRAIN-1")
	id, err := client.Enrol(ctx, p.url.String(), strings.TrimSpace(string(out)), "laptop", "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}

	data := make([]byte, 6<<20)
	rand.Read(data)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	req, _ := http.NewRequest(http.MethodPost, p.url.String()+api.PathMedia, nil)
	req.Header.Set("Authorization", "Bearer "+id.Token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.Itoa(len(data)))
	req.Header.Set("Upload-Metadata", "sha256 "+base64.StdEncoding.EncodeToString([]byte(sha)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := p.url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusCreated || err != nil {
		t.Fatalf("create upload: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The PATCH's body comes through a pipe, as slowly as the test says.
	body, feed := io.Pipe()
	patch, _ := http.NewRequest(http.MethodPatch, loc.String(), body)
	patch.ContentLength = int64(len(data))
	patch.Header.Set("Authorization", "Bearer "+id.Token)
	patch.Header.Set("Tus-Resumable", "1.0.0")
	patch.Header.Set("Upload-Offset", "0")
	patch.Header.Set("Content-Type", "application/offset+octet-stream")
	type answer struct {
		resp *http.Response
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(patch)
		answered <- answer{resp, err}
	}()
	half := len(data) / 2
	if _, err := feed.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	// The signal comes once the platform is writing the upload (its bytes
	// reach the file in incoming/): written into the socket is not yet
	// accepted, and a connection still in the listen queue when the
	// platform stops listening is one it never had.
	part := filepath.Join(media, "incoming", path.Base(loc.Path))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if st, err := os.Stat(part); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the platform never began writing %s", part)
		}
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The platform stops accepting: a new connection is refused (while
	// the PATCH is still being sent).
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r, err := fresh.Get(p.url.String() + api.PathHealth)
		if err != nil {
			break
		}
		r.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the platform still accepts connections after SIGTERM")
		}
	}
	// The rest of the body, in pieces.
	for rest := data[half:]; len(rest) > 0; {
		n := min(len(rest), 256<<10)
		if _, err := feed.Write(rest[:n]); err != nil {
			t.Fatalf("the platform cut the upload after SIGTERM: %v", err)
		}
		rest = rest[n:]
	}
	feed.Close()
	a := <-answered
	if a.err != nil {
		t.Fatalf("PATCH in flight at SIGTERM: %v\n%s", a.err, p.logs)
	}
	a.resp.Body.Close()
	if a.resp.StatusCode != http.StatusNoContent || a.resp.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) || a.resp.Header.Get("Sanxiang-Receipt") == "" {
		t.Fatalf("PATCH answered %d, offset %q, receipt %q", a.resp.StatusCode, a.resp.Header.Get("Upload-Offset"), a.resp.Header.Get("Sanxiang-Receipt"))
	}

	err = p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Fatalf("the platform exited with %v:\n%s", err, p.logs)
	}
	if !strings.Contains(p.logs.String(), "every request in flight is done") {
		t.Fatalf("the log does not say the requests were drained:\n%s", p.logs)
	}
	s, err := server.Open(ctx, db, server.Options{Media: media})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	held, err := readMedia(s, sha)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(held) != sum {
		t.Fatalf("the platform holds %d other bytes", len(held))
	}
}

// TestSecondInstanceOnSameSQLiteRefused (processes): a second platform
// started on the SQLite file another serves exits 1 and says why, Chinese
// first; the first serves on. (sync/server has the in-process twin.)
func TestSecondInstanceOnSameSQLiteRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts platform processes")
	}
	bin := platformBinary(t)
	dir := t.TempDir()
	db, media := filepath.Join(dir, "platform.db"), filepath.Join(dir, "media")
	p := startPlatform(t, bin, db, media)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "--listen", freePort(t), "--db", db, "--media", media)
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("second instance: %v\n%s", err, out)
	}
	zh, en := strings.Index(string(out), "已有另一个平台实例在使用数据库 "+db), strings.Index(string(out), "another platform instance serves this SQLite database")
	if zh < 0 || en < zh {
		t.Fatalf("second instance says:\n%s", out)
	}
	resp, err := http.Get((&url.URL{Scheme: "http", Host: p.url.Host, Path: api.PathHealth}).String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the first instance answers %d", resp.StatusCode)
	}
}
