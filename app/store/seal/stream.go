package seal

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// A stream file (evidence, recording segments, archives):
//
//	header, 64 bytes:
//	  "SXF1" | suite u8 | flags u8 | headSize u16 BE | key id [8] | file salt [32] | zero [16]
//	head slots (only if headSize > 0), two of them, each 4+12+headSize+16 bytes:
//	  version u32 BE | nonce [12] | ct(headSize) ‖ tag     AAD = header ‖ "head" ‖ version
//	chunks, until EOF:
//	  plen u32 BE | nonce [12] | ct(plen) ‖ tag             AAD = header ‖ index u64 BE ‖ plen
//	file key = HKDF(suite subkey, salt = file salt, info "sanxiang file v1")
//
// The plaintext is the head (headSize bytes, from the slot with the highest
// version that authenticates) followed by the chunks in order. The head lets
// WAV and AVI writers patch their size fields in place: WriteAt is allowed
// only below headSize and writes the next version into the other slot, so a
// torn slot write leaves the previous version readable. Chunk indexes are
// in the AAD (no reordering); nonces are random, so reopening after a crash
// (Append) never reuses one.

const (
	headerSize = 64
	// ChunkSize is the most plaintext one chunk holds.
	ChunkSize     = 1 << 20
	chunkOverhead = 4 + nonceSize + tagSize
	streamMagic   = "SXF1"
)

// fileHeader is a parsed stream header with the file's AEAD.
type fileHeader struct {
	raw      [headerSize]byte
	headSize int
	aead     cipher.AEAD
}

// slotSize is the size of one head slot on disk.
func (h *fileHeader) slotSize() int64 { return int64(4 + nonceSize + h.headSize + tagSize) }

// dataStart is the file offset of the first chunk.
func (h *fileHeader) dataStart() int64 {
	if h.headSize == 0 {
		return headerSize
	}
	return headerSize + 2*h.slotSize()
}

// fileAEAD derives the file key from the suite subkey and the file salt.
func fileAEAD(key *Key, salt []byte) (cipher.AEAD, error) {
	h, n, err := key.Suite.kdf()
	if err != nil {
		return nil, err
	}
	fk, err := hkdf.Key(h, key.sub, salt, "sanxiang file v1", n)
	if err != nil {
		return nil, fmt.Errorf("seal: file key: %w", err)
	}
	return key.Suite.aeadFor(fk)
}

// newHeader makes the header of a new file under k's current key.
func newHeader(k Keys, headSize int) (*fileHeader, error) {
	if k == nil {
		return nil, ErrLocked
	}
	if headSize < 0 || headSize > 0xffff {
		return nil, fmt.Errorf("seal: head size %d out of range 0..65535", headSize)
	}
	key, err := k.Current()
	if err != nil {
		return nil, err
	}
	h := &fileHeader{headSize: headSize}
	copy(h.raw[:4], streamMagic)
	h.raw[4] = byte(key.Suite)
	binary.BigEndian.PutUint16(h.raw[6:8], uint16(headSize))
	copy(h.raw[8:16], key.ID[:])
	if _, err := rand.Read(h.raw[16:48]); err != nil {
		return nil, fmt.Errorf("seal: file salt: %w", err)
	}
	if h.aead, err = fileAEAD(key, h.raw[16:48]); err != nil {
		return nil, err
	}
	return h, nil
}

// parseHeader checks a header's magic and reserved bytes and, with k,
// derives the file's AEAD.
func parseHeader(raw []byte, k Keys) (*fileHeader, error) {
	if len(raw) < headerSize || string(raw[:4]) != streamMagic {
		return nil, ErrNotSealed
	}
	h := &fileHeader{}
	copy(h.raw[:], raw)
	if h.raw[5] != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, h.raw[5])
	}
	for _, b := range h.raw[48:64] {
		if b != 0 {
			return nil, fmt.Errorf("%w: reserved header bytes set", ErrCorrupt)
		}
	}
	h.headSize = int(binary.BigEndian.Uint16(h.raw[6:8]))
	if k == nil {
		return h, ErrLocked
	}
	var id KeyID
	copy(id[:], h.raw[8:16])
	key, err := k.Lookup(id, Suite(h.raw[4]))
	if err != nil {
		return nil, err
	}
	if h.aead, err = fileAEAD(key, h.raw[16:48]); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *fileHeader) headAAD(version uint32) []byte {
	aad := make([]byte, 0, headerSize+8)
	aad = append(aad, h.raw[:]...)
	aad = append(aad, "head"...)
	return binary.BigEndian.AppendUint32(aad, version)
}

func (h *fileHeader) chunkAAD(aad []byte, index uint64, plen uint32) []byte {
	aad = append(aad[:0], h.raw[:]...)
	aad = binary.BigEndian.AppendUint64(aad, index)
	return binary.BigEndian.AppendUint32(aad, plen)
}

// sealChunk appends the sealed chunk index of plain to out.
func (h *fileHeader) sealChunk(out []byte, index uint64, plain []byte) ([]byte, error) {
	n := len(out)
	out = binary.BigEndian.AppendUint32(out, uint32(len(plain)))
	out = append(out, make([]byte, nonceSize)...)
	nonce := out[n+4 : n+4+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	var aadBuf [headerSize + 12]byte
	aad := h.chunkAAD(aadBuf[:0], index, uint32(len(plain)))
	return h.aead.Seal(out, nonce, plain, aad), nil
}

// openChunk authenticates one sealed chunk (header included) of index.
func (h *fileHeader) openChunk(dst, sealed []byte, index uint64) ([]byte, error) {
	if len(sealed) < chunkOverhead {
		return nil, ErrCorrupt
	}
	plen := binary.BigEndian.Uint32(sealed[:4])
	if int(plen) != len(sealed)-chunkOverhead {
		return nil, ErrCorrupt
	}
	var aadBuf [headerSize + 12]byte
	aad := h.chunkAAD(aadBuf[:0], index, plen)
	plain, err := h.aead.Open(dst, sealed[4:4+nonceSize], sealed[4+nonceSize:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// sealHead is one head slot's bytes for version.
func (h *fileHeader) sealHead(head []byte, version uint32) ([]byte, error) {
	out := make([]byte, 4+nonceSize, h.slotSize())
	binary.BigEndian.PutUint32(out, version)
	if _, err := rand.Read(out[4:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return h.aead.Seal(out, out[4:4+nonceSize], head, h.headAAD(version)), nil
}

// readHead reads both slots and returns the head with the highest version
// that authenticates.
func (h *fileHeader) readHead(r io.ReaderAt) ([]byte, uint32, error) {
	var best []byte
	var bestV uint32
	found := false
	for slot := range int64(2) {
		buf := make([]byte, h.slotSize())
		if _, err := r.ReadAt(buf, headerSize+slot*h.slotSize()); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				continue
			}
			return nil, 0, fmt.Errorf("seal: read head: %w", err)
		}
		v := binary.BigEndian.Uint32(buf[:4])
		if found && v <= bestV {
			continue
		}
		plain, err := h.aead.Open(nil, buf[4:4+nonceSize], buf[4+nonceSize:], h.headAAD(v))
		if err != nil {
			continue
		}
		best, bestV, found = plain, v, true
	}
	if !found {
		return nil, 0, fmt.Errorf("%w: no head slot authenticates", ErrCorrupt)
	}
	return best, bestV, nil
}

// chunkRef is where one chunk lies in the file and in the plaintext.
type chunkRef struct {
	off   int64 // file offset of the chunk's plen
	plain int64 // plaintext offset of its first byte
	n     int   // plaintext length
}

// walkChunks reads the chunk headers from the data start to size. A chunk
// that does not fit, or whose length is out of range, ends the walk (torn).
// With verify every chunk is authenticated and the first that fails ends
// the walk too; without, only the last one is (and dropped while it fails).
func (h *fileHeader) walkChunks(r io.ReaderAt, size int64, verify bool) (chunks []chunkRef, end int64, torn bool, err error) {
	off := h.dataStart()
	plain := int64(h.headSize)
	var lenBuf [4]byte
	var scratch []byte
	for off < size {
		if size-off < chunkOverhead {
			torn = true
			break
		}
		if _, err := r.ReadAt(lenBuf[:], off); err != nil {
			return nil, 0, false, fmt.Errorf("seal: read chunk header: %w", err)
		}
		n := int64(binary.BigEndian.Uint32(lenBuf[:]))
		if n == 0 || n > ChunkSize || size-off < chunkOverhead+n {
			torn = true
			break
		}
		c := chunkRef{off: off, plain: plain, n: int(n)}
		if verify {
			if scratch, err = h.readChunk(r, c, uint64(len(chunks)), scratch[:0]); err != nil {
				if errors.Is(err, ErrCorrupt) {
					torn = true
					break
				}
				return nil, 0, false, err
			}
		}
		chunks = append(chunks, c)
		off += chunkOverhead + n
		plain += n
	}
	if !verify {
		// The last chunks may be whatever a crash left: drop the ones that
		// do not authenticate.
		for len(chunks) > 0 {
			last := chunks[len(chunks)-1]
			if _, err := h.readChunk(r, last, uint64(len(chunks)-1), nil); err == nil {
				break
			} else if !errors.Is(err, ErrCorrupt) {
				return nil, 0, false, err
			}
			chunks = chunks[:len(chunks)-1]
			torn = true
		}
	}
	end = h.dataStart()
	if len(chunks) > 0 {
		last := chunks[len(chunks)-1]
		end = last.off + chunkOverhead + int64(last.n)
	}
	return chunks, end, torn || end < size, nil
}

// readChunk reads and opens chunk c of index, appending its plaintext to dst.
func (h *fileHeader) readChunk(r io.ReaderAt, c chunkRef, index uint64, dst []byte) ([]byte, error) {
	buf := make([]byte, chunkOverhead+c.n)
	if _, err := r.ReadAt(buf, c.off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrCorrupt
		}
		return nil, fmt.Errorf("seal: read chunk %d: %w", index, err)
	}
	plain, err := h.openChunk(dst, buf, index)
	if err != nil {
		return nil, fmt.Errorf("seal: chunk %d: %w", index, err)
	}
	return plain, nil
}

// Writer writes a sealed stream file.
type Writer struct {
	f       *os.File
	path    string
	h       *fileHeader
	head    []byte
	version uint32 // of the head last written
	dirty   bool   // head changed since it was last written
	buf     []byte // plaintext of the chunk being filled
	out     []byte // scratch for a sealed chunk
	pos     int64  // plaintext written so far
	end     int64  // file offset of the next chunk
	index   uint64 // of the next chunk
	closed  bool

	chunks   []chunkRef // written so far, for ReadAt and Truncate
	bufStart int64      // plaintext offset of buf's first byte
	cached   int        // chunk in cache, -1 for none
	cache    []byte
}

// Create makes a new sealed file at path (O_EXCL, 0600) with a patchable
// head of headSize bytes (0 for none).
func Create(path string, k Keys, headSize int) (*Writer, error) {
	h, err := newHeader(k, headSize)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("seal: create: %w", err)
	}
	w := &Writer{f: f, path: path, h: h, head: make([]byte, headSize), end: h.dataStart(), bufStart: int64(headSize), cached: -1}
	fail := func(err error) (*Writer, error) {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteAt(h.raw[:], 0); err != nil {
		return fail(err)
	}
	if headSize > 0 {
		// Slot 0 is left as zeros (it never authenticates); version 1 goes
		// to slot 1, so the layout is whole from the start.
		if _, err := f.WriteAt(make([]byte, h.slotSize()), headerSize); err != nil {
			return fail(err)
		}
		if err := w.writeHead(); err != nil {
			return fail(err)
		}
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return fail(err)
	}
	return w, nil
}

// Append reopens a sealed file to write on: a torn last chunk (a crash
// mid-write) is cut off, the head is kept. Every chunk is authenticated
// and the file is cut at the first that fails: after a crash any chunk
// written since the last Sync may be torn, not only the last one, and
// those were never promised to the disk.
func Append(path string, k Keys) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("seal: append: %w", err)
	}
	w, err := appendFile(f, path, k)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("append %s: %w", path, err)
	}
	return w, nil
}

func appendFile(f *os.File, path string, k Keys) (*Writer, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	raw := make([]byte, headerSize)
	if _, err := f.ReadAt(raw, 0); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrNotSealed
		}
		return nil, err
	}
	h, err := parseHeader(raw, k)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, path: path, h: h, cached: -1}
	if h.headSize > 0 {
		if w.head, w.version, err = h.readHead(f); err != nil {
			return nil, err
		}
	}
	// Every chunk is authenticated: after a crash, any chunk written since
	// the last fsync may be torn, not only the last.
	chunks, end, torn, err := h.walkChunks(f, st.Size(), true)
	if err != nil {
		return nil, err
	}
	if torn {
		if err := f.Truncate(end); err != nil {
			return nil, fmt.Errorf("cut torn tail: %w", err)
		}
		if err := f.Sync(); err != nil {
			return nil, err
		}
	}
	w.end = end
	w.index = uint64(len(chunks))
	w.chunks = chunks
	w.pos = int64(h.headSize)
	if n := len(chunks); n > 0 {
		w.pos = chunks[n-1].plain + int64(chunks[n-1].n)
	}
	w.bufStart = w.pos
	return w, nil
}

// Write appends plaintext; it is sealed in chunks of up to 1 MiB. The first
// headSize bytes written fill the head.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("seal: write %s: %w", w.path, os.ErrClosed)
	}
	total := len(p)
	if w.pos < int64(len(w.head)) {
		n := copy(w.head[w.pos:], p)
		w.pos += int64(n)
		w.dirty = true
		p = p[n:]
	}
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, ChunkSize)
		}
		n := min(len(p), ChunkSize-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		p = p[n:]
		w.pos += int64(n)
		if len(w.buf) == ChunkSize {
			if err := w.flushChunk(); err != nil {
				return total - len(p), err
			}
		}
	}
	return total, nil
}

// flushChunk seals and writes the buffered plaintext as one chunk.
func (w *Writer) flushChunk() error {
	if len(w.buf) == 0 {
		return nil
	}
	out, err := w.h.sealChunk(w.out[:0], w.index, w.buf)
	if err != nil {
		return err
	}
	w.out = out
	if _, err := w.f.WriteAt(out, w.end); err != nil {
		return fmt.Errorf("seal: write %s: %w", w.path, err)
	}
	w.chunks = append(w.chunks, chunkRef{off: w.end, plain: w.bufStart, n: len(w.buf)})
	w.end += int64(len(out))
	w.index++
	w.bufStart += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}

// ReadAt reads back the plaintext written so far (head, sealed chunks and
// what is buffered), as a repair reads the file it is about to patch.
func (w *Writer) ReadAt(p []byte, off int64) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("seal: read %s: %w", w.path, os.ErrClosed)
	}
	if off < 0 {
		return 0, fmt.Errorf("seal: read %s at %d: negative offset", w.path, off)
	}
	n := 0
	for n < len(p) && off < w.pos {
		var c int
		switch {
		case off < int64(len(w.head)):
			c = copy(p[n:], w.head[off:min(int64(len(w.head)), w.pos)])
		case off >= w.bufStart:
			c = copy(p[n:], w.buf[off-w.bufStart:])
		default:
			i := sort.Search(len(w.chunks), func(i int) bool { return w.chunks[i].plain+int64(w.chunks[i].n) > off })
			if w.cached != i {
				plain, err := w.h.readChunk(w.f, w.chunks[i], uint64(i), w.cache[:0])
				if err != nil {
					w.cached = -1
					return n, fmt.Errorf("read %s: %w", w.path, err)
				}
				w.cache, w.cached = plain, i
			}
			c = copy(p[n:], w.cache[off-w.chunks[i].plain:])
		}
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Truncate cuts the plaintext to size (not into the head): the chunk that
// holds the cut is sealed again with what comes before it, and the file is
// fsynced. A repair uses it to drop a torn record at the end.
func (w *Writer) Truncate(size int64) error {
	if w.closed {
		return fmt.Errorf("seal: truncate %s: %w", w.path, os.ErrClosed)
	}
	if size < int64(len(w.head)) || size > w.pos {
		return fmt.Errorf("seal: truncate %s to %d: out of range %d..%d", w.path, size, len(w.head), w.pos)
	}
	if size >= w.bufStart {
		w.buf = w.buf[:size-w.bufStart]
		w.pos = size
		return nil
	}
	i := sort.Search(len(w.chunks), func(i int) bool { return w.chunks[i].plain+int64(w.chunks[i].n) > size })
	c := w.chunks[i]
	plain, err := w.h.readChunk(w.f, c, uint64(i), nil)
	if err != nil {
		return fmt.Errorf("truncate %s: %w", w.path, err)
	}
	if err := w.f.Truncate(c.off); err != nil {
		return fmt.Errorf("seal: truncate %s: %w", w.path, err)
	}
	w.chunks = w.chunks[:i]
	w.index = uint64(i)
	w.end = c.off
	w.cached = -1
	w.bufStart = c.plain
	w.buf = append(w.buf[:0], plain[:size-c.plain]...)
	w.pos = size
	// The kept part of the cut chunk goes back at once: a crash now must
	// not lose more than the cut.
	return w.Sync()
}

// writeHead writes the next version of the head into the other slot.
func (w *Writer) writeHead() error {
	v := w.version + 1
	slot, err := w.h.sealHead(w.head, v)
	if err != nil {
		return err
	}
	if _, err := w.f.WriteAt(slot, headerSize+int64(v&1)*w.h.slotSize()); err != nil {
		return fmt.Errorf("seal: write head of %s: %w", w.path, err)
	}
	w.version = v
	w.dirty = false
	return nil
}

// WriteAt patches the head: off+len(p) must be at most headSize.
func (w *Writer) WriteAt(p []byte, off int64) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("seal: write %s: %w", w.path, os.ErrClosed)
	}
	if off < 0 || off+int64(len(p)) > int64(len(w.head)) {
		return 0, fmt.Errorf("seal: write at %d+%d in %s: only the %d-byte head can be patched", off, len(p), w.path, len(w.head))
	}
	copy(w.head[off:], p)
	w.dirty = true
	if end := off + int64(len(p)); end > w.pos {
		w.pos = end
	}
	return len(p), nil
}

// Sync seals what is buffered as a (short) chunk, writes the head if it
// changed, and fsyncs.
func (w *Writer) Sync() error {
	if w.closed {
		return fmt.Errorf("seal: sync %s: %w", w.path, os.ErrClosed)
	}
	if err := w.flushChunk(); err != nil {
		return err
	}
	if w.dirty {
		if err := w.writeHead(); err != nil {
			return err
		}
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("seal: sync %s: %w", w.path, err)
	}
	return nil
}

// Close syncs and closes.
func (w *Writer) Close() error {
	if w.closed {
		return fmt.Errorf("seal: close %s: %w", w.path, os.ErrClosed)
	}
	err := w.Sync()
	w.closed = true
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("seal: close %s: %w", w.path, cerr)
	}
	return err
}

// Size is the plaintext size written so far (head included).
func (w *Writer) Size() int64 { return w.pos }

// Name is the path the writer writes to.
func (w *Writer) Name() string { return w.path }

// Reader reads a sealed stream file at random.
type Reader struct {
	r      io.ReaderAt
	closer io.Closer
	name   string
	h      *fileHeader
	head   []byte
	chunks []chunkRef
	size   int64
	torn   bool

	mu     sync.Mutex
	pos    int64 // for Read and Seek
	cached int   // index of the chunk in cache, -1 for none
	cache  []byte
}

var _ io.ReaderAt = (*Reader)(nil)
var _ io.ReadSeeker = (*Reader)(nil)

// OpenFile opens a sealed file for reading. It walks the chunk headers
// once; a torn tail is reported by Torn, not as an error.
func OpenFile(path string, k Keys) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: open: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("seal: open: %w", err)
	}
	r, err := NewReader(f, st.Size(), k)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.closer, r.name = f, path
	return r, nil
}

// NewReader reads the sealed stream file held by ra, size bytes long.
// Close does not close ra.
func NewReader(ra io.ReaderAt, size int64, k Keys) (*Reader, error) {
	raw := make([]byte, headerSize)
	if size < headerSize {
		return nil, ErrNotSealed
	}
	if _, err := ra.ReadAt(raw, 0); err != nil {
		return nil, fmt.Errorf("seal: read header: %w", err)
	}
	h, err := parseHeader(raw, k)
	if err != nil {
		return nil, err
	}
	r := &Reader{r: ra, h: h, cached: -1, name: "stream"}
	if h.headSize > 0 {
		if r.head, _, err = h.readHead(ra); err != nil {
			return nil, err
		}
	}
	if r.chunks, _, r.torn, err = h.walkChunks(ra, size, false); err != nil {
		return nil, err
	}
	r.size = int64(h.headSize)
	if n := len(r.chunks); n > 0 {
		r.size = r.chunks[n-1].plain + int64(r.chunks[n-1].n)
	}
	return r, nil
}

// ReadAt implements io.ReaderAt over the plaintext.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("seal: read %s at %d: negative offset", r.name, off)
	}
	n := 0
	for n < len(p) && off < r.size {
		if off < int64(len(r.head)) {
			c := copy(p[n:], r.head[off:])
			n += c
			off += int64(c)
			continue
		}
		i := sort.Search(len(r.chunks), func(i int) bool { return r.chunks[i].plain+int64(r.chunks[i].n) > off }) // first chunk ending after off
		c, err := r.copyChunk(p[n:], i, off-r.chunks[i].plain)
		n += c
		off += int64(c)
		if err != nil {
			return n, fmt.Errorf("read %s: %w", r.name, err)
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// copyChunk copies chunk i's plaintext from within to p, through the cache.
func (r *Reader) copyChunk(p []byte, i int, within int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cached != i {
		plain, err := r.h.readChunk(r.r, r.chunks[i], uint64(i), r.cache[:0])
		if err != nil {
			r.cached = -1
			return 0, err
		}
		r.cache, r.cached = plain, i
	}
	return copy(p, r.cache[within:]), nil
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	r.mu.Lock()
	pos := r.pos
	r.mu.Unlock()
	if pos >= r.size {
		return 0, io.EOF
	}
	n, err := r.ReadAt(p, pos)
	r.mu.Lock()
	r.pos = pos + int64(n)
	r.mu.Unlock()
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek implements io.Seeker.
func (r *Reader) Seek(off int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += r.pos
	case io.SeekEnd:
		off += r.size
	default:
		return 0, fmt.Errorf("seal: seek %s: bad whence %d", r.name, whence)
	}
	if off < 0 {
		return 0, fmt.Errorf("seal: seek %s: negative position %d", r.name, off)
	}
	r.pos = off
	return off, nil
}

// Size is the plaintext size.
func (r *Reader) Size() int64 { return r.size }

// Torn says whether bytes after the last authenticated chunk were ignored.
func (r *Reader) Torn() bool { return r.torn }

// Close closes the file.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	if err := r.closer.Close(); err != nil {
		return fmt.Errorf("seal: close %s: %w", r.name, err)
	}
	return nil
}

// SealFile seals src into a new file dst while hashing the plaintext
// (SHA-256), and fsyncs dst. The work is pipelined: hashing and sealing run
// on separate goroutines.
func SealFile(dst string, src io.Reader, k Keys) (sha [32]byte, n int64, err error) {
	h, err := newHeader(k, 0)
	if err != nil {
		return sha, 0, fmt.Errorf("seal %s: %w", dst, err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return sha, 0, fmt.Errorf("seal: create: %w", err)
	}
	sha, n, err = sealPipeline(f, h, src)
	if err == nil {
		if err = f.Sync(); err != nil {
			err = fmt.Errorf("seal: sync %s: %w", dst, err)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("seal: close %s: %w", dst, cerr)
	}
	if err != nil {
		os.Remove(dst)
		return [32]byte{}, 0, err
	}
	return sha, n, nil
}

// Scrub overwrites a file with zeros, fsyncs it and removes it. A file that
// does not exist is already scrubbed.
func Scrub(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("scrub: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("scrub: %w", err)
	}
	zeros := make([]byte, min(st.Size(), ChunkSize))
	for off := int64(0); off < st.Size(); {
		n := min(int64(len(zeros)), st.Size()-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			f.Close()
			return fmt.Errorf("scrub: %w", err)
		}
		off += n
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("scrub: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("scrub: %w", err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("scrub: %w", err)
	}
	return SyncDir(filepath.Dir(path))
}

// Sealed says whether the file at path is a sealed stream file whose
// header parses and whose first chunk or head authenticates under k.
// With k nil it only checks the magic. A file that is not sealed is
// (false, nil); one that has the magic but does not open under k is false
// with the reason (ErrCorrupt, ErrUnknownKey, ErrLocked).
func Sealed(path string, k Keys) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("seal: sealed: %w", err)
	}
	defer f.Close()
	raw := make([]byte, headerSize)
	n, err := io.ReadFull(f, raw)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("seal: sealed %s: %w", path, err)
	}
	if n < len(streamMagic) || !bytes.Equal(raw[:4], []byte(streamMagic)) {
		return false, nil
	}
	if k == nil {
		return true, nil
	}
	if n < headerSize {
		return false, fmt.Errorf("sealed %s: %w: short header", path, ErrCorrupt)
	}
	h, err := parseHeader(raw, k)
	if err != nil {
		return false, fmt.Errorf("sealed %s: %w", path, err)
	}
	if h.headSize > 0 {
		if _, _, err := h.readHead(f); err != nil {
			return false, fmt.Errorf("sealed %s: %w", path, err)
		}
		return true, nil
	}
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("seal: sealed %s: %w", path, err)
	}
	if st.Size() == headerSize {
		return true, nil
	}
	var lenBuf [4]byte
	if _, err := f.ReadAt(lenBuf[:], headerSize); err != nil {
		return false, fmt.Errorf("sealed %s: %w: short chunk", path, ErrCorrupt)
	}
	plen := int(binary.BigEndian.Uint32(lenBuf[:]))
	if plen == 0 || plen > ChunkSize {
		return false, fmt.Errorf("sealed %s: %w: bad chunk length", path, ErrCorrupt)
	}
	if _, err := h.readChunk(f, chunkRef{off: headerSize, n: plen}, 0, nil); err != nil {
		return false, fmt.Errorf("sealed %s: %w", path, err)
	}
	return true, nil
}

// SyncDir fsyncs a directory, so a file created, renamed or removed in it
// stays so (nothing to do on Windows, which journals renames itself).
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		// Windows cannot open a directory to flush it (FlushFileBuffers
		// on a directory handle is refused, "Access denied"); NTFS
		// journals the rename itself.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("seal: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("seal: sync dir %s: %w", dir, err)
	}
	return nil
}
