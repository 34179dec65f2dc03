package kiosk

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// portraitIn is the Portrait under o; nil if there is none.
func portraitIn(o fyne.CanvasObject) *Portrait {
	switch v := o.(type) {
	case *Portrait:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if p := portraitIn(c); p != nil {
				return p
			}
		}
	case *container.ThemeOverride:
		return portraitIn(v.Content)
	}
	return nil
}

// platformPhoto is the photo the platform holds for person, decoded.
func platformPhoto(t *testing.T, s *server.Server, person string) image.Image {
	t.Helper()
	p, err := s.People().Get(context.Background(), person)
	if err != nil || p.Photo == "" {
		t.Fatalf("%s has no photo on the platform: %+v %v", person, p, err)
	}
	data, err := s.People().PhotoJPEG(context.Background(), p.Photo)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// servicesOf are an agency's first guides and fees, for a display to
// show beside the staff card.
func servicesOf(t *testing.T, cat *catalog.Catalog, agency string) Service {
	t.Helper()
	var s Service
	var err error
	if s.Guides, err = cat.Search(context.Background(), catalog.Query{Kind: catalog.KindGuide, Agency: agency, Limit: 7}); err != nil {
		t.Fatal(err)
	}
	if s.Fees, err = cat.Search(context.Background(), catalog.Query{Kind: catalog.KindFee, Agency: agency, Limit: 7}); err != nil {
		t.Fatal(err)
	}
	return s
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

// An officer's photo goes from the platform to the kiosk through the
// change feed and the photo pull (sync/client against the platform on
// loopback, into the kiosk's catalog file), and the officer's detail page
// draws that photo's very pixels, with the platform gone; an officer
// without a photo shows the placeholder with their surname, their name
// and 暂无照片, not a silhouette.
func TestKioskOfficerPhoto(t *testing.T) {
	ctx := context.Background()
	k := newTestKiosk(t)
	w := test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	k.Attach(w)
	s, h := demoPlatform(t)
	k.SetPull(client.NewLists(h.URL, k.cat))
	select {
	case <-k.PullNow():
	case <-time.After(60 * time.Second):
		t.Fatal("the pull did not finish")
	}
	want := platformPhoto(t, s, "990101000001")
	h.Close() // offline from here: a kiosk started now shows what it keeps
	k, err := New(k.cat, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	w = test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))

	it, err := k.cat.Get(ctx, catalog.KindOfficer, "990101000001")
	if err != nil {
		t.Fatal(err)
	}
	if it.(*catalog.Officer).Photo == "" {
		t.Fatal("the feed did not carry the officer's photo")
	}
	k.ShowDetail(it)
	p := portraitIn(k.body)
	if p == nil || p.Photo == nil || p.Initial != nil {
		t.Fatalf("the officer's detail shows no photo: %+v", p)
	}
	if !samePixels(p.Photo.Image, want) {
		t.Error("the detail's photo is not the platform's")
	}
	shelltest.Shot(t, w, "photo-kiosk-officer")

	// No photo: the placeholder names the officer.
	it, err = k.cat.Get(ctx, catalog.KindOfficer, "990105000001")
	if err != nil {
		t.Fatal(err)
	}
	o := it.(*catalog.Officer)
	if o.Photo != "" {
		t.Fatalf("%s has a photo in the demo", o.ID)
	}
	k.ShowDetail(it)
	p = portraitIn(k.body)
	if p == nil || p.Photo != nil || p.Initial == nil || p.Initial.Text != "何" {
		t.Fatalf("the placeholder: %+v", p)
	}
	if got := texts(p.content); !slices.Contains(got, o.Name) || p.Note.Text != "暂无照片" {
		t.Errorf("the placeholder says %q, want the name %s and 暂无照片", got, o.Name)
	}
	shelltest.Shot(t, w, "photo-kiosk-placeholder")
}

// The window's staff member is no list item: the people's standing names
// their photo, the device keeps it as a portrait, the photo pull brings
// its bytes, and the citizen display's staff card draws them; a staff
// member without one gets the placeholder with their name.
func TestDisplayStaffPhoto(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDesk(t)
	_, dw := deskWindows(t, d)
	s, h := demoPlatform(t)
	st, err := s.People().Standing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	photos := map[string]string{}
	for _, p := range st.People {
		photos[p.ID] = p.Photo
	}
	if err := d.cat.SetPortraits(ctx, photos); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PullPublic(ctx, h.URL, d.cat); err != nil {
		t.Fatal(err)
	}
	staff := account.Account{ID: "990102000004", Name: "毛诗", Agency: "02", Unit: "青禾市松川区城市管理局", Position: "七级职员", Role: account.RoleStaff}
	d.Display.Serve("3", staff, servicesOf(t, d.cat, staff.Agency))
	p := portraitIn(d.Display.Content())
	if p == nil || p.Photo == nil {
		t.Fatalf("the staff card shows no photo: %+v", p)
	}
	if !samePixels(p.Photo.Image, platformPhoto(t, s, "990102000004")) {
		t.Error("the staff card's photo is not the platform's")
	}
	shelltest.Shot(t, dw, "photo-display-staff")

	other := account.Account{ID: "X9", Name: "林小青", Agency: "02", Unit: "青禾市城市管理局", Position: "科员", Role: account.RoleStaff}
	d.Display.Serve("4", other, servicesOf(t, d.cat, other.Agency))
	p = portraitIn(d.Display.Content())
	if p == nil || p.Photo != nil || p.Initial == nil || p.Initial.Text != "林" || p.Note.Text != "暂无照片" {
		t.Fatalf("the staff card without a photo: %+v", p)
	}
	shelltest.Shot(t, dw, "photo-display-placeholder")
}
