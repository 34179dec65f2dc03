package client

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// Demo officers of agency 01: the pool of the draw, and one outside it.
const (
	inspectorA, inspectorB, bystander = "990101000001", "990101000002", "990101000006"
)

// taskDevice opens an officer's device named name, enrolls it with the
// platform, and activates and signs in the officer id on it.
func taskDevice(t *testing.T, s *server.Server, h *httptest.Server, name, id string) (*device.Device, Identity) {
	t.Helper()
	ctx := context.Background()
	dev, err := device.Open(ctx, t.TempDir(), device.Catalog|device.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	dev.Book.SetKDF(account.Quick)
	if err := dev.OpenLedger(ctx, name); err != nil {
		t.Fatal(err)
	}
	dev.Config.PlatformURL = h.URL
	code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
	if err != nil {
		t.Fatal(err)
	}
	ident, err := Enrol(ctx, h.URL, code, name, api.DeviceOfficer, dev.Log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveIdentity(dev.Dir, ident, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	act, _, err := s.People().NewActivationCode(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ActivatePerson(ctx, dev, act, "147258"); err != nil {
		t.Fatalf("activate %s on %s: %v", id, name, err)
	}
	if _, _, err := dev.Book.SignIn(ctx, id, "147258", "officer"); err != nil {
		t.Fatal(err)
	}
	return dev, ident
}

// signedIn is the officer's signer on dev (their key, unsealed at sign-in).
func signedIn(t *testing.T, dev *device.Device, id string) ledger.Signer {
	t.Helper()
	for _, a := range dev.Book.Keys.SignedIn() {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("%s is not signed in", id)
	return nil
}

// drawnPlan plans and draws n shops of the demo item R01001 with the pool
// of the two inspectors: every task goes to both.
func drawnPlan(t *testing.T, s *server.Server, n int) server.PlanRecord {
	t.Helper()
	ctx := context.Background()
	var shops []draw.Target
	for i := range n {
		shops = append(shops, draw.Target{ID: fmt.Sprintf("91350102MA%08d", i+1), Name: fmt.Sprintf("青禾市明湖区第%d号餐饮店", i+1),
			Address: fmt.Sprintf("青禾市明湖区明湖路%d号", i+1)})
	}
	due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	p, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: n, Due: due, By: "admin"}, shops, []string{inspectorA, inspectorB})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.MakeDraw(ctx, "", p.ID, "", "admin")
	if err != nil || len(d.Tasks) != n {
		t.Fatalf("draw: %d tasks, %v", len(d.Tasks), err)
	}
	return d
}

// problemCode is the code of a platform's refusal, "" for another error.
func problemCode(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Status, e.Problem.Code
	}
	return 0, ""
}

// Drawn tasks reach the officers' desks through sync: the first of a
// pair's devices to sync takes each task up and opens its inspection case
// with the item, the target and both inspectors; its next round opens
// nothing new, and the same holds when the kept list is gone; the other
// inspector's device opens nothing and keeps each task as held on the
// first device, by whom. Then what others would try: an officer outside
// the pair sees no task and is refused the claim (not_assigned, alerted),
// the list asked for unsigned, with a forged key, or with a signature
// made for another request (person_required), and the second device's
// claim after the first's (ErrTaskClaimed, naming the first device).
func TestDrawnTasksReachTheDesks(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		if err := demoload.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		plan := drawnPlan(t, s, 2)
		devA, idA := taskDevice(t, s, h, "TASK-A", inspectorA)
		devB, idB := taskDevice(t, s, h, "TASK-B", inspectorB)
		devC, idC := taskDevice(t, s, h, "TASK-C", bystander)

		res, err := Round(ctx, devA, nil)
		if err != nil {
			t.Fatalf("round of A: %v (%s)", err, res)
		}
		if !hasKey(res.Done, "cli.tasks_opened", 2) {
			t.Fatalf("round of A did not open the two tasks: %s", res)
		}
		opened, err := devA.Log.TaskCases(ctx)
		if err != nil || len(opened) != 2 {
			t.Fatalf("task cases on A: %v %v", opened, err)
		}
		for _, task := range plan.Tasks {
			id := opened[task.ID()]
			cs, err := devA.Log.Case(ctx, id)
			if err != nil {
				t.Fatalf("case of task %s: %v", task.ID(), err)
			}
			o := cs.Opening
			if o.Act != "inspection" || o.Procedure != "inspection" || o.ItemID != "R01001" || o.ItemName != plan.Plan.ItemName || o.Agency != "01" ||
				o.Party.Kind != "org" || o.Party.Name != task.Target.Name || o.Party.IDNo != task.Target.ID || o.Place != task.Target.Address ||
				o.Task == nil || o.Task.ID != task.ID() || o.Task.Due != plan.Plan.Due || cs.Holder != inspectorA {
				t.Fatalf("case of task %s: %+v held by %s", task.ID(), o, cs.Holder)
			}
			if len(o.Officers) != 2 || o.Officers[0].CertNo != task.Inspectors[0].CertNo || o.Officers[1].CertNo != task.Inspectors[1].CertNo ||
				o.Officers[0].Name == "" || o.Summary != "双随机抽查任务 "+task.ID()+"："+plan.Plan.ItemName+"，检查对象"+task.Target.Name+"，于"+plan.Plan.Due+"前完成。" {
				t.Fatalf("case of task %s: officers %+v, summary %q", task.ID(), o.Officers, o.Summary)
			}
		}
		kept, err := LoadTasks(devA)
		if err != nil || len(kept[inspectorA].Tasks) != 2 || kept[inspectorA].Tasks[0].Case == "" || kept[inspectorA].At.IsZero() {
			t.Fatalf("tasks kept on A: %+v %v", kept, err)
		}

		// Again, and again with the kept list gone: the log says what is
		// opened, so nothing is opened twice.
		for i := range 2 {
			res, err := Round(ctx, devA, nil)
			if err != nil || hasKey(res.Done, "cli.tasks_opened", -1) {
				t.Fatalf("round %d of A: %s %v", i+2, res, err)
			}
			if n, _ := devA.Log.CountKind(ctx, casefile.KindOpen); n != 2 {
				t.Fatalf("round %d of A: %d cases", i+2, n)
			}
			if err := removeTasks(devA.Dir); err != nil {
				t.Fatal(err)
			}
		}

		if res, err := Round(ctx, devB, nil); err != nil || hasKey(res.Done, "cli.tasks_opened", -1) {
			t.Fatalf("round of B: %s %v", res, err)
		}
		if n, _ := devB.Log.CountKind(ctx, casefile.KindOpen); n != 0 {
			t.Fatalf("B opened %d cases", n)
		}
		onB, err := LoadTasks(devB)
		if err != nil || len(onB[inspectorB].Tasks) != 2 {
			t.Fatalf("tasks kept on B: %+v %v", onB, err)
		}
		for _, st := range onB[inspectorB].Tasks {
			if !st.Elsewhere || st.Case != "" || st.Task.Device != idA.DeviceID || st.Task.ClaimedBy != inspectorA ||
				st.ClaimedByName() != "胡瀚俊" || !st.Of(inspectorB) || st.Of(bystander) {
				t.Fatalf("task on B: %+v (by %q)", st, st.ClaimedByName())
			}
		}

		// An officer outside the pair.
		cC := New(idC)
		if list, err := cC.PullTasks(ctx, signedIn(t, devC, bystander)); err != nil || len(list) != 0 {
			t.Fatalf("a bystander's tasks: %+v %v", list, err)
		}
		task := plan.Tasks[0].ID()
		_, err = cC.ClaimTask(ctx, task, signedIn(t, devC, bystander))
		if st, code := problemCode(err); st != http.StatusForbidden || code != "not_assigned" {
			t.Fatalf("a bystander's claim: %v", err)
		}
		if alerts, err := s.AlertList(ctx); err != nil || len(alerts) == 0 || alerts[0].Kind != "not_assigned" || alerts[0].Device != idC.DeviceID {
			t.Fatalf("no not_assigned alert: %+v %v", alerts, err)
		}
		if res, err := Round(ctx, devC, nil); err != nil || hasKey(res.Done, "cli.tasks_opened", -1) {
			t.Fatalf("round of C: %s %v", res, err)
		}
		if onC, err := LoadTasks(devC); err != nil || len(onC[bystander].Tasks) != 0 {
			t.Fatalf("tasks kept on C: %+v %v", onC, err)
		}

		// Signatures that do not hold.
		cB := New(idB)
		resp, err := cB.r.R().SetContext(ctx).Get(api.PathTasks)
		if st, code := problemCode(fail(resp, err)); st != http.StatusForbidden || code != "person_required" {
			t.Fatalf("tasks asked for unsigned: %v", fail(resp, err))
		}
		_, forged, _ := ed25519.GenerateKey(rand.Reader)
		if _, err := cB.PullTasks(ctx, ledger.KeySigner{ID: inspectorB, Key: forged}); !isCode(err, "person_required") {
			t.Fatalf("tasks asked for with a forged key: %v", err)
		}
		if _, err := cC.PullTasks(ctx, ledger.KeySigner{ID: inspectorA, Key: forged}); !isCode(err, "person_required") {
			t.Fatalf("A's tasks asked for from C: %v", err)
		}
		// B's signature of the list, replayed to claim a task.
		b2 := signedIn(t, devB, inspectorB)
		at := time.Now().UTC().Format(time.RFC3339)
		sig := b2.Sign(api.PersonMessage(api.PathTasks, idB.DeviceID, "tasks", at))
		resp, err = cB.r.R().SetContext(ctx).SetHeader(api.HeaderPerson, inspectorB).SetHeader(api.HeaderPersonTime, at).
			SetHeader(api.HeaderPersonSig, base64.StdEncoding.EncodeToString(sig)).Post(api.PathTasks + task + "/claim")
		if !isCode(fail(resp, err), "person_required") {
			t.Fatalf("a list's signature replayed on a claim: %v", fail(resp, err))
		}

		// B's own claim, properly signed, after A's.
		held, err := cB.ClaimTask(ctx, task, b2)
		if !errors.Is(err, ErrTaskClaimed) || held.ID != task || held.Device != idA.DeviceID || held.ClaimedBy != inspectorA {
			t.Fatalf("B's claim after A's: %+v %v", held, err)
		}
		if _, err := cB.ClaimTask(ctx, "99-1", b2); !isCode(err, "no_task") {
			t.Fatalf("a claim of no task: %v", err)
		}
		// A's claim again answers the same.
		again, err := New(idA).ClaimTask(ctx, task, signedIn(t, devA, inspectorA))
		if err != nil || again.Device != idA.DeviceID {
			t.Fatalf("A's claim again: %+v %v", again, err)
		}
	})
}

// hasKey says whether ms holds key, with N of n (any N when n < 0).
func hasKey(ms []Message, key string, n int) bool {
	for _, m := range ms {
		if m.Key == key && (n < 0 || m.Args["N"] == n) {
			return true
		}
	}
	return false
}

func isCode(err error, code string) bool {
	_, c := problemCode(err)
	return c == code
}

// removeTasks deletes the device's kept task lists, as a lost file would.
func removeTasks(dir string) error {
	err := os.Remove(filepath.Join(dir, TasksFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
