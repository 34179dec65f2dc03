package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// PullHandovers fetches the cases handed over to officer (signed in on this
// device, who signs the request) and not taken over yet.
func (c *Client) PullHandovers(ctx context.Context, officer ledger.Signer) (_ []api.Handover, err error) {
	defer wrap(&err, "pull the handovers to "+officer.Person())
	var out []api.Handover
	resp, err := c.asPerson(ctx, api.PathHandovers, "handovers", officer).SetResult(&out).Get(api.PathHandovers)
	return out, fail(resp, err)
}

// ReceiveHandovers pulls the cases handed over to officer and keeps their
// records in the device's log (casefile.Log.Receive checks them), ready to
// be taken over; it returns how many cases came in. One case that does not
// check out is reported and does not stop the others.
func (c *Client) ReceiveHandovers(ctx context.Context, log *casefile.Log, officer ledger.Signer) (int, error) {
	list, err := c.PullHandovers(ctx, officer)
	if err != nil {
		return 0, err
	}
	n := 0
	var refused []error
	for _, h := range list {
		if h.To != officer.Person() {
			refused = append(refused, fmt.Errorf("handover of %s names %s, not %s", h.Case, h.To, officer.Person()))
			continue
		}
		recs := make([]casefile.ReceivedRecord, len(h.Records))
		for i, r := range h.Records {
			recs[i] = casefile.ReceivedRecord{Device: r.Device, Seq: r.Seq, Data: r.Data}
		}
		if err := log.Receive(ctx, h.Case, recs); err != nil {
			refused = append(refused, err)
			continue
		}
		n++
	}
	if len(refused) > 0 {
		return n, fmt.Errorf("receive handovers: %w", errors.Join(refused...))
	}
	return n, nil
}
