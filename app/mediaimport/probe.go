// Package mediaimport reads the video and audio files that body cameras
// (执法记录仪) and phones write — MP4/MOV, AVI, WAV and MP3 — to say what
// each holds and when it was recorded, and adds them to a case byte for
// byte. It is pure Go: the platform and the desk both use it.
//
// MP3's ID3v2 tags are read with github.com/dhowden/tag. MP4/MOV boxes
// and RIFF (AVI, WAV) chunks are read here: only the few boxes and chunks
// that say what a file holds and when it was recorded, none bigger than
// its parent, so a damaged file costs no more than its size. (The
// pure-Go MP4 demuxer the module proxy serves, yapingcat/gomedia, sizes
// its tables from counts it does not check against the file: fuzzing
// found a damaged MP4 that stalled it for 50 s. Its muxer still writes
// the tests' MP4s; abema/go-mp4 and Eyevinn/mp4ff are not served.)
package mediaimport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// Errors a file is refused with; Code names each for the officer.
var (
	// ErrNotMedia is a file whose bytes are no video or audio this reads
	// (a text file renamed .mp4, a photo renamed .wav).
	ErrNotMedia = errors.New("mediaimport: not a video or audio file")
	// ErrTruncated is a container cut short: a camera that lost power
	// while recording, a copy that did not finish.
	ErrTruncated = errors.New("mediaimport: the file is cut short")
	// ErrEmpty is a file of no bytes.
	ErrEmpty = errors.New("mediaimport: the file is empty")
	// ErrNotFile is a path that is no regular file.
	ErrNotFile = errors.New("mediaimport: not a regular file")
	// ErrDuplicate is a file the case holds already, byte for byte.
	ErrDuplicate = errors.New("mediaimport: the case holds this file already")
	// ErrChanged is a file that changed while it was copied.
	ErrChanged = errors.New("mediaimport: the file changed while it was copied")
)

// Code is the stable code of a refusal, for its words
// ("media.import.err.<code>") and for scripts; "" for nil, "io" for an
// error reading or storing.
func Code(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotMedia):
		return "not_media"
	case errors.Is(err, ErrTruncated):
		return "truncated"
	case errors.Is(err, ErrEmpty):
		return "empty"
	case errors.Is(err, ErrNotFile):
		return "not_file"
	case errors.Is(err, ErrDuplicate):
		return "duplicate"
	case errors.Is(err, ErrChanged):
		return "changed"
	}
	return "io"
}

// Where a recording time came from.
const (
	TimeMvhd     = "mvhd"      // MP4/MOV movie header creation_time
	TimeIDIT     = "avi_idit"  // AVI IDIT chunk
	TimeAVIInfo  = "avi_icrd"  // AVI LIST INFO ICRD
	TimeBext     = "wav_bext"  // WAV bext origination date and time
	TimeWAVInfo  = "wav_icrd"  // WAV LIST INFO ICRD
	TimeID3      = "id3_tdrc"  // MP3 ID3v2.4 TDRC
	TimeID3Year  = "id3_tyer"  // MP3 ID3v2.3 TYER with TDAT (and TIME)
	TimeModified = "file_time" // the file's modification time
)

// Probe is what a file says about itself.
type Probe struct {
	Kind      string // casefile.MediaVideo or casefile.MediaAudio
	Container string // mp4, mov, avi, wav, mp3
	// Format describes the streams, as the media record's file format:
	// "mp4 h264 1920x1080", "avi mjpeg 1280x720 30fps", "wav pcm_s16le 48000Hz 1ch".
	Format   string
	Duration time.Duration
	// Recorded is the time the container gives, zero when it gives none;
	// TimeSource says which field it came from.
	Recorded   time.Time
	TimeSource string
	// Width, Height and FPS are the video's picture (zero for sound).
	Width, Height int
	FPS           float64
	// Device is the camera or recorder the container names, if any.
	Device string
	// Playable says the desk plays it itself: MJPEG AVI, PCM16 WAV.
	Playable bool
}

// Sniff reads a file's bytes (never its name) and says what it is. loc is
// the zone of times written without one (AVI, WAV, ID3: the camera's
// clock, which is local).
func Sniff(r io.ReadSeeker, size int64, loc *time.Location) (p Probe, err error) {
	// A damaged or hostile file must not take the desk down with it.
	defer func() {
		if x := recover(); x != nil {
			p, err = Probe{}, fmt.Errorf("unreadable file (%v): %w", x, ErrNotMedia)
		}
	}()
	if size == 0 {
		return Probe{}, ErrEmpty
	}
	head := make([]byte, 12)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Probe{}, fmt.Errorf("sniff: %w", err)
	}
	head = head[:n]
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return Probe{}, errors.New("sniff: the reader cannot read at offsets")
	}
	switch {
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "AVI ":
		return probeAVI(ra, size, loc)
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return probeWAV(ra, size, loc)
	case len(head) >= 8 && isBoxType(head[4:8]):
		return probeMP4(ra, size)
	case len(head) >= 3 && (string(head[0:3]) == "ID3" || isMPEGSync(head)):
		return probeMP3(r, size, loc)
	}
	return Probe{}, ErrNotMedia
}

// ProbeFile opens a file read-only and sniffs it; a file whose container
// gives no time gets its modification time.
func ProbeFile(path string, loc *time.Location) (Probe, error) {
	f, err := os.Open(path)
	if err != nil {
		return Probe{}, fmt.Errorf("probe %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Probe{}, fmt.Errorf("probe %s: %w", filepath.Base(path), err)
	}
	if !st.Mode().IsRegular() {
		return Probe{}, fmt.Errorf("probe %s: %w", filepath.Base(path), ErrNotFile)
	}
	p, err := Sniff(f, st.Size(), loc)
	if err != nil {
		return p, fmt.Errorf("probe %s: %w", filepath.Base(path), err)
	}
	if p.Recorded.IsZero() {
		p.Recorded, p.TimeSource = st.ModTime(), TimeModified
	}
	return p, nil
}

// Extensions are the file names a folder import takes as video or audio
// (lower case); anything else in a camera's folder is left alone.
var Extensions = map[string]string{
	".mp4": casefile.MediaVideo, ".mov": casefile.MediaVideo, ".3gp": casefile.MediaVideo, ".avi": casefile.MediaVideo,
	".m4a": casefile.MediaAudio, ".wav": casefile.MediaAudio, ".mp3": casefile.MediaAudio,
}

// PhotoExtensions are the photos a folder import takes.
var PhotoExtensions = map[string]bool{".jpg": true, ".jpeg": true, ".png": true}

// parseLocal reads a date written by a camera's clock, in the formats
// cameras use, in loc; ok is false for none of them (or a zero date).
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(strings.Trim(s, "\x00\r\n "))
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{
		"Mon Jan _2 15:04:05 2006", "Mon Jan 2 15:04:05 2006", // ctime, as AVI's IDIT is written
		"2006:01:02 15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05",
		"2006-01-02T15:04", "2006-01-02 15:04", "2006/01/02/ 15:04:05", "2006-01-02", "2006:01:02", "2006/01/02",
	} {
		for _, v := range []string{s, titleWords(s)} {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil && t.Year() > 1900 {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// titleWords writes "SAT NOV 21" as "Sat Nov 21", as time.Parse wants.
func titleWords(s string) string {
	w := strings.Fields(s)
	for i, x := range w {
		w[i] = strings.ToUpper(x[:1]) + strings.ToLower(x[1:])
	}
	return strings.Join(w, " ")
}
