package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"
)

// Audio is a miniaudio context: the system's audio backends (WASAPI on
// Windows; PulseAudio or ALSA on Linux), or the null backend, which
// captures silence at the real rate and plays into nothing.
type Audio struct {
	ctx  *malgo.AllocatedContext
	null bool
}

// NullBackend names the null backend. In malgo v0.11.24 the Go constant
// BackendNull is miniaudio's custom backend; the real null backend is the
// next one.
const NullBackend = malgo.BackendNull + 1

// OpenAudio opens the system's audio, or the null backend when null is
// set.
func OpenAudio(null bool) (*Audio, error) {
	var backends []malgo.Backend
	if null {
		backends = []malgo.Backend{NullBackend}
	}
	ctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("capture: audio: %w", err)
	}
	return &Audio{ctx: ctx, null: null}, nil
}

// Close releases the context.
func (a *Audio) Close() error {
	err := a.ctx.Uninit()
	a.ctx.Free()
	if err != nil {
		return fmt.Errorf("capture: audio: close: %w", err)
	}
	return nil
}

// AudioDevice is an input or output.
type AudioDevice struct {
	ID malgo.DeviceID
	// Name is what the driver calls the device: for ALSA's software
	// devices a description of the driver ("Discard all samples
	// (playback) or generate zero samples (capture)"), not a name to
	// show or record; screens word Alias and Silent devices themselves.
	Name    string
	Default bool
	// Alias is the ALSA name of a software device the system offers
	// beside the sound cards ("null", "pulse", "default", "jack", "oss"),
	// "" for a card or another backend's device.
	Alias string
	// Silent devices capture only silence: miniaudio's null backend, and
	// ALSA's "null", which hands out zeros as fast as they are read.
	Silent bool
}

// alsaPlugins are ALSA's software devices that convert or mix another
// device's sound: no input of their own, left out of the list.
var alsaPlugins = map[string]bool{"lavrate": true, "samplerate": true, "speexrate": true, "speex": true,
	"upmix": true, "vdownmix": true}

// alsaServices are ALSA's software devices that are inputs: the silent
// one and the sound servers.
var alsaServices = map[string]bool{"null": true, "pulse": true, "pipewire": true, "default": true, "sysdefault": true,
	"jack": true, "oss": true}

// alias reads a device ID as ALSA's device name when it is one of the
// software devices above.
func alias(id malgo.DeviceID) string {
	n := 0
	for n < len(id) && id[n] != 0 {
		n++
	}
	s := string(id[:n])
	if alsaPlugins[s] || alsaServices[s] {
		return s
	}
	return ""
}

// rank orders devices: the default, the sound cards, the sound servers,
// the silent last.
func (d AudioDevice) rank() int {
	switch {
	case d.Default:
		return 0
	case d.Silent:
		return 3
	case d.Alias != "":
		return 2
	}
	return 1
}

// Inputs lists the capture devices, the default first.
func (a *Audio) Inputs() ([]AudioDevice, error) { return a.devices(malgo.Capture) }

// Outputs lists the playback devices, the default first.
func (a *Audio) Outputs() ([]AudioDevice, error) { return a.devices(malgo.Playback) }

func (a *Audio) devices(kind malgo.DeviceType) ([]AudioDevice, error) {
	infos, err := a.ctx.Devices(kind)
	if err != nil {
		return nil, fmt.Errorf("capture: list audio devices: %w", err)
	}
	var out []AudioDevice
	for _, in := range infos {
		d := AudioDevice{ID: in.ID, Name: in.Name(), Default: in.IsDefault != 0, Alias: alias(in.ID)}
		if alsaPlugins[d.Alias] {
			continue
		}
		d.Silent = a.null || d.Alias == "null"
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(x, y AudioDevice) int { return x.rank() - y.rank() })
	return out, nil
}

// Capture is a running input: PCM16 mono at its rate goes to the
// function given to StartCapture, on miniaudio's thread.
type Capture struct {
	stop  func()        // stops and releases the source
	level atomic.Uint32 // RMS of the last buffer, as float32 bits
	once  sync.Once
}

// AudioSource is where a recording's sound comes from: a device through
// miniaudio (*Audio), or a synthetic source (Sine) for tests and demos.
type AudioSource interface {
	// StartCapture starts delivering PCM16 mono at rate to fn (see
	// Audio.StartCapture); dev may be ignored by a source without devices.
	StartCapture(dev *AudioDevice, rate int, fn func(pcm []byte)) (*Capture, error)
}

var _ AudioSource = (*Audio)(nil)

// ErrNoAudio is an audio device that cannot be opened.
var ErrNoAudio = errors.New("capture: the audio device cannot be opened")

// captureSlack is how far a device may run ahead of the wall clock
// before its samples are dropped: more than a period or two of a real
// device's jitter, far less than anything a listener would miss.
const captureSlack = 200 * time.Millisecond

// StartCapture opens an input (nil: the default) for PCM16 mono at rate
// and calls fn with each buffer of samples; fn must copy what it keeps and
// return quickly. The samples follow the wall clock whatever the device:
// one that delivers faster than its rate (ALSA's "null" gives zeros as
// fast as they are read) has what runs ahead of the clock dropped, and
// its thread is held back so it does not spin.
func (a *Audio) StartCapture(dev *AudioDevice, rate int, fn func(pcm []byte)) (*Capture, error) {
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format = malgo.FormatS16
	cfg.Capture.Channels = 1
	cfg.SampleRate = uint32(rate)
	cfg.PeriodSizeInMilliseconds = 20
	if dev != nil {
		id := dev.ID
		cfg.Capture.DeviceID = id.Pointer()
	}
	c := &Capture{}
	var start time.Time
	var delivered int64 // frames handed to fn since start
	var ahead bool
	d, err := malgo.InitDevice(a.ctx.Context, cfg, malgo.DeviceCallbacks{
		Data: func(_, in []byte, frames uint32) {
			now := time.Now()
			if start.IsZero() {
				start = now
			}
			// A device once found ahead of the clock is not a real-time
			// one: from then on it is held to the clock itself.
			slack := captureSlack
			if ahead {
				slack = 0
			}
			allowed := int64(now.Sub(start)+slack) * int64(rate) / int64(time.Second)
			n := int64(len(in) / 2)
			if delivered+n > allowed {
				ahead = true
				keep := max(allowed-delivered, 0)
				in = in[:2*keep]
				// Hold the device's thread back by about what it ran
				// ahead: a real device never gets here.
				time.Sleep(min(time.Duration(n-keep)*time.Second/time.Duration(rate), 20*time.Millisecond))
			}
			if len(in) == 0 {
				return
			}
			delivered += int64(len(in) / 2)
			c.level.Store(math.Float32bits(float32(RMS(in))))
			fn(in)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoAudio, err)
	}
	if err := d.Start(); err != nil {
		d.Uninit()
		return nil, fmt.Errorf("%w: %v", ErrNoAudio, err)
	}
	c.stop = func() {
		d.Stop()
		d.Uninit()
	}
	return c, nil
}

// Level is the RMS of the last buffer, 0 to 1 of full scale.
func (c *Capture) Level() float64 { return float64(math.Float32frombits(c.level.Load())) }

// Stop stops and releases the input.
func (c *Capture) Stop() {
	c.once.Do(c.stop)
}

// RMS is the root mean square of PCM16 samples, 0 to 1 of full scale.
func RMS(pcm []byte) float64 {
	n := len(pcm) / 2
	if n == 0 {
		return 0
	}
	var sum float64
	for i := range n {
		v := float64(int16(binary.LittleEndian.Uint16(pcm[2*i:]))) / 32768
		sum += v * v
	}
	return math.Sqrt(sum / float64(n))
}

// Playback is audio playing.
type Playback struct {
	dev    *malgo.Device
	played atomic.Int64 // frames
	total  int64
	done   chan struct{}
	once   sync.Once
}

// Play plays PCM16 samples (interleaved, channels) at rate on the default
// output, from frame start.
func (a *Audio) Play(samples []int16, rate, channels int, start int64) (*Playback, error) {
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format = malgo.FormatS16
	cfg.Playback.Channels = uint32(channels)
	cfg.SampleRate = uint32(rate)
	p := &Playback{total: int64(len(samples) / channels), done: make(chan struct{})}
	p.played.Store(min(max(start, 0), p.total))
	var closeOnce sync.Once
	d, err := malgo.InitDevice(a.ctx.Context, cfg, malgo.DeviceCallbacks{
		Data: func(out, _ []byte, frames uint32) {
			at := p.played.Load()
			n := min(int64(frames), p.total-at)
			for i := int64(0); i < n*int64(channels); i++ {
				binary.LittleEndian.PutUint16(out[2*i:], uint16(samples[at*int64(channels)+i]))
			}
			clear(out[2*n*int64(channels):])
			p.played.Store(at + n)
			if at+n >= p.total {
				closeOnce.Do(func() { close(p.done) })
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoAudio, err)
	}
	if err := d.Start(); err != nil {
		d.Uninit()
		return nil, fmt.Errorf("%w: %v", ErrNoAudio, err)
	}
	p.dev = d
	return p, nil
}

// Position is how many frames have been played.
func (p *Playback) Position() int64 { return p.played.Load() }

// Done is closed when the last sample has been played.
func (p *Playback) Done() <-chan struct{} { return p.done }

// Stop stops playing.
func (p *Playback) Stop() {
	p.once.Do(func() {
		p.dev.Stop()
		p.dev.Uninit()
	})
}
