package pages

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Plan is a draw of version 2 (双随机 with a committed seed) as its
// public page shows it: nothing here is private (the inspectors' people
// IDs are left out of Published's lists).
type Plan struct {
	ID                  int64
	Item, ItemName      string
	Agency              string // the agency's code
	Status              string // "planned", "drawn" or "cancelled"
	Count, Share        int
	DrawAt, DrawnAt     string // RFC 3339, UTC; "" for none
	Due                 string // YYYY-MM-DD
	PlannedAt           string // RFC 3339, UTC
	Cancelled           string // the reason it was cancelled
	Tasks               []PlanTask
	Published           draw.Published // what anyone checks the draw with
	Conflicts, LastTime int            // pairs left out, and targets whose last inspectors were
}

// PlanTask is one drawn target and its result.
type PlanTask struct {
	ID         string // "12-3"
	Target     draw.Target
	Inspectors []draw.Inspector
	Due        string
	Result     string // as published (redacted)
	ResultAt   string // RFC 3339, UTC
	Overdue    bool   // not done by its day (or done after it)
}

// Plan statuses, as the platform keeps them.
const (
	planPlanned   = "planned"
	planDrawn     = "drawn"
	planCancelled = "cancelled"
)

var drawTemplate = template.Must(template.ParseFS(templateFiles, "templates/draw.html", "templates/common.html"))

type drawRow struct {
	N                    int
	Target, Unit, Team   string
	Result, ResultOn     string
	Pending, Overdue     bool
	Inspectors           []draw.Inspector
	TargetID, TargetAddr string
}

type drawData struct {
	Site, Title, Footer string
	Nav                 []pageResult
	Status              string
	StatusBad           bool
	Fields              []pageField
	Check               []pageField
	JSON                string
	Tasks               []drawRow
	Targets             []draw.Target
	Pool                []draw.Inspector
	L                   map[string]string
	Drawn               bool
}

// localTime is a time the platform stored in UTC, in local time to the minute.
func localTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return ""
	}
	return t.In(time.Local).Format("2006-01-02 15:04")
}

// planSubtitle is a plan's line in the list of draws: to be drawn and
// when, cancelled and why, or drawn with its results so far.
func planSubtitle(p Plan) string {
	switch p.Status {
	case planPlanned:
		when := words.L("draw.plan.by_admin")
		if p.DrawAt != "" {
			when = localTime(p.DrawAt)
		}
		return words.L("draw.plan.sub_planned", map[string]any{"When": when, "N": p.Count, "Due": p.Due})
	case planCancelled:
		return words.L("draw.plan.sub_cancelled", map[string]any{"Reason": p.Cancelled, "Day": localDay(p.PlannedAt)})
	}
	done := 0
	for _, t := range p.Tasks {
		if t.Result != "" {
			done++
		}
	}
	return words.L("draw.plan.sub_drawn", map[string]any{"Day": localDay(p.DrawnAt), "N": len(p.Tasks), "Done": done, "Due": p.Due})
}

// planPage: GET /p/draws/{id} of a plan. Before the draw it shows the
// plan, its lists and the commitment to the seed; after it the seed, the
// witness's value, who was drawn for what and each result as it arrives.
func (s *Room) planPage(w http.ResponseWriter, r *http.Request, p Plan) {
	d := drawData{Site: words.L("kiosk.title"), Title: p.ItemName, Footer: words.L("complaint.hotline"), Nav: s.nav(),
		Status: words.L("draw.status." + p.Status), StatusBad: p.Status == planCancelled, Drawn: p.Status == planDrawn,
		JSON: fmt.Sprintf("/p/draws/%d.json", p.ID), Targets: p.Published.Lists.Targets, Pool: p.Published.Lists.Inspectors, L: map[string]string{}}
	if d.Title == "" {
		d.Title = p.Item
	}
	for _, k := range []string{"check", "commit_note", "json", "tasks", "targets", "pool", "not_drawn", "n", "target", "inspectors",
		"result", "code", "name", "unit", "cert", "officer", "address"} {
		d.L[k] = words.L("draw.plan.col." + k)
	}
	d.L["targets"] = words.L("draw.plan.col.targets", map[string]any{"N": len(d.Targets)})
	d.L["pool"] = words.L("draw.plan.col.pool", map[string]any{"N": len(d.Pool)})
	agency := p.Agency
	if ags, err := s.Agencies(r.Context()); err == nil {
		agency = catalog.AgencyName(ags, p.Agency)
	}
	count := words.L("draw.plan.count", map[string]any{"N": p.Count, "Of": len(d.Targets)})
	if p.Share > 0 {
		count = words.L("draw.plan.share", map[string]any{"Share": p.Share, "N": p.Count, "Of": len(d.Targets)})
	}
	when := words.L("draw.plan.by_admin")
	if p.DrawAt != "" {
		when = localTime(p.DrawAt)
	}
	d.Fields = []pageField{
		{Label: words.L("draw.plan.item"), Value: p.ItemName + "（" + p.Item + "）"},
		{Label: words.L("draw.plan.agency"), Value: agency},
		{Label: words.L("draw.plan.count_label"), Value: count},
		{Label: words.L("draw.plan.draw_at"), Value: when},
	}
	if p.Status == planDrawn {
		d.Fields = append(d.Fields, pageField{Label: words.L("draw.plan.drawn_at"), Value: localTime(p.DrawnAt)})
	}
	d.Fields = append(d.Fields, pageField{Label: words.L("draw.plan.due"), Value: p.Due},
		pageField{Label: words.L("draw.plan.planned_at"), Value: localTime(p.PlannedAt)})
	if p.Status == planCancelled {
		d.Fields = append(d.Fields, pageField{Label: words.L("draw.plan.cancelled"), Value: p.Cancelled, Bad: true})
	}
	if p.Conflicts+p.LastTime > 0 {
		d.Fields = append(d.Fields, pageField{Label: words.L("draw.plan.excluded"),
			Value: words.L("draw.plan.excluded_value", map[string]any{"Conflicts": p.Conflicts, "Last": p.LastTime})})
	}
	d.Check = []pageField{{Label: words.L("draw.plan.commit"), Value: p.Published.Commit}}
	switch p.Status {
	case planDrawn:
		witness := p.Published.Witness
		if witness == "" {
			witness = words.L("draw.plan.no_witness")
		}
		d.Check = append(d.Check, pageField{Label: words.L("draw.plan.seed"), Value: p.Published.Seed},
			pageField{Label: words.L("draw.plan.witness"), Value: witness})
	case planPlanned:
		d.Check = append(d.Check, pageField{Label: words.L("draw.plan.seed"), Value: words.L("draw.plan.seed_hidden")})
	}
	d.Check = append(d.Check, pageField{Label: words.L("draw.plan.lists_sha"), Value: p.Published.SHA})
	for i, t := range p.Tasks {
		row := drawRow{N: i + 1, Target: t.Target.Name, Unit: t.Target.Unit, TargetID: t.Target.ID, Inspectors: t.Inspectors,
			Result: t.Result, Overdue: t.Overdue, Pending: t.Result == ""}
		if t.Result != "" {
			row.ResultOn = words.L("draw.plan.result_on", map[string]any{"Day": localDay(t.ResultAt)})
			if t.Overdue {
				row.ResultOn += "　" + words.L("draw.plan.late")
			}
		} else if t.Overdue {
			row.ResultOn = words.L("draw.plan.overdue", map[string]any{"Due": t.Due})
		} else {
			row.ResultOn = words.L("draw.no_result")
		}
		d.Tasks = append(d.Tasks, row)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	drawTemplate.Execute(w, d)
}

// planJSON: GET /p/draws/{id}.json, the plan as published for checking
// (draw.Published; draw.Rederive reads it): the seed only once drawn.
func (s *Room) planJSON(w http.ResponseWriter, r *http.Request, p Plan) {
	b, err := json.MarshalIndent(p.Published, "", " ")
	if err != nil {
		web.Internal(w, r, fmt.Errorf("draw %d as JSON: %w", p.ID, err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// drawID reads the {id} of /p/draws/{id} and /p/draws/{id}.json.
func drawID(v string) (id int64, asJSON, ok bool) {
	if n := len(v) - len(".json"); n > 0 && v[n:] == ".json" {
		v, asJSON = v[:n], true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, asJSON, err == nil && id > 0
}
