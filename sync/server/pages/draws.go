package pages

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// PublicDraws lists the draws, newest first: plans to be drawn with when,
// cancelled ones with why (a plan made again to fish for another draw
// shows), drawn ones with their results so far.
func (s *Room) PublicDraws(w http.ResponseWriter, r *http.Request) {
	plans := map[int64]Plan{}
	if s.Plans != nil {
		list, err := s.Plans(r.Context())
		if err != nil {
			web.Internal(w, r, err)
			return
		}
		for _, p := range list {
			plans[p.ID] = p
		}
	}
	rows, err := s.DB.QueryContext(r.Context(), `SELECT id, at, item, agency, draw, version FROM draws ORDER BY id DESC LIMIT 200`)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	type row struct {
		id             int64
		at, item, body string
		version        int
	}
	var list []row
	for rows.Next() {
		var x row
		var agency string
		if err := rows.Scan(&x.id, &x.at, &x.item, &agency, &x.body, &x.version); err != nil {
			rows.Close()
			web.Internal(w, r, fmt.Errorf("draws: %w", err))
			return
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		web.Internal(w, r, fmt.Errorf("draws: %w", err))
		return
	}
	d := s.base(words.L("draw.list_title"))
	names := map[string]string{} // many draws, few items: each looked up once
	for _, x := range list {
		name, ok := names[x.item]
		if !ok {
			name = s.itemName(r.Context(), x.item)
			names[x.item] = name
		}
		if x.version == draw.Version2 {
			if p, ok := plans[x.id]; ok {
				d.Results = append(d.Results, pageResult{URL: fmt.Sprintf("/p/draws/%d", x.id), Title: name, Subtitle: planSubtitle(p)})
			}
			continue
		}
		var dr draw.Draw
		if err := json.Unmarshal([]byte(x.body), &dr); err != nil {
			web.Internal(w, r, fmt.Errorf("draw %d: %w", x.id, err))
			return
		}
		d.Results = append(d.Results, pageResult{URL: fmt.Sprintf("/p/draws/%d", x.id), Title: name,
			Subtitle: localDay(x.at) + "　" + words.L("draw.count", map[string]any{"N": len(dr.Tasks)})})
	}
	d.Count = words.L("draw.list_count", map[string]any{"N": len(d.Results)})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, d)
}

func (s *Room) itemName(ctx context.Context, item string) string {
	if m, err := s.Item(ctx, catalog.KindInspection, item); err == nil {
		if n, ok := m["name"].(string); ok {
			return n
		}
	}
	return item
}

// PublicDraw shows one draw: what was drawn from, the seed to draw it
// again, the tasks and their results.
// A draw of version 2 shows its plan (planPage), and /p/draws/{id}.json
// serves what it is checked with.
func (s *Room) PublicDraw(w http.ResponseWriter, r *http.Request) {
	id, asJSON, ok := drawID(r.PathValue("id"))
	if !ok && strings.HasSuffix(r.PathValue("id"), ".json") {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("public.not_found"), r.URL.Path)
		return
	}
	if !ok {
		s.notFound(w, r)
		return
	}
	if s.Plan != nil {
		p, found, err := s.Plan(r.Context(), id)
		if err != nil {
			web.Internal(w, r, err)
			return
		}
		switch {
		case found && asJSON:
			s.planJSON(w, r, p)
			return
		case found:
			s.planPage(w, r, p)
			return
		}
	}
	if asJSON {
		// A draw of version 1 is checked by its seed on its page.
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("public.not_found"), r.URL.Path)
		return
	}
	rec, err := s.Draw(r.Context(), id)
	if err != nil {
		s.notFound(w, r)
		return
	}
	d := s.base(s.itemName(r.Context(), rec.Draw.Item))
	d.Item = true
	d.Fields = []pageField{
		{Label: words.L("draw.at"), Value: localDay(rec.At)},
		{Label: words.L("draw.seed"), Value: strconv.FormatUint(rec.Draw.Seed, 10)},
		{Label: words.L("draw.lists"), Value: words.L("draw.lists_value", map[string]any{"Targets": rec.Targets,
			"Inspectors": rec.Inspectors, "SHA": rec.Draw.ListsSHA})},
	}
	for i, t := range rec.Draw.Tasks {
		v := t.Target + "\n" + words.L("draw.inspectors") + "：" + t.Team()
		result := t.Result
		if result == "" {
			result = words.L("draw.no_result")
		}
		d.Fields = append(d.Fields, pageField{Label: words.L("draw.task", map[string]any{"N": i + 1}),
			Value: v + "\n" + words.L("draw.result") + "：" + result})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, d)
}

// localDay is the local date of a time the platform stored in UTC.
func localDay(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return ""
	}
	return t.In(time.Local).Format(time.DateOnly)
}
