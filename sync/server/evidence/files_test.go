package evidence

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// A case's evidence is every media record's files with their roles (a
// video's WAV is its sound), then other records' attachments by digest,
// each once; each is served as what it is.
func TestFilesOfACase(t *testing.T) {
	rec := func(seq int64, r casefile.Recording, media ...string) casefile.Record {
		body, _ := json.Marshal(r)
		return casefile.Record{Seq: seq, Kind: casefile.KindMedia, Body: body, Media: media}
	}
	wav, avi, jpg, note := "aa", "bb", "cc", "dd"
	c := &casefile.Case{Records: []casefile.Record{
		rec(1, casefile.Recording{Kind: casefile.MediaVideo, Files: []casefile.MediaFile{
			{Role: casefile.MediaVideo, SHA256: avi, Format: "avi mjpeg 640x480 15fps", Name: "v.avi"},
			{Role: casefile.MediaAudio, SHA256: wav, Format: "wav pcm_s16le 48000Hz mono", Name: "v.wav"}}}, avi, wav),
		rec(2, casefile.Recording{Kind: casefile.MediaPhoto, Files: []casefile.MediaFile{{Role: casefile.MediaPhoto, SHA256: jpg, Format: "jpeg", Name: "p.jpg"}}}, jpg),
		{Seq: 3, Kind: casefile.KindNote, Media: []string{note, jpg}},
	}}
	got := Files(c)
	want := []struct {
		seq        int64
		sha, typ   string
		sound      string
		mjpeg      bool
		downloadAs string
	}{
		{1, avi, "video/x-msvideo", wav, true, "v.avi"},
		{1, wav, "audio/wav", "", false, "v.wav"},
		{2, jpg, "image/jpeg", "", false, "p.jpg"},
		{3, note, "application/octet-stream", "", false, "dd"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d files: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Seq != w.seq || g.SHA256 != w.sha || g.ContentType() != w.typ || g.Sound != w.sound || g.MJPEG() != w.mjpeg || g.DownloadName() != w.downloadAs {
			t.Errorf("file %d: %+v (%s, %v, %s), want %+v", i, g, g.ContentType(), g.MJPEG(), g.DownloadName(), w)
		}
	}
}

// A photo's EXIF is read from its own bytes: the camera, when it was
// taken; a picture without EXIF says so; what is no picture is an error.
func TestPhotoExif(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "app", "capture", "testdata", "exif.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := PhotoExif(data)
	if err != nil || !x.HasExif || x.Camera != "QingHe EvidenceCam 1" || x.Taken.Format("2006-01-02 15:04:05") != "2026-11-20 09:41:07" || x.Width != 320 || x.GPS != "" {
		t.Fatalf("%+v %v", x, err)
	}
	// The same picture without its APP1 (EXIF) segment.
	plain := append([]byte{0xFF, 0xD8}, data[2+2+int(data[4])<<8|int(data[5]):]...)
	if x, err := PhotoExif(plain); err != nil || x.HasExif || x.Width != 320 {
		t.Fatalf("without EXIF: %+v %v", x, err)
	}
	if _, err := PhotoExif([]byte("not a picture")); err == nil {
		t.Fatal("read EXIF of something that is no picture")
	}
}
