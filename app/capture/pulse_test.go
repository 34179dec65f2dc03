package capture

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// needTools skips a test when a program it runs is missing, unless the
// run requires every part (CI), where that fails it.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("SANXIANG_TEST_REQUIRE_ALL") != "" {
				t.Fatalf("%s is not installed (apt-get install pulseaudio pulseaudio-utils sox)", n)
			}
			t.Skipf("%s is not installed", n)
		}
	}
}

// pulseNullSink starts a private PulseAudio server with a null sink whose
// monitor is the default source, and points this process at it.
func pulseNullSink(t *testing.T) {
	t.Helper()
	needTools(t, "pulseaudio", "pactl", "paplay", "sox")
	run := t.TempDir()
	sock := filepath.Join(run, "pulse.sock")
	cmd := exec.Command("pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit=no", "--use-pid-file=no",
		"--load=module-native-protocol-unix socket="+sock,
		"--load=module-null-sink sink_name=cisink rate=48000 channels=1")
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run, "HOME="+run)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	t.Setenv("PULSE_SERVER", "unix:"+sock)
	t.Setenv("XDG_RUNTIME_DIR", run)
	for i := 0; ; i++ {
		if exec.Command("pactl", "info").Run() == nil {
			break
		}
		if i == 100 {
			t.Fatal("PulseAudio did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := exec.Command("pactl", "set-default-source", "cisink.monitor").CombinedOutput(); err != nil {
		t.Fatalf("pactl: %v %s", err, out)
	}
}

// goertzel is the power of one frequency in samples.
func goertzel(x []float64, rate, freq float64) float64 {
	k := 2 * math.Cos(2*math.Pi*freq/rate)
	var s1, s2 float64
	for _, v := range x {
		s0 := v + k*s1 - s2
		s2, s1 = s1, s0
	}
	return (s1*s1 + s2*s2 - k*s1*s2) / float64(len(x)*len(x))
}

// Real capture: a 1 kHz sine played into a PulseAudio null sink is
// recorded from its monitor through malgo and the recorder; the recording
// has the sine's level and its energy sits at 1 kHz.
func TestRecordSineFromPulseAudio(t *testing.T) {
	pulseNullSink(t)
	dir := t.TempDir()
	sine := filepath.Join(dir, "sine.wav")
	if out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", sine, "synth", "12", "sine", "1000", "vol", "0.5").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	play := exec.Command("paplay", "--device=cisink", sine)
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { play.Process.Kill(); play.Wait() }()

	a, err := OpenAudio(false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ins, err := a.Inputs()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range ins {
		names = append(names, d.Name)
	}
	if !strings.Contains(strings.Join(names, "|"), "Null Output") {
		t.Fatalf("the inputs %q lack the null sink's monitor", names)
	}
	l, id := testLog(t, dir)
	defer l.Close()
	r, err := Start(context.Background(), Config{Log: l, Case: id, Author: "990101000001", Audio: a})
	if err != nil {
		t.Fatal(err)
	}
	var level float64
	for range 50 { // 5 s: the first buffer can take 2 s
		time.Sleep(100 * time.Millisecond)
		level = max(level, r.Level())
	}
	recs, err := r.Stop()
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	got, _ := RecordingOf(*recs[0])
	if got.Kind != KindAudio || len(got.Files) != 1 || !strings.Contains(got.Files[0].Format, "48000Hz") {
		t.Fatalf("record %+v", got)
	}
	d, _ := casefile.ParseDigest(got.Files[0].SHA256)
	info, samples, err := storedWAV(t, l, d)
	if err != nil || info.Rate != 48000 || info.Duration() < 4*time.Second {
		t.Fatalf("recording %+v %v", info, err)
	}
	// The last two seconds: the sine has long arrived.
	tail := samples[len(samples)-2*48000:]
	x := make([]float64, len(tail))
	var sum float64
	for i, s := range tail {
		x[i] = float64(s) / 32768
		sum += x[i] * x[i]
	}
	rms := math.Sqrt(sum / float64(len(x)))
	at1k := goertzel(x, 48000, 1000)
	var other float64
	for _, f := range []float64{250, 500, 1500, 2000, 3000, 5000} {
		other = max(other, goertzel(x, 48000, f))
	}
	t.Logf("RMS %.3f (a sine of amplitude 0.5 has 0.354), level meter %.3f, power at 1 kHz %.2e, most elsewhere %.2e", rms, level, at1k, other)
	if rms < 0.2 || rms > 0.5 {
		t.Errorf("RMS %.3f", rms)
	}
	if at1k < 1000*other {
		t.Errorf("the energy is not at 1 kHz: %.2e there, %.2e elsewhere", at1k, other)
	}
	if level < 0.2 {
		t.Errorf("the level meter showed at most %.3f", level)
	}
}
