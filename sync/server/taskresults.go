package server

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// drawTasks is the drawn tasks as the intake follows them up.
type drawTasks struct{ s *Server }

var _ intake.Tasks = drawTasks{}

// LinkTask links a case to the task its opening names when the task was
// drawn, claimed by the device that opened the case, and the opening
// names both of its inspectors; otherwise it says what did not match
// (*intake.TaskMismatch), in words for the supervisors' alert.
func (d drawTasks) LinkTask(ctx context.Context, device, caseID string, o casefile.Opening) (err error) {
	s := d.s
	defer wrap.Err(&err, "link case %s to task %s", caseID, o.Task.ID)
	mismatch := func(key string, data map[string]any) error {
		return &intake.TaskMismatch{Why: words.L(key, data)}
	}
	drawID, n, ok := ParseTaskID(o.Task.ID)
	if !ok {
		return mismatch("platform.task_mismatch.no_task", nil)
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.Lock(ctx, "draw"); err != nil {
			return err
		}
		ts, err := s.tasksOf(ctx, tx, `WHERE t.draw = ? AND t.n = ? AND d.status = ?`, drawID, n, DrawDrawn)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return mismatch("platform.task_mismatch.no_task", nil)
		}
		t := ts[0]
		switch {
		case t.CaseID == caseID:
			return nil // linked already: a retried follow-up
		case t.CaseID != "":
			return mismatch("platform.task_mismatch.linked", map[string]any{"Case": t.CaseID})
		case t.Device == "":
			return mismatch("platform.task_mismatch.unclaimed", nil)
		case t.Device != device:
			return mismatch("platform.task_mismatch.device", map[string]any{"Device": t.Device})
		}
		var missing []string
		for _, in := range t.Inspectors {
			if !slices.ContainsFunc(o.Officers, func(x casefile.Officer) bool { return x.CertNo == in.CertNo }) {
				missing = append(missing, in.Name+"（"+in.CertNo+"）")
			}
		}
		if len(missing) > 0 {
			return mismatch("platform.task_mismatch.officers", map[string]any{"Missing": strings.Join(missing, "、")})
		}
		_, err = tx.ExecContext(ctx, `UPDATE draw_tasks SET case_id = ? WHERE draw = ? AND n = ?`, caseID, drawID, n)
		return err
	})
}

// TaskResult keeps the result of the task caseID is linked to and
// publishes it as an inspection result (the draw's public page, the
// result pages and every kiosk through the feed). The first result a
// case records is the task's; the same record again publishes the same.
func (d drawTasks) TaskResult(ctx context.Context, caseID string, seq int64, at time.Time, result string) (found bool, err error) {
	s := d.s
	defer wrap.Err(&err, "result of case %s", caseID)
	var t DrawTask
	var rec PlanRecord
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.Lock(ctx, "draw"); err != nil {
			return err
		}
		ts, err := s.tasksOf(ctx, tx, `WHERE t.case_id = ?`, caseID)
		if err != nil || len(ts) == 0 {
			return err
		}
		found, t = true, ts[0]
		var have int64
		if err := tx.QueryRowContext(ctx, `SELECT result_seq FROM draw_tasks WHERE draw = ? AND n = ?`, t.Draw, t.N).Scan(&have); err != nil {
			return err
		}
		switch {
		case have < 0:
			t.Result, t.ResultAt = result, at.UTC().Format(time.RFC3339)
			if _, err := tx.ExecContext(ctx, `UPDATE draw_tasks SET result = ?, result_at = ?, result_seq = ? WHERE draw = ? AND n = ?`,
				t.Result, t.ResultAt, seq, t.Draw, t.N); err != nil {
				return err
			}
		case have != seq:
			found = false // a later stage of the same case: the first result stands
			return nil
		}
		rec, err = s.plan(ctx, tx, t.Draw)
		return err
	})
	if err != nil || !found {
		return found, err
	}
	res := resultOf(rec, t)
	res.PublishedOn = s.now().In(time.Local).Format(time.DateOnly)
	res.AgencyName = s.agencyName(ctx, res.AgencyCode)
	if err := s.Publish(ctx, []catalog.Item{&res}, nil); err != nil {
		return true, err
	}
	return true, nil
}

// resultOf is a task's result as the public lists publish it (without
// the agency's name and the day published, which the lists add).
func resultOf(rec PlanRecord, t DrawTask) catalog.InspectionResult {
	team := draw.Task{} // published as every draw's team is: 姓名（执法证号）、…
	for _, o := range t.Inspectors {
		team.Inspectors, team.Names = append(team.Inspectors, o.CertNo), append(team.Names, o.Name)
	}
	return catalog.InspectionResult{ID: t.ID(), DrawID: t.Draw, ItemID: rec.Plan.Item, ItemName: rec.Plan.ItemName, AgencyCode: rec.Plan.Agency,
		Target: t.Target.Name, Inspectors: team.Team(), Result: t.Result, DrawnOn: localDay(rec.DrawnAt), Case: t.CaseID}
}
