package client

import (
	"context"
	"fmt"

	"github.com/go-resty/resty/v2"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// maxPhotoBytes bounds a photo's answer: the platform keeps photos of at
// most 600 px a side as JPEG, far below it.
const maxPhotoBytes = 4 << 20

// PullPhotos fetches every photo the catalog names (officers' entries and
// the people's portraits) and does not hold, from the platform's public
// photo address, and keeps each in the catalog once its bytes hash to its
// name (catalog.ErrBadPhoto otherwise): the kiosk and the window then show
// them offline. A photo that fails is tried again at the next pull.
func PullPhotos(ctx context.Context, r *resty.Client, cat *catalog.Catalog) (n int, err error) {
	defer wrap(&err, "pull photos")
	missing, err := cat.MissingPhotos(ctx)
	if err != nil {
		return 0, err
	}
	for _, sha := range missing {
		resp, err := r.R().SetContext(ctx).SetResponseBodyLimit(maxPhotoBytes).Get(api.PhotoPath(sha))
		if err := fail(resp, err); err != nil {
			return n, fmt.Errorf("photo %s: %w", sha, err)
		}
		if err := cat.PutPhoto(ctx, sha, resp.Body()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
