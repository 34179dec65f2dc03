package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// platformBinary builds the real sanxiang-platform once per test run.
func platformBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sanxiang-platform-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "sanxiang-platform")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/sanxiang-platform").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// proc is one platform process.
type proc struct {
	cmd  *exec.Cmd
	url  *url.URL
	logs *bytes.Buffer
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// keyArgs names the receipt key file the instances on db share, where it
// is not the one beside a SQLite file (servertest.KeyFile).
func keyArgs(db string) []string {
	if f := servertest.KeyFile(db); f != "" {
		return []string{"--key-file", f}
	}
	return nil
}

func startPlatform(t *testing.T, bin, db, media string) *proc {
	t.Helper()
	addr := freePort(t)
	p := &proc{logs: &bytes.Buffer{}, url: &url.URL{Scheme: "http", Host: addr}}
	p.cmd = exec.Command(bin, append([]string{"--listen", addr, "--db", db, "--media", media, "--admin-token", admin}, keyArgs(db)...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.kill() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(p.url.String() + api.PathHealth); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
	}
	p.kill()
	t.Fatalf("the platform did not start:\n%s", p.logs)
	return nil
}

// kill ends the process at once, as a power cut or the OOM killer would.
func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// balancer stands where a city's load balancer would: it forwards to the
// current instance, counts upload bytes per instance, and lets a test
// kill an instance in the middle of a request body or after the instance
// answered but before the answer is passed on.
type balancer struct {
	*httptest.Server
	mu      sync.Mutex
	target  *proc
	patched map[string]int64 // PATCH bytes forwarded, by instance
	// midBody is called as a request's body passes, with the bytes so far;
	// afterAnswer when an instance answered. Either may kill and switch.
	midBody     func(r *http.Request, n int64)
	afterAnswer func(r *http.Request, resp *http.Response)
	receiptFrom string // the instance that answered with a media receipt
}

func newBalancer(t *testing.T) *balancer {
	b := &balancer{patched: map[string]int64{}}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.Close)
	return b
}

func (b *balancer) to(p *proc) {
	b.mu.Lock()
	b.target = p
	b.mu.Unlock()
}

func (b *balancer) current() *proc {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.target
}

type countingBody struct {
	io.ReadCloser
	n    int64
	each func(delta, n int64)
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	if n > 0 {
		c.each(int64(n), c.n)
	}
	return n, err
}

func (b *balancer) serve(w http.ResponseWriter, r *http.Request) {
	p := b.current()
	host := p.url.Host
	if r.Body != nil {
		r.Body = &countingBody{ReadCloser: r.Body, each: func(delta, n int64) {
			if r.Method == http.MethodPatch {
				b.mu.Lock()
				b.patched[host] += delta // what the client sent, forwarded or not
				b.mu.Unlock()
			}
			if b.midBody != nil {
				b.midBody(r, n)
			}
		}}
	}
	rp := httputil.NewSingleHostReverseProxy(p.url)
	rp.ModifyResponse = func(resp *http.Response) error {
		if r.Method == http.MethodPatch {
			if resp.Header.Get("Sanxiang-Receipt") != "" {
				b.mu.Lock()
				b.receiptFrom = host
				b.mu.Unlock()
			}
		}
		if b.afterAnswer != nil {
			b.afterAnswer(r, resp)
		}
		return nil
	}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusBadGateway)
	}
	rp.ServeHTTP(w, r)
}

func (b *balancer) patchedTotal() (total int64, by map[string]int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	by = map[string]int64{}
	for k, v := range b.patched {
		by[k] = v
		total += v
	}
	return total, by
}

// Real platform processes are killed with SIGKILL in the middle of a push
// batch, after a batch committed but before its answer arrived, and in the
// middle of an upload chunk; each time a second instance on the same
// database and media store takes over behind the balancer. Nothing is lost,
// nothing is held twice, at most one chunk is sent again, and the upload
// begun at one instance is finished at another. With PostgreSQL and S3 this
// is the city deployment: no state on any instance's disk.
func TestKilledPlatformLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts platform processes")
	}
	eachBackend(t, func(t *testing.T, be servertest.Backend) {
		ctx := context.Background()
		bin := platformBinary(t)
		db, media := be.Where(t)
		// The code is on stdout; the log (a key made, say) on stderr.
		newCode := exec.Command(bin, append([]string{"--db", db, "--media", media, "--new-code", "officer"}, keyArgs(db)...)...)
		var stderr bytes.Buffer
		newCode.Stderr = &stderr
		out, err := newCode.Output()
		if err != nil {
			t.Fatalf("new code: %v\n%s", err, stderr.Bytes())
		}
		code := strings.TrimSpace(string(out))
		lb := newBalancer(t)
		lb.to(startPlatform(t, bin, db, media))
		// takeOver starts the next instance, then kills the current one.
		var kills atomic.Int32
		var takeOnce sync.Mutex
		takeOver := func() {
			takeOnce.Lock()
			defer takeOnce.Unlock()
			old := lb.current()
			if be.Name == "sqlite" {
				// One instance serves a SQLite file at a time (the next
				// would be refused while the old holds its lock).
				old.kill()
			}
			next := startPlatform(t, bin, db, media)
			old.kill()
			lb.to(next)
			kills.Add(1)
		}

		// A device with 3,000 records, checkpointed every 100.
		dir := t.TempDir()
		l, err := casefile.Open(ctx, filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "KILL-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for range 30 {
			batch := make([]*casefile.Record, 100)
			for j := range batch {
				batch[j] = &casefile.Record{Case: "C1", Kind: "note", Author: "990101000001", Body: []byte(fmt.Sprintf(`{"text":"记录 %d"}`, j))}
			}
			if err := l.AppendBatch(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		id, err := client.Enrol(ctx, lb.URL, code, "laptop", "officer", l.Verifier)
		if err != nil {
			t.Fatal(err)
		}

		// Pushes: kill mid-body on the 3rd, after the commit on the 6th.
		var pushes atomic.Int32
		var midKilled, answerKilled atomic.Bool
		lb.midBody = func(r *http.Request, n int64) {
			if r.URL.Path == api.PathPush && pushes.Load() == 2 && n > 1000 && midKilled.CompareAndSwap(false, true) {
				takeOver()
			}
		}
		lb.afterAnswer = func(r *http.Request, resp *http.Response) {
			if r.URL.Path != api.PathPush {
				return
			}
			if pushes.Add(1) == 6 && answerKilled.CompareAndSwap(false, true) {
				takeOver()
				resp.StatusCode = http.StatusBadGateway // the answer is lost
				resp.Body = io.NopCloser(strings.NewReader(""))
			}
		}
		c := client.New(id)
		c.Chunk = testChunk
		c.Batch = 100
		var res client.PushResult
		for try := 0; try < 5; try++ { // the app syncs again later
			if res, err = c.Push(ctx, l); err == nil {
				break
			}
		}
		if err != nil || res.Size != 3000 {
			t.Fatalf("push after kills: %+v %v", res, err)
		}
		if !midKilled.Load() || !answerKilled.Load() {
			t.Fatal("a planned kill did not happen")
		}

		// An upload of 6 chunks, killed in the middle of the 3rd.
		const size = 5*testChunk + 777
		data := make([]byte, size)
		rand.Read(data)
		d, _, err := l.Media().Put(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddNote(ctx, mustCase(t, l), "990101000001", "现场录像", d.String()); err != nil {
			t.Fatal(err)
		}
		begunAt := lb.current().url.Host
		var upKilled atomic.Bool
		var patchSoFar atomic.Int64
		lb.midBody = func(r *http.Request, n int64) {
			if r.Method != http.MethodPatch {
				return
			}
			if patchSoFar.Add(0)+n > 2*testChunk+testChunk/2 && upKilled.CompareAndSwap(false, true) {
				takeOver()
			}
		}
		lb.afterAnswer = func(r *http.Request, resp *http.Response) {
			if r.Method == http.MethodPatch {
				if cb, ok := r.Body.(*countingBody); ok {
					patchSoFar.Add(cb.n)
				}
			}
		}
		if _, err := c.PushMedia(ctx, l, nil); err != nil {
			if _, err := c.PushMedia(ctx, l, nil); err != nil {
				t.Fatal(err)
			}
		}
		if !upKilled.Load() {
			t.Fatal("the upload was not interrupted")
		}
		total, by := lb.patchedTotal()
		if total > size+testChunk {
			t.Fatalf("sent %d bytes for a %d-byte file (%v)", total, size, by)
		}
		if by[begunAt] < 2*testChunk || lb.receiptFrom == begunAt || lb.receiptFrom == "" {
			t.Fatalf("upload begun at %s, receipt from %s, bytes by instance %v", begunAt, lb.receiptFrom, by)
		}
		if rc, _ := l.MediaReceipt(ctx, d); rc == "" {
			t.Fatal("no media receipt kept")
		}
		// The note naming the file is a record too: the next sync sends it.
		if res, err = c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d kills; %d records held; upload of %d bytes sent %d (by instance %v)", be.Name, kills.Load(), res.Size, size, total, by)

		// Stop every instance; read what the platform holds directly.
		lb.current().kill()
		s, err := server.Open(ctx, db, server.Options{Media: media, KeyFile: servertest.KeyFile(db)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		held, err := s.LogRecords(ctx, id.DeviceID)
		if err != nil {
			t.Fatal(err)
		}
		mine, _, err := l.Since(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != len(mine) {
			t.Fatalf("the platform holds %d records, the device has %d", len(held), len(mine))
		}
		for i := range mine {
			if !bytes.Equal(held[i], mine[i].Data) {
				t.Fatalf("record %d differs", i)
			}
		}
		got, err := readMedia(s, d.String())
		if err != nil || sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("the platform's copy of the file differs (%d bytes, %v)", len(got), err)
		}
	})
}
