package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"image"
	"image/jpeg"
	"io"
	"os"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// aviHead is the size of the headers an AVIWriter writes before the
// frames: RIFF, LIST hdrl (avih, LIST strl with strh and strf) and the
// LIST movi header; the layout icza/mjpeg wrote, without its strn name.
const aviHead = 224

// Where the size fields of that head are.
const (
	aviRIFFSize   = 4   // RIFF chunk size: the file less 8
	aviFrames     = 48  // avih dwTotalFrames
	aviStrhLength = 140 // strh dwLength, in frames
	aviMoviSize   = 216 // LIST movi size: "movi" and the frames
	aviMovi       = 220 // the "movi" fourcc, which idx1 offsets count from
)

// AVIWriter writes MJPEG video in AVI, in plaintext or sealed as it is
// written (a seal.Writer whose 224-byte head holds the AVI headers). Every
// frame goes straight to the file; the index stays in memory and is
// written at Close. Sync sets the head's sizes and flushes to the disk, so
// a crash leaves every frame up to the last Sync, and RepairAVI adds the
// index the writer had no time to write.
type AVIWriter struct {
	f      segFile
	fps    int
	frames int
	idx    []byte // idx1 entries, 16 bytes a frame
	buf    []byte
}

// CreateAVI starts an MJPEG AVI file of the size and frame rate, sealed
// under keys (nil: plaintext).
func CreateAVI(path string, keys seal.Keys, width, height, fps int) (*AVIWriter, error) {
	if width <= 0 || height <= 0 || fps <= 0 {
		return nil, fmt.Errorf("create AVI %s: bad format %dx%d at %d fps", path, width, height, fps)
	}
	f, err := createSeg(path, keys, aviHead)
	if err != nil {
		return nil, fmt.Errorf("create AVI: %w", err)
	}
	if _, err := f.Write(aviHeadBytes(width, height, fps)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create AVI %s: %w", path, err)
	}
	return &AVIWriter{f: f, fps: fps}, nil
}

// aviHeadBytes is the head of an MJPEG AVI with no frames yet.
func aviHeadBytes(width, height, fps int) []byte {
	le := binary.LittleEndian
	b := make([]byte, 0, aviHead)
	str := func(s string) { b = append(b, s...) }
	u32 := func(v uint32) { b = le.AppendUint32(b, v) }
	u16 := func(v uint16) { b = le.AppendUint16(b, v) }
	str("RIFF")
	u32(aviHead - 8) // set by Sync
	str("AVI ")
	str("LIST")
	u32(192) // hdrl: "hdrl", avih (64), LIST strl (124)
	str("hdrl")
	str("avih")
	u32(56)
	u32(uint32(1000000 / fps)) // µs a frame
	u32(0)                     // max bytes a second
	u32(0)                     // padding granularity
	u32(0x10)                  // AVIF_HASINDEX
	u32(0)                     // total frames: set by Sync
	u32(0)                     // initial frames
	u32(1)                     // streams
	u32(0)                     // suggested buffer size
	u32(uint32(width))
	u32(uint32(height))
	u32(0)
	u32(0)
	u32(0)
	u32(0)
	str("LIST")
	u32(116) // "strl", strh (64), strf (48)
	str("strl")
	str("strh")
	u32(56)
	str("vids")
	str("MJPG")
	u32(0) // flags
	u32(0) // priority, language
	u32(0) // initial frames
	u32(1) // scale
	u32(uint32(fps))
	u32(0) // start
	u32(0) // length in frames: set by Sync
	u32(0) // suggested buffer size
	u32(0xffffffff)
	u32(0) // sample size: one frame a chunk
	u16(0)
	u16(0)
	u16(0)
	u16(0)
	str("strf")
	u32(40)
	u32(40) // BITMAPINFOHEADER size
	u32(uint32(width))
	u32(uint32(height))
	u16(1)
	u16(24)
	str("MJPG")
	u32(uint32(width * height * 3))
	u32(0)
	u32(0)
	u32(0)
	u32(0)
	str("LIST")
	u32(4) // movi size: set by Sync
	str("movi")
	return b
}

// AddFrame appends one JPEG frame.
func (a *AVIWriter) AddFrame(jpegData []byte) error {
	if a.f.Size()+int64(len(jpegData))+int64(len(a.idx)) > 4000000000 {
		return errors.New("capture: the AVI would pass 4 GB")
	}
	le := binary.LittleEndian
	a.buf = append(a.buf[:0], "00dc"...)
	a.buf = le.AppendUint32(a.buf, uint32(len(jpegData)))
	off := a.f.Size() - aviMovi
	if _, err := a.f.Write(a.buf); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	if _, err := a.f.Write(jpegData); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	if len(jpegData)%2 == 1 {
		if _, err := a.f.Write([]byte{0}); err != nil {
			return fmt.Errorf("write frame: %w", err)
		}
	}
	a.idx = append(a.idx, "00dc"...)
	a.idx = le.AppendUint32(a.idx, 0x10) // key frame
	a.idx = le.AppendUint32(a.idx, uint32(off))
	a.idx = le.AppendUint32(a.idx, uint32(len(jpegData)))
	a.frames++
	return nil
}

// Frames is how many frames were written.
func (a *AVIWriter) Frames() int { return a.frames }

// Size is about the file's size so far (index included).
func (a *AVIWriter) Size() int64 { return a.f.Size() + 8 + int64(len(a.idx)) }

// Duration is how long the frames play.
func (a *AVIWriter) Duration() time.Duration {
	return time.Duration(a.frames) * time.Second / time.Duration(a.fps)
}

// setSizes writes the head's size fields for frames frames, moviEnd the
// end of the last frame, and total the file's size.
func setSizes(f io.WriterAt, frames int, moviEnd, total int64) error {
	le := binary.LittleEndian
	for _, w := range []struct {
		at int64
		v  uint32
	}{
		{aviRIFFSize, uint32(total - 8)},
		{aviMoviSize, uint32(moviEnd - aviMovi)},
		{aviFrames, uint32(frames)},
		{aviStrhLength, uint32(frames)},
	} {
		if _, err := f.WriteAt(le.AppendUint32(nil, w.v), w.at); err != nil {
			return err
		}
	}
	return nil
}

// Sync sets the sizes in the head for the frames written and flushes to
// the disk.
func (a *AVIWriter) Sync() error {
	if err := setSizes(a.f, a.frames, a.f.Size(), a.f.Size()); err != nil {
		return fmt.Errorf("flush AVI: %w", err)
	}
	return a.f.Sync()
}

// Close finishes the file with its index and flushes it to the disk.
func (a *AVIWriter) Close() error {
	moviEnd := a.f.Size()
	idx := binary.LittleEndian.AppendUint32([]byte("idx1"), uint32(len(a.idx)))
	_, err := a.f.Write(append(idx, a.idx...))
	if err == nil {
		err = setSizes(a.f, a.frames, moviEnd, a.f.Size())
	}
	if err == nil {
		err = a.f.Sync()
	}
	if err := errors.Join(err, a.f.Close()); err != nil {
		return fmt.Errorf("close AVI: %w", err)
	}
	return nil
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
// as it is. A sealed file (it needs keys) first has its torn last sealed
// chunk cut off; its head must hold the AVI headers (AVIWriter's layout).
func RepairAVI(path string, keys seal.Keys) (_ AVIInfo, err error) {
	f, err := reopenSeg(path, keys)
	if err != nil {
		return AVIInfo{}, fmt.Errorf("repair AVI: %w", err)
	}
	// The index and sizes are written: an error closing is an error of the
	// repair.
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("repair AVI %s: %w", path, cerr)
		}
	}()
	l, err := parseAVI(f, f.Size())
	if err != nil {
		return AVIInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	os.Remove(path + ".idx_") // icza/mjpeg's index, of files written before: the frames replace it
	if l.indexed && l.riffSizes {
		return l.info, nil
	}
	if _, sealed := f.(*seal.Writer); sealed && (l.movi != aviMovi || l.strhData+32 != aviStrhLength) {
		return l.info, fmt.Errorf("repair AVI %s: %w: a sealed AVI not in this writer's layout", path, ErrNotAVI)
	}
	le := binary.LittleEndian
	var idx bytes.Buffer
	idx.WriteString("idx1")
	binary.Write(&idx, le, uint32(16*len(l.frames)))
	for _, c := range l.frames {
		binary.Write(&idx, le, [4]uint32{0x63643030, 0x10, uint32(c.off - 8 - l.movi), uint32(c.size)})
	}
	fail := func(err error) (AVIInfo, error) {
		return l.info, fmt.Errorf("repair AVI %s: %w", path, err)
	}
	if err := f.Truncate(l.end); err != nil {
		return fail(err)
	}
	if _, err := f.Write(idx.Bytes()); err != nil {
		return fail(err)
	}
	total := l.end + int64(idx.Len())
	put := func(at int64, v uint32) error {
		_, err := f.WriteAt(le.AppendUint32(nil, v), at)
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
			return fail(err)
		}
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	return l.info, nil
}

// AVIReader reads the frames of an MJPEG AVI.
type AVIReader struct {
	r      io.ReaderAt
	closer io.Closer
	layout aviLayout
}

// OpenAVI opens a plaintext MJPEG AVI for reading; OpenAVIFile opens a
// sealed one too.
func OpenAVI(path string) (*AVIReader, error) { return OpenAVIFile(path, nil) }

// OpenAVIFile opens an MJPEG AVI for reading, sealed (it needs keys) or
// not.
func OpenAVIFile(path string, keys seal.Keys) (*AVIReader, error) {
	f, err := ledger.OpenFile(path, keys)
	if err != nil {
		return nil, fmt.Errorf("open AVI: %w", err)
	}
	r, err := OpenAVIAt(f, f.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// OpenAVIAt reads an MJPEG AVI of size bytes held by r (a file, or a
// sealed file's plaintext). Close closes r if it is an io.Closer.
func OpenAVIAt(r io.ReaderAt, size int64) (*AVIReader, error) {
	l, err := parseAVI(r, size)
	if err != nil {
		return nil, err
	}
	a := &AVIReader{r: r, layout: l}
	a.closer, _ = r.(io.Closer)
	return a, nil
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
	if _, err := r.r.ReadAt(b, c.off); err != nil {
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
func (r *AVIReader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}
