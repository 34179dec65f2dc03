package mediaimport

import (
	"io"
	"sync"
)

// blockCache reads through r in aligned blocks and keeps the last few: the
// index walks of OpenAVIAt and ReadPCMAt make many small reads (a chunk
// header each), which on a sealed file would each open a whole sealed
// chunk.
type blockCache struct {
	r    io.ReaderAt
	size int64

	mu     sync.Mutex
	blocks map[int64][]byte
	order  []int64 // oldest first
}

const (
	cacheBlock = 1 << 20
	cacheKeep  = 4
)

func newBlockCache(r io.ReaderAt, size int64) *blockCache {
	return &blockCache{r: r, size: size, blocks: map[int64][]byte{}}
}

// block is block i's bytes (short at the end of the file).
func (c *blockCache) block(i int64) ([]byte, error) {
	if b, ok := c.blocks[i]; ok {
		return b, nil
	}
	n := min(int64(cacheBlock), c.size-i*cacheBlock)
	if n <= 0 {
		return nil, io.EOF
	}
	b := make([]byte, n)
	k, err := c.r.ReadAt(b, i*cacheBlock)
	if k < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if len(c.order) == cacheKeep {
		delete(c.blocks, c.order[0])
		c.order = c.order[1:]
	}
	c.blocks[i] = b
	c.order = append(c.order, i)
	return b, nil
}

// ReadAt implements io.ReaderAt.
func (c *blockCache) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off < 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= c.size {
			return n, io.EOF
		}
		b, err := c.block(at / cacheBlock)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], b[at%cacheBlock:])
	}
	return n, nil
}
