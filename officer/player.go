package officer

import (
	"fmt"
	"image"
	"image/draw"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/describe"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// PlayerForm is the open player, for tests: a video steps frame by frame
// or plays with its sound; audio plays; a photo shows.
type PlayerForm struct {
	Image      *canvas.Image
	Position   *widget.Slider
	Time       *widget.Label
	Message    *widget.Label
	Play       func()
	Pause      func()
	Next, Prev func()
	// Frame is the video frame on screen; Playing says whether it plays.
	Frame   int
	Playing bool

	video    frameSource
	info     capture.AVIInfo
	samples  []int16
	rate     int
	channels int
	// System hands the file to the system's player (every video and
	// audio; the only way for what the desk cannot play itself: MP4, MOV,
	// H.264 AVI, MP3).
	System *widget.Button
	total  time.Duration
	play   *capture.Playback
	stop   chan struct{}
	dialog dialog.Dialog
}

// ShowPlayer opens a media record's files.
func (c *Cases) ShowPlayer(rec capture.Recording) {
	c.d.touch()
	p := &PlayerForm{Time: widget.NewLabel(""), Message: widget.NewLabel("")}
	p.Message.Wrapping = fyne.TextWrapWord
	// The stored files are read through the media store, which opens
	// sealed evidence: nothing is written out in plaintext to play it.
	open := func(role string) (ledger.MediaFile, error) {
		for _, f := range rec.Files {
			if f.Role == role {
				d, err := casefile.ParseDigest(f.SHA256)
				if err != nil {
					return nil, err
				}
				return c.log.Media().Open(d)
			}
		}
		return nil, fmt.Errorf("no %s file: %w", role, ledger.ErrMediaMissing)
	}
	var body fyne.CanvasObject
	title := shell.L("media.kind." + rec.Kind)
	switch rec.Kind {
	case capture.KindPhoto:
		p.Image = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
		if data, err := readAll(open(capture.KindPhoto)); err != nil {
			p.Message.SetText(mediaError(err))
		} else {
			p.Image = canvas.NewImageFromResource(&fyne.StaticResource{StaticName: rec.Files[0].Name, StaticContent: data})
		}
		p.Image.FillMode = canvas.ImageFillContain
		p.Image.SetMinSize(fyne.NewSize(640, 480))
		_, text := describe.Media(rec, label)
		body = container.NewBorder(nil, container.NewVBox(p.Message, wrap(text)), nil, nil, p.Image)
	default:
		var notHere []string
		for _, f := range rec.Files {
			switch {
			case f.Role == capture.KindAudio && strings.HasPrefix(f.Format, "wav pcm_s16le"):
				pcm, err := readPCM(open(capture.KindAudio))
				if err != nil {
					p.Message.SetText(mediaError(err))
				} else {
					p.samples, p.rate, p.channels, p.total = pcm.Samples, pcm.Rate, pcm.Channels, pcm.Duration()
				}
			case f.Role == capture.KindVideo && strings.HasPrefix(f.Format, "avi mjpeg"):
				v, info, err := openMJPEG(open(capture.KindVideo))
				if err != nil {
					p.Message.SetText(mediaError(err))
				} else {
					p.video, p.info = v, info
					p.total = max(p.total, p.info.Duration())
				}
			default:
				notHere = append(notHere, f.Format)
			}
		}
		if len(notHere) > 0 && p.video == nil && p.samples == nil {
			p.Message.SetText(shell.L("media.not_in_app", map[string]any{"Format": strings.Join(notHere, "，")}))
			p.total = time.Duration(rec.DurationMS) * time.Millisecond
		}
		if len(rec.Files) > 0 {
			p.System = widget.NewButtonWithIcon(shell.L("media.open_system"), theme.ComputerIcon(), func() {
				if err := c.openWithSystem(rec.Files[0]); err != nil {
					p.Message.SetText(shell.L("media.err.open_system") + " " + err.Error())
					return
				}
				p.Message.SetText(shell.L("media.opened_system"))
			})
		}
		p.Image = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 640, 480)))
		p.Image.FillMode = canvas.ImageFillContain
		p.Image.ScaleMode = canvas.ImageScaleFastest
		if p.video != nil {
			p.Image.SetMinSize(fyne.NewSize(640, 480))
		} else {
			p.Image.SetMinSize(fyne.NewSize(480, 40))
		}
		steps := p.info.Frames
		if p.video == nil {
			steps = int(p.total / (100 * time.Millisecond))
		}
		p.Position = widget.NewSlider(0, float64(max(steps-1, 1)))
		p.Position.OnChanged = func(v float64) {
			if int(v) != p.Frame {
				p.Pause()
				p.show(int(v))
			}
		}
		p.Play = func() { c.d.touch(); p.start(c) }
		p.Pause = func() { p.halt() }
		p.Next = func() { p.Pause(); p.show(p.Frame + 1) }
		p.Prev = func() { p.Pause(); p.show(p.Frame - 1) }
		controls := container.NewHBox(
			widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), p.Prev),
			widget.NewButtonWithIcon(shell.L("media.play"), theme.MediaPlayIcon(), p.Play),
			widget.NewButtonWithIcon(shell.L("media.pause"), theme.MediaPauseIcon(), p.Pause),
			widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), p.Next), p.Time)
		if p.System != nil {
			controls.Add(p.System)
		}
		_, text := describe.Media(rec, label)
		body = container.NewBorder(nil, container.NewVBox(p.Position, controls, p.Message, wrap(text)), nil, nil, p.Image)
		p.show(0)
	}
	p.dialog = dialog.NewCustom(title, shell.L("media.close"), body, c.d.win)
	p.dialog.SetOnClosed(func() {
		p.halt()
		if p.video != nil {
			p.video.Close()
		}
	})
	p.dialog.Resize(fyne.NewSize(760, 720))
	p.dialog.Show()
	c.player = p
}

// at is the time of frame i (of a 10th of a second, without video).
func (p *PlayerForm) at(i int) time.Duration {
	if p.video != nil {
		return time.Duration(i) * time.Second / time.Duration(p.info.FPS)
	}
	return time.Duration(i) * 100 * time.Millisecond
}

// show puts frame i on screen.
func (p *PlayerForm) show(i int) {
	last := int(p.Position.Max)
	i = min(max(i, 0), last)
	p.Frame = i
	p.Time.SetText(describe.Clock(p.at(i)) + " / " + describe.Clock(p.total))
	if p.Position.Value != float64(i) {
		p.Position.Value = float64(i)
		p.Position.Refresh()
	}
	if p.video == nil {
		return
	}
	img, err := p.video.Frame(i)
	if err != nil {
		p.Message.SetText(mediaError(err))
		return
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	}
	p.Image.Image = rgba
	p.Image.Refresh()
}

// start plays from the frame on screen: the sound through the default
// output, the frames on the sound's clock (or the wall clock without it).
func (p *PlayerForm) start(c *Cases) {
	if p.Playing {
		return
	}
	if p.Frame >= int(p.Position.Max) {
		p.show(0)
	}
	p.Playing = true
	p.stop = make(chan struct{})
	from := p.at(p.Frame)
	began := time.Now()
	if p.samples != nil && c.d.capture != nil {
		if audio, err := c.d.capture.audioCtx(); err == nil {
			pb, err := audio.Play(p.samples, p.rate, max(p.channels, 1), int64(from)*int64(p.rate)/int64(time.Second))
			if err == nil {
				p.play = pb
			} else {
				p.Message.SetText(mediaError(err))
			}
		}
	}
	stop, pb := p.stop, p.play
	fps := 10
	if p.video != nil {
		fps = p.info.FPS
	}
	go func() {
		t := time.NewTicker(time.Second / time.Duration(fps))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			now := from + time.Since(began)
			if pb != nil {
				now = time.Duration(pb.Position()) * time.Second / time.Duration(p.rate)
			}
			frame := int(now * time.Duration(fps) / time.Second)
			c.d.post(func() {
				if !p.Playing {
					return
				}
				if frame > int(p.Position.Max) || now >= p.total {
					p.show(int(p.Position.Max))
					p.halt()
					return
				}
				p.show(frame)
			})
		}
	}()
}

// halt stops playing.
func (p *PlayerForm) halt() {
	if !p.Playing {
		return
	}
	p.Playing = false
	close(p.stop)
	if p.play != nil {
		p.play.Stop()
		p.play = nil
	}
}

// fileExists is for the timeline: a record whose file is not on this
// device (taken by another) cannot be played.
func fileExists(l *casefile.Log, sha string) bool {
	d, err := casefile.ParseDigest(sha)
	if err != nil {
		return false
	}
	return l.Media().Exists(d)
}

// readAll reads an opened media file whole (a photo) and closes it.
func readAll(f ledger.MediaFile, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, f.Size())
	if n, err := f.ReadAt(b, 0); err != nil && !(err == io.EOF && n == len(b)) {
		return nil, err
	}
	return b, nil
}

// readPCM reads an opened WAV's sound and closes the file.
func readPCM(f ledger.MediaFile, err error) (mediaimport.PCM, error) {
	if err != nil {
		return mediaimport.PCM{}, err
	}
	defer f.Close()
	return mediaimport.ReadPCMAt(f, f.Size())
}

// frameSource is a video the player steps through: the desk's own
// recordings, or a camera's MJPEG AVI.
type frameSource interface {
	Frame(i int) (image.Image, error)
	Close() error
}

// openMJPEG opens a stored MJPEG AVI: as the desk writes it, else in any
// layout a camera writes. The frame source closes f.
func openMJPEG(f ledger.MediaFile, err error) (frameSource, capture.AVIInfo, error) {
	if err != nil {
		return nil, capture.AVIInfo{}, err
	}
	if r, err := openCaptureAVI(f); err == nil {
		return r, r.Info(), nil
	}
	a, err := mediaimport.OpenAVIAt(f, f.Size())
	if err != nil {
		f.Close()
		return nil, capture.AVIInfo{}, err
	}
	return a, a.Info(), nil
}

// systemOpen hands a file to the system's player; tests replace it.
var systemOpen = func(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("cmd", "/c", "start", "", path)
	case "darwin":
		cmd = exec.Command("open", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go cmd.Wait() // the player runs on; its exit is its own
	return nil
}

// playName is a media file's name as the system player gets it: letters,
// digits, dots, dashes and underscores only (Windows' start reads the
// rest as commands), with the extension that tells the player its kind.
func playName(f casefile.MediaFile) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, filepath.Base(f.Name))
	if strings.Trim(name, "._") == "" {
		name = f.SHA256
	}
	return name
}

// playDir is where copies handed to the system player go: the one
// place evidence is written out in plaintext, removed when the desk quits
// and swept at its next start (SweepPlayCopies).
func playDir() string { return filepath.Join(os.TempDir(), "sanxiang-play") }

// SweepPlayCopies removes every copy handed to the system player: at the
// desk's start (a crash left them) and when it quits.
func SweepPlayCopies() error {
	dir := playDir()
	// The copies are read-only, which Windows will not delete as they are.
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			os.Chmod(p, 0o600)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove the system player's copies: %w", err)
	}
	return nil
}

// openWithSystem hands a read-only copy of a stored media file, under
// its own name, to the system's player: the store's file (named by its
// hash, with no extension, and sealed) is never given out. The copy is
// plaintext, under playDir.
func (c *Cases) openWithSystem(f casefile.MediaFile) error {
	d, err := casefile.ParseDigest(f.SHA256)
	if err != nil {
		return fmt.Errorf("open %s: %w", f.Name, err)
	}
	dir := filepath.Join(playDir(), f.SHA256[:16])
	dst := filepath.Join(dir, playName(f))
	if _, err := os.Stat(dst); err != nil {
		src, err := c.log.Media().Open(d)
		if err != nil {
			return fmt.Errorf("open %s: %w", f.Name, err)
		}
		err = copyReadOnly(src, dst)
		src.Close()
		if err != nil {
			return fmt.Errorf("open %s: %w", f.Name, err)
		}
	}
	if err := systemOpen(dst); err != nil {
		return fmt.Errorf("open %s: %w", f.Name, err)
	}
	return nil
}

func copyReadOnly(in ledger.MediaFile, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.NewSectionReader(in, 0, in.Size()))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o400)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
