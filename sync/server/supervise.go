package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Supervision evaluates every case opened in [from, to) and sums them up.
func (s *Server) Supervision(ctx context.Context, from, to time.Time) (supervise.Report, error) {
	return s.SupervisionOf(ctx, "", from, to)
}

// SupervisionOf is Supervision held to one agency's cases and staff
// (agency not ""): an agency administrator's view of their own agency.
func (s *Server) SupervisionOf(ctx context.Context, agency string, from, to time.Time) (_ supervise.Report, err error) {
	defer wrap.Err(&err, "supervision of %q", agency)
	rules, err := s.superviseRules(ctx)
	if err != nil {
		return supervise.Report{}, err
	}
	var evals []supervise.Evaluation
	err = s.eachCaseOpened(ctx, agency, from, to, "supervision", func(device string, c *casefile.Case) {
		evals = append(evals, supervise.Evaluate(device, c, rules))
	})
	if err != nil {
		return supervise.Report{}, err
	}
	staffing, err := s.staffing(ctx)
	if err != nil {
		return supervise.Report{}, err
	}
	if agency != "" {
		staffing = slices.DeleteFunc(staffing, func(st supervise.Staffing) bool { return st.Agency != agency })
	}
	rep := supervise.Summarize(evals, from, to, rules.Now, staffing)
	tasks, err := s.drawnTasks(ctx, agency, from, to)
	if err != nil {
		return supervise.Report{}, err
	}
	rep.Inspections = supervise.SummarizeTasks(tasks, rules.Now)
	return rep, nil
}

// drawnTasks are the tasks of the plans drawn in [from, to), of one
// agency or ("") all, for supervision.
func (s *Server) drawnTasks(ctx context.Context, agency string, from, to time.Time) (_ []supervise.DrawnTask, err error) {
	defer wrap.Err(&err, "drawn tasks of %q", agency)
	if err := s.DrawDue(ctx); err != nil {
		return nil, err
	}
	ids, err := s.drawIDs(ctx, `SELECT id FROM draws WHERE version = ? AND status = ? AND drawn_at >= ? AND drawn_at < ? AND (? = '' OR agency = ?) ORDER BY id`,
		draw.Version2, DrawDrawn, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), agency, agency)
	if err != nil {
		return nil, err
	}
	var out []supervise.DrawnTask
	for _, id := range ids {
		rec, err := s.plan(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		for _, t := range rec.Tasks {
			dt := supervise.DrawnTask{ID: t.ID(), Draw: t.Draw, Agency: rec.Plan.Agency, Target: t.Target.Name,
				Inspectors: resultOf(rec, t).Inspectors, Due: t.Due, Case: t.CaseID, Device: t.Device}
			if t.ResultAt != "" {
				if dt.Done, err = time.Parse(time.RFC3339, t.ResultAt); err != nil {
					return nil, fmt.Errorf("task %s: result time %q: %w", t.ID(), t.ResultAt, err)
				}
			}
			out = append(out, dt)
		}
	}
	return out, nil
}

func (s *Server) superviseRules(ctx context.Context) (_ supervise.Rules, err error) {
	defer wrap.Err(&err, "supervision rules")
	svc, err := s.reviewService(ctx)
	if err != nil {
		return supervise.Rules{}, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return supervise.Rules{}, err
	}
	av, err := s.AVLists(ctx)
	if err != nil {
		return supervise.Rules{}, err
	}
	ds, err := s.Deadlines(ctx)
	if err != nil {
		return supervise.Rules{}, err
	}
	procs, err := s.ProcedureSet(ctx)
	if err != nil {
		return supervise.Rules{}, err
	}
	return supervise.Rules{Review: svc, Procedures: procs, AV: av, Cal: cal, Now: s.now(), Deadlines: ds}, nil
}

// staffing counts each agency's officers with a valid certificate in the
// public lists against its registered legal reviewers.
func (s *Server) staffing(ctx context.Context) (_ []supervise.Staffing, err error) {
	defer wrap.Err(&err, "staffing")
	officers, reviewers := map[string]int{}, map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM catalog WHERE kind = ? AND deleted = 0`, string(catalog.KindOfficer))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var data string
		var o catalog.Officer
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return nil, err
		}
		if json.Unmarshal([]byte(data), &o) == nil && o.Status == catalog.CertValid {
			officers[o.AgencyCode]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT agency, count(*) FROM people WHERE role = ? AND active = 1 GROUP BY agency`, api.RoleReviewer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			return nil, err
		}
		reviewers[a] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return supervise.StaffingOf(officers, reviewers), nil
}

// supervisionJSON: GET /api/v1/admin/supervision, the report as JSON; a
// token held to one agency gets that agency's.
func (s *Server) supervisionJSON(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.pages.Period(r)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_period", words.Of(err), "")
		return
	}
	t, _ := console.TokenFrom(r.Context())
	rep, err := s.SupervisionOf(r.Context(), t.Agency, from, to)
	web.Respond(w, r, rep, err)
}

// eachCaseOpened calls fn with each case opened in [from, to), of one
// agency or ("") all, not handed to another device, in the order opened,
// as the platform judges it (a record whose time the platform doubts is
// judged by its arrival): what supervision and 评议考核 both count. A
// case that cannot be rebuilt is logged under what and left out.
func (s *Server) eachCaseOpened(ctx context.Context, agency string, from, to time.Time, what string, fn func(device string, c *casefile.Case)) (err error) {
	defer wrap.Err(&err, "cases opened of %q", agency)
	type row struct {
		device, id string
		last       int64
	}
	rows, err := s.db.QueryContext(ctx, `SELECT device, case_id, last_seq FROM cases WHERE handed_to = '' AND opened >= ? AND opened < ? AND (? = '' OR agency = ?) ORDER BY opened`,
		from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), agency, agency)
	if err != nil {
		return err
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.device, &r.id, &r.last); err != nil {
			rows.Close()
			return err
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range list {
		c, err := s.intake.JudgedCaseAt(ctx, r.device, r.id, r.last)
		if err != nil {
			s.log.Error(what+": a case cannot be rebuilt", "device", r.device, "case", r.id, "err", err)
			continue
		}
		fn(r.device, c)
	}
	return nil
}
