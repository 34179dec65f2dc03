package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// TestCosignedCheckpointGetsItsTimestamp: the order — a device
// checkpoint cosigned by the witness is then time-stamped by the
// authority, and the device keeps that token, over the exact cosigned
// note (the device's signature and the witness's cosignature both in the
// stamped bytes), verifying against the authority's CA; beside the
// receipt's own token.
func TestCosignedCheckpointGetsItsTimestamp(t *testing.T) {
	ctx := context.Background()
	tsa := tsatest.Start(t)
	_, w := inProcessWitness(t, "witness.test/stamped")
	p := witness.Policy{Witnesses: []witness.Witness{w}, Quorum: 1}
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin, Witnesses: &p, WitnessRetry: time.Hour,
		Timestamps: stamps.Config{URL: tsa.URL, Roots: tsa.CA.Roots(), Intermediates: tsa.CA.Intermediates(), Retry: time.Hour}})
	l := deviceLog(t, "sanxiang.test/witness-stamp", 3)
	c := client.New(enrol(t, s, h, l))
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	cosigned := witnessedOnce(t, s, c, l)
	if _, err := witness.VerifyCosigned(cosigned, p); err != nil {
		t.Fatalf("the device's cosigned checkpoint: %v", err)
	}
	flush(t, s, 0)
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, ts := range stampsOf(t, l) {
		if !bytes.Equal(ts.Data, cosigned) {
			continue
		}
		found = true
		if ts.Size != 3 {
			t.Errorf("the cosigned checkpoint's token covers size %d, want 3", ts.Size)
		}
		if _, err := timestamp.Verify(ts.Token, ts.Data, tsa.CA.Roots(), tsa.CA.Intermediates()); err != nil {
			t.Errorf("the cosigned checkpoint's token: %v", err)
		}
		if _, err := witness.VerifyCosigned(ts.Data, p); err != nil {
			t.Errorf("the stamped bytes are not a cosigned checkpoint: %v", err)
		}
	}
	if !found {
		t.Fatalf("no token over the cosigned checkpoint among the device's %d", len(stampsOf(t, l)))
	}
}
