package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
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
	w, err := CreateWAV(path, nil, 48000, 1)
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
	if info, got, err := ReadWAV(path, nil); err != nil || info.Frames != 48000 || info.Duration() != time.Second || !equal16(got, want) {
		t.Fatalf("closed file: %+v %v", info, err)
	}
	if info, _, _ := ReadWAV(crashed, nil); info.Frames != 1000 {
		t.Fatalf("before repair the header says %d frames", info.Frames)
	}
	info, err := RepairWAV(crashed, nil)
	if err != nil || info.Frames != 48000 {
		t.Fatalf("repair: %+v %v", info, err)
	}
	if _, got, err := ReadWAV(crashed, nil); err != nil || !equal16(got, want) {
		t.Fatalf("repaired samples differ: %v", err)
	}
	os.WriteFile(crashed, []byte("RIFF not a wave"), 0o600)
	if _, err := RepairWAV(crashed, nil); err == nil {
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
	a, err := CreateAVI(path, nil, f.Width, f.Height, f.FPS)
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
	info, err := RepairAVI(cpath, nil)
	if err != nil || info.Frames != 20 {
		t.Fatalf("repair: %+v %v", info, err)
	}
	check(cpath, 20)
	// The repaired file has the index and sizes of a closed one.
	data, _ := os.ReadFile(cpath)
	if !bytes.Contains(data, []byte("idx1")) || binary.LittleEndian.Uint32(data[4:]) != uint32(len(data)-8) || binary.LittleEndian.Uint32(data[48:]) != 20 {
		t.Fatal("no index or sizes after repair")
	}
	if again, err := RepairAVI(cpath, nil); err != nil || again.Frames != 20 {
		t.Fatalf("repairing twice: %+v %v", again, err)
	}
	os.WriteFile(cpath, []byte("RIFF....AVI LIST"), 0o600)
	if _, err := RepairAVI(cpath, nil); err == nil {
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

// A sealed WAV copied while it was written (the crash's view: the head of
// the last Sync, a sealed chunk written since, and half a chunk more) is
// repaired in place, sealed, to every sample that reached the disk; no
// sample is readable from its bytes, and it needs the key.
func TestSealedWAVSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	keys := sealtest.Keys(t)
	path := filepath.Join(dir, "a.wav")
	w, err := CreateWAV(path, keys, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := Sine{Hz: 997}.Samples(48000, 600000) // 1.2 MB: more than one sealed chunk
	w.Write(pcm(want[:1000]))
	w.Sync()
	w.Write(pcm(want[1000:])) // a 1 MiB chunk goes to the file, the head is not rewritten
	data, _ := os.ReadFile(path)
	crashed := filepath.Join(dir, "crashed.wav")
	os.WriteFile(crashed, append(bytes.Clone(data), data[len(data)-500:len(data)-200]...), 0o600)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, crashed} {
		raw, _ := os.ReadFile(p)
		if bytes.Contains(raw, pcm(want[5000:5032])) || bytes.Contains(raw, []byte("RIFF")) {
			t.Fatalf("%s: plaintext in the sealed file", p)
		}
	}
	if info, got, err := ReadWAV(path, keys); err != nil || info.Frames != 600000 || !equal16(got, want) {
		t.Fatalf("closed file: %+v %v", info, err)
	}
	if info, _, err := ReadWAV(crashed, keys); err != nil || info.Frames != 1000 {
		t.Fatalf("before repair the head says %d frames: %v", info.Frames, err)
	}
	if _, err := RepairWAV(crashed, nil); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("repair without the key: %v", err)
	}
	if _, err := RepairWAV(crashed, sealtest.Keys(t)); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("repair under another key: %v", err)
	}
	info, err := RepairWAV(crashed, keys)
	reached := int64(1000 + seal.ChunkSize/2)
	if err != nil || info.Frames != reached {
		t.Fatalf("repair: %+v %v, want %d frames", info, err, reached)
	}
	if ok, err := seal.Sealed(crashed, keys); !ok || err != nil {
		t.Fatalf("the repaired file is not sealed: %v", err)
	}
	if _, got, err := ReadWAV(crashed, keys); err != nil || !equal16(got, want[:reached]) {
		t.Fatalf("repaired samples differ: %v", err)
	}
	if again, err := RepairWAV(crashed, keys); err != nil || again.Frames != reached {
		t.Fatalf("repairing twice: %+v %v", again, err)
	}
}

// A sealed AVI copied while it was written (frames after the last Sync
// sealed in a chunk that ends inside a frame, and a torn chunk after it)
// is repaired in place: the torn frame is cut from the plaintext, the
// index and sizes written in the sealed head, and the file reads as an
// AVI here and in the importer, frame by frame.
func TestSealedAVIRepair(t *testing.T) {
	dir := t.TempDir()
	keys := sealtest.Keys(t)
	path := filepath.Join(dir, "v.avi")
	a, err := CreateAVI(path, keys, 640, 480, 15)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	var first []byte
	var crashed []byte
	for i := range 250 { // about 10 KB a frame: more than two sealed chunks
		DrawPattern(img, int64(i), time.Duration(i)*time.Second/15)
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
		if i == 0 {
			first = bytes.Clone(buf.Bytes())
		}
		if err := a.AddFrame(buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			a.Sync()
		}
		if i == 200 {
			data, _ := os.ReadFile(path)
			crashed = append(data, data[len(data)-300:len(data)-100]...)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	check := func(path string, n int) {
		t.Helper()
		r, err := OpenAVIFile(path, keys)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if info := r.Info(); info.Frames != n || info.FPS != 15 || info.Width != 640 || info.Height != 480 {
			t.Fatalf("%s: %+v, want %d frames", path, info, n)
		}
		for i := 0; i < n; i += max(1, min(7, n-1-i)) { // a sample, and the last
			img, err := r.Frame(i)
			if err != nil {
				t.Fatal(err)
			}
			if seq, _ := MarkBits(img); int(seq) != i {
				t.Fatalf("%s frame %d carries frame %d", path, i, seq)
			}
		}
		// The importer and player read it alike.
		f, err := seal.OpenFile(path, keys)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := mediaimport.OpenAVIAt(f, f.Size())
		if err != nil || m.Info().Frames != n {
			t.Fatalf("%s through mediaimport: %v", path, err)
		}
		head := make([]byte, 52)
		f.ReadAt(head, 0)
		if binary.LittleEndian.Uint32(head[4:]) != uint32(f.Size()-8) || binary.LittleEndian.Uint32(head[48:]) != uint32(n) {
			t.Fatalf("%s: RIFF size %d for %d bytes, %d frames", path, binary.LittleEndian.Uint32(head[4:]), f.Size(), binary.LittleEndian.Uint32(head[48:]))
		}
	}
	check(path, 250)
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, first[:64]) {
		t.Fatal("a frame's bytes in the sealed file")
	}
	cpath := filepath.Join(dir, "crashed.avi")
	os.WriteFile(cpath, crashed, 0o600)
	if _, err := RepairAVI(cpath, nil); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("repair without the key: %v", err)
	}
	info, err := RepairAVI(cpath, keys)
	if err != nil || info.Frames < 6 || info.Frames >= 200 {
		t.Fatalf("repair: %+v %v", info, err)
	}
	t.Logf("the crash left %d of the 201 frames written", info.Frames)
	check(cpath, info.Frames)
	if again, err := RepairAVI(cpath, keys); err != nil || again.Frames != info.Frames {
		t.Fatalf("repairing twice: %+v %v", again, err)
	}
}
