// Package capture records evidence: audio through miniaudio (malgo),
// video from a camera as MJPEG in AVI with the audio beside it, and
// photos. Recordings are written in segments that survive a crash: the
// files stay readable while they grow, each finished segment is hashed
// into the case's media store and recorded in its log at once, and the
// segment open when the process died is repaired and recorded on the next
// start.
package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"io"
	"os"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// wavHeader is the size of the canonical PCM WAV header written here.
const wavHeader = 44

// WAVWriter writes PCM16 WAV, in plaintext or sealed as it is written
// (a seal.Writer whose 44-byte head is the WAV header). The header's sizes
// are rewritten on every Sync, and RepairWAV rebuilds them from the file's
// length, so a file cut short by a crash is still a valid WAV of what
// reached the disk.
type WAVWriter struct {
	f        segFile
	rate     int
	channels int
	data     int64 // bytes of samples written
}

// CreateWAV starts a PCM16 WAV file, sealed under keys (nil: plaintext).
func CreateWAV(path string, keys seal.Keys, rate, channels int) (*WAVWriter, error) {
	f, err := createSeg(path, keys, wavHeader)
	if err != nil {
		return nil, fmt.Errorf("create WAV: %w", err)
	}
	w := &WAVWriter{f: f, rate: rate, channels: channels}
	if _, err := f.Write(wavHeaderBytes(rate, channels, 0)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create WAV %s: %w", path, err)
	}
	return w, nil
}
func wavHeaderBytes(rate, channels int, data int64) []byte {
	h := make([]byte, wavHeader)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(36+data))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], 1) // PCM
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*channels*2))
	le.PutUint16(h[32:], uint16(channels*2))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(data))
	return h
}

// Write appends little-endian PCM16 samples.
func (w *WAVWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.data += int64(n)
	return n, err
}

// Frames is how many sample frames were written.
func (w *WAVWriter) Frames() int64 { return w.data / int64(2*w.channels) }

// Duration is how long the written audio plays.
func (w *WAVWriter) Duration() time.Duration {
	return time.Duration(w.Frames()) * time.Second / time.Duration(w.rate)
}

// Size is the file's size so far.
func (w *WAVWriter) Size() int64 { return wavHeader + w.data }

// Sync writes the header's sizes and flushes the file to the disk.
func (w *WAVWriter) Sync() error {
	if _, err := w.f.WriteAt(wavHeaderBytes(w.rate, w.channels, w.data), 0); err != nil {
		return err
	}
	return w.f.Sync()
}

// Close finishes the file.
func (w *WAVWriter) Close() error {
	err := w.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ErrNotWAV is a file that is not a PCM16 WAV written here.
var ErrNotWAV = errors.New("capture: not a PCM16 WAV file")

// WAVInfo is what a WAV file holds.
type WAVInfo struct {
	Rate, Channels int
	Frames         int64
}

// Duration is how long it plays.
func (i WAVInfo) Duration() time.Duration {
	if i.Rate == 0 {
		return 0
	}
	return time.Duration(i.Frames) * time.Second / time.Duration(i.Rate)
}

func readWAVHeader(f io.ReaderAt) (WAVInfo, error) {
	h := make([]byte, wavHeader)
	if _, err := f.ReadAt(h, 0); err != nil {
		return WAVInfo{}, ErrNotWAV
	}
	le := binary.LittleEndian
	if string(h[0:4]) != "RIFF" || string(h[8:16]) != "WAVEfmt " || le.Uint16(h[20:]) != 1 || le.Uint16(h[34:]) != 16 || string(h[36:40]) != "data" {
		return WAVInfo{}, ErrNotWAV
	}
	info := WAVInfo{Rate: int(le.Uint32(h[24:])), Channels: int(le.Uint16(h[22:]))}
	if info.Rate <= 0 || info.Channels <= 0 {
		return WAVInfo{}, ErrNotWAV
	}
	info.Frames = int64(le.Uint32(h[40:])) / int64(2*info.Channels)
	return info, nil
}

// RepairWAV makes a WAV cut short by a crash whole: the sizes in its
// header are set from the file's length, less a torn last frame. A sealed
// file (it needs keys) first has its torn last chunk cut off.
func RepairWAV(path string, keys seal.Keys) (info WAVInfo, err error) {
	f, err := reopenSeg(path, keys)
	if err != nil {
		return WAVInfo{}, fmt.Errorf("repair WAV: %w", err)
	}
	// The header is rewritten: an error closing is an error of the repair.
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("repair WAV %s: %w", path, cerr)
		}
	}()
	info, err = readWAVHeader(f)
	if err != nil {
		return info, fmt.Errorf("%s: %w", path, err)
	}
	frame := int64(2 * info.Channels)
	data := (f.Size() - wavHeader) / frame * frame
	if err := f.Truncate(wavHeader + data); err != nil {
		return info, fmt.Errorf("repair WAV %s: %w", path, err)
	}
	if _, err := f.WriteAt(wavHeaderBytes(info.Rate, info.Channels, data), 0); err != nil {
		return info, fmt.Errorf("repair WAV %s: %w", path, err)
	}
	info.Frames = data / frame
	if err := f.Sync(); err != nil {
		return info, fmt.Errorf("repair WAV %s: %w", path, err)
	}
	return info, nil
}

// ReadWAV reads a PCM16 WAV file's samples, interleaved; a sealed file
// needs keys.
func ReadWAV(path string, keys seal.Keys) (WAVInfo, []int16, error) {
	f, err := ledger.OpenFile(path, keys)
	if err != nil {
		return WAVInfo{}, nil, fmt.Errorf("read WAV: %w", err)
	}
	defer f.Close()
	info, samples, err := ReadWAVAt(f, f.Size())
	if err != nil {
		return info, nil, fmt.Errorf("%s: %w", path, err)
	}
	return info, samples, nil
}

// ReadWAVAt reads the samples of a PCM16 WAV of size bytes held by r
// (a file, or a sealed file's plaintext).
func ReadWAVAt(r io.ReaderAt, size int64) (WAVInfo, []int16, error) {
	info, err := readWAVHeader(r)
	if err != nil {
		return info, nil, err
	}
	n := info.Frames * int64(2*info.Channels)
	if wavHeader+n > size {
		return info, nil, fmt.Errorf("%w: the header says %d bytes of samples, the file holds %d", ErrNotWAV, n, size-wavHeader)
	}
	raw := make([]byte, n)
	if _, err := r.ReadAt(raw, wavHeader); err != nil && !(err == io.EOF && len(raw) == 0) {
		return info, nil, fmt.Errorf("read samples: %w", err)
	}
	samples := make([]int16, len(raw)/2)
	for i := range samples {
		samples[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return info, samples, nil
}
