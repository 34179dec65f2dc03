package media

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/ncw/directio"
)

// blockSize is how much of a PATCH body is read, hashed and written at a
// time; align is the piece direct I/O writes (offsets and lengths are
// multiples of it; the blocks are aligned to it in memory).
const (
	blockSize = 1 << 20
	align     = directio.BlockSize
)

// blockPool recycles the aligned blocks appendChunk reads into.
var blockPool = sync.Pool{New: func() any { b := directio.AlignedBlock(blockSize); return &b }}

// appendChunk writes what src carries to the upload's file from offset
// (its end) and, if h is not nil, hashes the same bytes in order. It
// pipelines: one goroutine reads the body in 1 MiB blocks, another hashes
// them, while this one writes them, so hashing overlaps the network and
// the disk.
//
// The file is written with direct I/O where the file system allows it
// (github.com/ncw/directio: O_DIRECT on Linux): evidence is written once
// and read back rarely, so passing it through the page cache only costs a
// copy of every byte, evicts what the platform does read, and leaves
// gigabytes dirty for the fsync before the receipt. Pieces direct I/O
// cannot take (an offset or a length not a multiple of 4 KiB: the last
// block of a file, a PATCH cut short) go through an ordinary descriptor;
// the fsync before a receipt covers both.
//
// It returns how many bytes the file took. Whatever happens, the file then
// ends exactly there, and h holds exactly those bytes: the next PATCH, or
// the next instance, resumes from a true offset with a true hash state.
func appendChunk(path string, offset int64, src io.Reader, h hash.Hash) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	if st, err := f.Stat(); err != nil || st.Size() != offset {
		f.Close()
		if err == nil {
			err = fmt.Errorf("upload %s: the file holds %d bytes, the PATCH starts at %d", path, st.Size(), offset)
		}
		return 0, err
	}
	w := &chunkWriter{f: f}
	if d, err := directio.OpenFile(path, os.O_WRONLY, 0); err == nil {
		w.direct = d
	}
	const blocks = 4
	free := make(chan []byte, blocks)
	for range blocks {
		free <- *blockPool.Get().(*[]byte)
	}
	type block struct {
		b   []byte
		err error
	}
	filled := make(chan block, blocks)
	hashq := make(chan []byte, blocks)
	hashed := make(chan struct{})
	stop := make(chan struct{})
	// A PATCH that starts off a 4 KiB boundary (after one cut short) reads
	// up to the boundary first, so that the blocks after it are aligned.
	head := int((align - offset%align) % align)
	go func() { // read
		defer close(filled)
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			if head > 0 {
				buf, head = buf[:head], 0
			}
			n, err := io.ReadFull(src, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			filled <- block{buf[:n], err}
			if err != nil {
				return
			}
		}
	}()
	go func() { // hash, in order, then give the block back
		for b := range hashq {
			if h != nil {
				h.Write(b)
			}
			free <- b[:cap(b)]
		}
		close(hashed)
	}()
	var werr error
	pos := offset
	for blk := range filled {
		if len(blk.b) > 0 && werr == nil {
			m, err := w.writeAt(blk.b, pos)
			pos += int64(m)
			if err != nil {
				werr = err
				close(stop)
				blk.b = blk.b[:m] // hash only what the file took
			}
		} else if werr != nil {
			blk.b = blk.b[:0]
		}
		hashq <- blk.b
		if blk.err != nil && blk.err != io.EOF && werr == nil {
			werr = blk.err
		}
	}
	close(hashq)
	<-hashed
	for range blocks {
		b := <-free
		blockPool.Put(&b)
	}
	if werr != nil {
		// A write that failed may have left part of itself behind.
		if err := f.Truncate(pos); err != nil {
			werr = errors.Join(werr, err)
		}
	}
	return pos - offset, errors.Join(werr, w.close())
}

// chunkWriter writes at offsets through a direct descriptor where it can
// and an ordinary one where it must.
type chunkWriter struct {
	f, direct *os.File
}

func (w *chunkWriter) writeAt(b []byte, at int64) (int, error) {
	done := 0
	if w.direct != nil {
		// Up to the first 4 KiB boundary, ordinary.
		if head := int((align - at%align) % align); head > 0 {
			head = min(head, len(b))
			n, err := w.f.WriteAt(b[:head], at)
			if done += n; err != nil {
				return done, err
			}
		}
		// Whole 4 KiB pieces, direct: the block is aligned in memory, and
		// done is 0 or a multiple of 4 KiB from its start, or the head.
		if body := (len(b) - done) &^ (align - 1); body > 0 && done%align == 0 {
			n, err := w.direct.WriteAt(b[done:done+body], at+int64(done))
			done += n
			if err != nil {
				// The file system refuses direct I/O (EINVAL on tmpfs, for
				// one): ordinary from here on. A disk that is full or
				// failing fails the ordinary write too, and says so.
				w.direct.Close()
				w.direct = nil
				if n > 0 {
					return done, err
				}
			}
		}
	}
	n, err := w.f.WriteAt(b[done:], at+int64(done))
	return done + n, err
}

func (w *chunkWriter) close() error {
	if w.direct != nil {
		w.direct.Close()
	}
	return w.f.Close()
}
