package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"io"
	"os"
	"path/filepath"
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

// MediaStore keeps evidence files by content: Dir/ab/abcdef….
type MediaStore struct {
	Dir string
	// Keys seal the files at rest; nil keeps them in plaintext.
	Keys seal.Keys
}

// Path is where the file with digest d lives.
func (m *MediaStore) Path(d Digest) string {
	s := d.String()
	return filepath.Join(m.Dir, s[:2], s)
}

// Put copies r into the store, fsyncs it and returns its digest. A file that
// is already there is kept (same content, same name).
func (m *MediaStore) Put(r io.Reader) (Digest, int64, error) {
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
	if err := m.Place(tmp.Name(), d); err != nil {
		return Digest{}, 0, err
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

// Place renames a file whose digest is d into the store (or drops it if
// the store holds that content already).
func (m *MediaStore) Place(path string, d Digest) error {
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

// Check rehashes the stored file with digest d.
func (m *MediaStore) Check(d Digest) error {
	f, err := os.Open(m.Path(d))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrMediaMissing, d)
	}
	if err != nil {
		return fmt.Errorf("check media %s: %w", d, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("check media %s: %w", d, err)
	}
	if string(h.Sum(nil)) != string(d[:]) {
		return fmt.Errorf("%w: %s", ErrMediaAltered, d)
	}
	return nil
}
