package capture

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// A recording lasts as long as the wall clock says, whatever the audio
// device: 4 s of video with sound from a null device are 4 s ± 0.3 s in
// the record and in both files. miniaudio's null backend keeps the real
// rate; ALSA's "null" device (the first a Linux desk without a sound card
// lists) hands out zeros as fast as they are read, which made 4 s into
// 42 minutes and a 242 MB WAV.
func TestNullBackendRecordingFollowsWallClock(t *testing.T) {
	t.Run("miniaudio null backend", func(t *testing.T) {
		a := nullAudio(t)
		ins, err := a.Inputs()
		if err != nil || len(ins) == 0 || !ins[0].Silent {
			t.Fatalf("the null backend's inputs: %+v %v", ins, err)
		}
		recordFourSeconds(t, a, &ins[0])
	})
	t.Run("ALSA null device", func(t *testing.T) {
		a, err := OpenAudio(false)
		if err != nil {
			t.Skipf("no system audio: %v", err)
		}
		t.Cleanup(func() { a.Close() })
		ins, _ := a.Inputs()
		var null *AudioDevice
		for i := range ins {
			if ins[i].Alias == "null" {
				null = &ins[i]
			}
			if alsaPlugins[ins[i].Alias] {
				t.Errorf("the converter plugin %q is listed as an input", ins[i].Name)
			}
		}
		if null == nil {
			if os.Getenv("SANXIANG_TEST_REQUIRE_ALL") != "" {
				t.Fatal("ALSA lists no null device (apt-get install libasound2)")
			}
			t.Skip("ALSA lists no null device")
		}
		if !null.Silent || ins[len(ins)-1].Alias != "null" {
			t.Errorf("the null device is not marked silent and listed last: %+v", ins)
		}
		recordFourSeconds(t, a, null)
	})
}

func recordFourSeconds(t *testing.T, a *Audio, mic *AudioDevice) {
	t.Helper()
	const want, tolerance = 4 * time.Second, 300 * time.Millisecond
	near := func(what string, got time.Duration) {
		t.Helper()
		if got < want-tolerance || got > want+tolerance {
			t.Errorf("%s: %v, want %v ± %v", what, got, want, tolerance)
		}
	}
	dir := t.TempDir()
	l, id := testLog(t, dir)
	defer l.Close()
	began := time.Now()
	r, err := Start(context.Background(), Config{Log: l, Case: id, Author: "990101000001", Stage: "inspect",
		Audio: a, Mic: mic, Camera: &Synthetic{}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(want - time.Since(began))
	near("elapsed while recording", r.Elapsed())
	recs, err := r.Stop()
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	got, _ := RecordingOf(*recs[0])
	near("the record's duration", time.Duration(got.DurationMS)*time.Millisecond)
	near("the record's end less its start", got.End.Sub(got.Start))
	if len(got.Files) != 2 {
		t.Fatalf("files %+v", got.Files)
	}
	for _, f := range got.Files {
		d, _ := casefile.ParseDigest(f.SHA256)
		sf, err := l.Media().Open(d)
		if err != nil || sf.Size() != f.Size {
			t.Fatalf("%s: %v, %d bytes recorded", f.Name, err, f.Size)
		}
		sf.Close()
		if f.Role == KindAudio {
			info, _, err := storedWAV(t, l, d)
			if err != nil {
				t.Fatal(err)
			}
			near("the WAV's duration", info.Duration())
			// PCM16 mono: 2 bytes a sample, and the 44-byte header.
			size := time.Duration(f.Size-wavHeader) * time.Second / time.Duration(2*info.Rate)
			near("the WAV's size in time", size)
			t.Logf("audio %v, %d bytes", info.Duration(), f.Size)
		} else {
			v := storedAVI(t, l, d)
			near("the AVI's duration", v.Info().Duration())
			t.Logf("video %v, %d frames, %d bytes", v.Info().Duration(), v.Info().Frames, f.Size)
			v.Close()
		}
	}
}
