package capture

import (
	"fmt"
	"io"
	"os"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// segFile is what the WAV and AVI writers write a segment through: a
// plaintext file, or a sealed stream file (seal.Writer) whose head holds
// the container's header so that its size fields can be patched in place.
// Write appends, WriteAt patches the header, ReadAt reads back what was
// written (a repair), Truncate cuts a torn record off the end.
type segFile interface {
	io.Writer
	io.WriterAt
	io.ReaderAt
	Truncate(size int64) error
	Size() int64
	Sync() error
	Close() error
}

// createSeg makes a new segment file: sealed under keys with a patchable
// head of headSize bytes, or plaintext when keys is nil.
func createSeg(path string, keys seal.Keys, headSize int) (segFile, error) {
	if keys != nil {
		return seal.Create(path, keys, headSize)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &plainSeg{f: f}, nil
}

// reopenSeg opens a segment file left by a crash for repair. A sealed
// file has its torn last chunk cut off (seal.Append) and needs keys.
func reopenSeg(path string, keys seal.Keys) (segFile, error) {
	sealed, err := seal.Sealed(path, nil)
	if err != nil {
		return nil, err
	}
	if sealed {
		if keys == nil {
			return nil, fmt.Errorf("%s: %w", path, seal.ErrLocked)
		}
		return seal.Append(path, keys)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	return &plainSeg{f: f, size: st.Size()}, nil
}

// plainSeg is a segFile over a plaintext file.
type plainSeg struct {
	f    *os.File
	size int64
}

func (p *plainSeg) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.size += int64(n)
	return n, err
}

func (p *plainSeg) WriteAt(b []byte, off int64) (int, error) {
	n, err := p.f.WriteAt(b, off)
	p.size = max(p.size, off+int64(n))
	return n, err
}

func (p *plainSeg) ReadAt(b []byte, off int64) (int, error) { return p.f.ReadAt(b, off) }

func (p *plainSeg) Truncate(size int64) error {
	if err := p.f.Truncate(size); err != nil {
		return err
	}
	if _, err := p.f.Seek(size, io.SeekStart); err != nil {
		return err
	}
	p.size = size
	return nil
}

func (p *plainSeg) Size() int64 { return p.size }
func (p *plainSeg) Sync() error { return p.f.Sync() }
func (p *plainSeg) Close() error {
	return p.f.Close()
}
