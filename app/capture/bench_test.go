//go:build !windows

package capture

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// One op is one second of 640×480 video at 15 frames a second: ours
// encodes the frames to JPEG and writes them to an AVI as the recorder
// does; the baseline only encodes them. cpu-share is the CPU time one
// second of video takes, as a share of one core: it must stay under half.
func BenchmarkEncodeVGA15(b *testing.B) {
	frames := make([]*image.RGBA, 15)
	for i := range frames {
		frames[i] = image.NewRGBA(image.Rect(0, 0, 640, 480))
		DrawPattern(frames[i], int64(i), time.Duration(i)*time.Second/15)
	}
	b.Run("ours", func(b *testing.B) {
		dir := b.TempDir()
		a, err := CreateAVI(filepath.Join(dir, "v.avi"), nil, 640, 480, 15)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		cpu0 := cpuTime()
		b.ResetTimer()
		for range b.N {
			for _, f := range frames {
				buf.Reset()
				jpeg.Encode(&buf, f, &jpeg.Options{Quality: 80})
				if err := a.AddFrame(buf.Bytes()); err != nil {
					b.Fatal(err)
				}
			}
			a.Sync()
		}
		b.StopTimer()
		share := float64(cpuTime()-cpu0) / float64(b.N) / float64(time.Second)
		b.ReportMetric(share, "cpu-share")
		a.Close()
	})
	b.Run("baseline", func(b *testing.B) {
		var buf bytes.Buffer
		for range b.N {
			for _, f := range frames {
				buf.Reset()
				jpeg.Encode(&buf, f, &jpeg.Options{Quality: 80})
			}
		}
	})
}

var opensslRate = regexp.MustCompile(`(?m)^sha256\s+([\d.]+)k`)

// One op hashes 256 MB of evidence from a file, as a finished segment is
// hashed into the store; the baseline is the same bytes at the rate
// `openssl speed sha256` measures on this machine (16 KB blocks), so the
// ratio is our throughput over openssl's.
func BenchmarkHashEvidence(b *testing.B) {
	const size = 256 << 20
	path := filepath.Join(b.TempDir(), "segment")
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 31)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			if _, n, err := casefile.HashFile(path); err != nil || n != size {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		out, err := exec.Command("openssl", "speed", "-seconds", "2", "-bytes", "16384", "sha256").Output()
		m := opensslRate.FindSubmatch(out)
		if err != nil || m == nil {
			b.Skipf("openssl speed: %v", err)
		}
		kps, _ := strconv.ParseFloat(string(m[1]), 64)
		rate := kps * 1000 // bytes a second
		// Report what openssl measured as this op's time: size at its rate.
		b.ReportMetric(float64(size)/rate*1e9, "ns/op")
		b.ReportMetric(rate/1e6, "openssl-MB/s")
		for range b.N {
			time.Sleep(0)
		}
	})
}

// One op is one second of a recording as the recorder writes it when the
// log is sealed: 15 frames of 640×480 encoded to JPEG and written to a
// sealed AVI, 48,000 samples of mono PCM16 to a sealed WAV, and the
// once-a-second Sync of both (chunks sealed, heads rewritten, fsync). The
// baseline is the JPEG encoding alone. cpu-share is the CPU time one
// second of recording takes, as a share of one core: it must stay under
// half.
func BenchmarkRecordSealed(b *testing.B) {
	frames := make([]*image.RGBA, 15)
	for i := range frames {
		frames[i] = image.NewRGBA(image.Rect(0, 0, 640, 480))
		DrawPattern(frames[i], int64(i), time.Duration(i)*time.Second/15)
	}
	keys := sealtest.Keys(b)
	second := pcm(Sine{}.Samples(48000, 48000))
	b.Run("ours", func(b *testing.B) {
		dir := b.TempDir()
		a, err := CreateAVI(filepath.Join(dir, "v.avi"), keys, 640, 480, 15)
		if err != nil {
			b.Fatal(err)
		}
		w, err := CreateWAV(filepath.Join(dir, "a.wav"), keys, 48000, 1)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		cpu0 := cpuTime()
		b.ResetTimer()
		for range b.N {
			for i, f := range frames {
				buf.Reset()
				jpeg.Encode(&buf, f, &jpeg.Options{Quality: 80})
				if err := a.AddFrame(buf.Bytes()); err != nil {
					b.Fatal(err)
				}
				// The sound comes in 20 ms buffers, about three a frame.
				part := len(second) / len(frames)
				for p := i * part; p < (i+1)*part; p += 1920 {
					if _, err := w.Write(second[p:min(p+1920, (i+1)*part)]); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := a.Sync(); err != nil {
				b.Fatal(err)
			}
			if err := w.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		share := float64(cpuTime()-cpu0) / float64(b.N) / float64(time.Second)
		b.ReportMetric(share, "cpu-share")
		a.Close()
		w.Close()
	})
	b.Run("baseline", func(b *testing.B) {
		var buf bytes.Buffer
		for range b.N {
			for _, f := range frames {
				buf.Reset()
				jpeg.Encode(&buf, f, &jpeg.Options{Quality: 80})
			}
		}
	})
}
