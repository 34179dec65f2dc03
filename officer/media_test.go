package officer

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/describe"
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
	ctx := context.Background()
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "I1", ItemName: "检查",
		Party:    casefile.Party{Kind: "org", Name: "青禾市某公司", IDNo: "91990104MA0000003Z"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "inspect",
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}}); err != nil {
		t.Fatal(err)
	}
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
	err = c.ImportPhotoFile(filepath.Join("..", "go.mod"), "")
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
