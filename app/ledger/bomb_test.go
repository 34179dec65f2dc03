package ledger

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// zeroBomb is a deflate stream that expands to n MiB of zeros, made the
// way a zip bomb is: deflate reaches about 1030:1 on zeros, and once its
// window is full of zeros every further MiB encodes to the same bytes, so
// the stream is built from one flushed MiB repeated (it is checked to
// expand to the full size below, not assumed).
func zeroBomb(t *testing.T, mib int) (stream []byte, crc uint32) {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	w.Write(zero)
	w.Flush()
	first := bytes.Clone(b.Bytes())
	b.Reset()
	w.Write(zero)
	w.Flush()
	steady := bytes.Clone(b.Bytes())
	b.Reset()
	w.Close()
	out := append([]byte(nil), first...)
	for range mib - 1 {
		out = append(out, steady...)
	}
	out = append(out, b.Bytes()...)
	n, err := io.Copy(io.Discard, flate.NewReader(bytes.NewReader(out)))
	if err != nil || n != int64(mib)<<20 {
		t.Fatalf("the bomb expands to %d bytes (%v), not %d MiB", n, err, mib)
	}
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, zero)
	}
	return out, crc
}

// withEntry copies a bundle, the entry name replaced by a deflated entry
// whose header says it holds size bytes (true or not) and whose stream is
// raw.
func withEntry(t *testing.T, b []byte, name string, raw []byte, size uint64, crc uint32) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// allocated is how many bytes the heap handed out while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// memoryBound is what verifying any bundle may allocate: the limits keep
// every entry read into memory under 16 MiB, and media pass through
// SHA-256.
const memoryBound = 64 << 20

// A case bundle doctored as an attacker would: a media file replaced by a
// GiB of zeros in a MiB of zip, the manifest by an entry whose header says
// it holds 1000 bytes and whose stream holds a GiB, a media file whose
// header says 10 MiB over a GiB, a record that says it holds a GiB. Each is
// refused with ErrBundleTooLarge (code bundle_too_large) having allocated
// well under 64 MiB (on main the first made VerifyBundle allocate the
// whole GiB). A real bundle with a 48 MiB video still verifies, its media
// streamed (also under the bound).
func TestZipBombRefusedInBoundedMemory(t *testing.T) {
	f := newFixture(t, 12)
	key := f.log.Verifier
	b := exportCase(t, f, "C0")
	var m Manifest
	mj, err := readZip(b, "manifest.json")
	if err != nil || json.Unmarshal(mj, &m) != nil || len(m.Media) == 0 {
		t.Fatalf("manifest: %v", err)
	}
	bomb, crc := zeroBomb(t, 1024)
	if len(bomb) > 2<<20 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	for _, c := range []struct {
		name, entry string
		size        uint64
		seq         int64
	}{
		{"a GiB of zeros for a media file", m.Media[0].File, 1 << 30, 2},
		{"a manifest whose header lies", "manifest.json", 1000, -1},
		{"a media file whose header lies", m.Media[0].File, 10 << 20, 2},
		{"a record that says it holds a GiB", m.Records[1].File, 1 << 30, m.Records[1].Seq},
	} {
		doctored := withEntry(t, b, c.entry, bomb, c.size, crc)
		if len(doctored) > 3<<20 {
			t.Fatalf("%s: the bundle is %d bytes", c.name, len(doctored))
		}
		var err error
		alloc := allocated(func() { _, _, err = VerifyBundle(bytes.NewReader(doctored), int64(len(doctored)), key) })
		var ve *VerifyError
		if !errors.Is(err, ErrBundleTooLarge) || !errors.As(err, &ve) || ve.Code() != "bundle_too_large" || ve.Seq != c.seq {
			t.Errorf("%s: got %v", c.name, err)
		}
		if alloc > memoryBound {
			t.Errorf("%s: verifying allocated %d MiB", c.name, alloc>>20)
		}
		t.Logf("%s: refused having allocated %.1f MiB: %v", c.name, float64(alloc)/(1<<20), err)
	}

	// A bundle with more entries than any case holds is refused before any
	// is read.
	lim := DefaultBundleLimits
	lim.MaxEntries = 10
	if _, _, err := VerifyBundleWithin(bytes.NewReader(b), int64(len(b)), key, lim); !errors.Is(err, ErrBundleTooLarge) {
		t.Errorf("too many entries: %v", err)
	}

	// A real case with a 48 MiB video, exported to a file and verified from
	// it, as the verify-bundle command does.
	video := make([]byte, 48<<20)
	rand.NewChaCha8([32]byte{19}).Read(video)
	d, _, err := f.log.Media().Put(bytes.NewReader(video))
	if err != nil {
		t.Fatal(err)
	}
	video = nil
	if err := f.log.Append(context.Background(), &Record{Case: "C0", Kind: "note", Author: "990101000001",
		Body: json.RawMessage(`{"text": "执法记录仪视频"}`), Media: []string{d.String()}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "C0.zip")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.log.Export(context.Background(), "C0", out, nil); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	st, _ := in.Stat()
	var rep BundleReport
	alloc := allocated(func() { rep, _, err = VerifyBundle(in, st.Size(), key) })
	if err != nil || rep.Media != 3 || rep.Records != 7 {
		t.Fatalf("the bundle with a video: %+v %v", rep, err)
	}
	if alloc > memoryBound {
		t.Errorf("verifying a %d MiB bundle allocated %d MiB", st.Size()>>20, alloc>>20)
	}
	t.Logf("a %.1f MiB bundle verified having allocated %.1f MiB", float64(st.Size())/(1<<20), float64(alloc)/(1<<20))
}
