package mediaimport

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dhowden/tag"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// isMPEGSync says whether b begins with an MPEG audio frame header.
func isMPEGSync(b []byte) bool {
	_, _, ok := mpegFrame(b)
	return ok
}

// mpegFrame reads an MPEG audio (layer III, or II) frame header: the
// frame's length and bit rate.
func mpegFrame(b []byte) (length, bitrate int, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return 0, 0, false
	}
	version := (b[1] >> 3) & 3 // 0: 2.5, 2: 2, 3: 1
	layer := (b[1] >> 1) & 3   // 1: III, 2: II, 3: I
	bi, si, pad := int(b[2]>>4), int((b[2]>>2)&3), int((b[2]>>1)&1)
	if version == 1 || layer == 0 || layer == 3 || bi == 0 || bi == 15 || si == 3 {
		return 0, 0, false
	}
	v1 := version == 3
	rates := map[bool][]int{
		true:  {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		false: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
	}
	if v1 && layer == 2 {
		rates[true] = []int{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384}
	}
	sample := []int{44100, 48000, 32000}[si]
	switch version {
	case 2:
		sample /= 2
	case 0:
		sample /= 4
	}
	bitrate = rates[v1][bi] * 1000
	coef := 144
	if !v1 && layer == 1 {
		coef = 72
	}
	return coef*bitrate/sample + pad, bitrate, true
}

// id3Size is the length of an ID3v2 tag at the start of b (0 if none).
func id3Size(b []byte) int64 {
	if len(b) < 10 || string(b[0:3]) != "ID3" {
		return 0
	}
	n := int64(b[6]&0x7F)<<21 | int64(b[7]&0x7F)<<14 | int64(b[8]&0x7F)<<7 | int64(b[9]&0x7F)
	n += 10
	if b[5]&0x10 != 0 {
		n += 10 // a footer
	}
	return n
}

func probeMP3(r io.ReadSeeker, size int64, loc *time.Location) (Probe, error) {
	ra := r.(io.ReaderAt)
	head := make([]byte, 10)
	if _, err := ra.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return Probe{}, fmt.Errorf("read MP3: %w", err)
	}
	p := Probe{Kind: casefile.MediaAudio, Container: "mp3"}
	start := id3Size(head)
	if start > size {
		return Probe{}, fmt.Errorf("ID3 tag of %d bytes in a file of %d: %w", start, size, ErrTruncated)
	}
	if start > 0 {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Probe{}, fmt.Errorf("read MP3: %w", err)
		}
		m, err := tag.ReadID3v2Tags(r)
		if err != nil {
			return Probe{}, fmt.Errorf("read ID3 tag: %v: %w", err, ErrNotMedia)
		}
		p.Recorded, p.TimeSource = id3Date(m.Raw(), loc)
	}
	// The sound begins after the tag (and any padding): two frame headers
	// in a row, each where the one before says, make it MP3.
	buf := make([]byte, 4096)
	n, _ := ra.ReadAt(buf, start)
	buf = buf[:n]
	skip := 0
	for skip < len(buf) && buf[skip] == 0 {
		skip++
	}
	length, bitrate, ok := mpegFrame(buf[skip:])
	if !ok {
		if int64(len(buf)) == 0 || int64(skip) == int64(len(buf)) {
			return Probe{}, fmt.Errorf("an ID3 tag with no sound after it: %w", ErrTruncated)
		}
		return Probe{}, fmt.Errorf("no MPEG audio frame at %d: %w", start+int64(skip), ErrNotMedia)
	}
	first := start + int64(skip)
	next := make([]byte, 4)
	if first+int64(length)+4 <= size {
		if _, err := ra.ReadAt(next, first+int64(length)); err != nil || !isMPEGSync(next) {
			return Probe{}, fmt.Errorf("the MPEG audio frame at %d is not followed by another: %w", first, ErrNotMedia)
		}
	} else if first+int64(length) > size {
		return Probe{}, fmt.Errorf("the first MPEG audio frame runs past the end: %w", ErrTruncated)
	}
	// Constant bit rate: the length from the size (a variable-rate file's
	// is an estimate).
	p.Duration = time.Duration((size - first) * 8 * int64(time.Second) / int64(bitrate))
	p.Format = fmt.Sprintf("mp3 %dkbps", bitrate/1000)
	return p, nil
}

// id3Date is the recording date of ID3v2 frames: TDRC (v2.4), or TYER
// with TDAT and TIME (v2.3; TYE, TDA, TIM in v2.2). A year alone is no
// recording time.
func id3Date(frames map[string]any, loc *time.Location) (time.Time, string) {
	str := func(names ...string) string {
		for _, n := range names {
			if s, ok := frames[n].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	if s := str("TDRC", "TDOR"); len(s) >= 10 {
		if t, ok := parseLocal(s, loc); ok {
			return t, TimeID3
		}
	}
	year, date, clock := str("TYER", "TYE"), str("TDAT", "TDA"), str("TIME", "TIM")
	if len(year) == 4 && len(date) == 4 {
		s := year + "-" + date[2:4] + "-" + date[0:2]
		if len(clock) == 4 {
			s += " " + clock[0:2] + ":" + clock[2:4] + ":00"
		}
		if t, ok := parseLocal(s, loc); ok {
			return t, TimeID3Year
		}
	}
	return time.Time{}, ""
}
