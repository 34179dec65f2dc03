package media

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// brokenBody gives n bytes of r, then fails as a dropped connection does.
type brokenBody struct {
	r io.Reader
	n int
}

var errDropped = errors.New("connection dropped")

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, errDropped
	}
	n, err := b.r.Read(p[:min(len(p), b.n)])
	b.n -= n
	return n, err
}

// TestAppendChunk writes a file in PATCHes of awkward sizes (ends and
// starts off the 4 KiB boundaries direct I/O needs, one body cut short) on
// the disk under the temp folder and on tmpfs, and checks that the file
// and the running hash hold exactly the bytes that arrived.
func TestAppendChunk(t *testing.T) {
	dirs := []string{t.TempDir()}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "chunk")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			dirs = append(dirs, d)
		}
	}
	data := make([]byte, 9<<20+4321)
	rand.Read(data)
	for _, dir := range dirs {
		path := filepath.Join(dir, "upload")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		off := int64(0)
		for i, size := range []int{3<<20 + 5, 1<<20 + 100, 2 << 20, 4096, 0} {
			var body io.Reader = bytes.NewReader(data[off : off+int64(size)])
			if i == 2 { // cut short after 700,001 bytes
				body = &brokenBody{r: body, n: 700001}
			}
			n, err := appendChunk(path, off, body, h)
			want := int64(size)
			if i == 2 {
				want = 700001
				if !errors.Is(err, errDropped) {
					t.Fatalf("%s: a dropped body gave %v", dir, err)
				}
			} else if err != nil {
				t.Fatalf("%s: PATCH %d: %v", dir, i, err)
			}
			if n != want {
				t.Fatalf("%s: PATCH %d took %d bytes, want %d", dir, i, n, want)
			}
			off += n
			if st, _ := os.Stat(path); st.Size() != off {
				t.Fatalf("%s: file holds %d bytes after PATCH %d, want %d", dir, st.Size(), i, off)
			}
		}
		// The rest in one go.
		n, err := appendChunk(path, off, bytes.NewReader(data[off:]), h)
		if err != nil || off+n != int64(len(data)) {
			t.Fatalf("%s: last PATCH: %d %v", dir, n, err)
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: the file differs from what was sent", dir)
		}
		if want := sha256.Sum256(data); !bytes.Equal(h.Sum(nil), want[:]) {
			t.Fatalf("%s: the running hash differs from the file's", dir)
		}
		// A PATCH that does not start at the file's end is refused and
		// changes nothing.
		if _, err := appendChunk(path, 5, bytes.NewReader([]byte("x")), nil); err == nil {
			t.Fatalf("%s: a PATCH at a wrong offset was taken", dir)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
			t.Fatalf("%s: a refused PATCH changed the file", dir)
		}
	}
}

// TestChunkWriterFallsBack: where the direct descriptor refuses a write
// (as file systems without direct I/O do), the same bytes go through the
// ordinary one and later writes do not try it again.
func TestChunkWriterFallsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	refusing, err := os.Open(path) // read-only: every write fails
	if err != nil {
		t.Fatal(err)
	}
	w := &chunkWriter{f: f, direct: refusing}
	block := *blockPool.Get().(*[]byte)
	rand.Read(block)
	if n, err := w.writeAt(block, 0); err != nil || n != len(block) {
		t.Fatalf("write: %d %v", n, err)
	}
	if w.direct != nil {
		t.Fatal("the refusing descriptor is still used")
	}
	if n, err := w.writeAt(block[:5000], int64(len(block))); err != nil || n != 5000 {
		t.Fatalf("second write: %d %v", n, err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, append(block[:len(block):len(block)], block[:5000]...)) {
		t.Fatal("the file differs from what was written")
	}
}
