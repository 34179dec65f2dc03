package demoload_test

import (
	"context"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The demo's hall has a window for each demo agency, each handling that
// agency's guides and fees, and is made once.
func TestDemoHall(t *testing.T) {
	ctx := context.Background()
	s, _ := servertest.Backends(t)[0].Serve(t, server.Options{})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := demoload.Hall(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	halls, err := s.Halls(ctx)
	ags, _ := s.Agencies(ctx)
	if err != nil || len(halls) != 1 || len(halls[0].Windows) != len(ags) || len(ags) == 0 {
		t.Fatalf("demo halls: %+v %v (%d agencies)", halls, err, len(ags))
	}
	for i, w := range halls[0].Windows {
		if w.Number != i+1 || w.Agency != ags[i].Code || len(w.Guides) == 0 || len(w.Fees) == 0 {
			t.Errorf("window %+v", w)
		}
	}
}
