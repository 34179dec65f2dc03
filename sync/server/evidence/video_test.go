package evidence

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/mediaimport/mediatest"
)

// The frame indexes kept are a few: one pushed out while a request still
// reads it stays open until that request is done, then closes; frames of
// an AVI whose cameras leave out the Huffman tables come out as JPEGs a
// decoder reads.
func TestVideosKeptAndClosed(t *testing.T) {
	dir := t.TempDir()
	var opened []*os.File
	s := &Room{Open: func(_ context.Context, sha string) (io.ReadCloser, error) {
		f, err := os.Open(filepath.Join(dir, sha))
		if err == nil {
			opened = append(opened, f)
		}
		return f, err
	}}
	for i := range maxVideos + 1 {
		if err := mediatest.AVI(filepath.Join(dir, fmt.Sprint(i)), mediatest.AVIOptions{Width: 32, Height: 24, FPS: 5, Frames: 3, NoHuffman: true}); err != nil {
			t.Fatal(err)
		}
	}
	first, release, err := s.video(context.Background(), "0")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= maxVideos; i++ {
		_, done, err := s.video(context.Background(), fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		done()
	}
	if len(s.videos) != maxVideos {
		t.Fatalf("%d videos kept", len(s.videos))
	}
	frame, err := first.JPEG(2)
	if err != nil {
		t.Fatalf("the video pushed out while read: %v", err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(frame)); err != nil {
		t.Fatalf("frame 2 is no JPEG: %v", err)
	}
	release()
	if _, err := first.JPEG(2); err == nil {
		t.Fatal("the video pushed out is still open after its last reader")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range opened {
		if _, err := f.Stat(); err == nil {
			t.Fatalf("%s still open after Close", f.Name())
		}
	}
}
