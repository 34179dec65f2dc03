package demoload

import (
	"context"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Hall configures the demo city's service hall, once: a window for each
// agency, numbered in the agencies' order, handling its first three
// guides and two fees. Load leaves it out (tests configure their own
// halls); the demo's platform adds it, so the demo's window desk offers
// each window's own set.
func Hall(ctx context.Context, s *server.Server) error {
	if have, err := s.Halls(ctx); err != nil || len(have) > 0 {
		return err
	}
	if err := s.PutHall(ctx, "", "qinghe", "青禾市政务服务中心"); err != nil {
		return fmt.Errorf("demo hall: %w", err)
	}
	ags, err := s.Agencies(ctx)
	if err != nil {
		return fmt.Errorf("demo hall: %w", err)
	}
	for i, a := range ags {
		w := api.HallWindow{Number: i + 1, Name: a.Short + "窗口", Agency: a.Code}
		for _, k := range []struct {
			kind catalog.Kind
			n    int
			ids  *[]string
		}{{catalog.KindGuide, 3, &w.Guides}, {catalog.KindFee, 2, &w.Fees}} {
			items, err := s.SearchLists(ctx, catalog.Query{Kind: k.kind, Agency: a.Code, Limit: k.n})
			if err != nil {
				return fmt.Errorf("demo hall: %w", err)
			}
			for _, it := range items {
				*k.ids = append(*k.ids, it.Key())
			}
		}
		if err := s.PutHallWindow(ctx, "", "qinghe", w); err != nil {
			return fmt.Errorf("demo hall window %d: %w", w.Number, err)
		}
	}
	return nil
}
