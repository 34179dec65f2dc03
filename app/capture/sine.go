package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Sine is a synthetic audio source beside the synthetic camera: a pure
// tone at Hz, delivered in 20 ms buffers that follow the wall clock as a
// real microphone's do. Tests and the demo record a known signal with it,
// without a sound server.
type Sine struct {
	Hz        float64 // default 997
	Amplitude float64 // of full scale, default 0.5
	// Rate, if set, is the only rate the source starts at (a test that
	// computes the samples with Samples fixes it); otherwise any.
	Rate int
}

var _ AudioSource = Sine{}

// Samples is the tone's first n samples at rate: exactly what
// StartCapture delivers, so a test can look for them in a file.
func (s Sine) Samples(rate, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = s.sample(rate, int64(i))
	}
	return out
}

func (s Sine) sample(rate int, i int64) int16 {
	hz, amp := s.Hz, s.Amplitude
	if hz == 0 {
		hz = 997
	}
	if amp == 0 {
		amp = 0.5
	}
	return int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate))))
}

// StartCapture delivers the tone to fn every 20 ms, as many samples as the
// wall clock says are due, until Stop. dev is ignored.
func (s Sine) StartCapture(_ *AudioDevice, rate int, fn func(pcm []byte)) (*Capture, error) {
	if s.Rate != 0 && rate != s.Rate {
		return nil, fmt.Errorf("capture: sine: made for %d Hz, asked for %d", s.Rate, rate)
	}
	if rate <= 0 {
		return nil, errors.New("capture: sine: no rate")
	}
	c := &Capture{}
	quit, done := make(chan struct{}), make(chan struct{})
	c.stop = func() {
		close(quit)
		<-done
	}
	go func() {
		defer close(done)
		start := time.Now()
		var sent int64
		var buf []byte
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case now := <-t.C:
				due := int64(now.Sub(start)) * int64(rate) / int64(time.Second)
				if due <= sent {
					continue
				}
				buf = buf[:0]
				for i := sent; i < due; i++ {
					buf = binary.LittleEndian.AppendUint16(buf, uint16(s.sample(rate, i)))
				}
				sent = due
				c.level.Store(math.Float32bits(float32(RMS(buf))))
				fn(buf)
			}
		}
	}()
	return c, nil
}
