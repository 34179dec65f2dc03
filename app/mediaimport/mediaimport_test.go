package mediaimport_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport/mediatest"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

// shanghai is the cameras' zone in these tests, whatever the machine's.
var shanghai = time.FixedZone("CST", 8*3600)

// modTime is what every fixture's modification time is set to: a time
// no container says, so a fallback to it shows.
var modTime = time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)

func write(t *testing.T, dir, name string, fn func(path string) error) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fn(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, modTime, modTime); err != nil {
		t.Fatal(err)
	}
	return path
}

func tone(n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16((i % 40) * 800)
	}
	return s
}

// Every container's recording time, read from where each camera writes
// it, and the file's modification time where the container gives none.
func TestRecordingTimes(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 21, 10, 15, 30, 0, shanghai)
	for _, tc := range []struct {
		name      string
		make      func(path string) error
		kind      string
		container string
		format    string
		want      time.Time
		source    string
		duration  time.Duration
		playable  bool
	}{
		{"VID_0001.MP4", func(p string) error { return mediatest.MP4(p, at, 320, 240, 10, 30) },
			"video", "mp4", "mp4 h264 320x240", at, mediaimport.TimeMvhd, 2900 * time.Millisecond, false},
		{"DSJ_0002.AVI", func(p string) error {
			return mediatest.AVI(p, mediatest.AVIOptions{Width: 64, Height: 48, FPS: 5, Frames: 10, IDIT: "SAT NOV 21 10:15:30 2026", ICRD: "2020-01-01", Sound: true})
		}, "video", "avi", "avi mjpeg 64x48 5fps + pcm_s16le 8000Hz 1ch", at, mediaimport.TimeIDIT, 2 * time.Second, true},
		{"DSJ_0003.AVI", func(p string) error {
			return mediatest.AVI(p, mediatest.AVIOptions{Width: 64, Height: 48, FPS: 25, Frames: 50, Codec: "H264", IDIT: "2026:11:21 10:15:30"})
		}, "video", "avi", "avi h264 64x48 25fps", at, mediaimport.TimeIDIT, 2 * time.Second, false},
		{"DSJ_0004.AVI", func(p string) error {
			return mediatest.AVI(p, mediatest.AVIOptions{Width: 64, Height: 48, FPS: 5, Frames: 5, ICRD: "2026-11-21 10:15:30"})
		}, "video", "avi", "avi mjpeg 64x48 5fps", at, mediaimport.TimeAVIInfo, time.Second, true},
		{"REC_0005.WAV", func(p string) error {
			return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 1, Samples: tone(16000), ICRD: "2026-11-21 10:15:30"})
		}, "audio", "wav", "wav pcm_s16le 8000Hz 1ch", at, mediaimport.TimeWAVInfo, 2 * time.Second, true},
		{"REC_0006.WAV", func(p string) error {
			return mediatest.WAV(p, mediatest.WAVOptions{Rate: 16000, Channels: 2, Samples: tone(32000), ICRD: "2020-01-01", BextDate: "2026-11-21", BextTime: "10-15-30"})
		}, "audio", "wav", "wav pcm_s16le 16000Hz 2ch", at, mediaimport.TimeBext, time.Second, true},
		{"REC_0007.WAV", func(p string) error {
			return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 1, Samples: tone(8000)})
		}, "audio", "wav", "wav pcm_s16le 8000Hz 1ch", modTime, mediaimport.TimeModified, time.Second, true},
		{"REC_0008.MP3", func(p string) error {
			return mediatest.MP3(p, mediatest.MP3Options{Version: 4, Frames: map[string]string{"TIT2": "询问录音", "TDRC": "2026-11-21T10:15:30"}, Seconds: 3})
		}, "audio", "mp3", "mp3 128kbps", at, mediaimport.TimeID3, 2979 * time.Millisecond, false},
		{"REC_0009.MP3", func(p string) error {
			return mediatest.MP3(p, mediatest.MP3Options{Version: 3, Frames: map[string]string{"TYER": "2026", "TDAT": "2111", "TIME": "1015"}, Seconds: 2})
		}, "audio", "mp3", "mp3 128kbps", at.Add(-30 * time.Second), mediaimport.TimeID3Year, 1978 * time.Millisecond, false},
		{"REC_0010.MP3", func(p string) error {
			return mediatest.MP3(p, mediatest.MP3Options{Version: 3, Frames: map[string]string{"TYER": "2026"}, Seconds: 1})
		}, "audio", "mp3", "mp3 128kbps", modTime, mediaimport.TimeModified, 0, false},
		{"NOTAG.MP3", func(p string) error { return mediatest.MP3(p, mediatest.MP3Options{Seconds: 1}) },
			"audio", "mp3", "mp3 128kbps", modTime, mediaimport.TimeModified, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, dir, tc.name, tc.make)
			p, err := mediaimport.ProbeFile(path, shanghai)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tc.kind || p.Container != tc.container || p.Format != tc.format || p.Playable != tc.playable {
				t.Errorf("probe %+v", p)
			}
			if !p.Recorded.Equal(tc.want) || p.TimeSource != tc.source {
				t.Errorf("recorded %v from %q, want %v from %q", p.Recorded, p.TimeSource, tc.want, tc.source)
			}
			if tc.duration != 0 && (p.Duration < tc.duration-150*time.Millisecond || p.Duration > tc.duration+150*time.Millisecond) {
				t.Errorf("duration %v, want %v", p.Duration, tc.duration)
			}
		})
	}
}

func newCase(t *testing.T) (*casefile.Log, string) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	// Sealed, as on a device: imported files are sealed into the store
	// and read back opened (the bundle's media).
	l, err := casefile.Open(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "T1", sealtest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "I1", ItemName: "检查",
		Party:    casefile.Party{Kind: "org", Name: "青禾市某公司", IDNo: "91990104MA0000003Z"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	return l, id
}

// Each refusal has its own code, records nothing and leaves the file as
// it was.
func TestImportRefusals(t *testing.T) {
	l, id := newCase(t)
	dir := t.TempDir()
	ctx := context.Background()
	target := mediaimport.Target{Log: l, Case: id, Author: "990101000001", Loc: shanghai}
	good := write(t, dir, "good.mp4", func(p string) error { return mediatest.MP4(p, time.Now(), 320, 240, 10, 20) })
	data, _ := os.ReadFile(good)
	cut := func(n int) func(string) error {
		return func(p string) error { return os.WriteFile(p, data[:n], 0o644) }
	}
	moov := bytes.Index(data, []byte("moov"))
	wav := write(t, dir, "whole.wav", func(p string) error {
		return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 1, Samples: tone(8000)})
	})
	wavData, _ := os.ReadFile(wav)
	avi := write(t, dir, "whole.avi", func(p string) error {
		return mediatest.AVI(p, mediatest.AVIOptions{Width: 32, Height: 32, FPS: 5, Frames: 5})
	})
	aviData, _ := os.ReadFile(avi)
	for _, tc := range []struct {
		name string
		make func(string) error
		code string
	}{
		{"notes.mp4", func(p string) error {
			return os.WriteFile(p, []byte("这是一份询问笔录，不是录像。\n"), 0o644)
		}, "not_media"},
		{"photo.wav", func(p string) error { return os.WriteFile(p, mediatest.Picture(16, 16, 0), 0o644) }, "not_media"},
		{"tag-only.mp3", func(p string) error {
			return os.WriteFile(p, append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), []byte("hello, this is text")...), 0o644)
		}, "not_media"},
		{"half.mp4", cut(len(data) / 2), "truncated"},
		{"no-moov.mp4", cut(moov - 4), "truncated"},
		{"cut-moov.mp4", cut(moov + 40), "truncated"},
		{"cut.wav", func(p string) error { return os.WriteFile(p, wavData[:len(wavData)-100], 0o644) }, "truncated"},
		{"cut.avi", func(p string) error { return os.WriteFile(p, aviData[:len(aviData)/2], 0o644) }, "truncated"},
		{"empty.mp4", func(p string) error { return os.WriteFile(p, nil, 0o644) }, "empty"},
		{"folder.mp4", func(p string) error { return os.Mkdir(p, 0o755) }, "not_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			it := target.File(ctx, path)
			if got := mediaimport.Code(it.Err); got != tc.code || it.Record != nil {
				t.Fatalf("code %q (%v), want %q", got, it.Err, tc.code)
			}
			if !strings.Contains(it.Err.Error(), tc.name) {
				t.Errorf("the error does not name the file: %v", it.Err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the refused file was changed")
			}
		})
	}
	// The good file goes in once; the second time it is refused as the
	// case's already.
	if it := target.File(ctx, good); it.Err != nil {
		t.Fatal(it.Err)
	}
	if it := target.File(ctx, good); mediaimport.Code(it.Err) != "duplicate" {
		t.Fatalf("a second import: %v", it.Err)
	}
	c, _ := l.Case(ctx, id)
	var media int
	for _, r := range c.Records {
		if r.Kind == casefile.KindMedia {
			media++
		}
	}
	if media != 1 {
		t.Fatalf("%d media records, want the good file's alone", media)
	}
	if !errors.Is(target.File(ctx, filepath.Join(dir, "missing.mp4")).Err, os.ErrNotExist) {
		t.Fatal("a missing file")
	}
}

// A camera's card: videos and recordings in DCIM-like folders beside its
// logs, thumbnails, hidden and system files, and a file cut short. Every
// good file is imported byte for byte with its time and the source of its
// time in the record; the bad one is refused without stopping the rest;
// the camera's files are left as they were; the case's bundle carries
// every original and verifies.
func TestFolderImportIntoBundle(t *testing.T) {
	l, id := newCase(t)
	card := t.TempDir()
	ctx := context.Background()
	at := time.Date(2026, 11, 21, 10, 15, 30, 0, shanghai)
	files := map[string]func(string) error{
		"DCIM/100MEDIA/VID_0001.MP4": func(p string) error { return mediatest.MP4(p, at, 320, 240, 10, 30) },
		"DCIM/100MEDIA/DSJ_0002.AVI": func(p string) error {
			return mediatest.AVI(p, mediatest.AVIOptions{Width: 64, Height: 48, FPS: 5, Frames: 10, IDIT: "SAT NOV 21 10:20:00 2026"})
		},
		"RECORD/REC_0003.WAV": func(p string) error {
			return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 1, Samples: tone(8000), ICRD: "2026-11-21 10:25:00"})
		},
		"RECORD/REC_0004.MP3": func(p string) error {
			return mediatest.MP3(p, mediatest.MP3Options{Version: 4, Frames: map[string]string{"TDRC": "2026-11-21T10:30:00"}, Seconds: 1})
		},
		"DCIM/100MEDIA/VID_0005.MP4":         func(p string) error { return os.WriteFile(p, []byte("\x00\x00\x00\x20ftypisom"), 0o644) },
		"DCIM/100MEDIA/VID_0001.THM":         func(p string) error { return os.WriteFile(p, mediatest.Picture(8, 8, 1), 0o644) },
		"DCIM/100MEDIA/._VID_0001.MP4":       func(p string) error { return os.WriteFile(p, []byte("mac"), 0o644) },
		"System Volume Information/IndexerV": func(p string) error { return os.WriteFile(p, []byte("x"), 0o644) },
		"LOG/DEVICE.LOG":                     func(p string) error { return os.WriteFile(p, []byte("boot"), 0o644) },
	}
	before := map[string][]byte{}
	for name, fn := range files {
		path := write(t, card, name, fn)
		before[name], _ = os.ReadFile(path)
	}
	s, err := mediaimport.Target{Log: l, Case: id, Author: "990101000001", Stage: "inspect", Loc: shanghai}.Folder(ctx, card)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Imported) != 4 || len(s.Refused) != 1 || s.Ignored != 3 {
		t.Fatalf("imported %d, refused %d, ignored %d", len(s.Imported), len(s.Refused), s.Ignored)
	}
	if r := s.Refused[0]; r.Name() != "VID_0005.MP4" || mediaimport.Code(r.Err) != "truncated" {
		t.Fatalf("refused %s: %v", r.Name(), r.Err)
	}
	for name, want := range before {
		if got, _ := os.ReadFile(filepath.Join(card, name)); !bytes.Equal(got, want) {
			t.Errorf("%s on the card was changed", name)
		}
	}
	c, err := l.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	wantTimes := map[string][2]string{
		"VID_0001.MP4": {"2026-11-21 10:15:30", mediaimport.TimeMvhd},
		"DSJ_0002.AVI": {"2026-11-21 10:20:00", mediaimport.TimeIDIT},
		"REC_0003.WAV": {"2026-11-21 10:25:00", mediaimport.TimeWAVInfo},
		"REC_0004.MP3": {"2026-11-21 10:30:00", mediaimport.TimeID3},
	}
	originals := map[string][]byte{}
	for _, r := range c.Records {
		b, ok := mediaimport.BodyOf(r)
		if !ok {
			continue
		}
		if b.Import == nil || len(b.Files) != 1 {
			t.Fatalf("record %+v", b)
		}
		f := b.Files[0]
		want, ok := wantTimes[f.Name]
		if !ok {
			t.Fatalf("unexpected record of %s", f.Name)
		}
		if got := b.Start.In(shanghai).Format("2006-01-02 15:04:05"); got != want[0] || b.Import.TimeSource != want[1] || b.Stage != "inspect" {
			t.Errorf("%s: recorded %s from %s, stage %q", f.Name, got, b.Import.TimeSource, b.Stage)
		}
		var orig []byte
		for name, data := range before {
			if filepath.Base(name) == f.Name {
				orig = data
			}
		}
		if f.Size != int64(len(orig)) || b.Import.Size != f.Size || b.Import.Source != f.Name || !b.Import.Modified.Equal(modTime) {
			t.Errorf("%s: size %d of %d, import %+v", f.Name, f.Size, len(orig), b.Import)
		}
		d, _ := casefile.ParseDigest(f.SHA256)
		if raw, _ := os.ReadFile(l.Media().Path(d)); len(orig) > 64 && bytes.Contains(raw, orig[len(orig)-64:]) {
			t.Errorf("%s: stored in plaintext", f.Name)
		}
		if mf, err := l.Media().Open(d); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		} else {
			stored, _ := io.ReadAll(mf)
			mf.Close()
			if !bytes.Equal(stored, orig) {
				t.Errorf("%s: the stored copy differs from the original", f.Name)
			}
		}
		if len(r.Media) != 1 || r.Media[0] != f.SHA256 {
			t.Errorf("%s: the record names media %v", f.Name, r.Media)
		}
		originals[f.SHA256] = orig
	}
	if len(originals) != 4 {
		t.Fatalf("%d records of imported files", len(originals))
	}

	// The bundle carries each original as it was, and verifies.
	var buf bytes.Buffer
	if err := l.Export(ctx, id, &buf, nil); err != nil {
		t.Fatal(err)
	}
	rep, _, err := casefile.VerifyBundle(bytes.NewReader(buf.Bytes()), int64(buf.Len()), l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Media != 4 {
		t.Fatalf("the bundle holds %d media files", rep.Media)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, zf := range zr.File {
		want, ok := originals[strings.TrimPrefix(zf.Name, "media/")]
		if !ok {
			continue
		}
		rc, _ := zf.Open()
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("%s in the bundle differs from the original", zf.Name)
		}
		found++
	}
	if found != 4 {
		t.Fatalf("%d originals in the bundle", found)
	}
}

// The player's readers: a camera's MJPEG AVI (JUNK, INFO, sound beside)
// frame by frame, and a WAV with bext and INFO before its sound.
func TestPlayersReadCameraLayouts(t *testing.T) {
	dir := t.TempDir()
	avi := write(t, dir, "a.avi", func(p string) error {
		return mediatest.AVI(p, mediatest.AVIOptions{Width: 32, Height: 24, FPS: 5, Frames: 6, Sound: true, ICRD: "2026-11-21"})
	})
	a, err := mediaimport.OpenAVI(avi)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if info := a.Info(); info != (mediaimport.AVIInfo{Width: 32, Height: 24, FPS: 5, Frames: 6}) {
		t.Fatalf("info %+v", info)
	}
	img, err := a.Frame(5)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, b, _ := img.At(3, 3).RGBA(); r>>8 < 190 || b>>8 > 60 {
		t.Fatalf("frame 5 is not frame 5's picture: %v", img.At(3, 3))
	}
	if _, err := a.Frame(6); err == nil {
		t.Fatal("a frame past the end")
	}
	// A camera that leaves the Huffman tables out of its frames.
	bare := write(t, dir, "bare.avi", func(p string) error {
		return mediatest.AVI(p, mediatest.AVIOptions{Width: 32, Height: 24, FPS: 5, Frames: 6, NoHuffman: true})
	})
	if data, _ := os.ReadFile(bare); bytes.Contains(data, []byte{0xFF, 0xC4}) {
		t.Fatal("the fixture's frames still have their tables")
	}
	b, err := mediaimport.OpenAVI(bare)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	img, err = b.Frame(5)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, b, _ := img.At(3, 3).RGBA(); r>>8 < 190 || b>>8 > 60 {
		t.Fatalf("frame 5 without tables: %v", img.At(3, 3))
	}
	wav := write(t, dir, "a.wav", func(p string) error {
		return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 2, Samples: tone(800), ICRD: "2026", BextDate: "2026-11-21", BextTime: "10:00:00"})
	})
	pcm, err := mediaimport.ReadPCM(wav)
	if err != nil {
		t.Fatal(err)
	}
	if pcm.Rate != 8000 || pcm.Channels != 2 || len(pcm.Samples) != 800 || pcm.Samples[3] != 2400 || pcm.Duration() != 50*time.Millisecond {
		t.Fatalf("pcm %d Hz %d ch %d samples", pcm.Rate, pcm.Channels, len(pcm.Samples))
	}
	mp3 := write(t, dir, "a.mp3", func(p string) error { return mediatest.MP3(p, mediatest.MP3Options{Seconds: 1}) })
	if _, err := mediaimport.ReadPCM(mp3); !errors.Is(err, mediaimport.ErrNotMedia) {
		t.Fatalf("an MP3 as PCM: %v", err)
	}
}

// No file, however damaged, panics or is taken for media without its
// container's structure.
func FuzzSniff(f *testing.F) {
	dir := f.TempDir()
	at := time.Date(2026, 11, 21, 10, 15, 30, 0, shanghai)
	for name, fn := range map[string]func(string) error{
		"a.mp4": func(p string) error { return mediatest.MP4(p, at, 320, 240, 10, 5) },
		"a.avi": func(p string) error {
			return mediatest.AVI(p, mediatest.AVIOptions{Width: 16, Height: 16, FPS: 5, Frames: 2, IDIT: "SAT NOV 21 10:15:30 2026", Sound: true})
		},
		"a.wav": func(p string) error {
			return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 1, Samples: tone(100), ICRD: "2026-11-21", BextDate: "2026-11-21", BextTime: "10:00:00"})
		},
		"a.mp3": func(p string) error {
			return mediatest.MP3(p, mediatest.MP3Options{Version: 4, Frames: map[string]string{"TDRC": "2026-11-21"}, Seconds: 0})
		},
	} {
		path := filepath.Join(dir, name)
		if err := fn(path); err != nil {
			f.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := mediaimport.Sniff(bytes.NewReader(data), int64(len(data)), shanghai)
		if err == nil && (p.Kind == "" || p.Container == "" || p.Format == "") {
			t.Fatalf("accepted without saying what it is: %+v", p)
		}
		if err != nil && mediaimport.Code(err) == "io" {
			t.Fatalf("an error without its code: %v", err)
		}
	})
}

// A damaged MP4 costs no more than its size: a sample table claiming
// four billion entries (which stalled the demuxer first tried for 50 s)
// and a track box claiming more than its movie box are read in a few
// kilobytes, and the second is refused as cut short.
func TestDamagedMP4CostsNoMoreThanItsSize(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "a.mp4", func(p string) error { return mediatest.MP4(p, time.Now(), 320, 240, 10, 30) })
	data, _ := os.ReadFile(path)
	stts := bytes.Index(data, []byte("stts"))
	huge := append([]byte{}, data...)
	copy(huge[stts+8:], []byte{0xFF, 0xFF, 0xFF, 0xF0}) // entry_count
	trak := bytes.Index(data, []byte("trak"))
	over := append([]byte{}, data...)
	copy(over[trak-4:], []byte{0x7F, 0xFF, 0xFF, 0xFF}) // the track's size
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{{"stts", huge, ""}, {"trak", over, "truncated"}} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		// A reader that trusted the counts would size its tables from them
		// (gigabytes here) and spin over them: the allocation says which.
		_, err := mediaimport.Sniff(bytes.NewReader(tc.data), int64(len(tc.data)), shanghai)
		runtime.ReadMemStats(&after)
		if mediaimport.Code(err) != tc.code {
			t.Errorf("%s: %v", tc.name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%s: %d bytes allocated to read %d bytes", tc.name, alloc, len(tc.data))
		}
	}
}
