package speech

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// voice finds the system's Chinese voice: a failure under
// SANXIANG_REQUIRE_SPEECH=1 (./dev test installs espeak-ng), a skip
// elsewhere.
func voice(t *testing.T) *Voice {
	t.Helper()
	v, err := Find(context.Background())
	if errors.Is(err, ErrNoVoice) && os.Getenv("SANXIANG_REQUIRE_SPEECH") != "1" {
		t.Skip("no Chinese voice (set SANXIANG_REQUIRE_SPEECH=1 to make this a failure)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wavStats reads a PCM16 WAV: its length and loudness (RMS of samples).
func wavStats(t *testing.T, path string) (time.Duration, float64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 44 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		t.Fatalf("%s is not a WAV file (%d bytes)", path, len(data))
	}
	var rate uint32
	var pcm []byte
	for p := 12; p+8 <= len(data); {
		id, n := string(data[p:p+4]), int(binary.LittleEndian.Uint32(data[p+4:p+8]))
		body := data[p+8 : min(len(data), p+8+n)]
		switch id {
		case "fmt ":
			if binary.LittleEndian.Uint16(body[14:16]) != 16 || binary.LittleEndian.Uint16(body[2:4]) != 1 {
				t.Fatalf("%s: not mono PCM16", path)
			}
			rate = binary.LittleEndian.Uint32(body[4:8])
		case "data":
			pcm = body
		}
		p += 8 + n + n%2
	}
	if rate == 0 || len(pcm) == 0 {
		t.Fatalf("%s: no format or no samples", path)
	}
	var sum float64
	for i := 0; i+1 < len(pcm); i += 2 {
		s := float64(int16(binary.LittleEndian.Uint16(pcm[i:])))
		sum += s * s
	}
	n := len(pcm) / 2
	return time.Duration(n) * time.Second / time.Duration(rate), math.Sqrt(sum / float64(n))
}

// The voice reads Chinese text: the words come out as sound, not silence,
// and a text twice as long takes clearly longer to say.
func TestSpeaksChinese(t *testing.T) {
	v := voice(t)
	dir := t.TempDir()
	say := func(name, text string) (time.Duration, float64) {
		path := filepath.Join(dir, name+".wav")
		v.SetOutput(path)
		if err := v.Speak(text); err != nil {
			t.Fatal(err)
		}
		if err := v.Wait(); err != nil {
			t.Fatal(err)
		}
		if v.Spoken() != text {
			t.Errorf("spoke %q, want %q", v.Spoken(), text)
		}
		return wavStats(t, path)
	}
	short, loud := say("short", "执法人员")
	long, _ := say("long", "执法人员，市场监督管理局，执法证号九九零一零一，有效期至二〇二八年。")
	t.Logf("%s: 执法人员 %v (RMS %.0f), the sentence %v", v.Name, short, loud, long)
	if short < 300*time.Millisecond || loud < 200 {
		t.Errorf("four characters gave %v of sound at RMS %.0f: not read", short, loud)
	}
	if long < 3*short {
		t.Errorf("a sentence of 35 characters took %v, four took %v: the text is not what is read", long, short)
	}
}

// Stop ends a long reading at once, and a new Speak replaces the old.
func TestStopEndsReading(t *testing.T) {
	v := voice(t)
	// Into a file, which espeak-ng writes as fast as it can: a reading
	// of an hour that would still be going long after Stop.
	v.SetOutput(filepath.Join(t.TempDir(), "long.wav"))
	long := ""
	for range 400 {
		long += "行政执法公示，请点击要查询的内容。"
	}
	if err := v.Speak(long); err != nil {
		t.Fatal(err)
	}
	if !v.Speaking() {
		t.Fatal("not speaking just after Speak")
	}
	start := time.Now()
	v.Stop()
	if v.Speaking() {
		t.Error("still speaking after Stop")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %v", d)
	}
	if err := v.Wait(); err != nil {
		t.Errorf("a stopped reading is no error: %v", err)
	}
}

// Without a synthesiser on the path there is no voice, and the kiosk
// offers no 朗读.
func TestNoSynthesiserNoVoice(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := Find(context.Background()); !errors.Is(err, ErrNoVoice) {
		t.Fatalf("Find with an empty PATH: %v, want ErrNoVoice", err)
	}
}
