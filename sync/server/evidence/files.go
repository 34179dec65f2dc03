package evidence

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // photos' sizes
	_ "image/png"
	"path"
	"strings"
	"time"

	"github.com/rwcarlsen/goexif/exif"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// File is one evidence file of a case, as a record names it.
type File struct {
	Seq    int64  // the record that names it
	Role   string // audio, video, photo, or "" for a record's plain attachment
	SHA256 string
	Size   int64
	Format string // the record's words for it ("avi mjpeg 640x480 10fps"); "" when it gave none
	Name   string
	// Sound is, for a video, the SHA-256 of the WAV recorded beside it.
	Sound string
}

// Files are the evidence files of case c in its records' order: a media
// record's files with their roles (casefile.Recording), and any other
// record's attachments by digest alone.
func Files(c *casefile.Case) []File {
	var out []File
	seen := map[string]bool{}
	for _, r := range c.Records {
		if rec, ok := casefile.RecordingOf(r); ok {
			sound := ""
			for _, f := range rec.Files {
				if f.Role == casefile.MediaAudio && rec.Kind == casefile.MediaVideo {
					sound = f.SHA256
				}
			}
			for _, f := range rec.Files {
				if seen[f.SHA256] {
					continue
				}
				seen[f.SHA256] = true
				x := File{Seq: r.Seq, Role: f.Role, SHA256: f.SHA256, Size: f.Size, Format: f.Format, Name: f.Name}
				if f.Role == casefile.MediaVideo {
					x.Sound = sound
				}
				out = append(out, x)
			}
		}
		for _, sha := range r.Media {
			if !seen[sha] {
				seen[sha] = true
				out = append(out, File{Seq: r.Seq, SHA256: sha})
			}
		}
	}
	return out
}

// container is the file's kind: the first word of its format, else its
// name's extension.
func (f File) container() string {
	if w := strings.Fields(f.Format); len(w) > 0 {
		return strings.ToLower(w[0])
	}
	return strings.TrimPrefix(strings.ToLower(path.Ext(f.Name)), ".")
}

// ContentType is what the file is served as.
func (f File) ContentType() string {
	switch f.container() {
	case "wav":
		return "audio/wav"
	case "mp3":
		return "audio/mpeg"
	case "avi":
		return "video/x-msvideo"
	case "mp4":
		return "video/mp4"
	case "jpeg", "jpg":
		return "image/jpeg"
	case "png":
		return "image/png"
	}
	return "application/octet-stream"
}

// MJPEG says whether the file is an MJPEG AVI, which browsers do not play
// and the console plays frame by frame.
func (f File) MJPEG() bool {
	return f.container() == "avi" && (f.Format == "" || strings.Contains(strings.ToLower(f.Format), "mjpeg"))
}

// DownloadName is the name the original downloads under.
func (f File) DownloadName() string {
	if f.Name != "" {
		return path.Base(f.Name)
	}
	ext := map[string]string{"audio/wav": ".wav", "audio/mpeg": ".mp3", "video/x-msvideo": ".avi", "video/mp4": ".mp4", "image/jpeg": ".jpg", "image/png": ".png"}[f.ContentType()]
	return short(f.SHA256, 12) + ext
}

// short is the first n characters of a digest (all of one shorter).
func short(sha string, n int) string {
	return sha[:min(n, len(sha))]
}

// Exif is what a photo says about itself, read from its own bytes.
type Exif struct {
	Width, Height int
	Camera        string
	Taken         time.Time // zero when it does not say
	GPS           string    // "lat, long" in degrees; "" when it does not say
	HasExif       bool
}

// PhotoExif reads a photo's size and EXIF data (goexif, the EXIF reader
// the device's photo import uses: the platform shows what the device
// recorded by the same reading).
func PhotoExif(data []byte) (Exif, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Exif{}, fmt.Errorf("read photo: %w", err)
	}
	e := Exif{Width: cfg.Width, Height: cfg.Height}
	x, err := exif.Decode(bytes.NewReader(data))
	if err != nil {
		return e, nil // a photo without EXIF is still a photo
	}
	e.HasExif = true
	var cam []string
	for _, f := range []exif.FieldName{exif.Make, exif.Model} {
		if tag, err := x.Get(f); err == nil {
			if v, err := tag.StringVal(); err == nil && strings.TrimSpace(v) != "" {
				cam = append(cam, strings.TrimSpace(v))
			}
		}
	}
	e.Camera = strings.Join(cam, " ")
	if t, err := x.DateTime(); err == nil {
		e.Taken = t
	}
	if lat, long, err := x.LatLong(); err == nil {
		e.GPS = fmt.Sprintf("%.6f, %.6f", lat, long)
	}
	return e, nil
}
