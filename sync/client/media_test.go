package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// cutBody fails a request body after n bytes, as a dropped connection does.
type cutBody struct {
	r io.ReadCloser
	n int64
}

func (c *cutBody) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

func (c *cutBody) Close() error { return c.r.Close() }

type faults struct {
	patchBytes atomic.Int64
	cutOnce    atomic.Bool               // cut the first PATCH half way
	corrupt    atomic.Bool               // flip a byte in the next PATCH
	stall      func(n int) time.Duration // how long the nth PATCH (from 0) waits before its answer

	creates atomic.Int32 // upload creations (tus POSTs)

	// receipt, if set, rewrites the Sanxiang-Receipt header of the
	// answer to the last PATCH, as an older platform or a damaging
	// proxy would send it.
	receipt atomic.Pointer[func(string) string]

	mu    sync.Mutex
	sizes []int64 // each PATCH's length
}

func (f *faults) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == api.PathMedia {
			f.creates.Add(1)
		}
		if r.Method == http.MethodPatch {
			f.patchBytes.Add(r.ContentLength)
			f.mu.Lock()
			f.sizes = append(f.sizes, r.ContentLength)
			n := len(f.sizes) - 1
			f.mu.Unlock()
			if f.stall != nil {
				defer time.Sleep(f.stall(n))
			}
			if f.cutOnce.CompareAndSwap(true, false) {
				r.Body = &cutBody{r: r.Body, n: r.ContentLength / 2}
			} else if f.corrupt.CompareAndSwap(true, false) {
				b, _ := io.ReadAll(r.Body)
				b[len(b)/3] ^= 0x40
				r.Body = io.NopCloser(bytes.NewReader(b))
			}
		}
		if rewrite := f.receipt.Load(); r.Method == http.MethodPatch && rewrite != nil {
			w = &receiptWriter{ResponseWriter: w, rewrite: *rewrite}
		}
		h.ServeHTTP(w, r)
	})
}

// receiptWriter rewrites the Sanxiang-Receipt header as the answer goes.
type receiptWriter struct {
	http.ResponseWriter
	rewrite func(string) string
}

func (w *receiptWriter) WriteHeader(code int) {
	if v := w.Header().Get(api.HeaderReceipt); v != "" {
		w.Header().Set(api.HeaderReceipt, w.rewrite(v))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *receiptWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func mediaSetup(t *testing.T, b servertest.Backend, size int) (*server.Server, *httptest.Server, *faults, *casefile.Log, Identity, casefile.Digest, []byte) {
	t.Helper()
	ctx := context.Background()
	s := b.Open(t, server.Options{})
	f := &faults{}
	h := httptest.NewServer(f.wrap(apitest.Checked(t, servertest.ASCIIHeaders(t, s.Handler()))))
	t.Cleanup(h.Close)
	l := deviceLog(t, "MEDIA-1", 0)
	data := make([]byte, size)
	rand.Read(data)
	d, _, err := l.Media().Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddNote(ctx, mustCase(t, l), "990101000001", "现场录像", d.String()); err != nil {
		t.Fatal(err)
	}
	id := enrol(t, s, h, l)
	return s, h, f, l, id, d, data
}

// testChunk is the PATCH size the upload tests use, so that small files
// still take several.
const testChunk = 4 << 20

func TestUploadResumesAfterABreakAndVerifies(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		const size = 10<<20 + 12345
		s, _, f, l, id, d, data := mediaSetup(t, b, size)
		f.cutOnce.Store(true)
		var last Upload
		c := New(id)
		c.Chunk = testChunk // three PATCHes, one of them cut
		n, err := c.PushMedia(ctx, l, func(u Upload) { last = u })
		if err != nil || n != 1 {
			t.Fatalf("push media: %d %v", n, err)
		}
		if f.cutOnce.Load() {
			t.Fatal("no upload was cut: the resume path was not exercised")
		}
		if last.Sent != size {
			t.Fatalf("progress ended at %d of %d", last.Sent, size)
		}
		if rc, _ := l.MediaReceipt(ctx, d); rc == "" {
			t.Fatal("no receipt kept")
		}
		// At most one chunk sent again (the cut one).
		if sent := f.patchBytes.Load(); sent > size+testChunk {
			t.Fatalf("sent %d bytes for a %d-byte file", sent, size)
		}
		// The platform holds exactly the file.
		held, err := readMedia(s, d.String())
		if err != nil || sha256.Sum256(held) != sha256.Sum256(data) {
			t.Fatalf("the platform's copy differs: %v", err)
		}
		if pending, _ := l.MediaPending(ctx); len(pending) != 0 {
			t.Fatalf("still pending: %v", pending)
		}
		// The same file again: the platform says it holds it; nothing is sent.
		before := f.patchBytes.Load()
		l2 := deviceLog(t, "MEDIA-2", 0)
		d2, _, _ := l2.Media().Put(bytes.NewReader(data))
		l2.AddNote(ctx, mustCase(t, l2), "x", "同一文件", d2.String())
		if _, err := New(id).PushMedia(ctx, l2, nil); err != nil {
			t.Fatal(err)
		}
		if f.patchBytes.Load() != before {
			t.Fatal("a file the platform holds was uploaded again")
		}
	})
}

// TestUploadChunksFollowTheNetwork: PATCHes start at 4 MiB and double
// while each takes under a second, up to Client.Chunk; after one that took
// over four seconds the next is half as big.
func TestUploadChunksFollowTheNetwork(t *testing.T) {
	ctx := context.Background()
	const MiB = 1 << 20
	const size = 60*MiB + 5
	s, _, f, l, id, d, data := mediaSetup(t, servertest.Backends(t)[0], size)
	f.stall = func(n int) time.Duration {
		if n == 3 { // the fourth PATCH answers late, as on a slow link
			return 4100 * time.Millisecond
		}
		return 0
	}
	c := New(id)
	c.Chunk = 16 * MiB
	var progress []int64
	if _, err := c.PushMedia(ctx, l, func(u Upload) { progress = append(progress, u.Sent) }); err != nil {
		t.Fatal(err)
	}
	want := []int64{4 * MiB, 8 * MiB, 16 * MiB, 16 * MiB, 8 * MiB, 8*MiB + 5}
	if fmt.Sprint(f.sizes) != fmt.Sprint(want) {
		t.Fatalf("PATCH sizes %v, want %v: 4, 8, 16 MiB, then 8 MiB after the slow one", f.sizes, want)
	}
	if progress[len(progress)-1] != size {
		t.Fatalf("progress ended at %d of %d", progress[len(progress)-1], size)
	}
	held, err := readMedia(s, d.String())
	if err != nil || !bytes.Equal(held, data) {
		t.Fatalf("the platform's copy differs: %v", err)
	}
}

func TestCorruptedChunkIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		_, _, f, l, id, d, _ := mediaSetup(t, b, 3<<20)
		f.corrupt.Store(true)
		_, err := New(id).PushMedia(ctx, l, nil)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("corrupted upload: %v", err)
		}
		if rc, _ := l.MediaReceipt(ctx, d); rc != "" {
			t.Fatal("a receipt for corrupted bytes")
		}
		// Sent again cleanly, it is accepted.
		if _, err := New(id).PushMedia(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
		if rc, _ := l.MediaReceipt(ctx, d); !strings.Contains(rc, d.String()) {
			t.Fatalf("receipt %q", rc)
		}
	})
}

// An evidence file damaged on the device is refused by the platform, and
// the files after it still go up.
func TestOneBadFileDoesNotHoldBackTheOthers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		_, _, _, l, id, _, _ := mediaSetup(t, b, 1<<20)
		other := make([]byte, 300<<10)
		rand.Read(other)
		d, _, err := l.Media().Put(bytes.NewReader(other))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddNote(ctx, mustCase(t, l), "990101000001", "现场照片", d.String()); err != nil {
			t.Fatal(err)
		}
		// The first file to go up is the damaged one.
		pending, err := l.MediaPending(ctx)
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending %v %v", pending, err)
		}
		bad, d := pending[0], pending[1]
		path := l.Media().Path(bad)
		os.Chmod(path, 0o644)
		if err := os.WriteFile(path, []byte("damaged"), 0o644); err != nil {
			t.Fatal(err)
		}
		n, err := New(id).PushMedia(ctx, l, nil)
		if n != 1 || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("uploaded %d, error %v; want 1 and the damaged file refused", n, err)
		}
		if rc, _ := l.MediaReceipt(ctx, d); !strings.Contains(rc, d.String()) {
			t.Fatalf("the good file has no receipt: %q", rc)
		}
		if rc, _ := l.MediaReceipt(ctx, bad); rc != "" {
			t.Fatal("a receipt for the damaged file")
		}
	})
}

// A file the platform refuses for itself (larger than it takes) is
// refused at once, not retried, and the files after it still go up.
func TestATooLargeFileDoesNotHoldBackTheOthers(t *testing.T) {
	ctx := context.Background()
	_, _, flt, l, id, small, _ := mediaSetup(t, servertest.Backends(t)[0], 200<<10)
	// A sparse file over the platform's 4 GiB limit, first in upload order.
	big, err := casefile.ParseDigest(strings.Repeat("0", 64))
	if err != nil {
		t.Fatal(err)
	}
	path := l.Media().Path(big)
	os.MkdirAll(filepath.Dir(path), 0o755)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4<<30 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := l.AddNote(ctx, mustCase(t, l), "990101000001", "超大文件", big.String()); err != nil {
		t.Fatal(err)
	}
	n, err := New(id).PushMedia(ctx, l, nil)
	var refused *Error
	if n != 1 || !errors.As(err, &refused) || refused.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("uploaded %d, error %v; want 1 and a 413", n, err)
	}
	if got := flt.creates.Load(); got != 2 {
		t.Errorf("%d uploads created, want 2: the refusal was retried", got)
	}
	if rc, _ := l.MediaReceipt(ctx, small); rc == "" {
		t.Fatal("the small file after the large one has no receipt")
	}
}

// TestDeskReadsTheReceiptHeader: the desk keeps a receipt that comes as
// base64 (this platform) or in the older "|" form (a platform not yet
// updated), and refuses one changed on its way, by its own error: a value
// no longer base64 is api.ErrReceiptHeader, a changed base64 character a
// receipt whose signature fails. A refused header costs nothing: the next
// sync asks the platform for the receipt it holds.
func TestDeskReadsTheReceiptHeader(t *testing.T) {
	// flip changes the character at i of a base64 value to another of
	// the alphabet.
	flip := func(v string, i int, to byte) string { return v[:i] + string(to) + v[i+1:] }
	for _, tc := range []struct {
		name    string
		rewrite func(string) string
		want    error // nil: kept
	}{
		{"base64", func(v string) string { return v }, nil},
		{"older form", func(v string) string {
			msg, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				panic(err) // the platform sent no base64: the test fails
			}
			return strings.ReplaceAll(string(msg), "\n", "|")
		}, nil},
		{"not base64", func(v string) string { return flip(v, len(v)/2, '*') }, api.ErrReceiptHeader},
		{"signature changed", func(v string) string {
			// Well inside the signature's base64, a few characters from the end.
			i := len(v) - 8
			to := byte('A')
			if v[i] == 'A' {
				to = 'B'
			}
			return flip(v, i, to)
		}, ledger.ErrReceiptForged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			_, _, f, l, id, d, _ := mediaSetup(t, servertest.Backends(t)[0], 100<<10)
			var sent atomic.Value
			rewrite := func(v string) string {
				sent.Store(v)
				return tc.rewrite(v)
			}
			f.receipt.Store(&rewrite)
			_, err := New(id).PushMedia(ctx, l, nil)
			if v, _ := sent.Load().(string); v == "" || strings.ContainsAny(v, "|\n") {
				t.Fatalf("the platform's receipt header %q is not base64", v)
			}
			rc, rerr := l.MediaReceipt(ctx, d)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tc.want == nil {
				if err != nil || !strings.HasPrefix(rc, "sanxiang-media\n"+d.String()+"\n") {
					t.Fatalf("push: %v; kept %q", err, rc)
				}
				return
			}
			if !errors.Is(err, tc.want) || rc != "" {
				t.Fatalf("push: %v (want %v); kept %q", err, tc.want, rc)
			}
			// The next sync gets the receipt the platform holds.
			f.receipt.Store(nil)
			if _, err := New(id).PushMedia(ctx, l, nil); err != nil {
				t.Fatal(err)
			}
			if rc, _ := l.MediaReceipt(ctx, d); !strings.Contains(rc, d.String()) {
				t.Fatalf("after a refused header, kept %q", rc)
			}
		})
	}
}

func readMedia(s *server.Server, sha string) ([]byte, error) {
	r, err := s.OpenMedia(context.Background(), sha)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
