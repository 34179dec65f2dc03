package seal

import (
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
)

// sealWorkers is how many goroutines seal chunks at once while another
// hashes: the laptops this runs on have two cores or more.
const sealWorkers = 2

// job is one chunk going through the pipeline.
type job struct {
	index  uint64
	plain  []byte
	sealed []byte
	err    error
	hashed chan struct{}
	done   chan struct{} // sealed (or failed)
}

// sealPipeline reads src in 1 MiB chunks and, at the same time, hashes
// them on one goroutine, seals them on sealWorkers others, and writes the
// sealed chunks to f in order after h's header.
func sealPipeline(f io.Writer, h *fileHeader, src io.Reader) (sha [32]byte, n int64, err error) {
	if _, err := f.Write(h.raw[:]); err != nil {
		return sha, 0, fmt.Errorf("seal: write header: %w", err)
	}
	const inFlight = 2*sealWorkers + 2
	free := make(chan *job, inFlight)
	for range inFlight {
		free <- &job{plain: make([]byte, ChunkSize), sealed: make([]byte, 0, ChunkSize+chunkOverhead)}
	}
	hashCh := make(chan *job, inFlight)
	sealCh := make(chan *job, inFlight)
	orderCh := make(chan *job, inFlight)

	hasher := sha256.New()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := range hashCh {
			hasher.Write(j.plain)
			close(j.hashed)
		}
	}()
	for range sealWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range sealCh {
				j.sealed, j.err = h.sealChunk(j.sealed[:0], j.index, j.plain)
				close(j.done)
			}
		}()
	}
	// The writer keeps the chunks in order and hands their buffers back.
	var writeErr error
	writerDone := make(chan struct{})
	var stop sync.Once
	stopped := make(chan struct{})
	go func() {
		defer close(writerDone)
		for j := range orderCh {
			<-j.done
			if writeErr == nil {
				if j.err != nil {
					writeErr = j.err
				} else if _, err := f.Write(j.sealed); err != nil {
					writeErr = fmt.Errorf("seal: write chunk %d: %w", j.index, err)
				}
				if writeErr != nil {
					stop.Do(func() { close(stopped) })
				}
			}
			<-j.hashed
			free <- j
		}
	}()

	var readErr error
	for index := uint64(0); ; index++ {
		var j *job
		select {
		case j = <-free:
		case <-stopped:
		}
		if j == nil {
			break
		}
		m, err := io.ReadFull(src, j.plain[:ChunkSize])
		if m == 0 {
			free <- j
			if err != io.EOF {
				readErr = fmt.Errorf("seal: read source: %w", err)
			}
			break
		}
		j.plain = j.plain[:m]
		j.index = index
		j.err = nil
		j.hashed, j.done = make(chan struct{}), make(chan struct{})
		n += int64(m)
		hashCh <- j
		sealCh <- j
		orderCh <- j
		if err != nil {
			if err != io.ErrUnexpectedEOF {
				readErr = fmt.Errorf("seal: read source: %w", err)
			}
			break
		}
	}
	close(hashCh)
	close(sealCh)
	close(orderCh)
	<-writerDone
	wg.Wait()
	if readErr != nil {
		return sha, 0, readErr
	}
	if writeErr != nil {
		return sha, 0, writeErr
	}
	copy(sha[:], hasher.Sum(nil))
	return sha, n, nil
}
