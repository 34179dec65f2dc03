package client

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The platform knows how much of a device's log it holds from the last
// record it holds (one step down the primary key), not by counting them;
// every check that count served still holds, staged as a device that
// pushes by hand would: records that skip some are refused as a gap, a
// batch that repeats held records exactly and continues is taken with
// nothing held twice, the same batch again gets the same receipt, and a
// repeated record with other bytes is a fork.
func TestPushContinuesWhatThePlatformHolds(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		l := deviceLog(t, "HELD-1", 10)
		id := enrol(t, s, h, l)
		c := New(id)
		recs, _, err := l.Since(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		// push sends records [from, to) with the device's checkpoint of
		// size to, as the device signed it.
		push := func(from, to int64, change func([]byte) []byte) (api.Receipt, error) {
			cp, err := l.CheckpointAt(ctx, to)
			if err != nil || cp.Size != to {
				t.Fatalf("checkpoint at %d: %+v %v", to, cp, err)
			}
			req := api.PushRequest{Checkpoint: string(cp.Note)}
			for _, r := range recs[from:to] {
				d := r.Data
				if change != nil {
					d = change(d)
				}
				req.Records = append(req.Records, api.WireRecord{Seq: r.Seq, Data: d})
			}
			var rc api.Receipt
			resp, err := c.r.R().SetContext(ctx).SetBody(req).SetResult(&rc).Post(api.PathPush)
			return rc, fail(resp, err)
		}
		code := func(err error) string {
			var e *Error
			if errors.As(err, &e) {
				return e.Problem.Code
			}
			return ""
		}

		if _, err := push(0, 5, nil); err != nil {
			t.Fatalf("first five: %v", err)
		}
		if _, err := push(7, 10, nil); code(err) != "bad_log" {
			t.Fatalf("records 7-9 onto 5 held: %v, want bad_log", err)
		}
		first, err := push(3, 10, nil)
		if err != nil || first.Size != 10 {
			t.Fatalf("records 3-9 onto 5 held: %+v %v", first, err)
		}
		again, err := push(0, 10, nil)
		if err != nil || again.Note != first.Note {
			t.Fatalf("the same log again: %v; receipt the same: %v", err, again.Note == first.Note)
		}
		if _, err := push(8, 10, func(d []byte) []byte { return bytes.Replace(d, []byte("note"), []byte("NOTE"), 1) }); !errors.Is(err, ErrFork) {
			t.Fatalf("held records with other bytes: %v, want a fork", err)
		}
		held, err := s.LogRecords(ctx, id.DeviceID)
		if err != nil || len(held) != len(recs) {
			t.Fatalf("the platform holds %d records (%v), the device %d", len(held), err, len(recs))
		}
		for i, r := range recs {
			if !bytes.Equal(held[i], r.Data) {
				t.Fatalf("record %d differs", i)
			}
		}
		// A record sent twice in one batch: checked against the batch's
		// own copy (held only when the batch is), the same bytes accepted,
		// other bytes a fork that holds nothing of the batch.
		appendN(t, l, 3, "later")
		if recs, _, err = l.Since(ctx, 0); err != nil {
			t.Fatal(err)
		}
		twice := func(change func([]byte) []byte) error {
			cp, err := l.CheckpointAt(ctx, 13)
			if err != nil {
				t.Fatal(err)
			}
			req := api.PushRequest{Checkpoint: string(cp.Note)}
			for _, seq := range []int64{10, 11, 10, 12} {
				d := recs[seq].Data
				if len(req.Records) == 2 && change != nil {
					d = change(d)
				}
				req.Records = append(req.Records, api.WireRecord{Seq: seq, Data: d})
			}
			resp, err := c.r.R().SetContext(ctx).SetBody(req).Post(api.PathPush)
			return fail(resp, err)
		}
		if err := twice(func(d []byte) []byte { return bytes.Replace(d, []byte("later"), []byte("LATER"), 1) }); !errors.Is(err, ErrFork) {
			t.Fatalf("a record twice in a batch with other bytes: %v, want a fork", err)
		}
		if held, err := s.LogRecords(ctx, id.DeviceID); err != nil || len(held) != 10 {
			t.Fatalf("after the refused batch the platform holds %d records (%v), want 10", len(held), err)
		}
		if err := twice(nil); err != nil {
			t.Fatalf("a record twice in a batch, the same bytes: %v", err)
		}
		// And the device's own client goes on from there.
		if res, err := c.Push(ctx, l); err != nil || res.Size != 13 {
			t.Fatalf("push after: %+v %v", res, err)
		}
	})
}
