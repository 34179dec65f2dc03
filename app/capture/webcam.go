package capture

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"sort"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/driver"
	_ "github.com/pion/mediadevices/pkg/driver/camera" // V4L2 on Linux, DirectShow on Windows
	"github.com/pion/mediadevices/pkg/prop"
)

// Webcam is a camera of the system, through github.com/pion/mediadevices
// (V4L2 on Linux, DirectShow on Windows).
type Webcam struct {
	d      driver.Driver
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Webcams lists the system's cameras.
func Webcams() []Camera {
	var out []Camera
	for _, d := range driver.GetManager().Query(driver.FilterVideoRecorder()) {
		out = append(out, &Webcam{d: d})
	}
	return out
}

// Name is the camera's name as the system gives it.
func (w *Webcam) Name() string {
	if n := w.d.Info().Name; n != "" {
		return n
	}
	return w.d.Info().Label
}

// Formats lists what the camera delivers (asked of it once opened).
func (w *Webcam) Formats() []Format {
	if closed := w.d.Status() == driver.StateClosed; closed {
		if err := w.d.Open(); err != nil {
			return nil
		}
		defer w.d.Close()
	}
	seen := map[Format]bool{}
	var out []Format
	for _, p := range w.d.Properties() {
		f := Format{p.Width, p.Height, int(p.FrameRate + 0.5)}
		if f.FPS <= 0 {
			f.FPS = 15
		}
		if f.Width > 0 && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Width != out[j].Width {
			return out[i].Width < out[j].Width
		}
		return out[i].FPS < out[j].FPS
	})
	return out
}

// Start opens the camera and delivers its frames, converted to RGBA. A
// camera that cannot deliver the size asked for is refused (ErrFormat).
func (w *Webcam) Start(ctx context.Context, f Format) (<-chan Frame, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		w.cancel()
		<-w.done
	}
	if err := w.d.Open(); err != nil {
		return nil, fmt.Errorf("capture: open camera %s: %w", w.Name(), err)
	}
	rec, ok := w.d.(driver.VideoRecorder)
	if !ok {
		w.d.Close()
		return nil, ErrFormat
	}
	r, err := rec.VideoRecord(prop.Media{Video: prop.Video{Width: f.Width, Height: f.Height, FrameRate: float32(f.FPS)}})
	if err != nil {
		w.d.Close()
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	w.cancel, w.done = cancel, make(chan struct{})
	out := make(chan Frame, 2)
	done := w.done
	go func() {
		defer close(done)
		defer close(out)
		defer w.d.Close()
		for seq := int64(0); ctx.Err() == nil; seq++ {
			img, release, err := r.Read()
			if err != nil {
				return
			}
			at := time.Now()
			rgba := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
			draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
			if release != nil {
				release()
			}
			if rgba.Bounds().Dx() != f.Width || rgba.Bounds().Dy() != f.Height {
				continue // the AVI's size is fixed
			}
			select {
			case out <- Frame{Image: rgba, At: at, Seq: seq}:
			case <-ctx.Done():
				return
			default: // the consumer is behind: drop, the recorder fills by time
			}
		}
	}()
	return out, nil
}

// Close stops the frames and releases the camera.
func (w *Webcam) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
	return nil
}
