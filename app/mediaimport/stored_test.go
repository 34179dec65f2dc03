package mediaimport_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport/mediatest"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

// The player reads stored evidence through the media store: a sealed AVI
// and WAV read the same through OpenAVIAt and ReadPCMAt as the plaintext
// files they were made from.
func TestPlayersReadSealedMedia(t *testing.T) {
	dir := t.TempDir()
	m := &ledger.MediaStore{Dir: filepath.Join(dir, "media"), Keys: sealtest.Keys(t)}
	avi := write(t, dir, "a.avi", func(p string) error {
		return mediatest.AVI(p, mediatest.AVIOptions{Width: 32, Height: 24, FPS: 5, Frames: 6, Sound: true, ICRD: "2026-11-21"})
	})
	wav := write(t, dir, "a.wav", func(p string) error {
		return mediatest.WAV(p, mediatest.WAVOptions{Rate: 8000, Channels: 2, Samples: tone(800), ICRD: "2026"})
	})
	store := func(path string) ledger.MediaFile {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		d, _, err := m.Put(f)
		if err != nil {
			t.Fatal(err)
		}
		if raw, _ := os.ReadFile(m.Path(d)); string(raw[:4]) != "SXF1" {
			t.Fatalf("%s is stored in plaintext", path)
		}
		mf, err := m.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		return mf
	}

	plain, err := mediaimport.OpenAVI(avi)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	sf := store(avi)
	a, err := mediaimport.OpenAVIAt(sf, sf.Size())
	if err != nil {
		t.Fatal(err)
	}
	if a.Info() != plain.Info() {
		t.Fatalf("sealed %+v, plaintext %+v", a.Info(), plain.Info())
	}
	for i := range a.Info().Frames {
		x, err1 := a.Frame(i)
		y, err2 := plain.Frame(i)
		if err1 != nil || err2 != nil || x.At(3, 3) != y.At(3, 3) {
			t.Fatalf("frame %d: %v, %v", i, err1, err2)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	want, err := mediaimport.ReadPCM(wav)
	if err != nil {
		t.Fatal(err)
	}
	wf := store(wav)
	defer wf.Close()
	got, err := mediaimport.ReadPCMAt(wf, wf.Size())
	if err != nil {
		t.Fatal(err)
	}
	if got.Rate != want.Rate || got.Channels != want.Channels || len(got.Samples) != len(want.Samples) || got.Samples[3] != want.Samples[3] {
		t.Fatalf("sealed %d Hz %d ch %d samples, plaintext %d samples", got.Rate, got.Channels, len(got.Samples), len(want.Samples))
	}
}
