package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The platform draws targets and inspectors for a random-inspection item,
// keeps the seed and lists so the draw comes out the same when made again,
// and publishes it with the results as they come in.
func TestRandomInspectionDrawIsKeptReproducibleAndPublished(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		if err := s.LoadDemo(ctx); err != nil {
			t.Fatal(err)
		}
		var targets []string
		for i := range 30 {
			targets = append(targets, fmt.Sprintf("青禾市明湖区第%d号餐饮店", i+1))
		}
		if _, err := s.NewDraw(ctx, "R01001", 31, 7, targets); err != draw.ErrCount {
			t.Fatalf("more than the list: %v", err)
		}
		if _, err := s.NewDraw(ctx, "NOPE", 3, 7, targets); err == nil {
			t.Fatal("a draw for an item the lists do not hold")
		}
		rec, err := s.NewDraw(ctx, "R01001", 5, 7, targets)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := draw.Run("R01001", rec.Draw.Agency, 7, 5, targets, rec.Inspectors)
		if !draw.Same(rec.Draw, again) || len(rec.Inspectors) < 2 {
			t.Fatalf("the kept draw is not what its seed draws")
		}
		for _, o := range rec.Inspectors {
			if o.AgencyCode != rec.Draw.Agency {
				t.Fatalf("inspector %s of another agency", o.CertNo)
			}
		}
		if same, err := s.Redraw(ctx, rec.ID); err != nil || !same {
			t.Fatalf("redraw: %v %v", same, err)
		}
		first := rec.Draw.Tasks[0].Target
		if err := s.SetDrawResult(ctx, rec.ID, "不在抽中名单的店", "x"); err == nil {
			t.Fatal("a result for a target not drawn")
		}
		if err := s.SetDrawResult(ctx, rec.ID, first, "发现过期食品，已立案"); err != nil {
			t.Fatal(err)
		}
		get := func(path string) string {
			resp, err := http.Get(h.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return string(body)
		}
		page := get(fmt.Sprintf("/p/draws/%d", rec.ID))
		for _, want := range []string{first, "发现过期食品，已立案", "7", rec.Draw.ListsSHA, rec.Draw.Tasks[0].Names[0]} {
			if !strings.Contains(page, want) {
				t.Errorf("the draw's page lacks %q", want)
			}
		}
		if !strings.Contains(get("/p/draws/"), fmt.Sprintf("/p/draws/%d", rec.ID)) {
			t.Error("the list of draws lacks it")
		}
		if same, _ := s.Redraw(ctx, rec.ID); !same {
			t.Fatal("a result changed the draw")
		}
	})
}
