package capture

import (
	"bytes"
	"context"
	"image"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// A photo from a camera is kept byte for byte, EXIF and all, and its
// record says when and with what it was taken; a file that is no photo is
// refused and nothing is added.
func TestImportPhotoKeepsEXIF(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, id := testLog(t, dir)
	defer l.Close()
	src := filepath.Join("testdata", "exif.jpg")
	rec, err := ImportPhoto(ctx, l, id, "990101000001", "inspect", src)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := RecordingOf(*rec)
	if !ok || got.Kind != KindPhoto || got.Photo == nil || got.Photo.Make != "QingHe" || got.Photo.Model != "EvidenceCam 1" ||
		got.Photo.Taken.Format("2006-01-02 15:04:05") != "2026-11-20 09:41:07" || got.Photo.Width != 320 || got.Device != "QingHe EvidenceCam 1" ||
		got.Files[0].Name != "exif.jpg" || got.Stage != "inspect" {
		t.Fatalf("record %+v %+v", got, got.Photo)
	}
	want, _ := os.ReadFile(src)
	d, _ := casefile.ParseDigest(got.Files[0].SHA256)
	sf, err := l.Media().Open(d)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := io.ReadAll(sf)
	sf.Close()
	if err != nil || !bytes.Equal(kept, want) {
		t.Fatal("the stored photo is not the file imported")
	}
	bad := filepath.Join(dir, "notes.jpg")
	os.WriteFile(bad, []byte("not a picture"), 0o600)
	if _, err := ImportPhoto(ctx, l, id, "990101000001", "", bad); err == nil {
		t.Fatal("imported a file that is no picture")
	}
	c, _ := l.Case(ctx, id)
	if len(c.Records) != 2 {
		t.Fatalf("the case has %d records", len(c.Records))
	}
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	DrawPattern(img, 7, 0)
	snap, err := Snapshot(ctx, l, id, "990101000001", "", img, "synthetic", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := RecordingOf(*snap); got.Photo.Source != "snapshot" || got.Photo.Width != 640 || len(snap.Media) != 1 {
		t.Fatalf("snapshot %+v", got)
	}
}
