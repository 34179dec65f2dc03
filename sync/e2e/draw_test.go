package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The platform draws targets and inspectors for a random-inspection item,
// keeps the seed and lists so the draw comes out the same when made again,
// and publishes it with the results as they come in.
func TestRandomInspectionDrawIsKeptReproducibleAndPublished(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := demoPlatform(t, b)
		// The demo's draw, made by the platform, publishes what the kiosk's
		// offline demo lists.
		ds, err := demo.Dataset(demo.Standard)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range ds.Results {
			got, err := s.Item(ctx, catalog.KindResult, want.ID)
			if err != nil || got["target"] != want.Target || got["inspectors"] != want.Inspectors || got["result"] != want.Result ||
				got["item_name"] != want.ItemName || got["agency_name"] != want.AgencyName {
				t.Fatalf("the demo draw published %v (%v), the demo lists %+v", got, err, want)
			}
		}
		if len(ds.Results) != 2 {
			t.Fatalf("the demo lists %d results", len(ds.Results))
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
		if err := s.SetDrawResult(ctx, rec.ID, rec.Draw.Tasks[1].Target, "  "); err == nil {
			t.Fatal("an empty result was published")
		}
		// The result is in the public lists: its page, and a kiosk's search.
		rid := fmt.Sprintf("%d-1", rec.ID)
		page = get("/p/result/" + rid)
		for _, want := range []string{first, "发现过期食品，已立案", rec.Draw.Tasks[0].Names[1], "青禾市市场监督管理局"} {
			if !strings.Contains(page, want) {
				t.Errorf("the result's page lacks %q", want)
			}
		}
		cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "kiosk.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		if _, err := client.PullPublic(ctx, h.URL, cat); err != nil {
			t.Fatal(err)
		}
		found, err := cat.Search(ctx, catalog.Query{Kind: catalog.KindResult, Text: first})
		if err != nil || len(found) != 1 || found[0].Key() != rid {
			t.Fatalf("the kiosk finds %v (%v)", found, err)
		}
		if r := found[0].(*catalog.InspectionResult); r.Result != "发现过期食品，已立案" || r.ItemName == "R01001" || r.DrawnOn == "" {
			t.Fatalf("the kiosk has %+v", r)
		}
	})
}
