package server

import (
	"context"
	"net/http"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// AppraisalOf is the 评议考核 of the cases opened and the window ratings
// given in [from, to): per officer, per agency and per month; agency not
// "" holds it to that agency's cases, ratings and officers.
func (s *Server) AppraisalOf(ctx context.Context, agency string, from, to time.Time) (_ supervise.Appraisal, err error) {
	defer wrap.Err(&err, "appraisal of %q", agency)
	rules, err := s.superviseRules(ctx)
	if err != nil {
		return supervise.Appraisal{}, err
	}
	var work []supervise.Work
	err = s.eachCaseOpened(ctx, agency, from, to, "appraisal", func(device string, c *casefile.Case) {
		work = append(work, supervise.Assess(device, c, rules))
	})
	if err != nil {
		return supervise.Appraisal{}, err
	}
	names, err := s.personNames(ctx)
	if err != nil {
		return supervise.Appraisal{}, err
	}
	// The people's register names an officer where the records do not.
	for i := range work {
		for j, p := range work[i].Officers {
			if n := names[p.ID]; n != "" && p.Name == "" {
				work[i].Officers[j].Name = n
			}
		}
	}
	ratings, err := s.appraisalRatings(ctx, agency, from, to, names)
	if err != nil {
		return supervise.Appraisal{}, err
	}
	return supervise.Appraise(work, ratings, from, to, rules.Now), nil
}

// personNames are the names of the people's register by number.
func (s *Server) personNames(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM people`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// appraisalRatings are the window ratings given in [from, to).
func (s *Server) appraisalRatings(ctx context.Context, agency string, from, to time.Time, names map[string]string) ([]supervise.Rating, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT staff, agency, at, level FROM ratings WHERE at >= ? AND at < ? AND (? = '' OR agency = ?) ORDER BY at`,
		from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), agency, agency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []supervise.Rating{}
	for rows.Next() {
		var r supervise.Rating
		var at string
		if err := rows.Scan(&r.Staff, &r.Agency, &at, &r.Level); err != nil {
			return nil, err
		}
		if r.At, err = time.Parse(time.RFC3339, at); err != nil {
			s.log.Error("appraisal: a rating's time cannot be read", "staff", r.Staff, "at", at, "err", err)
			continue
		}
		r.Name = names[r.Staff]
		out = append(out, r)
	}
	return out, rows.Err()
}

// appraisalJSON: GET /api/v1/admin/appraisal, the 评议考核 as JSON; a token
// held to one agency gets that agency's.
func (s *Server) appraisalJSON(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.pages.Period(r)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_period", words.Of(err), "")
		return
	}
	t, _ := console.TokenFrom(r.Context())
	a, err := s.AppraisalOf(r.Context(), t.Agency, from, to)
	web.Respond(w, r, a, err)
}
