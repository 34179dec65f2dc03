package client

import (
	"context"

	"github.com/go-resty/resty/v2"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// pullHalls keeps the platform's halls in cat.
func pullHalls(ctx context.Context, r *resty.Client, cat *catalog.Catalog) (_ bool, err error) {
	defer wrap(&err, "pull the halls")
	var got []api.Hall
	resp, err := r.R().SetContext(ctx).SetResult(&got).Get(api.PathHalls)
	if err := fail(resp, err); err != nil {
		return false, err
	}
	halls := make([]catalog.Hall, 0, len(got))
	for _, h := range got {
		ch := catalog.Hall{Code: h.Code, Name: h.Name}
		for _, w := range h.Windows {
			ch.Windows = append(ch.Windows, catalog.HallWindow(w))
		}
		halls = append(halls, ch)
	}
	return cat.SetHalls(ctx, halls)
}
