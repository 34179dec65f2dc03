package capture

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"strconv"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Format is a size and frame rate a camera delivers.
type Format struct {
	Width, Height, FPS int
}

// Frame is one picture from a camera. The image belongs to the receiver:
// the camera never writes to it again.
type Frame struct {
	Image *image.RGBA
	At    time.Time
	Seq   int64
}

// Camera is a source of frames: a webcam, or the synthetic pattern tests
// and the demo record.
type Camera interface {
	Name() string
	Formats() []Format
	// Start delivers frames of the format until ctx ends or Close; the
	// channel is closed then.
	Start(ctx context.Context, f Format) (<-chan Frame, error)
	Close() error
}

// ErrFormat is a format the camera does not deliver.
var ErrFormat = errors.New("capture: the camera does not deliver this format")

// Synthetic is a camera that draws a moving pattern with the frame's
// number and time on it. It also writes both as rows of black and white
// blocks (MarkBits), which survive JPEG, so a test reads them back from
// a recording.
type Synthetic struct {
	// Now gives frame times; time.Now if nil.
	Now    func() time.Time
	mu     sync.Mutex
	cancel context.CancelFunc
}

// Name names it.
func (s *Synthetic) Name() string { return "synthetic" }

// Formats lists VGA and 720p at 15 and 30 frames a second.
func (s *Synthetic) Formats() []Format {
	return []Format{{640, 480, 15}, {640, 480, 30}, {1280, 720, 15}}
}

// Start draws frames at the format's rate.
func (s *Synthetic) Start(ctx context.Context, f Format) (<-chan Frame, error) {
	ok := false
	for _, x := range s.Formats() {
		ok = ok || x == f
	}
	if !ok {
		return nil, ErrFormat
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	out := make(chan Frame, 2)
	go func() {
		defer close(out)
		t := time.NewTicker(time.Second / time.Duration(f.FPS))
		defer t.Stop()
		var start time.Time
		for seq := int64(0); ; seq++ {
			at := now()
			if seq == 0 {
				start = at
			}
			img := image.NewRGBA(image.Rect(0, 0, f.Width, f.Height))
			DrawPattern(img, seq, at.Sub(start))
			select {
			case out <- Frame{Image: img, At: at, Seq: seq}:
			case <-ctx.Done():
				return
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// Close stops the frames.
func (s *Synthetic) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
	}
	return nil
}

// Mark geometry: two rows of 32 blocks at the bottom of the picture.
const (
	markBits = 32
	markRows = 2
)

func markBlock(img image.Rectangle) (int, int) {
	w := img.Dx() / markBits
	return w, w
}

// DrawPattern draws the synthetic picture: colour bars moving with the
// frame number, the number and time in text, and both as block rows.
func DrawPattern(img *image.RGBA, seq int64, since time.Duration) {
	b := img.Bounds()
	bars := []color.RGBA{{235, 235, 235, 255}, {230, 200, 20, 255}, {20, 200, 210, 255}, {30, 190, 40, 255},
		{200, 40, 190, 255}, {210, 40, 30, 255}, {30, 40, 200, 255}, {25, 25, 25, 255}}
	barW := b.Dx() / len(bars)
	shift := int(seq*8) % b.Dx()
	for x := 0; x < b.Dx(); x++ {
		c := bars[((x+shift)%b.Dx())/barW%len(bars)]
		for y := 0; y < b.Dy()*2/3; y++ {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
		}
	}
	draw.Draw(img, image.Rect(0, b.Dy()*2/3, b.Dx(), b.Dy()), image.NewUniform(color.RGBA{40, 40, 40, 255}), image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.White), Face: basicfont.Face7x13,
		Dot: fixed.P(12, b.Dy()*2/3+24)}
	d.DrawString("SANXIANG TEST  frame " + strconv.FormatInt(seq, 10) + "  t=" + since.Truncate(time.Millisecond).String())
	ms := uint32(since / time.Millisecond)
	drawBits(img, 0, uint32(seq))
	drawBits(img, 1, ms)
}

func drawBits(img *image.RGBA, row int, v uint32) {
	b := img.Bounds()
	w, h := markBlock(b)
	y0 := b.Dy() - (markRows-row)*h
	for i := range markBits {
		c := color.RGBA{0, 0, 0, 255}
		if v&(1<<(markBits-1-i)) != 0 {
			c = color.RGBA{255, 255, 255, 255}
		}
		draw.Draw(img, image.Rect(i*w, y0, (i+1)*w, y0+h), image.NewUniform(c), image.Point{}, draw.Src)
	}
}

// MarkBits reads the frame number and the milliseconds since the first
// frame back from a picture DrawPattern drew (after JPEG, too).
func MarkBits(img image.Image) (seq uint32, ms uint32) {
	b := img.Bounds()
	w, h := markBlock(b)
	read := func(row int) uint32 {
		var v uint32
		y := b.Min.Y + b.Dy() - (markRows-row)*h + h/2
		for i := range markBits {
			r, g, bl, _ := img.At(b.Min.X+i*w+w/2, y).RGBA()
			if (r+g+bl)/3 > 0x8000 {
				v |= 1 << (markBits - 1 - i)
			}
		}
		return v
	}
	return read(0), read(1)
}
