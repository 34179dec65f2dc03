package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"time"

	"github.com/icza/mjpeg"

	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
)

// AVIWriter writes MJPEG video in AVI with github.com/icza/mjpeg, which
// writes every frame straight to the file: a crash leaves every frame
// written so far on disk, and RepairAVI adds the index and sizes the
// writer had no time to write. Sync flushes to the disk for power cuts.
type AVIWriter struct {
	w      mjpeg.AviWriter
	sync   *os.File // a second handle: fsync flushes the file, whichever handle
	fps    int
	frames int
	size   int64
}

// CreateAVI starts an MJPEG AVI file of the size and frame rate.
func CreateAVI(path string, width, height, fps int) (*AVIWriter, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%s: %w", path, os.ErrExist)
	}
	w, err := mjpeg.New(path, int32(width), int32(height), int32(fps))
	if err != nil {
		return nil, fmt.Errorf("create AVI %s: %w", path, err)
	}
	// Writable: Windows flushes only a handle that may write.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		w.Close()
		return nil, err
	}
	return &AVIWriter{w: w, sync: f, fps: fps, size: 224}, nil
}

// AddFrame appends one JPEG frame.
func (a *AVIWriter) AddFrame(jpegData []byte) error {
	if err := a.w.AddFrame(jpegData); err != nil {
		return err
	}
	a.frames++
	a.size += int64(8+len(jpegData)+len(jpegData)%2) + 16
	return nil
}

// Frames is how many frames were written.
func (a *AVIWriter) Frames() int { return a.frames }

// Size is about the file's size so far (index included).
func (a *AVIWriter) Size() int64 { return a.size }

// Duration is how long the frames play.
func (a *AVIWriter) Duration() time.Duration {
	return time.Duration(a.frames) * time.Second / time.Duration(a.fps)
}

// Sync flushes the frames written to the disk.
func (a *AVIWriter) Sync() error { return a.sync.Sync() }

// Close finishes the file with its index and flushes it to the disk.
func (a *AVIWriter) Close() error {
	err := a.w.Close()
	if err == nil {
		err = a.sync.Sync()
	}
	return errors.Join(err, a.sync.Close())
}

// ErrNotAVI is a file that is not an MJPEG AVI written here.
var ErrNotAVI = errors.New("capture: not an MJPEG AVI file")

// AVIInfo is what an AVI file holds: the same as a camera's AVI read by
// the importer (mediaimport), which the player shows alike.
type AVIInfo = mediaimport.AVIInfo

type aviChunk struct {
	off  int64 // of the chunk's data
	size int64
}

// aviLayout is where the parts of an AVI written by mjpeg are.
type aviLayout struct {
	info      AVIInfo
	strhData  int64 // strh chunk data
	movi      int64 // the "movi" fourcc
	frames    []aviChunk
	end       int64 // after the last whole frame chunk
	indexed   bool  // an idx1 follows the frames
	riffSizes bool  // the RIFF and movi sizes are set
}

// parseAVI reads the headers and walks the frame chunks of an MJPEG AVI
// up to the first chunk the file does not hold whole.
func parseAVI(r io.ReaderAt, size int64) (aviLayout, error) {
	var l aviLayout
	le := binary.LittleEndian
	head := make([]byte, 12)
	if _, err := r.ReadAt(head, 0); err != nil || string(head[0:4]) != "RIFF" || string(head[8:12]) != "AVI " {
		return l, ErrNotAVI
	}
	l.riffSizes = le.Uint32(head[4:]) != 0
	hdr := make([]byte, 12)
	if _, err := r.ReadAt(hdr, 12); err != nil || string(hdr[0:4]) != "LIST" || string(hdr[8:12]) != "hdrl" {
		return l, ErrNotAVI
	}
	hdrlSize := int64(le.Uint32(hdr[4:]))
	if hdrlSize < 4 || 20+hdrlSize > size {
		return l, ErrNotAVI
	}
	hdrl := make([]byte, hdrlSize-4)
	if _, err := r.ReadAt(hdrl, 24); err != nil {
		return l, ErrNotAVI
	}
	// Sub-chunks of hdrl: avih, then LIST strl with strh and strf.
	var walk func(b []byte, base int64) error
	walk = func(b []byte, base int64) error {
		for p := 0; p+8 <= len(b); {
			id, n := string(b[p:p+4]), int(le.Uint32(b[p+4:]))
			if p+8+n > len(b) {
				return ErrNotAVI
			}
			data := b[p+8 : p+8+n]
			switch id {
			case "avih":
				if n < 56 {
					return ErrNotAVI
				}
				l.info.Width, l.info.Height = int(le.Uint32(data[32:])), int(le.Uint32(data[36:]))
			case "strh":
				if n < 36 || string(data[0:4]) != "vids" || string(data[4:8]) != "MJPG" {
					return ErrNotAVI
				}
				scale, rate := le.Uint32(data[20:]), le.Uint32(data[24:])
				if scale == 0 {
					return ErrNotAVI
				}
				l.info.FPS = int(rate / scale)
				l.strhData = base + int64(p) + 8
			case "LIST":
				if n >= 4 && string(data[0:4]) == "strl" {
					if err := walk(data[4:], base+int64(p)+12); err != nil {
						return err
					}
				}
			}
			p += 8 + n + n%2
		}
		return nil
	}
	if err := walk(hdrl, 24); err != nil {
		return l, err
	}
	if l.info.FPS == 0 || l.strhData == 0 {
		return l, ErrNotAVI
	}
	movi := make([]byte, 12)
	at := 20 + hdrlSize + hdrlSize%2
	if _, err := r.ReadAt(movi, at); err != nil || string(movi[0:4]) != "LIST" || string(movi[8:12]) != "movi" {
		return l, ErrNotAVI
	}
	l.movi = at + 8
	l.end = at + 12
	ch := make([]byte, 8)
	for p := l.end; p+8 <= size; {
		if _, err := r.ReadAt(ch, p); err != nil {
			break
		}
		id, n := string(ch[0:4]), int64(le.Uint32(ch[4:]))
		if id == "idx1" {
			l.indexed = true
			break
		}
		if id != "00dc" || n == 0 || p+8+n > size {
			break // a torn chunk: the crash came while it was written
		}
		l.frames = append(l.frames, aviChunk{off: p + 8, size: n})
		p += 8 + n + n%2
		l.end = p
	}
	l.info.Frames = len(l.frames)
	return l, nil
}

// RepairAVI makes an MJPEG AVI cut short by a crash whole: the torn last
// chunk is cut off, and the index and the sizes the writer writes when it
// closes are written from the frames the file holds. A whole file is left
// as it is.
func RepairAVI(path string) (_ AVIInfo, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return AVIInfo{}, err
	}
	// The index and sizes are written: an error closing is an error of the
	// repair.
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return AVIInfo{}, err
	}
	l, err := parseAVI(f, st.Size())
	if err != nil {
		return AVIInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	os.Remove(path + ".idx_") // the writer's index, which the frames replace
	if l.indexed && l.riffSizes {
		return l.info, nil
	}
	le := binary.LittleEndian
	var idx bytes.Buffer
	idx.WriteString("idx1")
	binary.Write(&idx, le, uint32(16*len(l.frames)))
	for _, c := range l.frames {
		binary.Write(&idx, le, [4]uint32{0x63643030, 0x10, uint32(c.off - 8 - l.movi), uint32(c.size)})
	}
	if err := f.Truncate(l.end); err != nil {
		return l.info, err
	}
	if _, err := f.WriteAt(idx.Bytes(), l.end); err != nil {
		return l.info, err
	}
	total := l.end + int64(idx.Len())
	put := func(at int64, v uint32) error {
		b := make([]byte, 4)
		le.PutUint32(b, v)
		_, err := f.WriteAt(b, at)
		return err
	}
	for _, w := range []struct {
		at int64
		v  uint32
	}{
		{4, uint32(total - 8)},                   // RIFF
		{l.movi - 4, uint32(l.end - l.movi)},     // LIST movi
		{48, uint32(len(l.frames))},              // avih frames
		{l.strhData + 32, uint32(len(l.frames))}, // strh length
	} {
		if err := put(w.at, w.v); err != nil {
			return l.info, err
		}
	}
	return l.info, f.Sync()
}

// AVIReader reads the frames of an MJPEG AVI.
type AVIReader struct {
	f      *os.File
	layout aviLayout
}

// OpenAVI opens an MJPEG AVI for reading.
func OpenAVI(path string) (*AVIReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	l, err := parseAVI(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &AVIReader{f: f, layout: l}, nil
}

// Info is the video's size, rate and frame count.
func (r *AVIReader) Info() AVIInfo { return r.layout.info }

// JPEG reads frame i's JPEG data.
func (r *AVIReader) JPEG(i int) ([]byte, error) {
	if i < 0 || i >= len(r.layout.frames) {
		return nil, fmt.Errorf("capture: no frame %d of %d", i, len(r.layout.frames))
	}
	c := r.layout.frames[i]
	b := make([]byte, c.size)
	if _, err := r.f.ReadAt(b, c.off); err != nil {
		return nil, fmt.Errorf("read frame %d: %w", i, err)
	}
	return b, nil
}

// Frame decodes frame i.
func (r *AVIReader) Frame(i int) (image.Image, error) {
	b, err := r.JPEG(i)
	if err != nil { // JPEG names the frame
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode frame %d: %w", i, err)
	}
	return img, nil
}

// Close closes the file.
func (r *AVIReader) Close() error { return r.f.Close() }
