package console_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// withExif is a JPEG of img with an EXIF block naming a GPS position
// inserted after its start, as a phone's camera writes one.
func withExif(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00*GPSLatitude 31.2304N GPSLongitude 121.4737E")
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	data := b.Bytes()
	return append(append(append([]byte{}, data[:2]...), seg...), data[2:]...)
}

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The photo form on a person's page: an agency administrator sets their
// own person's photo, and the photo kept is a JPEG without the camera's
// EXIF and GPS, named by its SHA-256; a PNG named .jpg is taken as the
// PNG it is; a file over 2 MiB, a text file named .jpg and a picture too
// small are refused, each with its code, and change nothing; another
// agency's administrator is refused; the city's office may set anyone's.
// Every upload is in the audit log.
func TestPhotoUpload(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		f := open(t, b)
		f.admin(t, "ag1", console.RoleAgency, "01")
		f.admin(t, "ag2", console.RoleAgency, "02")
		f.admin(t, "city", console.RoleCity, "")
		f.person(t, "A1", "01")

		ag := f.browser(t)
		ag.login("ag1", "password-ag1")
		page := ag.get("/admin/people/A1")
		if page.status != http.StatusOK || !strings.Contains(page.body, `id="no-photo"`) || !strings.Contains(page.body, "暂无照片") ||
			!strings.Contains(page.body, `enctype="multipart/form-data"`) {
			t.Fatalf("the person's page without a photo: %d\n%s", page.status, page.body)
		}
		r := ag.postMultipart("/admin/people/A1/photo", nil, "me.jpg", withExif(t, demoload.Portrait("A1", 480, 640)), ag.csrf())
		if r.status != http.StatusSeeOther {
			t.Fatalf("the upload: %d %s\n%s", r.status, r.code, r.body)
		}
		p, err := f.room.People.Get(ctx, "A1")
		if err != nil || len(p.Photo) != 64 {
			t.Fatalf("the person after the upload: %+v %v", p, err)
		}
		kept, err := f.room.People.PhotoJPEG(ctx, p.Photo)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(kept, []byte("Exif")) || bytes.Contains(kept, []byte("GPS")) {
			t.Error("the kept photo still holds the camera's EXIF/GPS")
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(kept))
		if err != nil || cfg.Width != 450 || cfg.Height != 600 {
			t.Errorf("the kept photo: %+v %v, want a 450×600 JPEG (600 px on its longer side)", cfg, err)
		}
		page = ag.get("/admin/people/A1?done=photo")
		if !strings.Contains(page.body, `src="/p/photos/`+p.Photo+`.jpg"`) || !strings.Contains(page.body, "照片已更新") {
			t.Errorf("the person's page after the upload does not show the photo:\n%s", page.body)
		}

		// A PNG named .jpg is judged by its bytes: taken, as a JPEG.
		r = ag.postMultipart("/admin/people/A1/photo", nil, "renamed.jpg", pngOf(t, demoload.Portrait("A1-png", 300, 400)), ag.csrf())
		if r.status != http.StatusSeeOther {
			t.Fatalf("a PNG named .jpg: %d %s", r.status, r.code)
		}
		p2, _ := f.room.People.Get(ctx, "A1")
		if p2.Photo == p.Photo || p2.Photo == "" {
			t.Errorf("a PNG named .jpg did not become the photo: %q", p2.Photo)
		}

		// Refused, each with its code; the photo stays.
		noise := image.NewRGBA(image.Rect(0, 0, 1200, 1200))
		rnd := rand.New(rand.NewPCG(1, 2)) // noise does not compress: a big file of a fair size
		for i := range noise.Pix {
			noise.Pix[i] = byte(rnd.Uint32())
		}
		huge := pngOf(t, noise)
		if len(huge) <= 2<<20 {
			t.Fatalf("the big file is only %d bytes", len(huge))
		}
		small := image.NewRGBA(image.Rect(0, 0, 100, 300))
		for _, c := range []struct {
			name   string
			data   []byte
			status int
			code   string
		}{
			{"big.png", huge, http.StatusRequestEntityTooLarge, "photo_too_large"},
			{"notes.jpg", []byte("这不是照片，是一份说明。\n"), http.StatusUnsupportedMediaType, "photo_format"},
			{"tiny.png", pngOf(t, small), http.StatusUnprocessableEntity, "photo_dimensions"},
			{"cut.jpg", withExif(t, demoload.Portrait("x", 200, 200))[:300], http.StatusUnprocessableEntity, "photo_unreadable"},
		} {
			r := ag.postMultipart("/admin/people/A1/photo", nil, c.name, c.data, ag.csrf())
			if r.status != c.status || r.code != c.code || !strings.Contains(r.body, `data-code="`+c.code+`"`) {
				t.Errorf("%s: %d %q, want %d %s", c.name, r.status, r.code, c.status, c.code)
			}
		}
		if p3, _ := f.room.People.Get(ctx, "A1"); p3.Photo != p2.Photo {
			t.Errorf("a refused photo changed the person's: %q", p3.Photo)
		}

		// Another agency's administrator: refused, nothing changed.
		other := f.browser(t)
		other.login("ag2", "password-ag2")
		if r := other.postMultipart("/admin/people/A1/photo", nil, "x.jpg", withExif(t, demoload.Portrait("B", 300, 400)), other.csrf()); r.status != http.StatusForbidden || r.code != "forbidden" {
			t.Errorf("another agency's administrator: %d %s", r.status, r.code)
		}
		// Without the form's CSRF token: refused.
		if r := ag.postMultipart("/admin/people/A1/photo", nil, "x.jpg", withExif(t, demoload.Portrait("C", 300, 400)), ""); r.status != http.StatusForbidden || r.code != "csrf" {
			t.Errorf("without the CSRF token: %d %s", r.status, r.code)
		}
		if p4, _ := f.room.People.Get(ctx, "A1"); p4.Photo != p2.Photo {
			t.Errorf("a refused upload changed the photo: %q", p4.Photo)
		}
		// The city's office sets anyone's.
		city := f.browser(t)
		city.login("city", "password-city")
		if r := city.postMultipart("/admin/people/A1/photo", nil, "c.jpg", withExif(t, demoload.Portrait("D", 300, 400)), city.csrf()); r.status != http.StatusSeeOther {
			t.Errorf("the city's office: %d %s", r.status, r.code)
		}

		var n int
		if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'person.photo%'`).Scan(&n); err != nil || n != 7 {
			t.Errorf("%d photo entries in the audit log (%v), want 7 (two taken, four refused, the city's)", n, err)
		}
	})
}
