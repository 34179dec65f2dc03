package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// 好差评 for administrators' tokens (scope supervision): the console's
// ratings pages as JSON, and a follow-up added the way the console's form
// adds one. A token held to one agency reads and answers that agency's
// ratings only (another's is not found). There is no route to change or
// delete a rating or a follow-up.

// ratingRoutes adds the ratings' JSON routes.
func (s *Server) ratingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+api.PathRatings, s.admin("supervision", s.ratingsJSON))
	mux.HandleFunc("GET "+api.PathRatings+"/{device}/{seq}", s.admin("supervision", s.ratingJSON))
	mux.HandleFunc("POST "+api.PathRatings+"/{device}/{seq}/followups", s.admin("supervision", s.followUpJSON))
}

// ratingsJSON: GET /api/v1/admin/ratings?from=&to= (dates; default the
// last 30 days).
func (s *Server) ratingsJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := console.ParseRatingPeriod(q.Get("from"), q.Get("to"), s.now(), time.Local)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_period", words.M("platform.console.error.bad_period"), err.Error())
		return
	}
	t, _ := console.TokenFrom(r.Context())
	sum, err := s.console.Ratings(r.Context(), t.Agency, p)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	rep := api.RatingReport{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Total: wireCount(sum.Total),
		Windows: wireCounts(sum.Windows), Agencies: wireCounts(sum.Agencies), People: wireCounts(sum.People), Bad: []api.Rating{}}
	for _, b := range sum.Bad {
		rep.Bad = append(rep.Bad, wireRating(b))
	}
	web.JSON(w, http.StatusOK, rep)
}

// ratingOf reads the rating of the path for the token; it has answered
// when ok is false.
func (s *Server) ratingOf(w http.ResponseWriter, r *http.Request) (console.Rating, bool) {
	t, _ := console.TokenFrom(r.Context())
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err == nil {
		var got console.Rating
		got, err = s.console.Rating(r.Context(), t.Agency, r.PathValue("device"), seq)
		if err == nil {
			return got, true
		}
	}
	if err != nil && !errors.Is(err, console.ErrNoRating) && !errors.Is(err, strconv.ErrSyntax) && !errors.Is(err, strconv.ErrRange) {
		web.Internal(w, r, err)
		return console.Rating{}, false
	}
	web.Problem(w, r, http.StatusNotFound, "no_rating", words.M("platform.no_rating"), r.PathValue("device")+"/"+r.PathValue("seq"))
	return console.Rating{}, false
}

// ratingJSON: GET /api/v1/admin/ratings/{device}/{seq}.
func (s *Server) ratingJSON(w http.ResponseWriter, r *http.Request) {
	if got, ok := s.ratingOf(w, r); ok {
		web.JSON(w, http.StatusOK, wireRating(got))
	}
}

// followUpJSON: POST /api/v1/admin/ratings/{device}/{seq}/followups with
// an api.NewRatingFollowUp; 201 with the rating and all its follow-ups.
func (s *Server) followUpJSON(w http.ResponseWriter, r *http.Request) {
	got, ok := s.ratingOf(w, r)
	if !ok {
		return
	}
	var req api.NewRatingFollowUp
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	added, err := s.console.AddFollowUp(r.Context(), t.Agency, got.Device, got.Seq,
		console.FollowUp{Kind: req.Kind, Who: req.Who, What: req.What, Due: req.Due, Result: req.Result}, t.Name, console.RoleToken)
	if status, code, ok := console.FollowUpRefusal(err); ok {
		key := "platform.console.error." + code
		if code == "no_rating" {
			key = "platform.no_rating"
		}
		web.Problem(w, r, status, code, words.M(key), "")
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, wireRating(added))
}

func wireCount(c console.RatingCount) api.RatingCount {
	levels := map[string]int{}
	for k, v := range c.Levels {
		levels[k] = v
	}
	return api.RatingCount{Key: c.Key, Name: c.Name, Levels: levels, Rated: c.Rated, Unrated: c.Unrated, Satisfied: c.Satisfied}
}

func wireCounts(list []console.RatingCount) []api.RatingCount {
	out := []api.RatingCount{}
	for _, c := range list {
		out = append(out, wireCount(c))
	}
	return out
}

func wireRating(r console.Rating) api.Rating {
	out := api.Rating{Device: r.Device, Seq: r.Seq, At: r.At, Window: r.Window, Staff: r.Staff, StaffName: r.StaffName, Agency: r.Agency,
		Level: r.Level, Reasons: append([]string{}, r.Reasons...), Words: r.Words, Service: r.Service, ServiceTitle: r.ServiceTitle,
		FollowUps: []api.RatingFollowUp{}}
	if r.Bad() {
		out.State = r.State()
	}
	for _, f := range r.FollowUps {
		out.FollowUps = append(out.FollowUps, api.RatingFollowUp{N: f.N, Kind: f.Kind, At: f.At, Actor: f.Actor, Role: f.Role,
			Who: f.Who, What: f.What, Due: f.Due, Result: f.Result})
	}
	return out
}
