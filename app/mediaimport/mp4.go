package mediaimport

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// epoch1904 is the seconds from 1904-01-01, ISO BMFF's epoch, to 1970's.
const epoch1904 = 2082844800

// isBoxType says whether b is the type of a box an MP4 or MOV file
// begins with.
func isBoxType(b []byte) bool {
	switch string(b) {
	case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot":
		return true
	}
	return false
}

// topBoxes lists the top-level boxes, each ending inside the file, and
// the major brand.
func topBoxes(r io.ReaderAt, size int64) ([]box, string, error) {
	top, err := children(r, 0, size)
	if err != nil {
		return nil, "", err
	}
	var end int64
	if len(top) > 0 {
		last := top[len(top)-1]
		end = last.off + last.size
	}
	if end < size {
		return nil, "", fmt.Errorf("%d stray bytes at the end: %w", size-end, ErrTruncated)
	}
	brand := ""
	if ftyp, ok := find(top, "ftyp"); ok {
		if b := payload(r, ftyp, 4); len(b) == 4 {
			brand = string(b)
		}
	}
	return top, brand, nil
}

// box is an ISO BMFF box: its type and where its payload is.
type box struct {
	typ       string
	off, size int64
}

// children lists the boxes in [from, to): each must end inside its
// parent, so that nothing read from a damaged file is bigger than the
// file.
func children(r io.ReaderAt, from, to int64) ([]box, error) {
	var out []box
	h := make([]byte, 16)
	for p := from; p+8 <= to; {
		if _, err := r.ReadAt(h[:8], p); err != nil {
			return out, fmt.Errorf("read box at %d: %w", p, ErrTruncated)
		}
		n, typ, head := int64(binary.BigEndian.Uint32(h)), string(h[4:8]), int64(8)
		switch n {
		case 0:
			n = to - p
		case 1:
			if _, err := r.ReadAt(h[8:16], p+8); err != nil {
				return out, fmt.Errorf("read box %q at %d: %w", typ, p, ErrTruncated)
			}
			n, head = int64(binary.BigEndian.Uint64(h[8:])), 16
		}
		if n < head || p+n > to || p+n < p {
			return out, fmt.Errorf("box %q at %d of %d bytes does not fit in its parent (ends at %d): %w", typ, p, n, to, ErrTruncated)
		}
		out = append(out, box{typ: typ, off: p + head, size: n - head})
		p += n
	}
	return out, nil
}

// payload reads up to max bytes of a box's payload.
func payload(r io.ReaderAt, b box, max int64) []byte {
	buf := make([]byte, min(b.size, max))
	n, _ := r.ReadAt(buf, b.off)
	return buf[:n]
}

func find(bs []box, typ string) (box, bool) {
	for _, b := range bs {
		if b.typ == typ {
			return b, true
		}
	}
	return box{}, false
}

// mp4Track is what a trak box says.
type mp4Track struct {
	handler       string // vide, soun
	codec         string
	width, height int
	rate, chans   int
}

// sampleCodecs name the sample entries cameras and phones write.
var sampleCodecs = map[string]string{
	"avc1": "h264", "avc3": "h264", "hvc1": "h265", "hev1": "h265", "mp4v": "mpeg4", "jpeg": "mjpeg", "mjpa": "mjpeg", "mjpb": "mjpeg",
	"mp4a": "aac", "ulaw": "mulaw", "alaw": "alaw", ".mp3": "mp3", "samr": "amr_nb", "sawb": "amr_wb", "Opus": "opus",
	"sowt": "pcm_s16le", "twos": "pcm_s16be", "lpcm": "pcm", "ipcm": "pcm",
}

// readTrak reads a track's handler, its first sample entry's codec and
// its picture size or sound rate; a track that lacks them is damaged.
func readTrak(r io.ReaderAt, trak box) (mp4Track, error) {
	var t mp4Track
	in, err := children(r, trak.off, trak.off+trak.size)
	if err != nil {
		return t, err
	}
	mdia, ok := find(in, "mdia")
	if !ok {
		return t, fmt.Errorf("a track without its media box: %w", ErrTruncated)
	}
	md, err := children(r, mdia.off, mdia.off+mdia.size)
	if err != nil {
		return t, err
	}
	if h, ok := find(md, "hdlr"); ok {
		if b := payload(r, h, 12); len(b) >= 12 {
			t.handler = string(b[8:12])
		}
	}
	minf, ok := find(md, "minf")
	if !ok {
		return t, fmt.Errorf("a track without its media information: %w", ErrTruncated)
	}
	mi, err := children(r, minf.off, minf.off+minf.size)
	if err != nil {
		return t, err
	}
	stbl, ok := find(mi, "stbl")
	if !ok {
		return t, fmt.Errorf("a track without its sample table: %w", ErrTruncated)
	}
	st, err := children(r, stbl.off, stbl.off+stbl.size)
	if err != nil {
		return t, err
	}
	for _, need := range []string{"stsd", "stts", "stsc", "stsz"} {
		if _, ok := find(st, need); !ok {
			if _, ok := find(st, "stz2"); need == "stsz" && ok {
				continue
			}
			return t, fmt.Errorf("a sample table without %s: %w", need, ErrTruncated)
		}
	}
	stsd, _ := find(st, "stsd")
	entries, err := children(r, stsd.off+8, stsd.off+stsd.size)
	if err != nil || len(entries) == 0 {
		return t, fmt.Errorf("a track without its sample description: %w", ErrTruncated)
	}
	e := entries[0]
	t.codec = sampleCodecs[e.typ]
	if t.codec == "" {
		t.codec = strings.ToLower(strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, e.typ)))
	}
	b := payload(r, e, 36)
	switch t.handler {
	case "vide":
		if len(b) >= 28 {
			t.width, t.height = int(binary.BigEndian.Uint16(b[24:])), int(binary.BigEndian.Uint16(b[26:]))
		}
	case "soun":
		if len(b) >= 28 {
			t.chans, t.rate = int(binary.BigEndian.Uint16(b[16:])), int(binary.BigEndian.Uint32(b[24:])>>16)
		}
	}
	return t, nil
}

// probeMP4 reads an MP4, MOV or 3GP file's movie header (its creation
// time, since 1904 in UTC, and its length) and its tracks. It reads only
// those few boxes, each no bigger than its parent: a damaged file costs
// no more than its size.
func probeMP4(ra io.ReaderAt, size int64) (Probe, error) {
	top, brand, err := topBoxes(ra, size)
	if err != nil {
		return Probe{}, err
	}
	moov, ok := find(top, "moov")
	if !ok {
		return Probe{}, fmt.Errorf("no movie header (moov): %w", ErrTruncated)
	}
	in, err := children(ra, moov.off, moov.off+moov.size)
	if err != nil {
		return Probe{}, err
	}
	mvhd, ok := find(in, "mvhd")
	b := payload(ra, mvhd, 32)
	if !ok || len(b) < 20 {
		return Probe{}, fmt.Errorf("no movie header (mvhd): %w", ErrTruncated)
	}
	var created, scale, length uint64
	if b[0] == 1 {
		if len(b) < 32 {
			return Probe{}, fmt.Errorf("a short movie header: %w", ErrTruncated)
		}
		created, scale, length = binary.BigEndian.Uint64(b[4:]), uint64(binary.BigEndian.Uint32(b[20:])), binary.BigEndian.Uint64(b[24:])
	} else {
		created, scale, length = uint64(binary.BigEndian.Uint32(b[4:])), uint64(binary.BigEndian.Uint32(b[12:])), uint64(binary.BigEndian.Uint32(b[16:]))
	}
	if scale == 0 {
		return Probe{}, fmt.Errorf("a movie header with no time scale: %w", ErrTruncated)
	}
	p := Probe{Kind: casefile.MediaAudio, Container: "mp4"}
	switch {
	case brand == "qt  " || brand == "":
		p.Container = "mov"
	case strings.HasPrefix(brand, "3g"):
		p.Container = "3gp"
	}
	if length < 1<<40 { // longer is no recording
		p.Duration = time.Duration(float64(length) / float64(scale) * float64(time.Second))
	}
	if created != 0 && created < 1<<40 {
		p.Recorded, p.TimeSource = time.Unix(int64(created)-epoch1904, 0).UTC(), TimeMvhd
	}
	var video, audio []string
	for _, trak := range in {
		if trak.typ != "trak" {
			continue
		}
		t, err := readTrak(ra, trak)
		if err != nil {
			return Probe{}, err
		}
		switch t.handler {
		case "vide":
			video = append(video, fmt.Sprintf("%s %dx%d", t.codec, t.width, t.height))
			if p.Width == 0 {
				p.Width, p.Height = t.width, t.height
			}
		case "soun":
			audio = append(audio, fmt.Sprintf("%s %dHz %dch", t.codec, t.rate, t.chans))
		}
	}
	if len(video)+len(audio) == 0 {
		return Probe{}, fmt.Errorf("an MP4 with no video or sound track: %w", ErrTruncated)
	}
	if len(video) > 0 {
		p.Kind = casefile.MediaVideo
	}
	p.Format = p.Container + " " + strings.Join(append(video, audio...), " + ")
	return p, nil
}
