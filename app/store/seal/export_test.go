package seal

// ChunkSizeForBench is ChunkSize, for the benchmarks in package seal_test.
const ChunkSizeForBench = ChunkSize

// ChunkSealer seals chunks of one file in memory, for BenchmarkSuite.
type ChunkSealer struct {
	h   *fileHeader
	out []byte
}

// NewChunkSealer makes the header of a file under k.
func NewChunkSealer(k Keys) (*ChunkSealer, error) {
	h, err := newHeader(k, 0)
	return &ChunkSealer{h: h}, err
}

// Seal seals plain as chunk index.
func (c *ChunkSealer) Seal(index uint64, plain []byte) error {
	out, err := c.h.sealChunk(c.out[:0], index, plain)
	c.out = out
	return err
}
