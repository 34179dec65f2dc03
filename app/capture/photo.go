package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // photos imported as PNG
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rwcarlsen/goexif/exif"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// PhotoInfo is what a photo says about itself (size, and EXIF's taken
// time, camera and place).
type PhotoInfo = casefile.PhotoInfo

// ErrNotPhoto is a file that is not a JPEG or PNG picture.
var ErrNotPhoto = errors.New("capture: not a JPEG or PNG photo")

// MaxPhoto is the largest photo file imported.
const MaxPhoto = 64 << 20

// PhotoInfoOf reads a photo's size and EXIF data.
func PhotoInfoOf(data []byte) (PhotoInfo, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		return PhotoInfo{}, "", ErrNotPhoto
	}
	info := PhotoInfo{Width: cfg.Width, Height: cfg.Height}
	if format == "jpeg" {
		if x, err := exif.Decode(bytes.NewReader(data)); err == nil {
			if t, err := x.DateTime(); err == nil {
				info.Taken = t
			}
			if tag, err := x.Get(exif.Make); err == nil {
				info.Make, _ = tag.StringVal()
			}
			if tag, err := x.Get(exif.Model); err == nil {
				info.Model, _ = tag.StringVal()
			}
			if lat, long, err := x.LatLong(); err == nil {
				info.Lat, info.Long = lat, long
			}
		}
	}
	return info, format, nil
}

// ImportPhoto adds a photo file from a phone or a camera to a case as it
// is, byte for byte, EXIF and all.
func ImportPhoto(ctx context.Context, l *casefile.Log, caseID, author, stage, path string) (*casefile.Record, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxPhoto {
		return nil, fmt.Errorf("%w: %s is larger than %d MB", ErrNotPhoto, filepath.Base(path), MaxPhoto>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	info, format, err := PhotoInfoOf(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	info.Source = filepath.Base(path)
	return addPhoto(ctx, l, caseID, author, stage, data, format, info, st.ModTime())
}

// Snapshot adds a camera frame to a case as a JPEG photo.
func Snapshot(ctx context.Context, l *casefile.Log, caseID, author, stage string, img image.Image, camera string, at time.Time) (*casefile.Record, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		return nil, fmt.Errorf("snapshot for case %s: encode: %w", caseID, err)
	}
	b := img.Bounds()
	info := PhotoInfo{Width: b.Dx(), Height: b.Dy(), Taken: at, Model: camera, Source: "snapshot"}
	return addPhoto(ctx, l, caseID, author, stage, buf.Bytes(), "jpeg", info, at)
}

func addPhoto(ctx context.Context, l *casefile.Log, caseID, author, stage string, data []byte, format string, info PhotoInfo, fileTime time.Time) (*casefile.Record, error) {
	if _, err := l.Case(ctx, caseID); err != nil {
		return nil, fmt.Errorf("add photo to case %s: %w", caseID, err)
	}
	d, n, err := l.Media().Put(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("add photo to case %s: %w", caseID, err)
	}
	at := info.Taken
	if at.IsZero() {
		at = fileTime
	}
	ext := map[string]string{"jpeg": ".jpg", "png": ".png"}[format]
	name := strings.TrimSuffix(info.Source, filepath.Ext(info.Source))
	if name == "" || name == "snapshot" {
		name = "photo-" + at.Format("20060102-150405")
	}
	device := info.Model
	if info.Make != "" && !strings.HasPrefix(info.Model, info.Make) {
		device = strings.TrimSpace(info.Make + " " + info.Model)
	}
	rec := Recording{Session: newSession(l.Now()), Segment: 1, Kind: KindPhoto, Device: device, Stage: stage, Start: at, End: at,
		Files: []File{{Role: KindPhoto, SHA256: d.String(), Size: n, Format: fmt.Sprintf("%s %dx%d", format, info.Width, info.Height), Name: name + ext}},
		Photo: &info}
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("add photo to case %s: %w", caseID, err)
	}
	r, err := l.AddMedia(ctx, caseID, author, body, []string{d.String()})
	if err != nil {
		return nil, fmt.Errorf("add photo to case %s: %w", caseID, err)
	}
	return r, nil
}
