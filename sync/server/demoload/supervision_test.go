package demoload

import (
	"context"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// The demo platform's supervision is seeded once: three body cameras of
// the demo officer's agency (the two demo inspectors' in use, one in
// repair) and one open notice to that agency; a second run adds nothing
// and changes nothing.
func TestDemoSupervisionSeededOnce(t *testing.T) {
	ctx := context.Background()
	s := loaded(t)
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		t.Fatal(err)
	}
	agency := ""
	for _, o := range ds.Officers {
		if o.ID == demoInspectors[0] {
			agency = o.AgencyCode
		}
	}
	for run := 1; run <= 2; run++ {
		if err := Supervision(ctx, s); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		cams, err := s.BodyCameras(ctx, agency)
		if err != nil {
			t.Fatal(err)
		}
		inUse := map[string]bool{}
		repair := 0
		for _, c := range cams {
			switch c.Status {
			case api.CameraInUse:
				inUse[c.Officer] = true
			case api.CameraRepair:
				repair++
			}
		}
		if len(cams) != 3 || !inUse[demoInspectors[0]] || !inUse[demoInspectors[1]] || repair != 1 {
			t.Fatalf("run %d: demo cameras of %s: %+v", run, agency, cams)
		}
		notices, count, err := s.Console().Notices(ctx, console.NoticeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(notices) != 1 || notices[0].Agency != agency || notices[0].State != console.NoticePending || notices[0].Overdue || count.Overdue != 0 {
			t.Fatalf("run %d: demo notices: %+v %+v", run, notices, count)
		}
	}
}
