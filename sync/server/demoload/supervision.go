package demoload

import (
	"context"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// Supervision gives the demo platform what supervision acts with, so that
// its console's pages are not empty on first look: the demo officers' body
// cameras in the equipment register (one of them in repair), and a
// supervision notice (执法监督通知书) to the demo officer's agency, which
// reaches the demo desk at its next sync. Once: a platform that has
// cameras or notices keeps its own.
func Supervision(ctx context.Context, s *server.Server) error {
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		return fmt.Errorf("demo supervision: %w", err)
	}
	agency := ""
	for _, o := range ds.Officers {
		if o.ID == demoInspectors[0] {
			agency = o.AgencyCode
		}
	}
	if agency == "" {
		return fmt.Errorf("demo supervision: no demo officer %s", demoInspectors[0])
	}
	cams, err := s.BodyCameras(ctx, "")
	if err != nil {
		return fmt.Errorf("demo supervision: %w", err)
	}
	if len(cams) == 0 {
		for i, c := range []api.BodyCamera{
			{Serial: "DSJ-QH-0001", Make: "青禾安防", Model: "DSJ-V8", Officer: demoInspectors[0], Status: api.CameraInUse},
			{Serial: "DSJ-QH-0002", Make: "青禾安防", Model: "DSJ-V8", Officer: demoInspectors[1], Status: api.CameraInUse},
			{Serial: "DSJ-QH-0003", Make: "青禾安防", Model: "DSJ-V6", Status: api.CameraRepair},
		} {
			c.Agency = agency
			if err := s.PutBodyCamera(ctx, "", "demo", c, true); err != nil {
				return fmt.Errorf("demo camera %d: %w", i+1, err)
			}
		}
	}
	room := s.Console()
	notices, _, err := room.Notices(ctx, console.NoticeFilter{})
	if err != nil {
		return fmt.Errorf("demo supervision: %w", err)
	}
	if len(notices) > 0 {
		return nil
	}
	if _, err := room.IssueNotice(ctx, "", console.NewNotice{Agency: agency,
		Finding:  "2026年第四季度案卷评查发现：部分现场检查未全程音像记录，个别案件法制审核意见未随案归档。",
		Basis:    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）",
		Actions:  "对本季度已办结案件逐案自查，补齐可补的记录，说明无法补齐的原因，并报送整改情况。",
		Deadline: time.Now().AddDate(0, 0, 30).Format(time.DateOnly),
	}, "demo", console.RoleCity); err != nil {
		return fmt.Errorf("demo notice: %w", err)
	}
	return nil
}
