package demoload

import (
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"

	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// PortraitPeople are the demo people given a photo: the demo's officer
// and a few colleagues, the legal reviewer and the demo's window staff
// (README). The others keep none, so the demo shows the placeholder too.
var PortraitPeople = []string{"990101000001", "990101000002", "990102000001", "990103000001", "990104000001",
	"990101000003", "990102000004"}

// Portrait is a plain synthetic portrait for the demo: a head and
// shoulders in flat colours on a light background, the colours picked by
// seed, so the same seed always draws the same picture. No face, no
// person: the demo's people are fictional and so are their photos.
func Portrait(seed string, w, h int) image.Image {
	sum := sha256.Sum256([]byte(seed))
	pick := func(i int, palette []color.RGBA) color.RGBA { return palette[int(sum[i])%len(palette)] }
	bg := pick(0, []color.RGBA{{0xdc, 0xe6, 0xf0, 0xff}, {0xe3, 0xec, 0xe4, 0xff}, {0xef, 0xe8, 0xdc, 0xff}, {0xe6, 0xe2, 0xee, 0xff}})
	skin := pick(1, []color.RGBA{{0xe8, 0xc4, 0xa0, 0xff}, {0xd9, 0xad, 0x86, 0xff}, {0xf0, 0xd0, 0xb0, 0xff}, {0xc9, 0x9a, 0x72, 0xff}})
	hair := pick(2, []color.RGBA{{0x22, 0x1e, 0x1c, 0xff}, {0x3b, 0x2f, 0x2a, 0xff}, {0x4a, 0x3c, 0x33, 0xff}})
	coat := pick(3, []color.RGBA{{0x1f, 0x3a, 0x5f, 0xff}, {0x2b, 0x4c, 0x3f, 0xff}, {0x33, 0x33, 0x40, 0xff}})
	shirt := color.RGBA{0xf4, 0xf4, 0xf2, 0xff}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fw, fh := float64(w), float64(h)
	inEllipse := func(x, y, cx, cy, rx, ry float64) bool {
		dx, dy := (x-cx)/rx, (y-cy)/ry
		return dx*dx+dy*dy <= 1
	}
	for py := range h {
		for px := range w {
			x, y := float64(px)+0.5, float64(py)+0.5
			c := bg
			switch {
			case inEllipse(x, y, fw/2, fh*1.08, fw*0.48, fh*0.36): // shoulders
				c = coat
				if inEllipse(x, y, fw/2, fh*0.80, fw*0.09, fh*0.16) {
					c = shirt // the collar's opening
				}
			case inEllipse(x, y, fw/2, fh*0.66, fw*0.09, fh*0.08): // neck
				c = skin
			case inEllipse(x, y, fw/2, fh*0.36, fw*0.21, fh*0.21) && y < fh*0.30: // hair
				c = hair
			case inEllipse(x, y, fw/2, fh*0.42, fw*0.18, fh*0.22): // face
				c = skin
			}
			img.SetRGBA(px, py, c)
		}
	}
	return img
}

// Portraits gives PortraitPeople their synthetic photos through the
// people room, as an administrator's upload would.
func Portraits(ctx context.Context, s *server.Server) error {
	for _, id := range PortraitPeople {
		ph, err := people.EncodePhoto(Portrait(id, 360, 480))
		if err != nil {
			return fmt.Errorf("demo portrait of %s: %w", id, err)
		}
		if _, err := s.People().SetPhoto(ctx, id, ph.JPEG); err != nil {
			return fmt.Errorf("demo portrait of %s: %w", id, err)
		}
	}
	return nil
}
