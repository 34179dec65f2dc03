package mediaimport

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	mp4 "github.com/yapingcat/gomedia/go-mp4"

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

// topBoxes walks the top-level boxes: each must end inside the file (the
// demuxer takes a file cut in its media data for whole). It returns the
// major brand and whether there is a moov.
func topBoxes(r io.ReaderAt, size int64) (brand string, moov bool, err error) {
	h := make([]byte, 16)
	for p := int64(0); p < size; {
		if size-p < 8 {
			return brand, moov, fmt.Errorf("%d stray bytes at the end: %w", size-p, ErrTruncated)
		}
		if _, err := r.ReadAt(h[:8], p); err != nil {
			return brand, moov, fmt.Errorf("read box at %d: %w", p, ErrTruncated)
		}
		n, typ := int64(binary.BigEndian.Uint32(h)), string(h[4:8])
		head := int64(8)
		switch n {
		case 0: // to the end of the file
			n = size - p
		case 1: // a 64-bit size follows
			if _, err := r.ReadAt(h[8:16], p+8); err != nil {
				return brand, moov, fmt.Errorf("read box %q at %d: %w", typ, p, ErrTruncated)
			}
			n, head = int64(binary.BigEndian.Uint64(h[8:])), 16
		}
		if n < head {
			return brand, moov, fmt.Errorf("box %q at %d of size %d: %w", typ, p, n, ErrNotMedia)
		}
		if p+n > size {
			return brand, moov, fmt.Errorf("box %q at %d needs %d bytes, the file ends at %d: %w", typ, p, n, size, ErrTruncated)
		}
		switch typ {
		case "ftyp":
			b := make([]byte, 4)
			if _, err := r.ReadAt(b, p+head); err == nil {
				brand = string(b)
			}
		case "moov":
			moov = true
		}
		p += n
	}
	return brand, moov, nil
}

func probeMP4(r io.ReadSeeker, size int64) (p Probe, err error) {
	ra := r.(io.ReaderAt)
	brand, moov, err := topBoxes(ra, size)
	if err != nil {
		return Probe{}, err
	}
	if !moov {
		return Probe{}, fmt.Errorf("no movie header (moov): %w", ErrTruncated)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Probe{}, fmt.Errorf("probe MP4: %w", err)
	}
	// The demuxer trusts the sizes inside the boxes: a damaged file must
	// not take the desk down with it.
	defer func() {
		if x := recover(); x != nil {
			p, err = Probe{}, fmt.Errorf("damaged MP4 (%v): %w", x, ErrTruncated)
		}
	}()
	d := mp4.CreateMp4Demuxer(r)
	tracks, err := d.ReadHead()
	if err != nil {
		return Probe{}, fmt.Errorf("read MP4 header: %v: %w", err, ErrTruncated)
	}
	info := d.GetMp4Info()
	if info.Timescale == 0 {
		return Probe{}, fmt.Errorf("no movie header (mvhd): %w", ErrTruncated)
	}
	p = Probe{Kind: casefile.MediaAudio, Container: "mp4"}
	switch {
	case brand == "qt  " || brand == "":
		p.Container = "mov"
	case strings.HasPrefix(brand, "3g"):
		p.Container = "3gp"
	}
	p.Duration = time.Duration(float64(info.Duration) / float64(info.Timescale) * float64(time.Second))
	if info.CreateTime != 0 {
		p.Recorded, p.TimeSource = time.Unix(int64(info.CreateTime)-epoch1904, 0).UTC(), TimeMvhd
	}
	var video, audio []string
	for _, t := range tracks {
		switch t.Cid {
		case mp4.MP4_CODEC_H264, mp4.MP4_CODEC_H265:
			name := map[mp4.MP4_CODEC_TYPE]string{mp4.MP4_CODEC_H264: "h264", mp4.MP4_CODEC_H265: "h265"}[t.Cid]
			video = append(video, fmt.Sprintf("%s %dx%d", name, t.Width, t.Height))
			if p.Width == 0 {
				p.Width, p.Height = int(t.Width), int(t.Height)
			}
		case mp4.MP4_CODEC_AAC, mp4.MP4_CODEC_G711A, mp4.MP4_CODEC_G711U, mp4.MP4_CODEC_MP2, mp4.MP4_CODEC_MP3, mp4.MP4_CODEC_OPUS:
			name := map[mp4.MP4_CODEC_TYPE]string{mp4.MP4_CODEC_AAC: "aac", mp4.MP4_CODEC_G711A: "alaw", mp4.MP4_CODEC_G711U: "mulaw",
				mp4.MP4_CODEC_MP2: "mp2", mp4.MP4_CODEC_MP3: "mp3", mp4.MP4_CODEC_OPUS: "opus"}[t.Cid]
			audio = append(audio, fmt.Sprintf("%s %dHz %dch", name, t.SampleRate, t.ChannelCount))
		default:
			if t.Width > 0 {
				video = append(video, fmt.Sprintf("video %dx%d", t.Width, t.Height))
			}
		}
	}
	if len(video) > 0 || (len(audio) == 0 && len(tracks) > 0) {
		p.Kind = casefile.MediaVideo
	}
	if len(tracks) == 0 {
		return Probe{}, fmt.Errorf("MP4 with no track: %w", ErrTruncated)
	}
	p.Format = strings.TrimSpace(p.Container + " " + strings.Join(append(video, audio...), " + "))
	return p, nil
}
