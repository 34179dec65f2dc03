package officer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/describe"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport/mediatest"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// The officer records video with sound (null audio backend, synthetic
// camera) for the on-site inspection: the preview shows frames, the stage
// needing A/V is no longer flagged, the timeline lists the recording and
// the player steps through its frames and plays it; a photo from a phone
// is imported, and a file that is no photo is refused in words.
func TestOfficerRecordsVideoAndPlaysItBack(t *testing.T) {
	d, l := signedInWithCases(t)
	ui := uiQueue(d)
	d.SetCapture(&Capture{OpenAudio: func() (*capture.Audio, error) { return capture.OpenAudio(true) }, Cameras: []capture.Camera{&capture.Synthetic{}}})
	id := inspectedCase(t, l)
	c := d.Cases
	c.ShowCase(id)
	if len(c.Open.MissingAV(c.av)) != 1 {
		t.Fatalf("the inspection should lack its video: %v", c.Open.MissingAV(c.av))
	}
	c.ShowRecorder(true)
	f := c.recorder
	// The case's current stage is offered first.
	if f.Stage.Selected != "检查" {
		t.Fatalf("stage picked: %q", f.Stage.Selected)
	}
	// The null backend's microphone in words, not its driver's name.
	if len(f.Mic.Options) < 2 || f.Mic.Selected != "静音设备（只录无声，仅供测试）" || f.Camera.Selected == "" {
		t.Fatalf("mics %v, camera %q", f.Mic.Options, f.Camera.Selected)
	}
	if f.Format.Selected != "640×480，15 帧/秒" || len(f.Format.Options) != 3 {
		t.Fatalf("formats %v, chosen %q", f.Format.Options, f.Format.Selected)
	}
	test.Tap(f.StartButton)
	if f.Rec == nil {
		t.Fatalf("not recording: %q", f.Status.Text)
	}
	ui.run(1500 * time.Millisecond)
	test.Tap(f.PauseButton)
	// Paused, the button goes on: it shows play, not pause.
	if !f.Rec.Paused() || f.PauseButton.Text != "继续" || f.PauseButton.Icon.Name() != theme.MediaPlayIcon().Name() {
		t.Fatalf("pause: %q %s", f.PauseButton.Text, f.PauseButton.Icon.Name())
	}
	// Closing while paused asks first; going back keeps the recording.
	f.Close()
	if f.Confirm == nil || !strings.Contains(textOf(d.win.Canvas().Overlays().Top()), "尚未保存") {
		t.Fatal("closing a paused recording did not ask")
	}
	test.Tap(findButtonIn(d.win.Canvas().Overlays().Top(), "返回录制"))
	if f.Confirm != nil || f.Rec.Paused() != true {
		t.Fatal("going back to the recording")
	}
	test.Tap(f.PauseButton)
	if f.PauseButton.Icon.Name() != theme.MediaPauseIcon().Name() {
		t.Fatalf("recording again, the button shows %s", f.PauseButton.Icon.Name())
	}
	ui.run(700 * time.Millisecond)
	test.Tap(f.SnapButton)
	if !strings.Contains(f.Status.Text, "照片") {
		t.Fatalf("snapshot: %q", f.Status.Text)
	}
	test.Tap(f.StopButton)
	ui.until(t, func() bool {
		select {
		case <-f.Done:
			return true
		default:
			return false
		}
	})
	ui.until(t, func() bool { return c.Open != nil && len(c.Open.Records) == 4 })
	if miss := c.Open.MissingAV(c.av); len(miss) != 0 {
		t.Fatalf("still missing A/V: %v", miss)
	}
	var video capture.Recording
	for _, r := range c.Open.Records {
		if rec, ok := capture.RecordingOf(r); ok && rec.Kind == capture.KindVideo {
			video = rec
		}
	}
	if video.Stage != "inspect" || len(video.Files) != 2 || video.DurationMS < 1500 || !strings.Contains(video.Device, "mic: 静音设备") {
		t.Fatalf("video record %+v", video)
	}
	c.ShowPlayer(video)
	p := c.player
	if p.video == nil || p.samples == nil || p.info.Frames < 20 {
		t.Fatalf("player: frames %d, samples %d, %q", p.info.Frames, len(p.samples), p.Message.Text)
	}
	p.Next()
	p.Next()
	if p.Frame != 2 || p.Image.Image == nil {
		t.Fatalf("stepping: frame %d", p.Frame)
	}
	img := p.Image.Image
	if seq, _ := capture.MarkBits(img); seq == 0 {
		t.Fatal("frame 2 shows the camera's first frame")
	}
	p.Prev()
	if p.Frame != 1 {
		t.Fatalf("back: frame %d", p.Frame)
	}
	p.Play()
	ui.run(600 * time.Millisecond)
	ui.until(t, func() bool { return p.Frame > 1 })
	p.Pause()
	ui.run(200 * time.Millisecond)
	if p.Playing {
		t.Fatal("still playing")
	}
	p.dialog.Hide()

	// A photo from a phone, and a file that is no photo.
	if err := c.ImportPhotoFile(filepath.Join("..", "app", "capture", "testdata", "exif.jpg"), "inspect"); err != nil {
		t.Fatal(err)
	}
	err := c.ImportPhotoFile(filepath.Join("..", "go.mod"), "")
	if err == nil || !strings.Contains(mediaError(err), "不是可导入的照片") {
		t.Fatalf("a text file as a photo: %v", err)
	}
	c.ShowCase(id)
	if n := len(c.Open.Records); n != 5 {
		t.Fatalf("the case has %d records", n)
	}
	_, text := describe.Media(capture.Recording{Kind: capture.KindPhoto, Photo: &capture.PhotoInfo{Width: 320, Height: 240,
		Taken: time.Date(2026, 11, 20, 9, 41, 7, 0, time.Local)}, Files: []capture.File{{Name: "a.jpg", SHA256: strings.Repeat("a", 64)}}}, label)
	if !strings.Contains(text, "拍摄于 2026-11-20 09:41:07") {
		t.Fatalf("photo text %q", text)
	}
}

// testUI stands for the app's main loop: work the desk's goroutines post
// is queued and run on the test's goroutine, as fyne.Do runs it on the
// main goroutine in the app.
type testUI struct {
	mu sync.Mutex
	q  []func()
}

func uiQueue(d *Desk) *testUI {
	u := &testUI{}
	d.post = func(f func()) {
		u.mu.Lock()
		u.q = append(u.q, f)
		u.mu.Unlock()
	}
	return u
}

func (u *testUI) drain() {
	u.mu.Lock()
	q := u.q
	u.q = nil
	u.mu.Unlock()
	for _, f := range q {
		f()
	}
}

// run drains the queue for a while.
func (u *testUI) run(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		u.drain()
		time.Sleep(20 * time.Millisecond)
	}
	u.drain()
}

// until drains the queue until ok.
func (u *testUI) until(t *testing.T, ok func() bool) {
	t.Helper()
	for range 500 {
		u.drain()
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("timed out")
}

func TestPickFormatPrefersVGAAt15(t *testing.T) {
	for _, tc := range []struct {
		fs   []capture.Format
		want int
	}{
		{[]capture.Format{{Width: 1920, Height: 1080, FPS: 30}, {Width: 640, Height: 480, FPS: 30}, {Width: 640, Height: 480, FPS: 15}}, 2},
		{[]capture.Format{{Width: 1920, Height: 1080, FPS: 30}, {Width: 640, Height: 480, FPS: 30}}, 1},
		{[]capture.Format{{Width: 1920, Height: 1080, FPS: 30}, {Width: 1280, Height: 720, FPS: 30}}, 1},
		{[]capture.Format{{Width: 3840, Height: 2160, FPS: 30}}, 0},
	} {
		if got := pickFormat(tc.fs); got != tc.want {
			t.Errorf("%v: picked %d, want %d", tc.fs, got, tc.want)
		}
	}
}

// An officer plugs in a body camera and imports its whole card into an
// inspection: every video, recording and photo goes into the case with
// its recording time and where that time came from; a file cut short and
// a renamed text file are refused, each with its code, without stopping
// the rest; the card is left as it was. The evidence dialog lists the
// case's media with their times; the MJPEG AVI steps frame by frame in
// the app and the WAV plays; the MP4 goes to the system player as a
// read-only copy under its own name.
func TestOfficerImportsABodyCameraFolder(t *testing.T) {
	d, l := signedInWithCases(t)
	ui := uiQueue(d)
	d.win.Resize(fyne.NewSize(1280, 800))
	id := inspectedCase(t, l)
	card := t.TempDir()
	at := time.Date(2026, 11, 21, 10, 15, 30, 0, time.UTC)
	photo, err := os.ReadFile(filepath.Join("..", "app", "capture", "testdata", "exif.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join("..", "go.mod"))
	files := []struct {
		name string
		make func(string) error
	}{
		{"DCIM/100MEDIA/VID_0001.MP4", func(p string) error { return mediatest.MP4(p, at, 320, 240, 10, 30) }},
		{"DCIM/100MEDIA/DSJ_0002.AVI", func(p string) error {
			return mediatest.AVI(p, mediatest.AVIOptions{Width: 64, Height: 48, FPS: 5, Frames: 10, IDIT: "SAT NOV 21 10:20:00 2026", Sound: true})
		}},
		{"DCIM/100MEDIA/IMG_0003.JPG", func(p string) error { return os.WriteFile(p, photo, 0o644) }},
		{"DCIM/100MEDIA/VID_0004.MP4", func(p string) error {
			if err := mediatest.MP4(p, at, 320, 240, 10, 30); err != nil {
				return err
			}
			data, _ := os.ReadFile(p)
			return os.WriteFile(p, data[:len(data)-200], 0o644) // the power went while it was written
		}},
		{"DCIM/100MEDIA/NOTES.MP4", func(p string) error { return os.WriteFile(p, good, 0o644) }},
		{"DCIM/100MEDIA/VID_0001.THM", func(p string) error { return os.WriteFile(p, photo[:100], 0o644) }},
		{"RECORD/REC_0005.WAV", func(p string) error {
			s := make([]int16, 16000)
			for i := range s {
				s[i] = int16(i%50) * 300
			}
			return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 1, Samples: s, ICRD: "2026-11-21 10:25:00"})
		}},
		{"RECORD/REC_0006.MP3", func(p string) error {
			return mediatest.MP3(p, mediatest.MP3Options{Version: 4, Frames: map[string]string{"TDRC": "2026-11-21T10:30:00"}, Seconds: 2})
		}},
		{".Trashes/VID_0000.MP4", func(p string) error { return mediatest.MP4(p, at, 320, 240, 10, 3) }},
	}
	before := map[string][]byte{}
	for _, f := range files {
		p := filepath.Join(card, f.name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := f.make(p); err != nil {
			t.Fatal(err)
		}
		before[f.name], _ = os.ReadFile(p)
	}

	c := d.Cases
	c.ShowCase(id)
	e := c.ShowEvidence()
	if e.Stage.Selected != "检查" || e.FolderButton.Disabled() || len(e.Rows) != 0 {
		t.Fatalf("evidence dialog: stage %q, %d rows", e.Stage.Selected, len(e.Rows))
	}
	shelltest.Shot(t, d.win, "media-evidence-empty")
	e.dialog.Hide()
	m := c.ImportMedia("inspect", "", card)
	ui.until(t, func() bool {
		select {
		case <-m.Done:
			return true
		default:
			return false
		}
	})
	shelltest.Shot(t, d.win, "media-import-summary")
	if m.Err != nil {
		t.Fatal(m.Err)
	}
	want := []string{
		"已导入 5 个文件，未导入 2 个，跳过 1 个非录音录像照片或隐藏文件。",
		"× NOTES.MP4：不是可导入的录音录像文件：内容不是 MP4、MOV、AVI、WAV 或 MP3，可能是改了扩展名的其他文件。（代码 not_media）",
		"× VID_0004.MP4：文件不完整（录制时断电或拷贝未完成），未导入；原文件未改动，可在设备上修复后再导入。（代码 truncated）",
		"√ DSJ_0002.AVI：录像 00:00:02，录制于 2026-11-21 10:20:00（时间取自 AVI 文件 IDIT 记录）\n　avi mjpeg 64x48 5fps + pcm_s16le 8000Hz 1ch",
		"√ IMG_0003.JPG：照片",
		"√ VID_0001.MP4：录像 00:00:02，录制于 " + at.Local().Format("2006-01-02 15:04:05") + "（时间取自 MP4/MOV 文件头 mvhd）\n　mp4 h264 320x240",
		"√ REC_0005.WAV：录音 00:00:02，录制于 2026-11-21 10:25:00（时间取自 WAV 文件信息 ICRD）\n　wav pcm_s16le 8000Hz 1ch",
		"√ REC_0006.MP3：录音 00:00:01，录制于 2026-11-21 10:30:00（时间取自 MP3 标签 TDRC）\n　mp3 128kbps",
	}
	if strings.Join(m.Lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("summary:\n%s\nwant:\n%s", strings.Join(m.Lines, "\n"), strings.Join(want, "\n"))
	}
	for name, data := range before {
		if got, _ := os.ReadFile(filepath.Join(card, name)); !bytes.Equal(got, data) {
			t.Errorf("%s on the card was changed", name)
		}
	}
	// The case page shows the last file imported as saved.
	if c.Open == nil || len(c.Open.Records) != 7 || !strings.Contains(c.Notice.Text, "已保存") {
		t.Fatalf("case page after the import: %d records, notice %q", len(c.Open.Records), c.Notice.Text)
	}
	m.Result.Hide()

	e = c.ShowEvidence()
	shelltest.Shot(t, d.win, "media-list")
	if len(e.Rows) != 5 {
		t.Fatalf("%d media rows", len(e.Rows))
	}
	rows := map[string]*MediaRow{}
	for _, r := range e.Rows {
		rec, _ := capture.RecordingOf(r.Record)
		rows[rec.Files[0].Name] = r
	}
	for name, text := range map[string]string{
		"VID_0001.MP4": "录制于 " + at.Local().Format("2006-01-02 15:04:05") + "（时间取自 MP4/MOV 文件头 mvhd）",
		"DSJ_0002.AVI": "录制于 2026-11-21 10:20:00（时间取自 AVI 文件 IDIT 记录）",
		"REC_0005.WAV": "录制于 2026-11-21 10:25:00（时间取自 WAV 文件信息 ICRD）",
		"REC_0006.MP3": "录制于 2026-11-21 10:30:00（时间取自 MP3 标签 TDRC）",
		"IMG_0003.jpg": "（时间取自照片 EXIF）",
	} {
		r := rows[name]
		if r == nil || !strings.Contains(r.Text.Text, text) || r.Play.Disabled() {
			t.Errorf("%s: row %v", name, r)
		}
	}
	e.dialog.Hide()

	// The camera's MJPEG AVI plays in the app, frame by frame.
	rec, _ := capture.RecordingOf(rows["DSJ_0002.AVI"].Record)
	c.ShowPlayer(rec)
	p := c.player
	if p.video == nil || p.info.Frames != 10 || p.info.FPS != 5 {
		t.Fatalf("AVI player: %+v %q", p.info, p.Message.Text)
	}
	p.Next()
	p.Next()
	if p.Frame != 2 || p.Image.Image == nil || p.Image.Image.Bounds().Dx() != 64 {
		t.Fatalf("stepping the camera's video: frame %d", p.Frame)
	}
	p.dialog.Hide()
	// The recorder's WAV plays in the app.
	rec, _ = capture.RecordingOf(rows["REC_0005.WAV"].Record)
	c.ShowPlayer(rec)
	if p := c.player; len(p.samples) != 16000 || p.rate != 8000 || p.total != 2*time.Second {
		t.Fatalf("WAV player: %d samples at %d", len(p.samples), p.rate)
	}
	c.player.dialog.Hide()
	// The MP4 goes to the system player: a read-only copy, its own name.
	var opened []string
	systemOpen = func(path string) error { opened = append(opened, path); return nil }
	t.Cleanup(func() {
		for _, p := range opened {
			os.RemoveAll(filepath.Dir(p))
		}
	})
	rec, _ = capture.RecordingOf(rows["VID_0001.MP4"].Record)
	c.ShowPlayer(rec)
	p = c.player
	if p.video != nil || !strings.Contains(p.Message.Text, "请用系统播放器打开") || p.System == nil {
		t.Fatalf("MP4 player: %q", p.Message.Text)
	}
	test.Tap(p.System)
	if len(opened) != 1 || filepath.Base(opened[0]) != "VID_0001.MP4" || !strings.Contains(p.Message.Text, "系统播放器") {
		t.Fatalf("system player got %v: %q", opened, p.Message.Text)
	}
	if got, _ := os.ReadFile(opened[0]); !bytes.Equal(got, before["DCIM/100MEDIA/VID_0001.MP4"]) {
		t.Fatal("the system player's copy differs from the original")
	}
	if st, err := os.Stat(opened[0]); err != nil || st.Mode().Perm()&0o222 != 0 {
		t.Fatalf("the copy is writable: %v", st.Mode())
	}
	p.dialog.Hide()
	// The same card again: nothing is imported twice.
	m = c.ImportMedia("inspect", "", card)
	ui.until(t, func() bool {
		select {
		case <-m.Done:
			return true
		default:
			return false
		}
	})
	if len(m.Summary.Imported) != 1 || !strings.Contains(strings.Join(m.Lines, "\n"), "（代码 duplicate）") {
		t.Fatalf("a second import: %s", strings.Join(m.Lines, "\n"))
	}
}

// inspectedCase opens an inspection case of agency 01 on l and records its
// on-site inspection by two officers: a case for evidence to go with.
func inspectedCase(t *testing.T, l *casefile.Log) string {
	t.Helper()
	ctx := context.Background()
	two := []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "I1", ItemName: "检查",
		Party: casefile.Party{Kind: "org", Name: "青禾市某公司", IDNo: "91990104MA0000003Z"}, Officers: two})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "inspect", Officers: two}); err != nil {
		t.Fatal(err)
	}
	return id
}
