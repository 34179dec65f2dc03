package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// PullTimestamps keeps the RFC 3161 time-stamp tokens the platform got
// for this log since the last one kept, page by page (issue 25). Each must
// be a well-signed token over its bytes (timestamp.Inspect) and those
// bytes must state this log's own tree (ledger.KeepTimestamp); whose the
// authority is, the platform checked against its roots and a court checks
// against its own. A platform without the route (older) has none to give.
func (c *Client) PullTimestamps(ctx context.Context, l *ledger.Log) (kept int, err error) {
	defer wrap(&err, "time-stamps")
	for {
		since, err := l.TimestampsHeld(ctx)
		if err != nil {
			return kept, err
		}
		var page api.TimestampsResponse
		resp, err := c.r.R().SetContext(ctx).SetQueryParam("since", strconv.FormatInt(since, 10)).SetResult(&page).Get(api.PathTimestamps)
		if err == nil && resp.StatusCode() == http.StatusNotFound {
			return kept, nil
		}
		if err := fail(resp, err); err != nil {
			return kept, err
		}
		if len(page.Timestamps) == 0 {
			return kept, nil
		}
		for _, t := range page.Timestamps {
			if t.Seq <= since {
				return kept, fmt.Errorf("%w: token %d after %d", errTimestampOrder, t.Seq, since)
			}
			if _, err := timestamp.Inspect(t.Token, t.Data); err != nil {
				return kept, fmt.Errorf("token %d: %w", t.Seq, err)
			}
			if err := l.KeepTimestamp(ctx, ledger.Timestamp{Seq: t.Seq, Size: t.Size, Data: t.Data, Token: t.Token}); err != nil {
				return kept, err
			}
			kept++
		}
	}
}

var errTimestampOrder = errors.New("the platform's time-stamps are out of order")
