package client

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// A window device's pull brings the city's halls with the lists and keeps
// them in its catalog: a changed hall counts as one change, an unchanged
// one as none, and a window taken away on the platform is gone from the
// device at the next pull.
func TestWindowPullsItsHall(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		g := &catalog.ServiceGuide{ID: "G-1", Name: "食品经营许可", AgencyCode: "01", Act: catalog.ActLicensing}
		if err := s.Publish(ctx, []catalog.Item{g}, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutHall(ctx, "", "civic", "青禾市民中心"); err != nil {
			t.Fatal(err)
		}
		if err := s.PutHallWindow(ctx, "", "civic", api.HallWindow{Number: 3, Name: "综合受理", Agency: "01", Guides: []string{"G-1"}}); err != nil {
			t.Fatal(err)
		}
		cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		lists := NewLists(h.URL, cat)
		if n, err := lists.Pull(ctx); err != nil || n != 3 { // the agency, the guide, the hall
			t.Fatalf("first pull: %d %v", n, err)
		}
		halls, err := cat.Halls(ctx)
		if err != nil || len(halls) != 1 || halls[0].Name != "青禾市民中心" {
			t.Fatalf("halls kept: %+v %v", halls, err)
		}
		if w, ok := halls[0].Window(3); !ok || w.Name != "综合受理" || len(w.Guides) != 1 || w.Guides[0] != "G-1" || len(w.Fees) != 0 {
			t.Fatalf("window 3 kept: %+v %v", w, ok)
		}
		if n, err := lists.Pull(ctx); err != nil || n != 0 {
			t.Fatalf("a pull with nothing new: %d %v", n, err)
		}
		if err := s.DeleteHallWindow(ctx, "", "civic", 3); err != nil {
			t.Fatal(err)
		}
		if n, err := lists.Pull(ctx); err != nil || n != 1 {
			t.Fatalf("a pull after window 3 went: %d %v", n, err)
		}
		if halls, err := cat.Halls(ctx); err != nil || len(halls[0].Windows) != 0 {
			t.Fatalf("halls after window 3 went: %+v %v", halls, err)
		}
	})
}
