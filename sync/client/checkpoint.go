package client

import (
	"context"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/device"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// CheckpointEvery is how often a device online and recording sends its
// latest checkpoint alone (issue 25, part 3): at most this long between a
// record and a checkpoint the platform and its witnesses hold.
const CheckpointEvery = 5 * time.Minute

// CheckpointOnce sends an enrolled device's latest checkpoint alone (the
// desk's loop between full syncs): a small request, no records.
func CheckpointOnce(ctx context.Context, dev *device.Device) (api.CheckpointAnswer, error) {
	id, err := LoadIdentity(dev.Dir, dev.Keys())
	if err != nil {
		return api.CheckpointAnswer{}, fmt.Errorf("send checkpoint: %w", err)
	}
	return New(id).SendCheckpoint(ctx, dev.Log)
}

// SendCheckpoint sends the log's latest checkpoint alone, to be kept and
// witnessed, and keeps the newest cosigned checkpoint the answer carries
// (checked against the log's own tree). An empty log sends nothing.
func (c *Client) SendCheckpoint(ctx context.Context, l *casefile.Log) (_ api.CheckpointAnswer, err error) {
	defer wrap(&err, "send checkpoint")
	cp, err := l.Latest(ctx)
	if err != nil || cp.Size == 0 {
		return api.CheckpointAnswer{}, err
	}
	req := api.CheckpointRequest{Checkpoint: string(cp.Note)}
	// The proof from the newest witnessed checkpoint: the platform may
	// not hold the records between yet, and the witnesses need it.
	from, _, _, err := l.Cosigned(ctx)
	if err != nil {
		return api.CheckpointAnswer{}, err
	}
	if from > 0 && from < cp.Size {
		proof, err := l.ProveTree(ctx, cp.Size, from)
		if err != nil {
			return api.CheckpointAnswer{}, err
		}
		req.ProofFrom = from
		for _, h := range proof {
			req.Proof = append(req.Proof, h.String())
		}
	}
	var ans api.CheckpointAnswer
	resp, err := c.r.R().SetContext(ctx).SetBody(req).SetResult(&ans).Post(api.PathCheckpoint)
	if err := fail(resp, err); err != nil {
		return ans, err
	}
	if ans.Cosigned != "" {
		if _, err := l.KeepCosigned(ctx, []byte(ans.Cosigned)); err != nil {
			return ans, err
		}
	}
	return ans, nil
}
