package people

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/draw"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Limits of a photo as it comes in: what a camera or an HR office's scan
// gives, not a thumbnail and not a poster.
const (
	PhotoMaxBytes = 2 << 20 // 2 MiB
	PhotoMinSide  = 120     // px, each side
	PhotoMaxSide  = 4000    // px, each side
	// PhotoKeptSide bounds the longer side of the JPEG kept and served:
	// enough for a display at arm's length, small enough for a kiosk to
	// hold every officer's.
	PhotoKeptSide = 600
	photoQuality  = 85
)

// PhotoError is a photo refused, with the stable code the wire and the
// console show (platform.people.photo.<code> words it for people).
type PhotoError struct {
	Code string // photo_too_large, photo_format, photo_dimensions, photo_unreadable
	Err  error
}

func (e *PhotoError) Error() string { return "photo refused (" + e.Code + "): " + e.Err.Error() }
func (e *PhotoError) Unwrap() error { return e.Err }

// Key is the refusal's translation key, filled with PhotoLimits.
func (e *PhotoError) Key() string { return "platform.people." + e.Code }

// Status is the HTTP status that answers the refusal.
func (e *PhotoError) Status() int {
	switch e.Code {
	case "photo_too_large":
		return http.StatusRequestEntityTooLarge
	case "photo_format":
		return http.StatusUnsupportedMediaType
	}
	return http.StatusUnprocessableEntity
}

// PhotoLimits fill the refusals' words.
var PhotoLimits = map[string]any{"MiB": PhotoMaxBytes >> 20, "Min": PhotoMinSide, "Max": PhotoMaxSide}

// ErrNoPhoto is a photo the platform does not hold.
var ErrNoPhoto = errors.New("no such photo")

func refused(code, format string, args ...any) error {
	return &PhotoError{Code: code, Err: fmt.Errorf(format, args...)}
}

// Photo is a photo as the platform keeps it: a JPEG without metadata,
// named by the SHA-256 of its bytes.
type Photo struct {
	SHA           string
	JPEG          []byte
	Width, Height int
}

// NormalizePhoto checks what was uploaded and re-encodes it: at most
// PhotoMaxBytes, a JPEG or a PNG by its content (whatever its name says),
// PhotoMinSide to PhotoMaxSide pixels a side; kept as a JPEG whose longer
// side is at most PhotoKeptSide. Re-encoding from the pixels drops every
// EXIF, GPS or comment block the camera wrote: the photo is public.
func NormalizePhoto(data []byte) (Photo, error) {
	if len(data) > PhotoMaxBytes {
		return Photo{}, refused("photo_too_large", "%d bytes, at most %d", len(data), PhotoMaxBytes)
	}
	var decodeConfig func([]byte) (image.Config, error)
	var decode func([]byte) (image.Image, error)
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	default:
		return Photo{}, refused("photo_format", "neither a JPEG nor a PNG")
	}
	// The header first: a small file may claim a huge picture.
	cfg, err := decodeConfig(data)
	if err != nil {
		return Photo{}, refused("photo_unreadable", "%v", err)
	}
	if cfg.Width < PhotoMinSide || cfg.Height < PhotoMinSide || cfg.Width > PhotoMaxSide || cfg.Height > PhotoMaxSide {
		return Photo{}, refused("photo_dimensions", "%d×%d px, each side %d to %d", cfg.Width, cfg.Height, PhotoMinSide, PhotoMaxSide)
	}
	img, err := decode(data)
	if err != nil {
		return Photo{}, refused("photo_unreadable", "%v", err)
	}
	return EncodePhoto(img)
}

// EncodePhoto is the kept form of a picture already decoded: scaled down
// to PhotoKeptSide on its longer side, on white where it was transparent,
// as a JPEG.
func EncodePhoto(img image.Image) (Photo, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > PhotoKeptSide {
		w, h = max(1, w*PhotoKeptSide/long), max(1, h*PhotoKeptSide/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	// x/image's Catmull-Rom: a portrait scaled down without the jagged
	// edges of nearest-neighbour, and no resampler of our own to keep.
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: photoQuality}); err != nil {
		return Photo{}, fmt.Errorf("encode photo: %w", err)
	}
	sum := sha256.Sum256(out.Bytes())
	return Photo{SHA: hex.EncodeToString(sum[:]), JPEG: out.Bytes(), Width: w, Height: h}, nil
}

// SetPhoto checks and keeps a person's photo (NormalizePhoto) and makes it
// the one they show; their entry in the public officers list names it in
// the same transaction, so the change feed carries it to every kiosk. It
// returns the photo's SHA-256.
func (r *Room) SetPhoto(ctx context.Context, id string, data []byte) (sha string, err error) {
	defer wrap.Err(&err, "set photo of %s", id)
	ph, err := NormalizePhoto(data)
	if err != nil {
		return "", err
	}
	return ph.SHA, r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := r.Lists.Lock(ctx, tx); err != nil {
			return err
		}
		return r.setPhotoTx(ctx, tx, id, ph)
	})
}

// setPhotoTx keeps ph and names it as the person's photo; the caller holds
// the lists' lock.
func (r *Room) setPhotoTx(ctx context.Context, tx *sqldb.Tx, id string, ph Photo) error {
	p, err := getTx(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO photos (sha, data, width, height, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sha) DO NOTHING`, ph.SHA, ph.JPEG, ph.Width, ph.Height, r.stamp()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET photo = ?, updated = ? WHERE id = ?`, ph.SHA, r.stamp(), id); err != nil {
		return err
	}
	p.Photo = ph.SHA
	return r.putTx(ctx, tx, Record{Person: p})
}

// PhotoJPEG is a kept photo's bytes by their SHA-256 (hex); ErrNoPhoto if
// the platform holds none by it.
func (r *Room) PhotoJPEG(ctx context.Context, sha string) (data []byte, err error) {
	defer wrap.Err(&err, "photo %s", sha)
	err = r.DB.QueryRowContext(ctx, `SELECT data FROM photos WHERE sha = ?`, sha).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoPhoto
	}
	return data, err
}
