package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// shops is a target list of n shops, two of them of the unit 城东所.
func shops(n int) []draw.Target {
	var out []draw.Target
	for i := range n {
		t := draw.Target{ID: fmt.Sprintf("91350102MA%08d", i+1), Name: fmt.Sprintf("青禾市明湖区第%d号餐饮店", i+1), Address: fmt.Sprintf("明湖路%d号", i+1)}
		out = append(out, t)
	}
	return out
}

// A plan is kept with its lists and the hash of a seed nobody sees; the
// draw reveals the seed, draws targets and two inspectors each from it,
// and the tasks go to the inspectors: the first desk to claim one has it.
func TestDrawPlanDrawsTasksAndClaims(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, _ := demoPlatform(t, b)
		due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		if _, err := s.NewPlan(ctx, "", server.Plan{Item: "NOPE", Count: 2, Due: due}, shops(10), nil); !errors.Is(err, server.ErrPlanItem) {
			t.Fatalf("unknown item: %v", err)
		}
		if _, err := s.NewPlan(ctx, "02", server.Plan{Item: "R01001", Count: 2, Due: due}, shops(10), nil); !errors.Is(err, server.ErrPlanAgency) {
			t.Fatalf("another agency's item: %v", err)
		}
		if _, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 11, Due: due}, shops(10), nil); !errors.Is(err, server.ErrPlanCount) {
			t.Fatalf("11 of 10: %v", err)
		}
		if _, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 2, Due: "2020-01-01"}, shops(10), nil); !errors.Is(err, server.ErrPlanDue) {
			t.Fatalf("due in the past: %v", err)
		}
		if _, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 2, Due: due}, shops(10), []string{"NOBODY"}); !errors.Is(err, server.ErrNotInPool) {
			t.Fatalf("a pool of strangers: %v", err)
		}
		p, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Share: 30, Due: due, By: "admin"}, shops(10), nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != server.DrawPlanned || p.Seed != "" || len(p.Commit) != 64 || p.Plan.Count != 3 || len(p.Tasks) != 0 {
			t.Fatalf("plan: %+v", p)
		}
		first := p.Lists.Inspectors[0]
		if err := s.DeclareConflict(ctx, server.ConflictEntry{Agency: p.Plan.Agency, CertNo: first.CertNo, Target: "X", Reason: "亲属"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeclareConflict(ctx, server.ConflictEntry{Agency: p.Plan.Agency, CertNo: "NOBODY", Target: "X", Reason: "亲属"}); !errors.Is(err, server.ErrBadConflict) {
			t.Fatalf("a stranger's conflict: %v", err)
		}
		d, err := s.MakeDraw(ctx, "", p.ID, "", "admin")
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := draw.Commit(d.Seed); c != p.Commit || len(d.Tasks) != 3 {
			t.Fatalf("drawn: seed %q commit %q tasks %d", d.Seed, c, len(d.Tasks))
		}
		if _, err := s.MakeDraw(ctx, "", p.ID, "", "admin"); !errors.Is(err, server.ErrNotPlanned) {
			t.Fatalf("drawn twice: %v", err)
		}
		task := d.Tasks[0]
		a, b2 := task.Inspectors[0], task.Inspectors[1]
		mine, err := s.TasksFor(ctx, a.CertNo)
		if err != nil || len(mine) == 0 {
			t.Fatalf("tasks of %s: %v %v", a.CertNo, mine, err)
		}
		if _, err := s.ClaimTask(ctx, task.ID(), "dev-x", "NOBODY"); !errors.Is(err, server.ErrNotAssigned) {
			t.Fatalf("a stranger's claim: %v", err)
		}
		if _, err := s.ClaimTask(ctx, task.ID(), "dev-a", a.CertNo); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimTask(ctx, task.ID(), "dev-a", b2.CertNo); err != nil {
			t.Fatalf("the same device again: %v", err)
		}
		if got, err := s.ClaimTask(ctx, task.ID(), "dev-b", b2.CertNo); !errors.Is(err, server.ErrTaskClaimed) || got.Device != "dev-a" {
			t.Fatalf("another device: %+v %v", got, err)
		}
		if err := draw.Rederive(mustJSON(t, d.Published())); err != nil {
			t.Fatal(err)
		}
		// A second plan of the same targets does not send last time's pair.
		p2, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 10, Due: due}, shops(10), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := p2.Lists.Last[task.Target.ID]; len(got) != 2 || got[0] != a.CertNo {
			t.Fatalf("last time's inspectors of %s: %v", task.Target.ID, got)
		}
		if err := s.CancelPlan(ctx, "", p2.ID, " ", "admin"); !errors.Is(err, server.ErrNeedReason) {
			t.Fatalf("cancel without reason: %v", err)
		}
		if err := s.CancelPlan(ctx, "", p2.ID, "名录有误", "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MakeDraw(ctx, "", p2.ID, "", "admin"); !errors.Is(err, server.ErrNotPlanned) {
			t.Fatalf("a cancelled plan drawn: %v", err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
