package mediaimport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// RIFF (AVI and WAV) is read here: no maintained pure-Go module reads
// both, with AVI's IDIT and the INFO and bext chunks.

var le = binary.LittleEndian

type chunk struct {
	id   string
	off  int64 // of the data
	size int64
}

// list is the form type of a LIST or RIFF chunk ("" for other chunks).
func (c chunk) list(r io.ReaderAt) string {
	if (c.id != "LIST" && c.id != "RIFF") || c.size < 4 {
		return ""
	}
	b := make([]byte, 4)
	if _, err := r.ReadAt(b, c.off); err != nil {
		return ""
	}
	return string(b)
}

// chunks lists the chunks between from and to; a chunk reaching past the
// end of the file (size) is a file cut short. Trailing zero bytes (a
// camera's preallocated, never written space) end the list.
func chunks(r io.ReaderAt, from, to, size int64) ([]chunk, error) {
	var out []chunk
	h := make([]byte, 8)
	for p := from; p+8 <= to; {
		if _, err := r.ReadAt(h, p); err != nil {
			return out, fmt.Errorf("read chunk at %d: %w", p, ErrTruncated)
		}
		if bytes.Equal(h, make([]byte, 8)) {
			break
		}
		c := chunk{id: string(h[0:4]), off: p + 8, size: int64(le.Uint32(h[4:]))}
		if c.off+c.size > size {
			return out, fmt.Errorf("chunk %q at %d needs %d bytes, the file ends at %d: %w", c.id, p, c.size, size, ErrTruncated)
		}
		out = append(out, c)
		p = c.off + c.size + c.size%2
	}
	return out, nil
}

func readChunk(r io.ReaderAt, c chunk, max int64) []byte {
	n := min(c.size, max)
	b := make([]byte, n)
	k, _ := r.ReadAt(b, c.off)
	return b[:k]
}

// infoDate is ICRD of a LIST INFO chunk.
func infoDate(r io.ReaderAt, c chunk, size int64, loc *time.Location) (time.Time, bool) {
	subs, _ := chunks(r, c.off+4, c.off+c.size, size)
	for _, s := range subs {
		if s.id == "ICRD" {
			return parseLocal(string(readChunk(r, s, 64)), loc)
		}
	}
	return time.Time{}, false
}

// riffTop checks the RIFF header: its size must fit the file.
func riffTop(r io.ReaderAt, size int64) (chunk, error) {
	top, err := chunks(r, 0, min(size, 12), size)
	if err != nil {
		return chunk{}, err
	}
	if len(top) == 0 || top[0].size < 4 {
		return chunk{}, ErrTruncated
	}
	return top[0], nil
}

// aviStream is a stream header and format.
type aviStream struct {
	kind        string // vids, auds
	handler     string
	scale, rate uint32
	length      uint32
	compression string // a video's fourcc, or an audio's format
	width       int
	height      int
	channels    int
	sampleRate  int
}

func probeAVI(r io.ReaderAt, size int64, loc *time.Location) (Probe, error) {
	riff, err := riffTop(r, size)
	if err != nil {
		return Probe{}, err
	}
	subs, err := chunks(r, 12, riff.off+riff.size, size)
	if err != nil {
		return Probe{}, err
	}
	// A file over a gigabyte goes on in "AVIX" parts (OpenDML): each must
	// be whole too.
	if _, err := chunks(r, riff.off+riff.size+riff.size%2, size, size); err != nil {
		return Probe{}, err
	}
	p := Probe{Kind: casefile.MediaVideo, Container: "avi"}
	var streams []aviStream
	var width, height int
	var movi, hdrl bool
	visit := func(c chunk) {
		switch c.id {
		case "IDIT":
			if t, ok := parseLocal(string(readChunk(r, c, 64)), loc); ok && p.TimeSource != TimeIDIT {
				p.Recorded, p.TimeSource = t, TimeIDIT
			}
		case "LIST":
			if c.list(r) == "INFO" && p.TimeSource == "" {
				if t, ok := infoDate(r, c, size, loc); ok {
					p.Recorded, p.TimeSource = t, TimeAVIInfo
				}
			}
		}
	}
	for _, c := range subs {
		visit(c)
		switch c.list(r) {
		case "movi":
			movi = true
		case "hdrl":
			hdrl = true
			in, err := chunks(r, c.off+4, c.off+c.size, size)
			if err != nil {
				return Probe{}, err
			}
			for _, h := range in {
				visit(h)
				switch {
				case h.id == "avih" && h.size >= 40:
					b := readChunk(r, h, 56)
					width, height = int(le.Uint32(b[32:])), int(le.Uint32(b[36:]))
				case h.list(r) == "strl":
					s, err := readStrl(r, h, size)
					if err != nil {
						return Probe{}, err
					}
					streams = append(streams, s)
				}
			}
		}
	}
	if !hdrl {
		return Probe{}, fmt.Errorf("AVI without its header list: %w", ErrNotMedia)
	}
	if !movi {
		return Probe{}, fmt.Errorf("AVI without its frames (movi): %w", ErrTruncated)
	}
	var parts []string
	var video, audio *aviStream
	for i := range streams {
		switch s := &streams[i]; {
		case s.kind == "vids" && video == nil:
			video = s
		case s.kind == "auds" && audio == nil:
			audio = s
		}
	}
	switch {
	case video != nil:
		codec := videoCodec(video.compression, video.handler)
		w, h := video.width, video.height
		if w == 0 {
			w, h = width, height
		}
		fps := 0.0
		if video.scale > 0 {
			fps = float64(video.rate) / float64(video.scale)
			p.Duration = time.Duration(float64(video.length) / fps * float64(time.Second))
		}
		p.Width, p.Height, p.FPS = w, h, fps
		parts = append(parts, fmt.Sprintf("avi %s %dx%d %sfps", codec, w, h, trimFloat(fps)))
		p.Playable = codec == "mjpeg"
	case audio != nil:
		p.Kind = casefile.MediaAudio
		parts = append(parts, "avi")
	default:
		return Probe{}, fmt.Errorf("AVI with no video or audio stream: %w", ErrNotMedia)
	}
	if audio != nil {
		parts = append(parts, fmt.Sprintf("%s %dHz %dch", audio.compression, audio.sampleRate, audio.channels))
		if video == nil && audio.scale > 0 && audio.rate > 0 {
			p.Duration = time.Duration(float64(audio.length) * float64(audio.scale) / float64(audio.rate) * float64(time.Second))
		}
	}
	p.Format = strings.Join(parts, " + ")
	return p, nil
}

func readStrl(r io.ReaderAt, c chunk, size int64) (aviStream, error) {
	var s aviStream
	in, err := chunks(r, c.off+4, c.off+c.size, size)
	if err != nil {
		return s, err
	}
	for _, h := range in {
		b := readChunk(r, h, 64)
		switch {
		case h.id == "strh" && len(b) >= 36:
			s.kind, s.handler = string(b[0:4]), string(b[4:8])
			s.scale, s.rate, s.length = le.Uint32(b[20:]), le.Uint32(b[24:]), le.Uint32(b[32:])
		case h.id == "strf" && s.kind == "vids" && len(b) >= 20:
			s.width, s.height = int(int32(le.Uint32(b[4:]))), int(int32(le.Uint32(b[8:])))
			s.height = max(s.height, -s.height) // top-down frames have a negative height
			s.compression = string(b[16:20])
		case h.id == "strf" && s.kind == "auds" && len(b) >= 16:
			s.compression = audioCodec(le.Uint16(b[0:]), int(le.Uint16(b[14:])), b)
			s.channels, s.sampleRate = int(le.Uint16(b[2:])), int(le.Uint32(b[4:]))
		}
	}
	return s, nil
}

func videoCodec(compression, handler string) string {
	for _, fcc := range []string{compression, handler} {
		switch strings.ToUpper(strings.TrimRight(fcc, "\x00 ")) {
		case "MJPG", "AVRN", "LJPG", "JPGL", "DMB1":
			return "mjpeg"
		case "H264", "X264", "AVC1", "DAVC":
			return "h264"
		case "H265", "HEVC", "HVC1", "HEV1", "X265":
			return "h265"
		case "XVID", "DIVX", "DX50", "FMP4", "MP4V":
			return "mpeg4"
		}
	}
	if s := strings.TrimRight(compression, "\x00 "); s != "" && compression != "\x00\x00\x00\x00" {
		return strings.ToLower(s)
	}
	return "unknown"
}

// audioCodec names a WAVEFORMATEX's format.
func audioCodec(tag uint16, bits int, fmtChunk []byte) string {
	if tag == 0xFFFE && len(fmtChunk) >= 26 { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
		tag = le.Uint16(fmtChunk[24:])
	}
	switch tag {
	case 1:
		return fmt.Sprintf("pcm_s%dle", bits)
	case 3:
		return fmt.Sprintf("pcm_f%dle", bits)
	case 6:
		return "alaw"
	case 7:
		return "mulaw"
	case 0x11:
		return "adpcm_ima"
	case 0x55:
		return "mp3"
	case 0xFF, 0x1610:
		return "aac"
	}
	return fmt.Sprintf("format_0x%04x", tag)
}

func trimFloat(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int(f))
	}
	return fmt.Sprintf("%.2f", f)
}

func probeWAV(r io.ReaderAt, size int64, loc *time.Location) (Probe, error) {
	riff, err := riffTop(r, size)
	if err != nil {
		return Probe{}, err
	}
	subs, err := chunks(r, 12, riff.off+riff.size, size)
	if err != nil {
		return Probe{}, err
	}
	p := Probe{Kind: casefile.MediaAudio, Container: "wav"}
	var fmtChunk []byte
	var data *chunk
	var icrd time.Time
	for i, c := range subs {
		switch c.id {
		case "fmt ":
			fmtChunk = readChunk(r, c, 64)
		case "data":
			data = &subs[i]
		case "bext":
			if b := readChunk(r, c, 338); len(b) >= 338 {
				date, clock := string(b[320:330]), strings.NewReplacer("-", ":", ".", ":").Replace(string(b[330:338]))
				date = strings.NewReplacer(":", "-", "/", "-", ".", "-").Replace(date)
				if t, ok := parseLocal(date+" "+clock, loc); ok {
					p.Recorded, p.TimeSource = t, TimeBext
				} else if t, ok := parseLocal(date, loc); ok {
					p.Recorded, p.TimeSource = t, TimeBext
				}
			}
		case "LIST":
			if c.list(r) == "INFO" {
				if t, ok := infoDate(r, c, size, loc); ok {
					icrd = t
				}
			}
		}
	}
	if p.TimeSource == "" && !icrd.IsZero() {
		p.Recorded, p.TimeSource = icrd, TimeWAVInfo
	}
	if len(fmtChunk) < 16 {
		return Probe{}, fmt.Errorf("WAV without its format chunk: %w", ErrNotMedia)
	}
	if data == nil {
		return Probe{}, fmt.Errorf("WAV without its sound (data): %w", ErrTruncated)
	}
	tag, channels, rate := le.Uint16(fmtChunk[0:]), int(le.Uint16(fmtChunk[2:])), int(le.Uint32(fmtChunk[4:]))
	byteRate, bits := int64(le.Uint32(fmtChunk[8:])), int(le.Uint16(fmtChunk[14:]))
	if channels == 0 || rate == 0 {
		return Probe{}, fmt.Errorf("WAV of %d channels at %d Hz: %w", channels, rate, ErrNotMedia)
	}
	codec := audioCodec(tag, bits, fmtChunk)
	if byteRate > 0 {
		p.Duration = time.Duration(data.size * int64(time.Second) / byteRate)
	}
	p.Format = fmt.Sprintf("wav %s %dHz %dch", codec, rate, channels)
	p.Playable = codec == "pcm_s16le" && channels <= 2
	return p, nil
}

// PCM is the sound of a PCM16 WAV file, for the desk's player.
type PCM struct {
	Rate, Channels int
	Samples        []int16 // interleaved
}

// Duration is how long it plays.
func (p PCM) Duration() time.Duration {
	if p.Rate == 0 || p.Channels == 0 {
		return 0
	}
	return time.Duration(len(p.Samples)/p.Channels) * time.Second / time.Duration(p.Rate)
}

// ReadPCM reads a PCM16 WAV file of any layout (a camera's, with INFO,
// bext or JUNK chunks before its sound).
func ReadPCM(path string) (PCM, error) {
	f, err := os.Open(path)
	if err != nil {
		return PCM{}, fmt.Errorf("read sound: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return PCM{}, fmt.Errorf("read sound: %w", err)
	}
	return ReadPCMAt(f, st.Size())
}

// ReadPCMAt is ReadPCM over size bytes read at random: a stored evidence
// file opened through the media store (sealed or not).
func ReadPCMAt(r io.ReaderAt, size int64) (PCM, error) {
	f := io.NewSectionReader(r, 0, size)
	p, err := Sniff(f, size, time.UTC)
	if err != nil {
		return PCM{}, fmt.Errorf("read sound: %w", err)
	}
	if p.Container != "wav" || !p.Playable {
		return PCM{}, fmt.Errorf("read sound: %s is not PCM16 WAV: %w", p.Format, ErrNotMedia)
	}
	riff, _ := riffTop(f, size)
	subs, _ := chunks(f, 12, riff.off+riff.size, size)
	var out PCM
	for _, c := range subs {
		switch c.id {
		case "fmt ":
			b := readChunk(f, c, 16)
			out.Channels, out.Rate = int(le.Uint16(b[2:])), int(le.Uint32(b[4:]))
		case "data":
			raw := make([]byte, c.size/2*2)
			if n, err := f.ReadAt(raw, c.off); err != nil && !(err == io.EOF && n == len(raw)) {
				return PCM{}, fmt.Errorf("read sound: %w", err)
			}
			out.Samples = make([]int16, len(raw)/2)
			for i := range out.Samples {
				out.Samples[i] = int16(le.Uint16(raw[2*i:]))
			}
		}
	}
	return out, nil
}

// AVIInfo is what an MJPEG AVI holds, for the player.
type AVIInfo struct {
	Width, Height, FPS int
	Frames             int
}

// Duration is how long it plays.
func (i AVIInfo) Duration() time.Duration {
	if i.FPS == 0 {
		return 0
	}
	return time.Duration(i.Frames) * time.Second / time.Duration(i.FPS)
}

// AVI reads the frames of an MJPEG AVI of any layout: a camera's, with
// JUNK and INFO chunks, "rec " lists and OpenDML's AVIX parts.
type AVI struct {
	f      io.ReaderAt
	closer io.Closer // nil when the caller closes what it gave
	info   AVIInfo
	frames []chunk
}

// OpenAVI indexes an MJPEG AVI's frames.
func OpenAVI(path string) (*AVI, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open video: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open video %s: %w", path, err)
	}
	a, err := indexAVI(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open video %s: %w", path, err)
	}
	a.closer = f
	return a, nil
}

// OpenAVIAt indexes the MJPEG AVI in size bytes read at random: a stored
// evidence file opened through the media store (sealed or not). Close
// closes r when r is an io.Closer.
func OpenAVIAt(r io.ReaderAt, size int64) (*AVI, error) {
	a, err := indexAVI(r, size)
	if err != nil {
		return nil, fmt.Errorf("open video: %w", err)
	}
	a.closer, _ = r.(io.Closer)
	return a, nil
}

func indexAVI(r io.ReaderAt, size int64) (*AVI, error) {
	f := io.NewSectionReader(r, 0, size)
	p, err := Sniff(f, size, time.UTC)
	if err != nil {
		return nil, err
	}
	if p.Container != "avi" || !p.Playable {
		return nil, fmt.Errorf("%s is not MJPEG AVI: %w", p.Format, ErrNotMedia)
	}
	a := &AVI{f: r}
	a.info.Width, a.info.Height = p.Width, p.Height
	a.info.FPS = max(1, int(math.Round(p.FPS)))
	// The video is the first vids stream; its chunks are "NNdc" or "NNdb".
	stream := -1
	top, err := chunks(f, 0, size, size)
	if err != nil {
		return nil, err
	}
	var walk func(from, to int64) error
	walk = func(from, to int64) error {
		in, err := chunks(f, from, to, size)
		if err != nil {
			return err
		}
		for _, c := range in {
			switch c.list(f) {
			case "hdrl":
				strls, err := chunks(f, c.off+4, c.off+c.size, size)
				if err != nil {
					return err
				}
				n := 0
				for _, s := range strls {
					if s.list(f) == "strl" {
						if st, err := readStrl(f, s, size); err == nil && st.kind == "vids" && stream < 0 {
							stream = n
						}
						n++
					}
				}
			case "movi", "rec ":
				if err := walk(c.off+4, c.off+c.size); err != nil {
					return err
				}
			default:
				if stream >= 0 && c.size > 0 && (c.id == fmt.Sprintf("%02ddc", stream) || c.id == fmt.Sprintf("%02ddb", stream)) {
					a.frames = append(a.frames, c)
				}
			}
		}
		return nil
	}
	for _, t := range top {
		if t.id == "RIFF" {
			if err := walk(t.off+4, t.off+t.size); err != nil {
				return nil, err
			}
		}
	}
	a.info.Frames = len(a.frames)
	if a.info.Frames == 0 {
		return nil, errors.New("the AVI holds no frames")
	}
	return a, nil
}

// Info says what the video holds.
func (a *AVI) Info() AVIInfo { return a.info }

// Frame decodes frame i.
func (a *AVI) Frame(i int) (image.Image, error) {
	b, err := a.JPEG(i)
	if err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode frame %d: %w", i, err)
	}
	return img, nil
}

// JPEG is frame i as a JPEG file: the AVI's own bytes, with JPEG's
// standard Huffman tables put in where the camera left them out (the
// AVI1 kind), so that any JPEG decoder (a browser's) shows it.
func (a *AVI) JPEG(i int) ([]byte, error) {
	if i < 0 || i >= len(a.frames) {
		return nil, fmt.Errorf("no frame %d of %d", i, len(a.frames))
	}
	c := a.frames[i]
	b := make([]byte, c.size)
	if n, err := a.f.ReadAt(b, c.off); err != nil && !(err == io.EOF && n == len(b)) {
		return nil, fmt.Errorf("read frame %d: %w", i, err)
	}
	return withHuffman(b), nil
}

// withHuffman gives a frame without Huffman tables the standard ones.
// Many MJPEG cameras leave them out of every frame (the AVI1 kind, whose
// decoders assume JPEG's example tables); Go's decoder needs them.
func withHuffman(frame []byte) []byte {
	for p := 2; p+4 <= len(frame) && frame[p] == 0xFF; {
		marker, n := frame[p+1], int(frame[p+2])<<8|int(frame[p+3])
		switch marker {
		case 0xC4: // DHT: the frame has its tables
			return frame
		case 0xDA: // SOS before any DHT
			return bytes.Join([][]byte{frame[:p], standardDHT(), frame[p:]}, nil)
		}
		p += 2 + n
	}
	return frame
}

var (
	dhtOnce sync.Once
	dht     []byte
)

// standardDHT is JPEG's example Huffman tables (ITU T.81 annex K.3) as
// DHT segments: the ones Go's encoder writes, taken from a picture it
// encodes.
func standardDHT() []byte {
	dhtOnce.Do(func() {
		var buf bytes.Buffer
		jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil) // colour: all four tables
		b := buf.Bytes()
		for p := 2; p+4 <= len(b) && b[p] == 0xFF; {
			n := int(b[p+2])<<8 | int(b[p+3])
			if b[p+1] == 0xC4 {
				dht = append(dht, b[p:p+2+n]...)
			}
			if b[p+1] == 0xDA {
				break
			}
			p += 2 + n
		}
	})
	return dht
}

// Close closes the file.
func (a *AVI) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}
