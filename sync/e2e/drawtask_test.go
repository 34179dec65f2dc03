package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// activateDemo activates a person of the demo city (already on the
// platform, imported with its people) on dev with pin, and signs them in.
func activateDemo(t *testing.T, s *server.Server, dev *device.Device, id, pin string) {
	t.Helper()
	ctx := context.Background()
	code, _, err := s.People().NewActivationCode(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ActivatePerson(ctx, dev, code, pin); err != nil {
		t.Fatalf("activate %s: %v", id, err)
	}
	if _, _, err := dev.Book.SignIn(ctx, id, pin, "officer"); err != nil {
		t.Fatal(err)
	}
}

// 双随机 end to end, as it runs in a city: a plan drawn on the platform;
// the two inspectors' desks sync — the first takes the task up and finds it
// as an open inspection case with the item, the target and both of them,
// the other finds it held on its colleague's desk; the inspection is
// recorded on site with both officers' signatures and its result stage,
// pushed; the platform links the case to the task, and the result, its
// personal data masked, is on the draw's public page and in a kiosk's
// 抽查结果 list after the kiosk's sync.
func TestDrawnTaskReachesInspectorsAndResultIsPublished(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := demoPlatform(t, b)
		// Two certified officers of the agency in the pool: the one target
		// drawn goes to both.
		const lead, second = "990101000001", "990101000002"
		due := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		plan, err := s.NewPlan(ctx, "01", server.Plan{Item: "R01001", Count: 1, Due: due, By: "ag01"}, shops(5), []string{lead, second})
		if err != nil {
			t.Fatal(err)
		}
		drawn, err := s.MakeDraw(ctx, "01", plan.ID, "见证人报数 4711", "ag01")
		if err != nil {
			t.Fatal(err)
		}
		task := drawn.Tasks[0]
		// The first inspector's desk, where the second is signed in too
		// (they inspect together and both sign on site), and the second's own.
		deskA := officerDevice(t, s, h.URL, "DESK-A")
		activateDemo(t, s, deskA, lead, "135790")
		activateDemo(t, s, deskA, second, "246801")
		deskB := officerDevice(t, s, h.URL, "DESK-B")
		activateDemo(t, s, deskB, second, "246801")

		roundOK(t, deskA)
		cases, err := deskA.Log.TaskCases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		caseID := cases[task.ID()]
		if caseID == "" || len(cases) != 1 {
			t.Fatalf("desk A's cases for tasks: %v", cases)
		}
		c, err := deskA.Log.Case(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		o := c.Opening
		if o.Act != catalog.ActInspection || o.ItemID != "R01001" || o.Party.Name != task.Target.Name || o.Party.IDNo != task.Target.ID ||
			o.Task == nil || o.Task.ID != task.ID() || o.Task.Due != due || len(o.Officers) != 2 || c.Current != "" {
			t.Fatalf("the task's case opened as %+v", o)
		}
		named := map[string]bool{o.Officers[0].CertNo: true, o.Officers[1].CertNo: true}
		if !named[lead] || !named[second] {
			t.Fatalf("the case names %v", o.Officers)
		}
		// The round pushed the new case: the platform knows it is the task's.
		linked := ""
		for range 100 {
			p, err := s.Plan(ctx, plan.ID)
			if err != nil {
				t.Fatal(err)
			}
			if linked = p.Tasks[0].CaseID; linked != "" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if linked != caseID {
			t.Fatalf("after desk A's round the platform links task %s to %q, want %q", task.ID(), linked, caseID)
		}
		roundOK(t, deskA) // again: nothing opened twice
		if n, err := deskA.Log.CountKind(ctx, casefile.KindOpen); err != nil || n != 1 {
			t.Fatalf("desk A holds %d cases after a second round (%v)", n, err)
		}
		roundOK(t, deskB)
		if n, err := deskB.Log.CountKind(ctx, casefile.KindOpen); err != nil || n != 0 {
			t.Fatalf("desk B opened %d cases (%v)", n, err)
		}
		lists, err := client.LoadTasks(deskB)
		if err != nil {
			t.Fatal(err)
		}
		mine := lists[second].Tasks
		if len(mine) != 1 || !mine[0].Elsewhere || mine[0].Task.Device != deskA.Log.DeviceID() || mine[0].Task.ID != task.ID() {
			t.Fatalf("desk B's list of %s: %+v", second, mine)
		}

		// On site: both officers named and both sign (the desk's signer
		// signs for each signed-in officer the record names).
		both := []casefile.Officer{{CertNo: lead, Name: "胡瀚俊"}, {CertNo: second, Name: "蒋燕"}}
		rec, err := deskA.Log.AddStage(ctx, caseID, lead, casefile.StageBody{Stage: "inspect", Note: "现场检查经营场所、许可证和进货查验记录。", Officers: both})
		if err != nil {
			t.Fatal(err)
		}
		signers := map[string]bool{}
		for _, sig := range rec.Sigs {
			signers[sig.Person] = true
		}
		if !signers[lead] || !signers[second] {
			t.Fatalf("the on-site record is signed by %v", signers)
		}
		const phone = "13912345678"
		result := "未发现违法行为。经营者联系电话" + phone + "，已告知其保持进货查验记录。"
		if _, err := deskA.Log.AddStage(ctx, caseID, lead, casefile.StageBody{Stage: "handle", Note: result,
			Decision: json.RawMessage(`{"kinds":["none"],"text":"未发现问题"}`)}); err != nil {
			t.Fatal(err)
		}
		roundOK(t, deskA)

		// The platform follows the push up: the case is the task's, and
		// its result is published.
		var got server.DrawTask
		for range 100 {
			p, err := s.Plan(ctx, plan.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got = p.Tasks[0]; got.Result != "" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got.CaseID != caseID || !strings.Contains(got.Result, "未发现违法行为") || strings.Contains(got.Result, phone) {
			t.Fatalf("the task on the platform: case %q result %q", got.CaseID, got.Result)
		}
		page := fetch(t, fmt.Sprintf("%s/p/draws/%d", h.URL, plan.ID))
		if !strings.Contains(page, "未发现违法行为") || strings.Contains(page, phone) || !strings.Contains(page, task.Target.Name) {
			t.Fatal("the draw's public page lacks the masked result")
		}

		// A kiosk's sync brings the result into its 抽查结果 list.
		kiosk, _ := enrolledDevice(t, s, h.URL, "HALL", api.DeviceKiosk)
		if _, err := client.Round(ctx, kiosk, nil); err != nil {
			t.Fatalf("kiosk sync: %v", err)
		}
		items, err := kiosk.Catalog.Search(ctx, catalog.Query{Kind: catalog.KindResult, Text: task.Target.Name})
		if err != nil {
			t.Fatal(err)
		}
		var shown *catalog.InspectionResult
		for _, it := range items {
			if r, ok := it.(*catalog.InspectionResult); ok && r.ID == task.ID() {
				shown = r
			}
		}
		if shown == nil || shown.Result != got.Result || shown.Target != task.Target.Name || shown.Case != caseID ||
			!strings.Contains(shown.Inspectors, lead) || !strings.Contains(shown.Inspectors, second) {
			t.Fatalf("the kiosk's results list: %+v", shown)
		}
		if _, err := os.Stat(filepath.Join(deskA.Dir, client.TasksFile)); err != nil {
			t.Fatalf("desk A keeps no task list: %v", err)
		}
	})
}
