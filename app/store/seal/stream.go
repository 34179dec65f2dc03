package seal

import (
	"io"
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

// Writer writes a sealed stream file.
type Writer struct {
	todo int
}

// Create makes a new sealed file at path (O_EXCL, 0600) with a patchable
// head of headSize bytes (0 for none).
func Create(path string, k Keys, headSize int) (*Writer, error) { panic("todo: seal.Create") }

// Append reopens a sealed file to write on: a torn last chunk (a crash
// mid-write) is cut off, the head is kept.
func Append(path string, k Keys) (*Writer, error) { panic("todo: seal.Append") }

// Write appends plaintext; it is sealed in chunks of up to 1 MiB.
func (w *Writer) Write(p []byte) (int, error) { panic("todo") }

// WriteAt patches the head: off+len(p) must be at most headSize.
func (w *Writer) WriteAt(p []byte, off int64) (int, error) { panic("todo") }

// Sync seals what is buffered as a (short) chunk, writes the head if it
// changed, and fsyncs.
func (w *Writer) Sync() error { panic("todo") }

// Close syncs and closes.
func (w *Writer) Close() error { panic("todo") }

// Size is the plaintext size written so far (head included).
func (w *Writer) Size() int64 { panic("todo") }

// Reader reads a sealed stream file at random.
type Reader struct {
	todo int
}

var _ io.ReaderAt = (*Reader)(nil)
var _ io.ReadSeeker = (*Reader)(nil)

// OpenFile opens a sealed file for reading. It walks the chunk headers
// once; a torn tail is reported by Torn, not as an error.
func OpenFile(path string, k Keys) (*Reader, error) { panic("todo: seal.OpenFile") }

// ReadAt implements io.ReaderAt over the plaintext.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) { panic("todo") }

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) { panic("todo") }

// Seek implements io.Seeker.
func (r *Reader) Seek(off int64, whence int) (int64, error) { panic("todo") }

// Size is the plaintext size.
func (r *Reader) Size() int64 { panic("todo") }

// Torn says whether bytes after the last authenticated chunk were ignored.
func (r *Reader) Torn() bool { panic("todo") }

// Close closes the file.
func (r *Reader) Close() error { panic("todo") }

// SealFile seals src into a new file dst while hashing the plaintext
// (SHA-256), and fsyncs dst. The work is pipelined: hashing and sealing run
// on separate goroutines.
func SealFile(dst string, src io.Reader, k Keys) (sha [32]byte, n int64, err error) {
	panic("todo: seal.SealFile")
}

// Sealed says whether the file at path is a sealed stream file whose
// header parses and whose first chunk or head authenticates under k.
// With k nil it only checks the magic.
func Sealed(path string, k Keys) (bool, error) { panic("todo: seal.Sealed") }

// Scrub overwrites a file with zeros, fsyncs it and removes it.
func Scrub(path string) error { panic("todo: seal.Scrub") }
