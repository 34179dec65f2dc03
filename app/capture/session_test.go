package capture

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

// storedAVI opens the stored video with digest d (sealed or not).
func storedAVI(t testing.TB, l *casefile.Log, d casefile.Digest) *AVIReader {
	t.Helper()
	f, err := l.Media().Open(d)
	if err != nil {
		t.Fatal(err)
	}
	a, err := OpenAVIAt(f, f.Size())
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	return a
}

// storedWAV reads the stored sound with digest d (sealed or not).
func storedWAV(t testing.TB, l *casefile.Log, d casefile.Digest) (WAVInfo, []int16, error) {
	t.Helper()
	f, err := l.Media().Open(d)
	if err != nil {
		return WAVInfo{}, nil, err
	}
	defer f.Close()
	return ReadWAVAt(f, f.Size())
}

// testKeys is the data key of the test folder dir: made by sealtest the
// first time and kept beside the folder, so that a child process (the
// SIGKILL test) and the parent open the same sealed log.
func testKeys(t testing.TB, dir string) seal.Static {
	t.Helper()
	path := filepath.Join(dir, "test.dk")
	if dk, err := os.ReadFile(path); err == nil {
		return seal.Static{DK: dk}
	}
	k := sealtest.Keys(t)
	if err := os.WriteFile(path, k.DK, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// lockable is a data key that can be locked, as the vault is while nobody
// is signed in.
type lockable struct {
	seal.Static
	locked atomic.Bool
}

func (k *lockable) Current() (*seal.Key, error) {
	if k.locked.Load() {
		return nil, seal.ErrLocked
	}
	return k.Static.Current()
}

func (k *lockable) Lookup(id seal.KeyID, s seal.Suite) (*seal.Key, error) {
	if k.locked.Load() {
		return nil, seal.ErrLocked
	}
	return k.Static.Lookup(id, s)
}

// testLog opens the test folder's log, sealed as a device's is.
func testLog(t testing.TB, dir string) (*casefile.Log, string) {
	t.Helper()
	return testLogKeys(t, dir, testKeys(t, dir))
}

func testLogKeys(t testing.TB, dir string, keys seal.Keys) (*casefile.Log, string) {
	t.Helper()
	ctx := context.Background()
	l, err := casefile.Open(ctx, filepath.Join(dir, "c.db"), filepath.Join(dir, "media"), "CAP", keys)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := l.CaseIDs(ctx)
	if len(ids) > 0 {
		return l, ids[0]
	}
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "03", ItemID: "I1", ItemName: "检查",
		Party:    casefile.Party{Kind: "org", Name: "青禾市某公司", IDNo: "91990104MA0000003Z"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	return l, id
}

func nullAudio(t testing.TB) *Audio {
	t.Helper()
	a, err := OpenAudio(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Video with sound from the null audio backend and the synthetic camera:
// segments cut by time, each recorded in the log at once with both files
// from one start, both in the store, of about the same length, the
// frames in time order.
func TestRecordVideoWithAudioInSegments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, id := testLog(t, dir)
	defer l.Close()
	var told []*casefile.Record
	r, err := Start(ctx, Config{Log: l, Case: id, Author: "990101000001", Stage: "inspect", Audio: nullAudio(t),
		Camera: &Synthetic{}, SegmentTime: 1500 * time.Millisecond,
		OnSegment: func(rec *casefile.Record) {
			told = append(told, rec)
			if len(told) == 1 {
				// A slow step after the first segment (as hashing a GB
				// is): the next segment's sound must not start late.
				time.Sleep(700 * time.Millisecond)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2200 * time.Millisecond)
	r.Pause()
	time.Sleep(400 * time.Millisecond)
	if !r.Paused() {
		t.Fatal("not paused")
	}
	r.Resume()
	time.Sleep(1200 * time.Millisecond)
	recs, err := r.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 || len(told) != len(recs) {
		t.Fatalf("%d segments recorded, %d told", len(recs), len(told))
	}
	var total time.Duration
	for i, rec := range recs {
		got, ok := RecordingOf(*rec)
		if !ok || got.Kind != KindVideo || got.Segment != i+1 || got.Session != r.Session() || len(got.Files) != 2 || len(rec.Media) != 2 || got.Stage != "inspect" {
			t.Fatalf("segment %d: %+v", i, got)
		}
		if !strings.Contains(got.Device, "synthetic") || got.End.Before(got.Start) {
			t.Fatalf("segment %d: %+v", i, got)
		}
		dur := time.Duration(got.DurationMS) * time.Millisecond
		total += dur
		var video, audio casefile.Digest
		for _, f := range got.Files {
			d, _ := casefile.ParseDigest(f.SHA256)
			if err := l.Media().Check(d); err != nil {
				t.Fatalf("%s not in the store: %v", f.Name, err)
			}
			if ok, err := seal.Sealed(l.Media().Path(d), l.Media().Keys); !ok || err != nil {
				t.Fatalf("%s is not sealed in the store: %v", f.Name, err)
			}
			if f.Role == KindVideo {
				video = d
			} else {
				audio = d
			}
		}
		a := storedAVI(t, l, video)
		vinfo := a.Info()
		last := int64(-1)
		for j := range vinfo.Frames {
			img, err := a.Frame(j)
			if err != nil {
				t.Fatal(err)
			}
			seq, _ := MarkBits(img)
			if int64(seq) < last {
				t.Fatalf("segment %d frame %d goes back to camera frame %d", i, j, seq)
			}
			last = int64(seq)
		}
		a.Close()
		ainfo, _, err := storedWAV(t, l, audio)
		if err != nil {
			t.Fatal(err)
		}
		if d := vinfo.Duration() - ainfo.Duration(); d > 300*time.Millisecond || d < -300*time.Millisecond {
			t.Errorf("segment %d: video %v, audio %v", i, vinfo.Duration(), ainfo.Duration())
		}
		if i == 0 && (dur < 1400*time.Millisecond || dur > 2600*time.Millisecond) {
			t.Errorf("first segment lasts %v", dur)
		}
	}
	if total < 2800*time.Millisecond || total > 3900*time.Millisecond {
		t.Errorf("recorded %v in all; 3.4 s were recorded and 0.4 s paused", total)
	}
	var paused bool
	for _, rec := range recs {
		got, _ := RecordingOf(*rec)
		paused = paused || len(got.Pauses) == 1
	}
	if !paused {
		t.Error("the pause is not recorded")
	}
	if left, _ := filepath.Glob(filepath.Join(RecordingDir(l), "*")); len(left) != 0 {
		t.Fatalf("left in the recording directory: %v", left)
	}
	// The log verifies with its media.
	if _, err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// The recorder runs in a process killed with SIGKILL in the middle of a
// segment; the next start repairs the segment, records it as recovered,
// and it decodes, missing at most the last two seconds.
func TestRecordingSurvivesSIGKILL(t *testing.T) {
	if os.Getenv("SANXIANG_CAPTURE_CHILD") != "" {
		t.Skip("the child runs TestCaptureChild")
	}
	dir := t.TempDir()
	l, id := testLog(t, dir)
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCaptureChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SANXIANG_CAPTURE_CHILD="+dir)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var started time.Time
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "RECORDING") {
			started = time.Now()
			break
		}
	}
	if started.IsZero() {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child never started recording")
	}
	time.Sleep(3500 * time.Millisecond)
	killed := time.Now()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	ran := killed.Sub(started)

	// The next start opens the log locked (nobody signed in yet): the
	// sealed segments cannot be repaired or hashed, and stay as they are
	// for the unlock.
	keys := &lockable{Static: testKeys(t, dir)}
	keys.locked.Store(true)
	l, _ = testLogKeys(t, dir, keys)
	defer l.Close()
	left, _ := filepath.Glob(filepath.Join(RecordingDir(l), "*"))
	if len(left) != 3 {
		t.Fatalf("the killed recorder left %v", left)
	}
	for _, name := range left {
		if strings.HasSuffix(name, ".json") {
			continue
		}
		if ok, err := seal.Sealed(name, nil); !ok || err != nil {
			t.Fatalf("%s is not sealed: %v", name, err)
		}
	}
	sizes := map[string]int64{}
	for _, name := range left {
		st, _ := os.Stat(name)
		sizes[name] = st.Size()
	}
	if recs, err := Recover(context.Background(), l); !errors.Is(err, seal.ErrLocked) || len(recs) != 0 {
		t.Fatalf("recover while locked: %d records, %v", len(recs), err)
	}
	for _, name := range left {
		if st, err := os.Stat(name); err != nil || st.Size() != sizes[name] {
			t.Fatalf("%s changed while locked: %v", name, err)
		}
	}
	keys.locked.Store(false)
	recs, err := Recover(context.Background(), l)
	if err != nil || len(recs) != 1 {
		t.Fatalf("recover: %d records, %v", len(recs), err)
	}
	got, _ := RecordingOf(*recs[0])
	if !got.Recovered || got.Kind != KindVideo || len(got.Files) != 2 || recs[0].Case != id {
		t.Fatalf("recovered %+v", got)
	}
	dur := time.Duration(got.DurationMS) * time.Millisecond
	t.Logf("killed after %v of recording; recovered %v", ran.Round(time.Millisecond), dur)
	if dur < ran-2*time.Second || dur > ran+500*time.Millisecond {
		t.Fatalf("recovered %v of %v recorded", dur, ran)
	}
	for _, f := range got.Files {
		d, _ := casefile.ParseDigest(f.SHA256)
		if ok, err := seal.Sealed(l.Media().Path(d), l.Media().Keys); !ok || err != nil {
			t.Fatalf("%s is not sealed in the store: %v", f.Name, err)
		}
		if f.Role == KindVideo {
			a := storedAVI(t, l, d)
			for j := range a.Info().Frames {
				if _, err := a.Frame(j); err != nil {
					t.Fatalf("frame %d: %v", j, err)
				}
			}
			a.Close()
		} else if info, _, err := storedWAV(t, l, d); err != nil || info.Duration() < ran-2*time.Second {
			t.Fatalf("audio %+v %v", info, err)
		}
	}
	if again, err := Recover(context.Background(), l); err != nil || len(again) != 0 {
		t.Fatalf("recovered twice: %d %v", len(again), err)
	}
	c, _ := l.Case(context.Background(), id)
	if n := len(c.Records); n != 2 {
		t.Fatalf("the case has %d records", n)
	}
	if _, err := l.Verify(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestCaptureChild is the process the SIGKILL test kills.
func TestCaptureChild(t *testing.T) {
	dir := os.Getenv("SANXIANG_CAPTURE_CHILD")
	if dir == "" {
		t.Skip("run by TestRecordingSurvivesSIGKILL")
	}
	l, id := testLog(t, dir)
	r, err := Start(context.Background(), Config{Log: l, Case: id, Author: "990101000001", Audio: nullAudio(t), Camera: &Synthetic{}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("RECORDING", r.Session())
	time.Sleep(time.Minute)
}

// The recorder warns when the disk runs low, and when it is nearly full
// stops by itself, keeping what it recorded.
func TestRecorderWatchesTheDisk(t *testing.T) {
	var free atomic.Uint64
	free.Store(100 << 30)
	freeBytes = func(string) (uint64, error) { return free.Load(), nil }
	defer func() { freeBytes = FreeBytes }()
	dir := t.TempDir()
	l, id := testLog(t, dir)
	defer l.Close()
	r, err := Start(context.Background(), Config{Log: l, Case: id, Author: "990101000001", Audio: nullAudio(t)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	if r.LowDisk() {
		t.Fatal("a warning with 100 GB free")
	}
	free.Store(1 << 30)
	time.Sleep(1200 * time.Millisecond)
	if !r.LowDisk() {
		t.Fatal("no warning with 1 GB free")
	}
	free.Store(10 << 20)
	time.Sleep(1500 * time.Millisecond)
	recs, err := r.Stop()
	if !errors.Is(err, ErrDiskFull) || len(recs) != 1 {
		t.Fatalf("with 10 MB free: %d records, %v", len(recs), err)
	}
	if _, err := Start(context.Background(), Config{Log: l, Case: id, Author: "990101000001", Audio: nullAudio(t)}); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("started with 10 MB free: %v", err)
	}
}

// The synthetic sine records as a microphone would, sealed: the stored
// WAV holds the tone sample for sample, and no 64-byte run of it is in
// any file of the folder.
func TestSineRecordedSealed(t *testing.T) {
	dir := t.TempDir()
	l, id := testLog(t, dir)
	defer l.Close()
	src := Sine{Hz: 997, Rate: 48000}
	r, err := Start(context.Background(), Config{Log: l, Case: id, Author: "990101000001", Audio: src})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if r.Level() < 0.2 {
		t.Errorf("level %v for a half-scale tone", r.Level())
	}
	recs, err := r.Stop()
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	got, _ := RecordingOf(*recs[0])
	d, _ := casefile.ParseDigest(got.Files[0].SHA256)
	info, samples, err := storedWAV(t, l, d)
	if err != nil || info.Duration() < time.Second {
		t.Fatalf("%+v %v", info, err)
	}
	tone := src.Samples(48000, 48000)
	// The recording starts at the tone's first sample, or after a little
	// silence (the first buffer comes 20 ms late).
	start := -1
	for i := range min(len(samples), 4800) {
		if equal16(samples[i:i+64], tone[:64]) {
			start = i
			break
		}
	}
	if start < 0 || !equal16(samples[start:start+40000], tone[:40000]) {
		t.Fatalf("the tone is not in the recording (start %d)", start)
	}
	if _, err := RepairWAV(filepath.Join(dir, "none.wav"), l.Media().Keys); err == nil {
		t.Fatal("repaired a missing file")
	}
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		raw, _ := os.ReadFile(path)
		for k := 0; k < 40000; k += 997 {
			if bytes.Contains(raw, pcm(tone[k:k+32])) {
				t.Errorf("%s holds 64 bytes of the recorded sound", path)
				break
			}
		}
		return nil
	})
}
