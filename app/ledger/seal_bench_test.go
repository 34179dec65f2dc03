package ledger

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

var opensslRate = regexp.MustCompile(`(?m)^sha256\s+([\d.]+)k`)

// BenchmarkSealEvidence: one op stores 256 MB of evidence through a sealed
// MediaStore.Put (SHA-256 of the plaintext, SM4-GCM in 1 MiB chunks,
// write and fsync, rename into the store); the baseline is the same bytes
// at the rate `openssl speed sha256` measures here (16 KB blocks), as
// BenchmarkHashEvidence (app/capture) measures it, so the ratio is sealing
// plus hashing against hashing alone. Issue 21 asks for at least 0.5.
// Both report MB/s; ours also reports plainstore-MB/s, the same Put into a
// plaintext store, which shows how much of the time is the disk's.
func BenchmarkSealEvidence(b *testing.B) {
	const size = 256 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 31)
	}
	b.Run("ours", func(b *testing.B) {
		dir := b.TempDir()
		m := &MediaStore{Dir: filepath.Join(dir, "media"), Keys: sealtest.Keys(b)}
		settle()
		b.SetBytes(size)
		b.ResetTimer()
		for range b.N {
			d, n, err := m.Put(bytes.NewReader(data))
			if err != nil || n != size {
				b.Fatal(n, err)
			}
			b.StopTimer()
			os.Remove(m.Path(d)) // the next op writes it anew
			b.StartTimer()
		}
		// What the disk allows: the same Put into a plaintext store (hash,
		// write, fsync, no sealing), off the clock.
		b.StopTimer()
		plain := &MediaStore{Dir: filepath.Join(dir, "plain")}
		settle()
		t0 := time.Now()
		if _, _, err := plain.Put(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(size/time.Since(t0).Seconds()/1e6, "plainstore-MB/s")
	})
	b.Run("baseline", func(b *testing.B) {
		out, err := exec.Command("openssl", "speed", "-seconds", "2", "-bytes", "16384", "sha256").Output()
		m := opensslRate.FindSubmatch(out)
		if err != nil || m == nil {
			b.Skipf("openssl speed: %v", err)
		}
		kps, _ := strconv.ParseFloat(string(m[1]), 64)
		rate := kps * 1000 // bytes a second
		b.ReportMetric(float64(size)/rate*1e9, "ns/op")
		b.ReportMetric(rate/1e6, "openssl-MB/s")
		for range b.N {
			time.Sleep(0)
		}
	})
}
