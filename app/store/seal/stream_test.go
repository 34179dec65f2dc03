package seal_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func readAll(t *testing.T, path string, k seal.Keys) ([]byte, *seal.Reader) {
	t.Helper()
	r, err := seal.OpenFile(path, k)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b, r
}

func TestStreamRandomAccess(t *testing.T) {
	k := sealtest.Keys(t)
	dir := t.TempDir()
	plain := randomBytes(3*seal.ChunkSize+12345, 1)
	for _, su := range []seal.Suite{seal.SM4GCM, seal.AES256GCM} {
		ks := seal.Static{DK: k.DK, Suite: su}
		// Through the Writer, with odd write sizes and a Sync in the middle
		// (a short chunk), and through the SealFile pipeline.
		wpath := filepath.Join(dir, su.String()+".w")
		w, err := seal.Create(wpath, ks, 0)
		if err != nil {
			t.Fatal(err)
		}
		for off, step := 0, 1; off < len(plain); step = step*3 + 1 {
			n := min(step%700000+1, len(plain)-off)
			if _, err := w.Write(plain[off : off+n]); err != nil {
				t.Fatal(err)
			}
			off += n
			if off > seal.ChunkSize/2 && off-n <= seal.ChunkSize/2 {
				if err := w.Sync(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if w.Size() != int64(len(plain)) {
			t.Fatalf("writer size %d", w.Size())
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		ppath := filepath.Join(dir, su.String()+".p")
		sum, n, err := seal.SealFile(ppath, bytes.NewReader(plain), ks)
		if err != nil {
			t.Fatal(err)
		}
		if sum != sha256.Sum256(plain) || n != int64(len(plain)) {
			t.Fatalf("SealFile hash or size wrong: %d", n)
		}
		for _, path := range []string{wpath, ppath} {
			raw, _ := os.ReadFile(path)
			if bytes.Contains(raw, plain[1000:1064]) {
				t.Fatal("plaintext in the sealed file")
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Fatalf("mode %v", st.Mode())
			}
			got, r := readAll(t, path, seal.Static{DK: k.DK})
			if !bytes.Equal(got, plain) || r.Size() != int64(len(plain)) || r.Torn() {
				t.Fatalf("%s: read %d bytes, size %d, torn %v", path, len(got), r.Size(), r.Torn())
			}
			rng := rand.New(rand.NewPCG(2, 2))
			for range 200 {
				off := rng.Int64N(int64(len(plain)) + 10)
				buf := make([]byte, rng.IntN(2*seal.ChunkSize))
				m, err := r.ReadAt(buf, off)
				want := max(0, min(len(buf), len(plain)-int(off)))
				if m != want || !bytes.Equal(buf[:m], plain[min(off, int64(len(plain))):][:m]) {
					t.Fatalf("ReadAt(%d, %d) = %d, want %d", len(buf), off, m, want)
				}
				if (m < len(buf)) != (err == io.EOF) {
					t.Fatalf("ReadAt(%d, %d): %d, %v", len(buf), off, m, err)
				}
			}
			if p, err := r.Seek(-10, io.SeekEnd); err != nil || p != int64(len(plain)-10) {
				t.Fatal(p, err)
			}
			tail, _ := io.ReadAll(r)
			if !bytes.Equal(tail, plain[len(plain)-10:]) {
				t.Fatal("seek end")
			}
			if ok, err := seal.Sealed(path, k); !ok || err != nil {
				t.Fatalf("Sealed: %v %v", ok, err)
			}
			if ok, err := seal.Sealed(path, sealtest.Keys(t)); ok || !errors.Is(err, seal.ErrUnknownKey) {
				t.Fatalf("Sealed under another key: %v %v", ok, err)
			}
			if _, err := seal.OpenFile(path, sealtest.Keys(t)); !errors.Is(err, seal.ErrUnknownKey) {
				t.Fatalf("another key: %v", err)
			}
		}
	}
	// Empty input, and a plaintext file.
	sum, n, err := seal.SealFile(filepath.Join(dir, "empty"), bytes.NewReader(nil), k)
	if err != nil || n != 0 || sum != sha256.Sum256(nil) {
		t.Fatal(err, n)
	}
	if got, _ := readAll(t, filepath.Join(dir, "empty"), k); len(got) != 0 {
		t.Fatal("empty")
	}
	os.WriteFile(filepath.Join(dir, "plain"), plain[:100], 0o600)
	if ok, err := seal.Sealed(filepath.Join(dir, "plain"), k); ok || err != nil {
		t.Fatalf("plaintext file: %v %v", ok, err)
	}
	if _, err := seal.OpenFile(filepath.Join(dir, "plain"), k); !errors.Is(err, seal.ErrNotSealed) {
		t.Fatalf("plaintext file: %v", err)
	}
	if _, err := seal.Create(filepath.Join(dir, "plain"), k, 0); err == nil {
		t.Fatal("Create overwrote a file")
	}
	if err := seal.Scrub(filepath.Join(dir, "plain")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "plain")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("scrubbed file still there")
	}
}

// headFile writes a 44-byte head (as a WAV writer does) and data, patching
// the head's size as it goes.
func headFile(t *testing.T, path string, k seal.Keys, data []byte) {
	t.Helper()
	w, err := seal.Create(path, k, 44)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 44)
	copy(head, "RIFF")
	if _, err := w.Write(head); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(data); i += 1000 {
		w.Write(data[i:min(i+1000, len(data))])
		var sz [4]byte
		binary.LittleEndian.PutUint32(sz[:], uint32(w.Size()-44))
		if _, err := w.WriteAt(sz[:], 40); err != nil {
			t.Fatal(err)
		}
		if err := w.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.WriteAt([]byte{1}, 44); err == nil {
		t.Fatal("WriteAt past the head accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStreamHeadRewriteSurvivesTornSlot(t *testing.T) {
	k := sealtest.Keys(t)
	path := filepath.Join(t.TempDir(), "a.wav")
	data := randomBytes(5500, 3)
	headFile(t, path, k, data)
	got, _ := readAll(t, path, k)
	if len(got) != 44+len(data) || binary.LittleEndian.Uint32(got[40:]) != uint32(len(data)) || !bytes.Equal(got[44:], data) {
		t.Fatalf("head %x", got[:44])
	}
	// Tear the newer slot (which one is newer is the higher version): the
	// reader falls back to the previous version, one patch behind.
	raw, _ := os.ReadFile(path)
	slot := int64(4 + 12 + 44 + 16)
	v0 := binary.BigEndian.Uint32(raw[64:])
	v1 := binary.BigEndian.Uint32(raw[64+slot:])
	newer := int64(0)
	if v1 > v0 {
		newer = 1
	}
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt(make([]byte, 30), 64+newer*slot+20)
	f.Close()
	got, _ = readAll(t, path, k)
	if binary.LittleEndian.Uint32(got[40:]) != 5000 || string(got[:4]) != "RIFF" {
		t.Fatalf("after a torn slot the head says %d", binary.LittleEndian.Uint32(got[40:]))
	}
	// Append writes the next version into the torn slot; the reader takes it.
	w, err := seal.Append(path, k)
	if err != nil {
		t.Fatal(err)
	}
	if w.Size() != int64(44+len(data)) {
		t.Fatalf("append size %d", w.Size())
	}
	w.WriteAt([]byte{0xAA, 0xBB, 0xCC, 0xDD}, 40)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ = readAll(t, path, k)
	if !bytes.Equal(got[40:44], []byte{0xAA, 0xBB, 0xCC, 0xDD}) || !bytes.Equal(got[44:], data) {
		t.Fatal("patched head not read back")
	}
	// Both slots torn: the file does not open.
	f, _ = os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt(make([]byte, 2*slot), 64)
	f.Close()
	if _, err := seal.OpenFile(path, k); !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("no slot authenticates: %v", err)
	}
}

func TestStreamAppendAfterTornChunk(t *testing.T) {
	k := sealtest.Keys(t)
	dir := t.TempDir()
	data := randomBytes(20000, 4)
	for _, tear := range []struct {
		name string
		do   func(f *os.File, size int64)
	}{
		{"cut", func(f *os.File, size int64) { f.Truncate(size - 7) }},
		{"garbage", func(f *os.File, size int64) { f.WriteAt([]byte("xxxxxxxx"), size-100) }},
		{"zeros after", func(f *os.File, size int64) { f.WriteAt(make([]byte, 4096), size) }},
		{"half header", func(f *os.File, size int64) { f.WriteAt([]byte{0, 0}, size) }},
	} {
		t.Run(tear.name, func(t *testing.T) {
			path := filepath.Join(dir, tear.name)
			headFile(t, path, k, data) // 20 chunks of 1000 bytes
			st, _ := os.Stat(path)
			f, _ := os.OpenFile(path, os.O_RDWR, 0)
			tear.do(f, st.Size())
			f.Close()
			keep := len(data)
			if tear.name == "cut" || tear.name == "garbage" {
				keep -= 1000
			}
			got, r := readAll(t, path, k)
			if !r.Torn() || len(got) != 44+keep || !bytes.Equal(got[44:], data[:keep]) {
				t.Fatalf("reader: torn %v, %d bytes", r.Torn(), len(got))
			}
			w, err := seal.Append(path, k)
			if err != nil {
				t.Fatal(err)
			}
			if w.Size() != int64(44+keep) {
				t.Fatalf("append at %d, want %d", w.Size(), 44+keep)
			}
			more := []byte("and then some more")
			w.Write(more)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, r = readAll(t, path, k)
			want := append(bytes.Clone(data[:keep]), more...)
			if r.Torn() || !bytes.Equal(got[44:], want) {
				t.Fatalf("after append: torn %v, %d bytes", r.Torn(), len(got))
			}
		})
	}
	// A chunk torn in the middle (written after the last fsync before a
	// crash): Append cuts from there, the reader fails it on read.
	path := filepath.Join(dir, "middle")
	headFile(t, path, k, data)
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt([]byte("x"), 64+2*(4+12+44+16)+5*(32+1000)+100)
	f.Close()
	r, err := seal.OpenFile(path, k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("tampered chunk read: %v", err)
	}
	r.Close()
	w, err := seal.Append(path, k)
	if err != nil {
		t.Fatal(err)
	}
	if w.Size() != 44+5000 {
		t.Fatalf("append after a torn middle chunk at %d", w.Size())
	}
	w.Close()
}

func TestStreamReorderDetected(t *testing.T) {
	k := sealtest.Keys(t)
	path := filepath.Join(t.TempDir(), "r")
	w, err := seal.Create(path, k, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		w.Write(bytes.Repeat([]byte{byte('a' + i)}, 500))
		w.Sync()
	}
	w.Close()
	raw, _ := os.ReadFile(path)
	const c = 32 + 500
	swapped := bytes.Clone(raw)
	copy(swapped[64+c:], raw[64+2*c:64+3*c])
	copy(swapped[64+2*c:], raw[64+c:64+2*c])
	os.WriteFile(path, swapped, 0o600)
	r, err := seal.OpenFile(path, k)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadAll(r); !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("swapped chunks read: %v", err)
	}
	buf := make([]byte, 500)
	if _, err := r.ReadAt(buf, 0); err != nil || buf[0] != 'a' {
		t.Fatal("first chunk", err)
	}
	// Another file's header on these chunks does not open them either.
	other := filepath.Join(t.TempDir(), "o")
	w, _ = seal.Create(other, k, 0)
	w.Write([]byte("x"))
	w.Close()
	o, _ := os.ReadFile(other)
	mixed := append(bytes.Clone(o[:64]), raw[64:]...)
	os.WriteFile(path, mixed, 0o600)
	r2, err := seal.OpenFile(path, k)
	if err == nil {
		_, err = io.ReadAll(r2)
		r2.Close()
	}
	if !errors.Is(err, seal.ErrCorrupt) && (r2 == nil || !r2.Torn()) {
		t.Fatalf("chunks under another file's header: %v", err)
	}
}

func FuzzOpenStream(f *testing.F) {
	k := seal.Static{DK: bytes.Repeat([]byte{9}, 32)}
	dir := f.TempDir()
	for i, hs := range []int{0, 44, 224} {
		path := filepath.Join(dir, string(rune('a'+i)))
		w, err := seal.Create(path, k, hs)
		if err != nil {
			f.Fatal(err)
		}
		w.Write(randomBytes(hs+300, uint64(i)))
		w.Sync()
		w.Write([]byte("second chunk"))
		w.Close()
		raw, _ := os.ReadFile(path)
		f.Add(raw)
		f.Add(raw[:len(raw)-5])
		f.Add(raw[:64])
	}
	f.Add([]byte("SXF1"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := seal.NewReader(bytes.NewReader(data), int64(len(data)), k)
		if err != nil {
			return
		}
		if r.Size() < 0 {
			t.Fatal("negative size")
		}
		io.ReadAll(r)
		buf := make([]byte, 100)
		r.ReadAt(buf, r.Size()/2)
	})
}

// A repair reads what it wrote through the Writer and cuts a torn record:
// the cut may fall inside a sealed chunk, in the buffer, or on a boundary.
func TestStreamWriterReadAtAndTruncate(t *testing.T) {
	k := sealtest.Keys(t)
	dir := t.TempDir()
	plain := randomBytes(2*seal.ChunkSize+5000, 5)
	for i, cut := range []int64{16, 100, seal.ChunkSize + 16, seal.ChunkSize + 17, 2*seal.ChunkSize + 16 + 10, int64(len(plain))} {
		path := filepath.Join(dir, string(rune('a'+i)))
		w, err := seal.Create(path, k, 16)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(plain)
		got := make([]byte, len(plain))
		if n, err := w.ReadAt(got, 0); n != len(plain) || err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("writer ReadAt: %d %v", n, err)
		}
		if err := w.Truncate(cut); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("tail"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want := append(bytes.Clone(plain[:cut]), "tail"...)
		if back, r := readAll(t, path, k); !bytes.Equal(back, want) || r.Torn() {
			t.Fatalf("cut at %d: read %d bytes, want %d", cut, len(back), len(want))
		}
	}
	w, _ := seal.Create(filepath.Join(dir, "h"), k, 16)
	w.Write(plain[:100])
	if err := w.Truncate(15); err == nil {
		t.Fatal("cut into the head")
	}
	w.Close()
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk unplugged")
	}
	m := min(len(p), f.n)
	f.n -= m
	return m, nil
}

// A source that fails half way leaves no file behind and says why; so
// does a locked key.
func TestSealFileSourceError(t *testing.T) {
	k := sealtest.Keys(t)
	dst := filepath.Join(t.TempDir(), "x")
	if _, _, err := seal.SealFile(dst, &failingReader{n: 3*seal.ChunkSize + 7}, k); err == nil || !bytes.Contains([]byte(err.Error()), []byte("disk unplugged")) {
		t.Fatalf("SealFile of a failing source: %v", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a half-sealed file was left")
	}
	if _, _, err := seal.SealFile(dst, bytes.NewReader([]byte("x")), nil); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("SealFile locked: %v", err)
	}
	if _, err := seal.Create(dst, nil, 0); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("Create locked: %v", err)
	}
}
