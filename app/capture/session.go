package capture

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"image"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// Kinds of recording, and the media record's body: casefile's, so that
// what reads case files needs no capture code.
const (
	KindAudio = casefile.MediaAudio
	KindVideo = casefile.MediaVideo
	KindPhoto = casefile.MediaPhoto
)

type (
	File      = casefile.MediaFile
	Pause     = casefile.Pause
	Recording = casefile.Recording
)

// RecordingOf reads a media record's body.
func RecordingOf(r casefile.Record) (Recording, bool) { return casefile.RecordingOf(r) }

// Config says what to record and where.
type Config struct {
	Log                 *casefile.Log
	Case, Author, Stage string
	// Dir holds the files being recorded; default: "recording" in the
	// log's media store (the same file system, so finished files move
	// into the store without a copy).
	Dir string

	Audio AudioSource  // nil: no sound (video only); an *Audio, or Sine
	Mic   *AudioDevice // nil: the default input
	Rate  int          // samples a second; default 48000

	Camera Camera // nil: audio only
	Format Format // default 640×480 at 15

	SegmentTime  time.Duration // default 5 minutes
	SegmentBytes int64         // default 1 GB
	JPEGQuality  int           // default 80

	Now func() time.Time
	// OnSegment is told of every segment recorded in the log.
	OnSegment func(*casefile.Record)
	// OnFrame gets every camera frame for a preview; it must not keep
	// the image past the next call.
	OnFrame func(*image.RGBA)
}

func (c *Config) defaults() {
	if c.Rate == 0 {
		c.Rate = 48000
	}
	if c.Format == (Format{}) {
		c.Format = Format{640, 480, 15}
	}
	if c.SegmentTime == 0 {
		c.SegmentTime = 5 * time.Minute
	}
	if c.SegmentBytes == 0 {
		c.SegmentBytes = 1 << 30
	}
	if c.JPEGQuality == 0 {
		c.JPEGQuality = 80
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Dir == "" {
		c.Dir = RecordingDir(c.Log)
	}
}

// RecordingDir is where a log's recordings are written until each segment
// is finished.
func RecordingDir(l *casefile.Log) string { return filepath.Join(l.Media().Dir, "recording") }

// journal is what the recorder writes beside the files of the open
// segment, so that the next start can finish a segment a crash left.
type journal struct {
	Session, Case, Author, Stage, Kind, Device string
	Segment                                    int
	Start                                      time.Time
	Pauses                                     []Pause
	Audio, Video                               string // file names in the directory
	Rate                                       int
	Format                                     Format
	// Finished is set once the files are closed and hashed, before they
	// move into the store and the record is appended.
	Finished *Recording `json:",omitempty"`
}

func (j *journal) path(dir string) string { return filepath.Join(dir, j.Session+".json") }

func (j *journal) save(dir string) error {
	data, err := json.MarshalIndent(j, "", " ")
	if err != nil {
		return fmt.Errorf("save journal: %w", err)
	}
	tmp := j.path(dir) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save journal: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err := errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("save journal: %w", err)
	}
	if err := os.Rename(tmp, j.path(dir)); err != nil {
		return fmt.Errorf("save journal: %w", err)
	}
	return nil
}

// Recorder records one session: audio, or video with audio beside it,
// in segments.
type Recorder struct {
	cfg     Config
	session string
	device  string
	kind    string

	mu       sync.Mutex
	seg      *segment
	segments int
	paused   *time.Time
	records  []*casefile.Record
	finished time.Duration // recorded in the segments recorded
	err      error
	started  time.Time
	lowDisk  bool

	capture  *Capture
	audioIn  chan []byte
	frames   <-chan Frame
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	done     chan struct{}
	stopOnce sync.Once
}

type segment struct {
	j          journal
	wav        *WAVWriter
	avi        *AVIWriter
	pausedFor  time.Duration // within this segment, before now
	audioBegun bool
	lastJPEG   []byte // the last frame written, to fill the end with
}

// ErrDiskFull stops a recording when the disk has no room left for it.
var ErrDiskFull = errors.New("capture: the disk is almost full; the recording was stopped and kept")

// Start begins recording.
func Start(ctx context.Context, cfg Config) (*Recorder, error) {
	cfg.defaults()
	if cfg.Audio == nil && cfg.Camera == nil {
		return nil, errors.New("capture: nothing to record")
	}
	if _, err := cfg.Log.Case(ctx, cfg.Case); err != nil {
		return nil, fmt.Errorf("start recording for case %s: %w", cfg.Case, err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("start recording for case %s: %w", cfg.Case, err)
	}
	if free, err := freeBytes(cfg.Dir); err == nil && free < minFree {
		return nil, ErrDiskFull
	}
	r := &Recorder{cfg: cfg, session: newSession(cfg.Now()), done: make(chan struct{})}
	r.kind = KindAudio
	var names []string
	if cfg.Audio != nil {
		name := "default"
		if cfg.Mic != nil {
			name = cfg.Mic.Name
		}
		names = append(names, "mic: "+name)
	}
	if cfg.Camera != nil {
		r.kind = KindVideo
		names = append(names, "camera: "+cfg.Camera.Name())
	}
	r.device = strings.Join(names, "; ")
	r.started = cfg.Now()
	if err := r.openSegment(r.started); err != nil {
		return nil, fmt.Errorf("start recording for case %s: %w", cfg.Case, err)
	}
	ctx, r.cancel = context.WithCancel(context.Background())
	if cfg.Audio != nil {
		r.audioIn = make(chan []byte, 512)
		c, err := cfg.Audio.StartCapture(cfg.Mic, cfg.Rate, func(pcm []byte) {
			select {
			case r.audioIn <- bytes.Clone(pcm):
			default: // the writer is behind by seconds: better a gap than a stall
			}
		})
		if err != nil {
			r.abort()
			return nil, fmt.Errorf("start recording for case %s: %w", cfg.Case, err)
		}
		r.capture = c
		r.wg.Add(1)
		go r.audioLoop()
	}
	if cfg.Camera != nil {
		frames, err := cfg.Camera.Start(ctx, cfg.Format)
		if err != nil {
			r.abort()
			return nil, fmt.Errorf("start recording for case %s: %w", cfg.Case, err)
		}
		r.frames = frames
		r.wg.Add(1)
		go r.videoLoop()
	}
	r.wg.Add(1)
	go r.tick()
	return r, nil
}

func newSession(t time.Time) string {
	b := make([]byte, 3)
	rand.Read(b)
	return t.Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// abort drops a recorder that failed to start, with its empty files.
func (r *Recorder) abort() {
	if r.cancel != nil {
		r.cancel()
	}
	if r.capture != nil {
		r.capture.Stop()
		close(r.audioIn) // ends audioLoop
	}
	if s := r.seg; s != nil {
		if s.wav != nil {
			s.wav.Close()
			os.Remove(filepath.Join(r.cfg.Dir, s.j.Audio))
		}
		if s.avi != nil {
			s.avi.Close()
			os.Remove(filepath.Join(r.cfg.Dir, s.j.Video))
		}
		os.Remove(s.j.path(r.cfg.Dir))
	}
}

func (r *Recorder) openSegment(at time.Time) error {
	r.segments++
	j := journal{Session: r.session, Case: r.cfg.Case, Author: r.cfg.Author, Stage: r.cfg.Stage, Kind: r.kind, Device: r.device,
		Segment: r.segments, Start: at, Rate: r.cfg.Rate, Format: r.cfg.Format}
	// Only the session's first buffer can come late (the device starting):
	// later segments go on with the same stream, whose buffers queued
	// while the last segment closed belong at this one's start.
	s := &segment{j: j, audioBegun: r.segments > 1}
	base := fmt.Sprintf("%s-%03d", r.session, r.segments)
	if r.cfg.Audio != nil {
		s.j.Audio = base + ".wav"
		w, err := CreateWAV(filepath.Join(r.cfg.Dir, s.j.Audio), r.cfg.Log.Media().Keys, r.cfg.Rate, 1)
		if err != nil {
			return fmt.Errorf("open segment %s: %w", base, err)
		}
		s.wav = w
	}
	if r.cfg.Camera != nil {
		s.j.Video = base + ".avi"
		a, err := CreateAVI(filepath.Join(r.cfg.Dir, s.j.Video), r.cfg.Log.Media().Keys, r.cfg.Format.Width, r.cfg.Format.Height, r.cfg.Format.FPS)
		if err != nil {
			if s.wav != nil {
				s.wav.Close() // the segment failed to open; its error is the one to report
			}
			return fmt.Errorf("open segment %s: %w", base, err)
		}
		s.avi = a
	}
	r.seg = s
	if err := s.j.save(r.cfg.Dir); err != nil {
		return fmt.Errorf("open segment %s: %w", base, err)
	}
	return nil
}

// recorded is how long the segment has recorded at t, pauses left out.
func (s *segment) recorded(t time.Time, paused *time.Time) time.Duration {
	d := t.Sub(s.j.Start) - s.pausedFor
	if paused != nil {
		d -= t.Sub(*paused)
	}
	return max(d, 0)
}

// audioSlack is how far a segment's sound may run ahead of its clock,
// and how far behind before the end is filled with silence: a device's
// buffers come in periods and late by a little.
const audioSlack = 250 * time.Millisecond

// audioLimit is how many frames of sound the segment may hold at t.
func (s *segment) audioLimit(t time.Time, rate int) int64 {
	return int64(s.recorded(t, nil)+audioSlack) * int64(rate) / int64(time.Second)
}

func (r *Recorder) audioLoop() {
	defer r.wg.Done()
	for pcm := range r.audioIn {
		r.mu.Lock()
		if s := r.seg; s != nil && r.paused == nil && s.wav != nil {
			if !s.audioBegun {
				// The first buffer can come a second or more after the
				// start: the gap is silence, so sound and picture share
				// one start.
				s.audioBegun = true
				bufDur := time.Duration(len(pcm)/2) * time.Second / time.Duration(r.cfg.Rate)
				gap := s.recorded(r.cfg.Now(), nil) - bufDur
				if gap > 0 {
					if _, err := s.wav.Write(make([]byte, 2*int(int64(gap)*int64(r.cfg.Rate)/int64(time.Second)))); err != nil && r.err == nil {
						r.err = err
					}
				}
			}
			// Never more sound than time recorded: whatever runs ahead of
			// the segment's clock is dropped (StartCapture paces the
			// device; this keeps each segment to its own clock).
			if limit := s.audioLimit(r.cfg.Now(), r.cfg.Rate); s.wav.Frames()+int64(len(pcm)/2) > limit {
				pcm = pcm[:2*max(limit-s.wav.Frames(), 0)]
			}
			if _, err := s.wav.Write(pcm); err != nil && r.err == nil {
				r.err = err
			}
		}
		r.mu.Unlock()
	}
}

func (r *Recorder) videoLoop() {
	defer r.wg.Done()
	var buf bytes.Buffer
	for f := range r.frames {
		if r.cfg.OnFrame != nil {
			r.cfg.OnFrame(f.Image)
		}
		r.mu.Lock()
		s := r.seg
		if s == nil || r.paused != nil || s.avi == nil {
			r.mu.Unlock()
			continue
		}
		// The frame's place on the segment's clock: frames missing are
		// filled with this one, frames ahead of the clock are dropped, so
		// the video keeps time with the audio beside it.
		fps := r.cfg.Format.FPS
		target := int(math.Round(s.recorded(f.At, nil).Seconds() * float64(fps)))
		if s.avi.Frames() > target {
			r.mu.Unlock()
			continue
		}
		r.mu.Unlock()
		buf.Reset()
		err := jpeg.Encode(&buf, f.Image, &jpeg.Options{Quality: r.cfg.JPEGQuality})
		r.mu.Lock()
		if s == r.seg && err == nil {
			for s.avi.Frames() <= target && err == nil {
				err = s.avi.AddFrame(buf.Bytes())
			}
			s.lastJPEG = append(s.lastJPEG[:0], buf.Bytes()...)
		}
		if err != nil && r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
}

// freeBytes is FreeBytes, replaced in tests.
var freeBytes = FreeBytes

// minFree is the space below which a recording stops and keeps what it
// has; warnFree the space below which the officer is warned.
const (
	minFree  = 64 << 20
	warnFree = 2 << 30
)

// tick flushes the files every second (at most the last second is lost
// to a power cut), starts a new segment when one is long or large enough,
// and watches the disk.
func (r *Recorder) tick() {
	defer r.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
		}
		r.mu.Lock()
		s := r.seg
		if s == nil {
			r.mu.Unlock()
			continue
		}
		// A failed flush may have lost what was written: the recording
		// goes on, and Stop reports it.
		if s.wav != nil {
			if err := s.wav.Sync(); err != nil && r.err == nil {
				r.err = fmt.Errorf("flush %s: %w", s.j.Audio, err)
			}
		}
		if s.avi != nil {
			if err := s.avi.Sync(); err != nil && r.err == nil {
				r.err = fmt.Errorf("flush %s: %w", s.j.Video, err)
			}
		}
		now := r.cfg.Now()
		var closed *journal
		if s.recorded(now, r.paused) >= r.cfg.SegmentTime || r.segSize(s) >= r.cfg.SegmentBytes {
			var err error
			if closed, err = r.closeSegment(now); err == nil {
				err = r.openSegment(now)
			}
			if err != nil && r.err == nil {
				r.err = err
			}
		}
		free, ferr := freeBytes(r.cfg.Dir)
		r.lowDisk = ferr == nil && free < warnFree
		full := ferr == nil && free < minFree
		r.mu.Unlock()
		// Hashing up to a GB and recording it happen with the lock free:
		// the next segment is already taking sound and picture.
		if closed != nil {
			r.record(context.Background(), closed)
		}
		if full {
			r.mu.Lock()
			if r.err == nil {
				r.err = ErrDiskFull
			}
			r.mu.Unlock()
			go r.Stop()
			return
		}
	}
}

func (r *Recorder) segSize(s *segment) int64 {
	var n int64
	if s.wav != nil {
		n += s.wav.Size()
	}
	if s.avi != nil {
		n += s.avi.Size()
	}
	return n
}

// closeSegment ends the open segment: its picture held to the end, its
// pauses noted, its files closed. Called with r.mu held; record does the
// slow rest.
func (r *Recorder) closeSegment(end time.Time) (*journal, error) {
	s := r.seg
	r.seg = nil
	if s == nil {
		return nil, nil
	}
	// A busy machine encodes behind the clock: the picture is held to the
	// segment's end, so it lasts as long as the sound beside it.
	if s.avi != nil && s.lastJPEG != nil {
		target := int(math.Round(s.recorded(end, r.paused).Seconds() * float64(r.cfg.Format.FPS)))
		for s.avi.Frames() < target {
			if err := s.avi.AddFrame(s.lastJPEG); err != nil {
				return nil, fmt.Errorf("close segment %d of session %s: %w", s.j.Segment, s.j.Session, err)
			}
		}
	}
	// A device that gave less than the time recorded (stalled, or slower
	// than its rate) leaves its end silent: the sound lasts as long as the
	// segment did, as the picture does.
	if s.wav != nil {
		want := int64(s.recorded(end, r.paused)) * int64(r.cfg.Rate) / int64(time.Second)
		if short := want - s.wav.Frames(); short > int64(audioSlack)*int64(r.cfg.Rate)/int64(time.Second) {
			if _, err := s.wav.Write(make([]byte, 2*short)); err != nil {
				return nil, fmt.Errorf("close segment %d of session %s: %w", s.j.Segment, s.j.Session, err)
			}
		}
	}
	if r.paused != nil {
		s.j.Pauses = append(s.j.Pauses, Pause{From: *r.paused, To: end})
		s.pausedFor += end.Sub(*r.paused)
		now := end
		r.paused = &now
	}
	var errs []error
	if s.wav != nil {
		errs = append(errs, s.wav.Close())
	}
	if s.avi != nil {
		errs = append(errs, s.avi.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("close segment %d of session %s: %w", s.j.Segment, s.j.Session, err)
	}
	return &s.j, nil
}

// record hashes a closed segment's files, moves them into the store and
// records them; a failure is the recorder's error (the journal stays, so
// the next start recovers the segment). Called without r.mu.
func (r *Recorder) record(ctx context.Context, j *journal) {
	rec, err := finish(ctx, r.cfg.Log, r.cfg.Dir, j, false)
	r.mu.Lock()
	if err != nil {
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
		return
	}
	r.records = append(r.records, rec)
	r.finished += time.Duration(j.Finished.DurationMS) * time.Millisecond
	r.mu.Unlock()
	if r.cfg.OnSegment != nil {
		r.cfg.OnSegment(rec)
	}
}

// finish hashes a segment's closed files, notes that in the journal,
// moves them into the store, appends the record and drops the journal.
// Each step can be redone after a crash in the middle.
func finish(ctx context.Context, l *casefile.Log, dir string, j *journal, recovered bool) (*casefile.Record, error) {
	fail := func(err error) error {
		return fmt.Errorf("record segment %d of session %s: %w", j.Segment, j.Session, err)
	}
	if j.Finished == nil {
		rec := &Recording{Session: j.Session, Segment: j.Segment, Kind: j.Kind, Device: j.Device, Stage: j.Stage,
			Start: j.Start, Pauses: j.Pauses, Recovered: recovered}
		var dur time.Duration
		keys := l.Media().Keys
		if j.Video != "" {
			info, d, n, err := aviInfo(filepath.Join(dir, j.Video), keys)
			if err != nil {
				return nil, fail(err)
			}
			dur = info.Duration()
			rec.Files = append(rec.Files, File{Role: KindVideo, SHA256: d.String(), Size: n, Name: j.Video,
				Format: fmt.Sprintf("avi mjpeg %dx%d %dfps", info.Width, info.Height, info.FPS)})
		}
		if j.Audio != "" {
			info, d, n, err := wavInfo(filepath.Join(dir, j.Audio), keys)
			if err != nil {
				return nil, fail(err)
			}
			dur = max(dur, info.Duration())
			rec.Files = append(rec.Files, File{Role: KindAudio, SHA256: d.String(), Size: n, Name: j.Audio,
				Format: fmt.Sprintf("wav pcm_s16le %dHz mono", info.Rate)})
		}
		var paused time.Duration
		for _, p := range j.Pauses {
			paused += p.To.Sub(p.From)
		}
		rec.DurationMS = dur.Milliseconds()
		rec.End = j.Start.Add(dur + paused)
		j.Finished = rec
		if err := j.save(dir); err != nil {
			return nil, fail(err)
		}
	}
	rec := j.Finished
	var media []string
	for _, f := range rec.Files {
		d, err := casefile.ParseDigest(f.SHA256)
		if err != nil {
			return nil, fail(err)
		}
		path := filepath.Join(dir, f.Name)
		if _, err := os.Stat(path); err == nil {
			if err := place(l.Media(), path, d); err != nil {
				return nil, fail(err)
			}
		} else if l.Media().Check(d) != nil {
			return nil, fmt.Errorf("capture: %s of session %s is lost", f.Name, j.Session)
		}
		media = append(media, f.SHA256)
	}
	// A crash after the record was appended and before the journal went
	// leaves a record that must not be made twice.
	c, err := l.Case(ctx, j.Case)
	if err != nil {
		return nil, fail(err)
	}
	for i := range c.Records {
		if got, ok := RecordingOf(c.Records[i]); ok && got.Session == rec.Session && got.Segment == rec.Segment {
			if err := os.Remove(j.path(dir)); err != nil {
				return &c.Records[i], fail(err)
			}
			return &c.Records[i], nil
		}
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, fail(err)
	}
	r, err := l.AddMedia(ctx, j.Case, j.Author, body, media)
	if err != nil {
		return nil, fail(err)
	}
	if err := os.Remove(j.path(dir)); err != nil {
		return r, fail(err)
	}
	return r, nil
}

// place moves a segment's file into the store: a sealed file by renaming
// it (it is sealed under the store's keys already); a plaintext one into a
// sealed store (a segment an older version left) is sealed into it and
// scrubbed, and must hash as its journal says.
func place(m *casefile.MediaStore, path string, d casefile.Digest) error {
	if m.Keys != nil {
		sealed, err := seal.Sealed(path, nil)
		if err != nil {
			return err
		}
		if !sealed {
			got, _, err := m.PutFile(path)
			if err != nil {
				return err
			}
			if got != d {
				return fmt.Errorf("%s hashes to %s, its journal says %s", filepath.Base(path), got, d)
			}
			return nil
		}
	}
	return m.Place(path, d)
}

// aviInfo reads a closed segment's AVI (sealed or not) and hashes its
// plaintext: the digest that names it in the store and the log.
func aviInfo(path string, keys seal.Keys) (AVIInfo, casefile.Digest, int64, error) {
	f, err := ledger.OpenFile(path, keys)
	if err != nil {
		return AVIInfo{}, casefile.Digest{}, 0, err
	}
	defer f.Close()
	r, err := OpenAVIAt(f, f.Size())
	if err != nil {
		return AVIInfo{}, casefile.Digest{}, 0, fmt.Errorf("%s: %w", path, err)
	}
	d, n, err := hashSeg(f)
	if err != nil {
		return AVIInfo{}, d, n, fmt.Errorf("hash %s: %w", path, err)
	}
	return r.Info(), d, n, nil
}

// wavInfo reads a closed segment's WAV header and hashes its plaintext.
func wavInfo(path string, keys seal.Keys) (WAVInfo, casefile.Digest, int64, error) {
	f, err := ledger.OpenFile(path, keys)
	if err != nil {
		return WAVInfo{}, casefile.Digest{}, 0, err
	}
	defer f.Close()
	info, err := readWAVHeader(f)
	if err != nil {
		return info, casefile.Digest{}, 0, fmt.Errorf("%s: %w", path, err)
	}
	d, n, err := hashSeg(f)
	if err != nil {
		return info, d, n, fmt.Errorf("hash %s: %w", path, err)
	}
	return info, d, n, nil
}

// hashSeg is the SHA-256 of a segment's whole plaintext and its size.
func hashSeg(f ledger.MediaFile) (casefile.Digest, int64, error) {
	h := sha256.New()
	n, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, f.Size()), make([]byte, 1<<20))
	var d casefile.Digest
	if err != nil {
		return d, n, err
	}
	copy(d[:], h.Sum(nil))
	return d, n, nil
}

// Pause stops writing until Resume; the camera and the level meter keep
// running.
func (r *Recorder) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paused == nil && r.seg != nil {
		now := r.cfg.Now()
		r.paused = &now
	}
}

// Resume goes on recording into the same segment.
func (r *Recorder) Resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paused == nil || r.seg == nil {
		return
	}
	now := r.cfg.Now()
	r.seg.j.Pauses = append(r.seg.j.Pauses, Pause{From: *r.paused, To: now})
	r.seg.pausedFor += now.Sub(*r.paused)
	r.paused = nil
	if err := r.seg.j.save(r.cfg.Dir); err != nil && r.err == nil {
		r.err = fmt.Errorf("resume segment %d of session %s: %w", r.seg.j.Segment, r.session, err)
	}
}

// Paused says whether the recording is paused.
func (r *Recorder) Paused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused != nil
}

// Level is the microphone's level, 0 to 1.
func (r *Recorder) Level() float64 {
	if r.capture == nil {
		return 0
	}
	return r.capture.Level()
}

// Elapsed is how long has been recorded, pauses left out.
func (r *Recorder) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.finished
	if r.seg != nil {
		d += r.seg.recorded(r.cfg.Now(), r.paused)
	}
	return d
}

// Done is closed once the recording stops, by Stop or by itself (the
// disk full); Stop then returns what was kept and why it stopped.
func (r *Recorder) Done() <-chan struct{} { return r.done }

// LowDisk says the disk is filling: the officer should be warned.
func (r *Recorder) LowDisk() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lowDisk
}

// Session names the recording; its segments' records carry it.
func (r *Recorder) Session() string { return r.session }

// Stop ends the recording: the last segment is finished and recorded.
// It returns every segment's record, and the first error met. It may be
// called more than once, and from any goroutine.
func (r *Recorder) Stop() ([]*casefile.Record, error) {
	r.stopOnce.Do(r.stop)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.records, r.err
}

func (r *Recorder) stop() {
	close(r.done)
	if r.capture != nil {
		r.capture.Stop()
		close(r.audioIn)
	}
	if r.cfg.Camera != nil {
		r.cfg.Camera.Close()
	}
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	j, err := r.closeSegment(r.cfg.Now())
	if err != nil && r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	if j != nil {
		r.record(context.Background(), j)
	}
}

// Recover finishes the segments a crash left open in a log's recording
// directory: each file is repaired (the WAV's sizes, the AVI's index),
// hashed, moved into the store and recorded, marked as recovered.
func Recover(ctx context.Context, l *casefile.Log) ([]*casefile.Record, error) {
	dir := RecordingDir(l)
	keys := l.Media().Keys
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) == 0 {
		return nil, err
	}
	var out []*casefile.Record
	var errs []error
	for _, name := range names {
		data, err := os.ReadFile(name)
		var j journal
		if err == nil {
			err = json.Unmarshal(data, &j)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("recover: read journal %s: %w", name, err))
			continue
		}
		if j.Finished == nil {
			if j.Video != "" {
				if _, err := RepairAVI(filepath.Join(dir, j.Video), keys); err != nil {
					errs = append(errs, fmt.Errorf("recover session %s: repair video: %w", j.Session, err))
					continue
				}
			}
			if j.Audio != "" {
				if _, err := RepairWAV(filepath.Join(dir, j.Audio), keys); err != nil {
					errs = append(errs, fmt.Errorf("recover session %s: repair audio: %w", j.Session, err))
					continue
				}
			}
		}
		rec, err := finish(ctx, l, dir, &j, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("recover: %w", err)) // finish names the session
			continue
		}
		out = append(out, rec)
	}
	return out, errors.Join(errs...)
}
