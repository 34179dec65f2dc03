package officer

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/describe"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// Capture is what the desk records with: the audio system (opened when
// first needed) and the cameras.
type Capture struct {
	OpenAudio func() (*capture.Audio, error)
	Cameras   []capture.Camera

	once  sync.Once
	audio *capture.Audio
	err   error
}

func (k *Capture) audioCtx() (*capture.Audio, error) {
	k.once.Do(func() {
		if k.OpenAudio != nil {
			k.audio, k.err = k.OpenAudio()
		} else {
			k.err = capture.ErrNoAudio
		}
	})
	return k.audio, k.err
}

// SetCapture gives the desk its microphone and cameras.
func (d *Desk) SetCapture(k *Capture) { d.capture = k }

// RecorderForm is the open recording dialog, for tests.
type RecorderForm struct {
	Mic, Camera, Stage *widget.Select
	// Format is the camera's picture size and rate (640×480 at 15 chosen
	// when the camera offers it).
	Format             *widget.Select
	formats            []capture.Format
	Level              *LevelMeter
	Elapsed, Status    *widget.Label
	Preview            *canvas.Image
	StartButton        *widget.Button
	PauseButton        *widget.Button
	StopButton         *widget.Button
	SnapButton         *widget.Button
	Start, Pause, Stop func()
	Snapshot           func()
	// Close is the dialog's close button: while recording or paused it
	// asks first (Confirm) whether to stop and save.
	Close   func()
	Confirm *dialog.ConfirmDialog
	// Rec is the running recording; Done is closed when it is stopped and
	// recorded.
	Rec  *capture.Recorder
	Done chan struct{}

	mu     sync.Mutex
	last   *image.RGBA // the newest camera frame, for snapshots
	frames [2]*image.RGBA
	next   int
	shown  time.Time
	closed bool
	post   func(func()) // runs UI work from the recorder's goroutines
	// stopPreview ends the preview shown before recording.
	stopPreview context.CancelFunc
	dialog      dialog.Dialog
}

// mediaError says in words why recording failed.
func mediaError(err error) string {
	switch {
	case errors.Is(err, capture.ErrNoAudio):
		return shell.L("media.err.no_audio")
	case errors.Is(err, capture.ErrFormat):
		return shell.L("media.err.camera")
	case errors.Is(err, capture.ErrDiskFull):
		return shell.L("media.err.disk_full")
	case errors.Is(err, capture.ErrNotPhoto):
		return shell.L("media.err.not_photo")
	}
	if code := mediaimport.Code(err); code != "io" {
		return shell.L("media.import.err." + code)
	}
	if msg := shell.ClockError(err); msg != "" {
		return msg
	}
	return shell.L("error.generic") + " " + err.Error()
}

// stageOptions are the stages of the open case's procedure, to say which
// one a recording documents; the case's current stage is chosen (what is
// recorded is most often the work of the stage the case is at), the first
// for a case at none yet.
func (c *Cases) stageOptions() ([]string, []string, int) {
	cs := c.Open
	keys, labels := []string{""}, []string{shell.L("media.no_stage")}
	pick := 0
	for _, st := range cs.Procedure().Stages {
		keys = append(keys, st.Key)
		labels = append(labels, shell.L("stage."+st.Key))
		if st.Key == cs.Current {
			pick = len(keys) - 1
		}
	}
	if pick == 0 && len(keys) > 1 {
		pick = 1
	}
	return keys, labels, pick
}

// micLabel is a microphone as the officer reads it, and as its record
// names it: the system's software devices in words, a sound card by the
// first line of its name; never a driver's description.
func micLabel(m capture.AudioDevice) string {
	switch {
	case m.Silent:
		return shell.L("media.mic.silent")
	case m.Alias == "pulse" || m.Alias == "pipewire":
		return shell.L("media.mic.server")
	case m.Alias == "default" || m.Alias == "sysdefault":
		return shell.L("media.mic.default")
	case m.Alias != "":
		return shell.L("media.mic.other", map[string]any{"Name": strings.ToUpper(m.Alias)})
	}
	name, _, _ := strings.Cut(m.Name, "\n")
	return strings.TrimSpace(name)
}

// ShowRecorder opens the recording dialog: audio, or video from a camera
// with the sound beside it.
func (c *Cases) ShowRecorder(video bool) {
	if c.Open == nil {
		return
	}
	c.d.touch()
	k := c.d.capture
	if k == nil {
		k = &Capture{}
	}
	f := &RecorderForm{Level: NewLevelMeter(), Elapsed: widget.NewLabel("00:00:00"), Status: widget.NewLabel(""),
		Done: make(chan struct{}), post: c.d.post}
	f.Status.Wrapping = fyne.TextWrapWord
	keys, labels, pick := c.stageOptions()
	f.Stage = widget.NewSelect(labels, nil)
	f.Stage.SetSelectedIndex(pick)

	audio, aerr := k.audioCtx()
	var mics []capture.AudioDevice
	if aerr == nil {
		mics, aerr = audio.Inputs()
	}
	var micNames []string
	for i := range mics {
		// The record names the microphone as the officer chose it.
		mics[i].Name = micLabel(mics[i])
		micNames = append(micNames, mics[i].Name)
	}
	micNames = append(micNames, shell.L("media.no_mic"))
	f.Mic = widget.NewSelect(micNames, nil)
	f.Mic.SetSelectedIndex(0)
	if aerr != nil {
		f.Status.SetText(mediaError(aerr))
		f.Status.Importance = widget.WarningImportance
	}
	var camNames []string
	for _, cam := range k.Cameras {
		camNames = append(camNames, cameraLabel(cam))
	}
	f.Format = widget.NewSelect(nil, nil)
	f.Camera = widget.NewSelect(camNames, nil)
	f.Format.PlaceHolder = shell.L("form.pick")
	f.Camera.PlaceHolder = shell.L("form.pick")
	if video && len(camNames) == 0 {
		f.Camera.PlaceHolder = shell.L("media.err.no_camera")
		f.Camera.Disable()
		f.Format.Disable()
	}
	f.Preview = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 640, 480)))
	f.Preview.ScaleMode = canvas.ImageScaleFastest
	f.Preview.FillMode = canvas.ImageFillContain
	f.Preview.SetMinSize(fyne.NewSize(480, 360))

	stopped := false
	f.Start = func() {
		c.d.touch()
		if f.Rec != nil {
			return
		}
		cfg := capture.Config{Log: c.log, Case: c.Open.ID, Author: c.d.Me.ID, Stage: keyOf(keys, f.Stage.SelectedIndex()), Rate: c.d.cfg.AudioRate}
		if i := f.Mic.SelectedIndex(); aerr == nil && i >= 0 && i < len(mics) {
			cfg.Audio, cfg.Mic = audio, &mics[i]
		}
		if video {
			i, j := f.Camera.SelectedIndex(), f.Format.SelectedIndex()
			if i < 0 || i >= len(k.Cameras) || j < 0 || j >= len(f.formats) {
				f.Status.SetText(shell.L("media.err.no_camera"))
				return
			}
			if f.stopPreview != nil {
				f.stopPreview()
			}
			cfg.Camera, cfg.Format = k.Cameras[i], f.formats[j]
			cfg.OnFrame = f.showFrame
		}
		if cfg.Audio == nil && cfg.Camera == nil {
			f.Status.SetText(shell.L("media.err.no_audio"))
			return
		}
		r, err := capture.Start(context.Background(), cfg)
		if err != nil {
			f.Status.SetText(mediaError(err))
			f.Status.Importance = widget.DangerImportance
			f.Status.Refresh()
			return
		}
		f.mu.Lock()
		f.Rec = r
		f.mu.Unlock()
		f.Mic.Disable()
		f.Camera.Disable()
		f.Stage.Disable()
		f.StartButton.Disable()
		f.PauseButton.Enable()
		f.StopButton.Enable()
		f.Status.Importance = widget.DangerImportance
		f.Status.SetText(shell.L("media.recording"))
		go f.meter(c)
	}
	f.Pause = func() {
		c.d.touch()
		if f.Rec == nil {
			return
		}
		// The button shows what it does next: pause, or go on (play).
		if f.Rec.Paused() {
			f.Rec.Resume()
			f.PauseButton.SetText(shell.L("media.pause"))
			f.PauseButton.SetIcon(theme.MediaPauseIcon())
			f.Status.SetText(shell.L("media.recording"))
		} else {
			f.Rec.Pause()
			f.PauseButton.SetText(shell.L("media.resume"))
			f.PauseButton.SetIcon(theme.MediaPlayIcon())
			f.Status.SetText(shell.L("media.paused"))
		}
	}
	f.Stop = func() {
		if f.Rec == nil || stopped {
			f.dialog.Hide()
			return
		}
		stopped = true
		f.StopButton.Disable()
		f.PauseButton.Disable()
		f.Status.SetText(shell.L("media.saving"))
		go func() {
			recs, err := f.Rec.Stop()
			f.post(func() {
				close(f.Done)
				if err != nil {
					f.Status.SetText(mediaError(err) + "　" + shell.L("media.kept", map[string]any{"N": len(recs)}))
					f.Status.Importance = widget.DangerImportance
					f.Status.Refresh()
					return
				}
				f.dialog.Hide()
				var last *casefile.Record
				if len(recs) > 0 {
					last = recs[len(recs)-1]
				}
				c.showSaved(c.Open.ID, last)
			})
		}()
	}
	f.Snapshot = func() {
		c.d.touch()
		f.mu.Lock()
		img := f.last
		f.mu.Unlock()
		if img == nil {
			f.Status.SetText(shell.L("media.err.no_frame"))
			return
		}
		name := ""
		if i := f.Camera.SelectedIndex(); i >= 0 && i < len(k.Cameras) {
			name = k.Cameras[i].Name()
		}
		if _, err := capture.Snapshot(context.Background(), c.log, c.Open.ID, c.d.Me.ID, keyOf(keys, f.Stage.SelectedIndex()), img, name, c.now()); err != nil {
			f.Status.SetText(mediaError(err))
			return
		}
		f.Status.SetText(shell.L("media.photo_saved"))
	}
	f.StartButton = widget.NewButtonWithIcon(shell.L("media.start"), theme.MediaRecordIcon(), f.Start)
	f.StartButton.Importance = widget.DangerImportance
	f.PauseButton = widget.NewButtonWithIcon(shell.L("media.pause"), theme.MediaPauseIcon(), f.Pause)
	f.StopButton = widget.NewButtonWithIcon(shell.L("media.stop"), theme.MediaStopIcon(), f.Stop)
	f.PauseButton.Disable()
	f.StopButton.Disable()
	form := widget.NewForm(widget.NewFormItem(shell.L("media.stage"), f.Stage), widget.NewFormItem(shell.L("media.mic"), f.Mic))
	buttons := container.NewHBox(f.StartButton, f.PauseButton, f.StopButton)
	var body fyne.CanvasObject
	title := shell.L("media.record_audio")
	if video {
		title = shell.L("media.record_video")
		form.Append(shell.L("media.camera"), f.Camera)
		form.Append(shell.L("media.format"), f.Format)
		f.SnapButton = widget.NewButtonWithIcon(shell.L("media.snapshot"), theme.MediaPhotoIcon(), f.Snapshot)
		buttons.Add(f.SnapButton)
		meter := container.NewBorder(nil, nil, widget.NewLabel(shell.L("media.level")), nil, f.Level)
		body = container.NewBorder(form, container.NewVBox(meter, container.NewBorder(nil, nil, f.Elapsed, nil, f.Status), buttons), nil, nil, f.Preview)
		// The preview runs before recording starts, so the officer can aim;
		// choosing another camera or format restarts it.
		preview := func() {
			i, j := f.Camera.SelectedIndex(), f.Format.SelectedIndex()
			if f.Rec != nil || i < 0 || j < 0 || j >= len(f.formats) {
				return
			}
			if f.stopPreview != nil {
				f.stopPreview()
			}
			ctx, cancel := context.WithCancel(context.Background())
			f.stopPreview = cancel
			go f.previewBeforeRecording(ctx, k.Cameras[i], f.formats[j])
		}
		f.Camera.OnChanged = func(string) {
			i := f.Camera.SelectedIndex()
			f.formats = k.Cameras[i].Formats()
			var labels []string
			for _, x := range f.formats {
				labels = append(labels, shell.L("media.format_value", map[string]any{"W": x.Width, "H": x.Height, "FPS": x.FPS}))
			}
			f.Format.SetOptions(labels)
			f.Format.ClearSelected()
			if len(labels) > 0 {
				f.Format.SetSelectedIndex(pickFormat(f.formats))
			}
		}
		f.Format.OnChanged = func(string) { preview() }
		if len(camNames) > 0 {
			f.Camera.SetSelectedIndex(0)
		}
	} else {
		body = container.NewVBox(form, widget.NewLabel(shell.L("media.level")), f.Level, container.NewBorder(nil, nil, f.Elapsed, nil, f.Status), buttons)
	}
	f.dialog = dialog.NewCustomWithoutButtons(title, body, c.d.win)
	f.Close = func() {
		if f.Rec != nil && !stopped {
			// Recording or paused: closing stops and saves, so it asks.
			msg := shell.L("media.close_recording")
			if f.Rec.Paused() {
				msg = shell.L("media.close_paused")
			}
			f.Confirm = dialog.NewConfirm(shell.L("media.close_title"), msg, func(ok bool) {
				f.Confirm = nil
				if ok {
					f.Stop()
				}
			}, c.d.win)
			f.Confirm.SetConfirmText(shell.L("media.stop"))
			f.Confirm.SetDismissText(shell.L("media.go_on"))
			f.Confirm.Show()
			return
		}
		f.dialog.Hide()
	}
	close := widget.NewButtonWithIcon(shell.L("media.close"), theme.CancelIcon(), func() { f.Close() })
	f.dialog.(*dialog.CustomDialog).SetButtons([]fyne.CanvasObject{close})
	f.dialog.SetOnClosed(func() {
		f.mu.Lock()
		f.closed = true
		f.mu.Unlock()
		if f.stopPreview != nil {
			f.stopPreview()
		}
	})
	if video {
		f.dialog.Resize(fyne.NewSize(720, 680))
	} else {
		f.dialog.Resize(fyne.NewSize(520, 320))
	}
	f.dialog.Show()
	c.recorder = f
}

// pickFormat chooses 640×480 at 15 frames a second if the camera offers
// it (what the encoding is measured at), else 640×480 at any rate, else
// the first no wider than 1280.
func pickFormat(fs []capture.Format) int {
	for _, want := range []func(capture.Format) bool{
		func(x capture.Format) bool { return x == capture.Format{Width: 640, Height: 480, FPS: 15} },
		func(x capture.Format) bool { return x.Width == 640 && x.Height == 480 },
		func(x capture.Format) bool { return x.Width <= 1280 },
	} {
		for i, x := range fs {
			if want(x) {
				return i
			}
		}
	}
	return 0
}

func cameraLabel(cam capture.Camera) string {
	if cam.Name() == "synthetic" {
		return shell.L("media.synthetic_camera")
	}
	return cam.Name()
}

// previewBeforeRecording shows the camera until recording starts (which
// takes the camera over) or the dialog closes.
func (f *RecorderForm) previewBeforeRecording(ctx context.Context, cam capture.Camera, format capture.Format) {
	ctx, cancel := context.WithCancel(ctx)
	frames, err := cam.Start(ctx, format)
	if err != nil {
		cancel()
		return
	}
	for fr := range frames {
		f.showFrame(fr.Image)
		f.mu.Lock()
		stop := f.Rec != nil || f.closed
		f.mu.Unlock()
		if stop {
			break
		}
	}
	cancel()
}

// showFrame copies a camera frame into the preview's back buffer and
// swaps it in on the UI thread, at most 15 times a second.
func (f *RecorderForm) showFrame(img *image.RGBA) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = img
	if time.Since(f.shown) < 60*time.Millisecond {
		return
	}
	f.shown = time.Now()
	buf := f.frames[f.next]
	if buf == nil || buf.Bounds() != img.Bounds() {
		buf = image.NewRGBA(img.Bounds())
		f.frames[f.next] = buf
	}
	draw.Draw(buf, buf.Bounds(), img, img.Bounds().Min, draw.Src)
	f.next = 1 - f.next
	f.post(func() {
		f.Preview.Image = buf
		f.Preview.Refresh()
	})
}

// meter shows the level, the time recorded and a low-disk warning until
// the recording stops; a recording that stops by itself (the disk full)
// is finished as the stop button would, and says why.
func (f *RecorderForm) meter(c *Cases) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-f.Done:
			return
		case <-f.Rec.Done():
			f.post(f.Stop)
			return
		case <-t.C:
		}
		level, el, low := f.Rec.Level(), f.Rec.Elapsed(), f.Rec.LowDisk()
		f.post(func() {
			f.Level.SetValue(min(1, level*2)) // speech sits around a quarter of full scale
			f.Elapsed.SetText(describe.Clock(el))
			if low {
				f.Status.SetText(shell.L("media.low_disk"))
				f.Status.Importance = widget.WarningImportance
				f.Status.Refresh()
			}
			if n%50 == 0 {
				c.d.touch() // recording is work: the desk does not lock under it
			}
		})
	}
}

// label is shell.L as describe wants it.
func label(key string, data ...map[string]any) string {
	if len(data) > 0 {
		return shell.L(key, data[0])
	}
	return shell.L(key)
}

// ImportPhotos opens the evidence import (the case page's button).
func (c *Cases) ImportPhotos() { c.ShowEvidence() }

// ImportPhotoDialog asks for a photo file and adds it to the case as it is.
func (c *Cases) ImportPhotoDialog(stage string) {
	if c.Open == nil {
		return
	}
	c.d.touch()
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		rec, err := c.importPhoto(path, stage)
		if err != nil {
			dialog.ShowError(errors.New(mediaError(err)), c.d.win)
			return
		}
		c.showSaved(c.Open.ID, rec)
	}, c.d.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".JPG", ".JPEG", ".png", ".PNG"}))
	fd.Resize(fyne.NewSize(800, 560))
	fd.Show()
}

// ImportPhotoFile adds one photo file to the open case.
func (c *Cases) ImportPhotoFile(path, stage string) error {
	_, err := c.importPhoto(path, stage)
	return err
}

func (c *Cases) importPhoto(path, stage string) (*casefile.Record, error) {
	return capture.ImportPhoto(context.Background(), c.log, c.Open.ID, c.d.Me.ID, stage, path)
}

// EvidenceForm is the open evidence dialog, for tests: what to import
// (photos, a video or audio file, a whole folder from a body camera or a
// phone) for which stage, and the case's media with their recording
// times.
type EvidenceForm struct {
	Stage                                 *widget.Select
	PhotoButton, FileButton, FolderButton *widget.Button
	// Rows are the case's media records, oldest first.
	Rows   []*MediaRow
	dialog dialog.Dialog
}

// MediaRow is one media record in the evidence dialog's list.
type MediaRow struct {
	Record casefile.Record
	// Text says what it is, its files, when it was recorded and where
	// that time came from.
	Text         *widget.Label
	Play, System *widget.Button
}

// ShowEvidence opens the evidence dialog.
func (c *Cases) ShowEvidence() *EvidenceForm {
	if c.Open == nil {
		return nil
	}
	c.d.touch()
	f := &EvidenceForm{}
	keys, labels, pick := c.stageOptions()
	f.Stage = widget.NewSelect(labels, nil)
	f.Stage.SetSelectedIndex(pick)
	stage := func() string { return keyOf(keys, f.Stage.SelectedIndex()) }
	writable := c.Open.Pending == nil
	f.PhotoButton = widget.NewButtonWithIcon(shell.L("media.import.photos"), theme.MediaPhotoIcon(), func() {
		f.dialog.Hide()
		c.ImportPhotoDialog(stage())
	})
	f.FileButton = widget.NewButtonWithIcon(shell.L("media.import.file"), theme.MediaVideoIcon(), func() {
		f.dialog.Hide()
		c.importFileDialog(stage())
	})
	f.FolderButton = widget.NewButtonWithIcon(shell.L("media.import.folder"), theme.FolderOpenIcon(), func() {
		f.dialog.Hide()
		c.importFolderDialog(stage())
	})
	f.FolderButton.Importance = widget.HighImportance
	if !writable {
		f.PhotoButton.Disable()
		f.FileButton.Disable()
		f.FolderButton.Disable()
	}
	hint := widget.NewLabel(shell.L("media.import.hint"))
	hint.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(widget.NewForm(widget.NewFormItem(shell.L("media.stage"), f.Stage)),
		container.NewHBox(f.FolderButton, f.FileButton, f.PhotoButton), hint, widget.NewSeparator())
	list := container.NewVBox()
	for _, r := range c.Open.Records {
		rec, ok := capture.RecordingOf(r)
		if !ok {
			continue
		}
		row := c.mediaRow(r, rec)
		f.Rows = append(f.Rows, row)
		list.Add(container.NewBorder(nil, nil, nil, container.NewVBox(row.Play, row.System), row.Text))
	}
	title := widget.NewLabelWithStyle(shell.L("media.list.title", map[string]any{"N": len(f.Rows)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if len(f.Rows) == 0 {
		list.Add(widget.NewLabel(shell.L("media.list.empty")))
	}
	body := container.NewBorder(container.NewVBox(top, title), nil, nil, nil, container.NewVScroll(list))
	f.dialog = dialog.NewCustom(shell.L("media.import.title"), shell.L("media.close"), body, c.d.win)
	f.dialog.Resize(fyne.NewSize(900, 640))
	f.dialog.Show()
	return f
}

// mediaRow describes a media record with its recording time and the
// time's source, and the buttons that play it.
func (c *Cases) mediaRow(r casefile.Record, rec capture.Recording) *MediaRow {
	row := &MediaRow{Record: r}
	what, text := describe.Media(rec, label)
	at, source := rec.Start, shell.L("media.time_source.device")
	if b, ok := mediaimport.BodyOf(r); ok && b.Import != nil {
		source = shell.L("media.time_source." + b.Import.TimeSource)
	} else if rec.Kind == capture.KindPhoto && rec.Photo != nil {
		source = shell.L("media.time_source.file_time")
		if !rec.Photo.Taken.IsZero() {
			source = shell.L("media.time_source.exif")
		}
		if rec.Photo.Source == "snapshot" {
			source = shell.L("media.time_source.device")
		}
	}
	when := shell.L("media.recorded_at", map[string]any{"At": at.Local().Format("2006-01-02 15:04:05"), "Source": source})
	if rec.Kind == capture.KindPhoto {
		when = shell.L("media.taken", map[string]any{"At": at.Local().Format("2006-01-02 15:04:05")}) + "（" + source + "）"
	}
	no := shell.L("case.record_no", map[string]any{"N": c.Open.Number(r.Ref())})
	row.Text = wrap(no + "　" + what + "　" + when + "\n" + text)
	stored := len(rec.Files) > 0 && fileExists(c.log, rec.Files[0].SHA256)
	play := shell.L("media.play")
	if rec.Kind == capture.KindPhoto {
		play = shell.L("media.view")
	}
	row.Play = widget.NewButtonWithIcon(play, theme.MediaPlayIcon(), func() { c.ShowPlayer(rec) })
	row.System = widget.NewButtonWithIcon(shell.L("media.open_system"), theme.ComputerIcon(), func() {
		if len(rec.Files) == 0 {
			return
		}
		if err := c.openWithSystem(rec.Files[0]); err != nil {
			dialog.ShowError(errors.New(shell.L("media.err.open_system")+" "+err.Error()), c.d.win)
		}
	})
	if rec.Kind == capture.KindPhoto {
		row.System.Hide() // a photo shows in the app
	}
	if !stored {
		row.Play.Disable()
		row.System.Disable()
	}
	return row
}

// mediaExtensions are the files the single-file import offers.
var mediaExtensions = []string{".mp4", ".MP4", ".mov", ".MOV", ".3gp", ".3GP", ".avi", ".AVI", ".m4a", ".M4A", ".wav", ".WAV", ".mp3", ".MP3"}

func (c *Cases) importFileDialog(stage string) {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		c.ImportMedia(stage, path, "")
	}, c.d.win)
	fd.SetFilter(storage.NewExtensionFileFilter(mediaExtensions))
	fd.Resize(fyne.NewSize(800, 560))
	fd.Show()
}

func (c *Cases) importFolderDialog(stage string) {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		c.ImportMedia(stage, "", u.Path())
	}, c.d.win)
	fd.Resize(fyne.NewSize(800, 560))
	fd.Show()
}

// MediaImport is an import under way, for tests: Done is closed when it
// has finished and its summary is on screen.
type MediaImport struct {
	Done    chan struct{}
	Summary mediaimport.Summary
	Err     error
	// Progress says which file is being read.
	Progress *widget.Label
	// Lines are the summary's lines: the counts, then a line a file.
	Lines []string
	// Result is the summary dialog.
	Result   dialog.Dialog
	progress dialog.Dialog
}

// ImportMedia imports a video or audio file (path), or every video,
// audio and photo file under a folder (dir), into the open case for a
// stage, away from the screen's thread; the case page then shows what
// was added and a summary says each file's time and its source, or why
// it was refused.
func (c *Cases) ImportMedia(stage, path, dir string) *MediaImport {
	m := &MediaImport{Done: make(chan struct{}), Progress: widget.NewLabel(shell.L("media.import.reading"))}
	if c.Open == nil {
		close(m.Done)
		return m
	}
	c.d.touch()
	caseID, me := c.Open.ID, c.d.Me.ID
	t := mediaimport.Target{Log: c.log, Case: caseID, Author: me, Stage: stage,
		Photo: func(ctx context.Context, p string) (*casefile.Record, error) {
			return capture.ImportPhoto(ctx, c.log, caseID, me, stage, p)
		},
		OnFile: func(i, n int, p string) {
			c.d.post(func() {
				m.Progress.SetText(shell.L("media.import.progress", map[string]any{"I": i, "N": n, "Name": filepath.Base(p)}))
			})
		}}
	bar := widget.NewProgressBarInfinite()
	m.progress = dialog.NewCustomWithoutButtons(shell.L("media.import.title"), container.NewVBox(m.Progress, bar), c.d.win)
	m.progress.Show()
	go func() {
		var s mediaimport.Summary
		var err error
		if dir != "" {
			s, err = t.Folder(context.Background(), dir)
		} else {
			s.Dir = filepath.Dir(path)
			it := t.File(context.Background(), path)
			if it.Err != nil {
				s.Refused = append(s.Refused, it)
			} else {
				s.Imported = append(s.Imported, it)
			}
		}
		c.d.post(func() {
			bar.Stop()
			m.progress.Hide()
			m.Summary, m.Err = s, err
			if c.Open != nil && c.Open.ID == caseID {
				c.showSaved(caseID, s.Last())
			}
			m.show(c)
			close(m.Done)
		})
	}()
	return m
}

// show puts the import's summary on screen.
func (m *MediaImport) show(c *Cases) {
	s := m.Summary
	m.Lines = []string{shell.L("media.import.summary", map[string]any{"N": len(s.Imported), "R": len(s.Refused), "I": s.Ignored})}
	if m.Err != nil {
		m.Lines = append(m.Lines, shell.L("media.import.err.io")+" "+m.Err.Error())
	}
	// What was refused comes first: it is what the officer must see to.
	for _, it := range s.Refused {
		code, why := refusal(it.Err)
		m.Lines = append(m.Lines, shell.L("media.import.refused", map[string]any{"Name": it.Name(), "Why": why, "Code": code}))
	}
	good := len(m.Lines)
	for _, it := range s.Imported {
		m.Lines = append(m.Lines, importedLine(it))
	}
	box := container.NewVBox()
	for i, line := range m.Lines {
		l := wrap(line)
		if i > 0 {
			l.Wrapping = fyne.TextWrapBreak // Chinese runs on without spaces to break at
		}
		switch {
		case i == 0:
			l.TextStyle.Bold = true
		case i < good:
			l.Importance = widget.DangerImportance
		}
		box.Add(l)
	}

	if s.Dir != "" {
		box.Add(wrap(shell.L("media.import.from", map[string]any{"Dir": s.Dir})))
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(760, 360))
	m.Result = dialog.NewCustom(shell.L("media.import.summary_title"), shell.L("media.close"), scroll, c.d.win)
	m.Result.Show()
}

// importedLine says what an imported file is and when it was recorded.
func importedLine(it mediaimport.Item) string {
	if it.Kind == capture.KindPhoto {
		return shell.L("media.import.ok_photo", map[string]any{"Name": it.Name()})
	}
	p := it.Probe
	return shell.L("media.import.ok", map[string]any{"Name": it.Name(), "What": shell.L("media.kind." + p.Kind),
		"Length": describe.Clock(p.Duration), "Format": p.Format,
		"At": p.Recorded.Local().Format("2006-01-02 15:04:05"), "Source": shell.L("media.time_source." + p.TimeSource)})
}

// refusal is a refused file's stable code and its words.
func refusal(err error) (string, string) {
	if errors.Is(err, capture.ErrNotPhoto) {
		return "not_photo", shell.L("media.err.not_photo")
	}
	code := mediaimport.Code(err)
	if code == "io" {
		return code, shell.L("media.import.err.io") + " " + err.Error()
	}
	return code, shell.L("media.import.err." + code)
}
