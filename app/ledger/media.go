package ledger

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// Digest is a media file's SHA-256: its only name that counts.
type Digest [sha256.Size]byte

// String is the digest in lower-case hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// ParseDigest reads a hex SHA-256.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(d) {
		return d, fmt.Errorf("not a SHA-256: %q", s)
	}
	copy(d[:], b)
	return d, nil
}

// MediaStore keeps evidence files by content: Dir/ab/abcdef…, named by the
// SHA-256 of their plaintext. With Keys every file it writes is a sealed
// stream file (seal.Create); reading (Open, Check) takes sealed and
// plaintext files alike, told apart by the stream magic, so that a folder
// being sealed stays readable.
type MediaStore struct {
	Dir string
	// Keys seal the files at rest; nil keeps them in plaintext.
	Keys seal.Keys
}

// MediaFile is a stored evidence file open for reading: its plaintext, at
// random or in order, whether the file is sealed or not.
type MediaFile interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	// Size is the plaintext's size.
	Size() int64
}

// plainFile is a MediaFile over a plaintext file.
type plainFile struct {
	*os.File
	size int64
}

func (p plainFile) Size() int64 { return p.size }

// Path is where the file with digest d lives.
func (m *MediaStore) Path(d Digest) string {
	s := d.String()
	return filepath.Join(m.Dir, s[:2], s)
}

// incoming is a fresh name for a file being written into the store.
func (m *MediaStore) incoming() (string, error) {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return "", err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(m.Dir, "incoming-"+hex.EncodeToString(b[:])), nil
}

// Put copies r into the store, fsyncs it and returns its digest. A file that
// is already there is kept (same content, same name). With Keys the copy is
// sealed as it is hashed: no plaintext reaches the disk.
func (m *MediaStore) Put(r io.Reader) (Digest, int64, error) {
	if m.Keys != nil {
		tmp, err := m.incoming()
		if err != nil {
			return Digest{}, 0, fmt.Errorf("store media: %w", err)
		}
		defer os.Remove(tmp)
		sum, n, err := seal.SealFile(tmp, r, m.Keys)
		if err != nil {
			return Digest{}, 0, fmt.Errorf("store media: %w", err)
		}
		d := Digest(sum)
		if err := m.place(tmp, d); err != nil {
			return Digest{}, 0, err
		}
		return d, n, nil
	}
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return Digest{}, 0, fmt.Errorf("store media: %w", err)
	}
	tmp, err := os.CreateTemp(m.Dir, "incoming-*")
	if err != nil {
		return Digest{}, 0, fmt.Errorf("store media: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Digest{}, 0, fmt.Errorf("store media: %w", err)
	}
	var d Digest
	copy(d[:], h.Sum(nil))
	if err := m.place(tmp.Name(), d); err != nil {
		return Digest{}, 0, err
	}
	return d, n, nil
}

// PutFile moves the plaintext file at path into the store. With Keys it is
// sealed into the store and the plaintext is scrubbed (overwritten and
// removed); without, it is hashed and renamed in.
func (m *MediaStore) PutFile(path string) (Digest, int64, error) {
	if m.Keys == nil {
		d, n, err := HashFile(path)
		if err != nil {
			return Digest{}, 0, err
		}
		if err := m.place(path, d); err != nil {
			return Digest{}, 0, err
		}
		return d, n, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return Digest{}, 0, fmt.Errorf("store media: %w", err)
	}
	d, n, err := m.Put(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("store media: %w", cerr)
	}
	if err != nil {
		return Digest{}, 0, err
	}
	if err := seal.Scrub(path); err != nil {
		return d, n, fmt.Errorf("store media: scrub %s: %w", path, err)
	}
	return d, n, nil
}

// HashFile is the SHA-256 of a file and its size. The writer flushes the
// file to the disk (a read-only handle cannot: Windows refuses it).
func HashFile(path string) (Digest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return Digest{}, 0, fmt.Errorf("hash media: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	// Reads of 1 MiB: io.Copy's 32 KiB made a gigabyte of video cost 32,768
	// read calls.
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Digest{}, 0, fmt.Errorf("hash media: %w", err)
		}
	}
	var d Digest
	copy(d[:], h.Sum(nil))
	return d, n, nil
}

// Place renames a file whose plaintext digest is d into the store (or
// drops it if the store holds that content already). With Keys the file
// must be sealed under them (a recording segment written sealed): a
// plaintext file is refused with seal.ErrNotSealed, PutFile takes those.
func (m *MediaStore) Place(path string, d Digest) error {
	if m.Keys != nil {
		ok, err := seal.Sealed(path, m.Keys)
		if err != nil {
			return fmt.Errorf("store media %s: %w", d, err)
		}
		if !ok {
			return fmt.Errorf("store media %s: %s: %w", d, filepath.Base(path), seal.ErrNotSealed)
		}
	}
	return m.place(path, d)
}

// place renames path into the store as d.
func (m *MediaStore) place(path string, d Digest) error {
	dst := m.Path(d)
	if _, err := os.Stat(dst); err == nil {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("store media: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("store media: %w", err)
	}
	if err := os.Rename(path, dst); err != nil {
		return fmt.Errorf("store media: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// syncDir makes a rename in dir durable (a no-op where directories cannot
// be synced).
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	f.Sync()
	return nil
}

// streamMagic starts every sealed stream file (seal.Create).
var streamMagic = []byte("SXF1")

// Exists says whether the store holds the file with digest d.
func (m *MediaStore) Exists(d Digest) bool {
	_, err := os.Stat(m.Path(d))
	return err == nil
}

// Open opens the file with digest d for reading its plaintext. A sealed
// file needs the store's Keys (ErrSealedLog without any; seal.ErrLocked
// while they are locked). A missing file is ErrMediaMissing.
func (m *MediaStore) Open(d Digest) (MediaFile, error) {
	f, err := OpenFile(m.Path(d), m.Keys)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrMediaMissing, d)
	}
	if err != nil {
		return nil, fmt.Errorf("open media %s: %w", d, err)
	}
	return f, nil
}

// OpenFile opens a file that is either a sealed stream file (told by its
// magic; it needs keys: ErrSealedLog without any) or plaintext, for
// reading its plaintext: evidence, archived bundles.
func OpenFile(path string, keys seal.Keys) (MediaFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var magic [4]byte
	k, err := f.ReadAt(magic[:], 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, err
	}
	if k < len(magic) || !bytes.Equal(magic[:], streamMagic) {
		return plainFile{f, st.Size()}, nil
	}
	f.Close()
	if keys == nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), ErrSealedLog)
	}
	r, err := seal.OpenFile(path, keys)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Check rehashes the plaintext of the stored file with digest d:
// ErrMediaMissing, ErrMediaAltered (also for a sealed file that does not
// authenticate), or another error when it cannot be read at all (locked).
func (m *MediaStore) Check(d Digest) error {
	f, err := m.Open(d)
	if errors.Is(err, ErrMediaMissing) {
		return err
	}
	if errors.Is(err, seal.ErrCorrupt) || errors.Is(err, seal.ErrNotSealed) {
		return fmt.Errorf("%w: %s: %w", ErrMediaAltered, d, err)
	}
	if err != nil {
		return fmt.Errorf("check media %s: %w", d, err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, f.Size()), buf); err != nil {
		if errors.Is(err, seal.ErrCorrupt) {
			return fmt.Errorf("%w: %s: %w", ErrMediaAltered, d, err)
		}
		return fmt.Errorf("check media %s: %w", d, err)
	}
	if string(h.Sum(nil)) != string(d[:]) {
		return fmt.Errorf("%w: %s", ErrMediaAltered, d)
	}
	return nil
}
