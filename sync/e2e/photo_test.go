package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// demoJPEG is a synthetic portrait as a camera's JPEG would come.
func demoJPEG(t *testing.T, seed string) []byte {
	t.Helper()
	ph, err := people.EncodePhoto(demoload.Portrait(seed, 300, 400))
	if err != nil {
		t.Fatal(err)
	}
	return ph.JPEG
}

// Photos reach a window device through a real sync round against the
// platform on loopback: the officers list's entry names the officer's
// photo, the people's standing names the window staff member's, and the
// device's catalog file keeps both photos' bytes, there after the device
// is closed and opened again (a window shows them offline). A photo
// changed on the platform reaches the device at the next round.
func TestPhotosReachAWindowDevice(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := demoPlatform(t, b)
		const staff = "990102000104"
		dev, _ := enrolledDevice(t, s, h.URL, "WINDOW-1", api.DeviceWindow)
		if _, err := client.ActivatePerson(ctx, dev, person(t, s, api.Person{ID: staff, Name: "窗口员", Agency: "02", Role: api.RoleStaff}), "258147"); err != nil {
			t.Fatal(err)
		}
		staffSHA, err := s.People().SetPhoto(ctx, staff, demoJPEG(t, staff))
		if err != nil {
			t.Fatal(err)
		}
		officer, err := s.People().Get(ctx, "990101000001") // a demo portrait
		if err != nil || officer.Photo == "" {
			t.Fatalf("the demo officer: %+v %v", officer, err)
		}
		if res, err := client.Round(ctx, dev, nil); err != nil {
			t.Fatalf("round: %s: %v", res, err)
		}
		dir := dev.Dir
		dev.Close()

		dev, err = device.OpenWith(ctx, dir, device.Catalog, device.Options{Kind: api.DeviceWindow})
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		if got, err := dev.Catalog.PortraitOf(ctx, staff); err != nil || got != staffSHA {
			t.Fatalf("the staff member's portrait on the device: %q %v, want %q", got, err, staffSHA)
		}
		if got, err := dev.Catalog.PortraitOf(ctx, officer.ID); err != nil || got != officer.Photo {
			t.Fatalf("the officer's portrait on the device: %q %v, want %q", got, err, officer.Photo)
		}
		for _, sha := range []string{staffSHA, officer.Photo} {
			want, err := s.People().PhotoJPEG(ctx, sha)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dev.Catalog.Photo(ctx, sha)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("photo %s on the device: %d bytes (%v), want the platform's %d", sha, len(got), err, len(want))
			}
		}
		if missing, err := dev.Catalog.MissingPhotos(ctx); err != nil || len(missing) != 0 {
			t.Errorf("photos still missing after the round: %v %v", missing, err)
		}
	})
}

// A photo whose bytes are not what its name says (a proxy or a cache in
// between swapped them) is refused: the pull fails with
// catalog.ErrBadPhoto, the device keeps nothing under that name, and the
// next pull through an honest connection brings the right bytes.
func TestForgedPhotoRefused(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := demoPlatform(t, b)
		target, _ := url.Parse(h.URL)
		forger := httputil.NewSingleHostReverseProxy(target)
		forged := demoJPEG(t, "someone else")
		forger.ModifyResponse = func(resp *http.Response) error {
			if strings.HasPrefix(resp.Request.URL.Path, api.PathPhotos) && resp.StatusCode == http.StatusOK {
				resp.Body.Close()
				resp.Body = io.NopCloser(bytes.NewReader(forged))
				resp.ContentLength = int64(len(forged))
				resp.Header.Del("Content-Length")
			}
			return nil
		}
		evil := httptest.NewServer(forger)
		defer evil.Close()

		dev, err := device.OpenWith(ctx, t.TempDir(), device.Catalog, device.Options{Kind: api.DeviceKiosk})
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		if _, err := client.PullPublic(ctx, evil.URL, dev.Catalog); !errors.Is(err, catalog.ErrBadPhoto) {
			t.Fatalf("a pull through the forger: %v, want ErrBadPhoto", err)
		}
		officer, _ := s.People().Get(ctx, "990101000001")
		if _, err := dev.Catalog.Photo(ctx, officer.Photo); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("the forged photo was kept: %v", err)
		}
		if _, err := client.PullPublic(ctx, h.URL, dev.Catalog); err != nil {
			t.Fatal(err)
		}
		want, _ := s.People().PhotoJPEG(ctx, officer.Photo)
		if got, err := dev.Catalog.Photo(ctx, officer.Photo); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("after an honest pull: %d bytes %v", len(got), err)
		}
	})
}
