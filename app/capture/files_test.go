package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func pcm(samples []int16) []byte {
	b := make([]byte, 2*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	return b
}

// A WAV copied while it was written (the crash's view of it: old header
// sizes, a torn last sample) reads back, once repaired, as every whole
// sample that was written.
func TestWAVSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.wav")
	w, err := CreateWAV(path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int16, 48000)
	for i := range want {
		want[i] = int16(i*7 - 20000)
	}
	w.Write(pcm(want[:1000]))
	w.Sync()
	w.Write(pcm(want[1000:]))
	// What a crash leaves: the bytes written, the header of the last Sync,
	// and half a sample more.
	data, _ := os.ReadFile(path)
	crashed := filepath.Join(dir, "crashed.wav")
	os.WriteFile(crashed, append(data, 0x7f), 0o600)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if info, got, err := ReadWAV(path); err != nil || info.Frames != 48000 || info.Duration() != time.Second || !equal16(got, want) {
		t.Fatalf("closed file: %+v %v", info, err)
	}
	if info, _, _ := ReadWAV(crashed); info.Frames != 1000 {
		t.Fatalf("before repair the header says %d frames", info.Frames)
	}
	info, err := RepairWAV(crashed)
	if err != nil || info.Frames != 48000 {
		t.Fatalf("repair: %+v %v", info, err)
	}
	if _, got, err := ReadWAV(crashed); err != nil || !equal16(got, want) {
		t.Fatalf("repaired samples differ: %v", err)
	}
	os.WriteFile(crashed, []byte("RIFF not a wave"), 0o600)
	if _, err := RepairWAV(crashed); err == nil {
		t.Fatal("repaired a file that is no WAV")
	}
}

func equal16(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Frames of the synthetic camera written to AVI decode back with their
// numbers and times; an AVI cut in the middle of a frame, repaired, holds
// every whole frame before the cut.
func TestSyntheticCameraToAVIAndBack(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.avi")
	f := Format{640, 480, 15}
	a, err := CreateAVI(path, f.Width, f.Height, f.FPS)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 27, 9, 0, 0, 0, time.Local)
	cam := &Synthetic{Now: func() time.Time { clock = clock.Add(time.Second / 15); return clock }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames, err := cam.Start(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var crashed []byte
	var first time.Time
	var times []time.Duration
	for fr := range frames {
		if fr.Seq == 0 {
			first = fr.At
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, fr.Image, &jpeg.Options{Quality: 80})
		if err := a.AddFrame(buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		times = append(times, fr.At.Sub(first))
		if fr.Seq == 20 {
			data, _ := os.ReadFile(path)
			crashed = data[:len(data)-buf.Len()/2] // frame 20 half written
		}
		if fr.Seq == 29 {
			cancel()
			break
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cam.Start(context.Background(), Format{1, 1, 1}); err != ErrFormat {
		t.Fatalf("an odd format: %v", err)
	}
	check := func(path string, n int) {
		t.Helper()
		r, err := OpenAVI(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if info := r.Info(); info.Frames != n || info.FPS != 15 || info.Width != 640 || info.Height != 480 || info.Duration() != time.Duration(n)*time.Second/15 {
			t.Fatalf("%s: %+v, want %d frames", path, info, n)
		}
		for i := range n {
			img, err := r.Frame(i)
			if err != nil {
				t.Fatal(err)
			}
			seq, ms := MarkBits(img)
			if int(seq) != i || time.Duration(ms)*time.Millisecond != times[i].Truncate(time.Millisecond) {
				t.Fatalf("%s frame %d carries frame %d at %d ms, want %v", path, i, seq, ms, times[i])
			}
		}
	}
	check(path, 30)
	cpath := filepath.Join(dir, "crashed.avi")
	os.WriteFile(cpath, crashed, 0o600)
	if _, err := OpenAVI(cpath); err != nil {
		t.Fatalf("a crashed AVI is still readable: %v", err)
	}
	info, err := RepairAVI(cpath)
	if err != nil || info.Frames != 20 {
		t.Fatalf("repair: %+v %v", info, err)
	}
	check(cpath, 20)
	// The repaired file has the index and sizes of a closed one.
	data, _ := os.ReadFile(cpath)
	if !bytes.Contains(data, []byte("idx1")) || binary.LittleEndian.Uint32(data[4:]) != uint32(len(data)-8) || binary.LittleEndian.Uint32(data[48:]) != 20 {
		t.Fatal("no index or sizes after repair")
	}
	if again, err := RepairAVI(cpath); err != nil || again.Frames != 20 {
		t.Fatalf("repairing twice: %+v %v", again, err)
	}
	os.WriteFile(cpath, []byte("RIFF....AVI LIST"), 0o600)
	if _, err := RepairAVI(cpath); err == nil {
		t.Fatal("repaired a file that is no AVI")
	}
}

func TestMarkBitsReadWhatDrawPatternDrew(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	DrawPattern(img, 123456, 98765*time.Millisecond)
	if seq, ms := MarkBits(img); seq != 123456 || ms != 98765 {
		t.Fatalf("read %d, %d", seq, ms)
	}
}
