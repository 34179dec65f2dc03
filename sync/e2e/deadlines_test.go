package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// An administrator sets an agency's own publication deadlines on the
// platform; a bad row is refused whole; an officer's device takes the
// table in its sync round and keeps it, and an agency set back to none
// returns to the national defaults on the device.
func TestAgencyDeadlinesReachDevices(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		set := map[string]any{"deadlines": publish.Deadlines{{Agency: "01", Act: catalog.ActCoercion, Days: 10}, {Agency: "01", Act: catalog.ActPenalty, Days: 5}}}
		st, body := adminDo(t, http.MethodPut, h.URL, api.PathAdminDeadlines, set)
		if st != http.StatusOK {
			t.Fatalf("set: %d %s", st, body)
		}
		bad := map[string]any{"deadlines": publish.Deadlines{{Agency: "02", Act: catalog.ActFee, Days: 0}}}
		if st, body := adminDo(t, http.MethodPut, h.URL, api.PathAdminDeadlines, bad); st != http.StatusUnprocessableEntity {
			t.Fatalf("0 days: %d %s", st, body)
		}
		var got publish.Deadlines
		json.Unmarshal(body, &got)
		want := publish.Deadlines{{Agency: "01", Act: catalog.ActCoercion, Days: 10}, {Agency: "01", Act: catalog.ActPenalty, Days: 5}}
		if !slices.Equal(got, want) {
			t.Fatalf("the platform holds %v", got)
		}
		dev, _ := enrolledDevice(t, s, h.URL, "OFF-DL", api.DeviceOfficer)
		if ds, err := dev.Deadlines(); err != nil || ds != nil {
			t.Fatalf("before a sync: %v %v", ds, err)
		}
		res, err := client.Round(ctx, dev, nil)
		if err != nil {
			t.Fatalf("round: %s: %v", res, err)
		}
		for _, f := range res.Failed {
			if f.Step == "deadlines" {
				t.Fatalf("deadlines step: %v", f.Err)
			}
		}
		ds, err := dev.Deadlines()
		if err != nil || !slices.Equal(ds, want) || ds.Days("01", catalog.ActCoercion) != 10 || ds.Days("02", catalog.ActCoercion) != 20 {
			t.Fatalf("the device holds %v (%v)", ds, err)
		}
		// Agency 01 back to the national deadlines.
		if st, body := adminDo(t, http.MethodPut, h.URL, api.PathAdminDeadlines, map[string]any{"agencies": []string{"01"}}); st != http.StatusOK {
			t.Fatalf("clear: %d %s", st, body)
		}
		client.Round(ctx, dev, nil)
		if ds, _ := dev.Deadlines(); len(ds) != 0 || ds.Days("01", catalog.ActPenalty) != 7 {
			t.Fatalf("after clearing, the device holds %v", ds)
		}
	})
}
