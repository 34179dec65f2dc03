package console

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// 好差评 for supervisors (issue 23, part 4): the ratings citizens gave at
// the windows (taken in by the intake from the window devices' signed
// logs, table ratings), counted per window, agency and person over a
// period, and each bad rating with its follow-up: 回访 (someone called
// the citizen back) and 整改 (who fixes what by when, and the result).
// Follow-ups are appended, never edited; a rating is answered, never
// deleted (both tables refuse UPDATE and DELETE, and no route offers
// either). The city's office sees every agency, an agency administrator
// their own (another agency's rating is not found).

// The kinds of follow-up of a bad rating.
const (
	FollowCallback = "callback" // 回访
	FollowFix      = "fix"      // 整改
)

// ratingRoles may read ratings and answer them.
var ratingRoles = []string{RoleCity, RoleAgency}

// Errors of the ratings' follow-ups; each has its own code on the page.
var (
	ErrNoRating      = errors.New("no such rating")
	ErrNotBadRating  = errors.New("only a bad rating takes a follow-up")
	ErrFollowUpKind  = errors.New("a follow-up is a callback or a fix")
	ErrFollowUpWho   = errors.New("a follow-up names who called back or fixes")
	ErrFollowUpWhat  = errors.New("a follow-up says what was said or is to be fixed")
	ErrFollowUpDue   = errors.New("a fix needs the date it is due by (YYYY-MM-DD)")
	ErrFollowUpLong  = errors.New("a follow-up's text is too long")
	ErrRatingsPeriod = errors.New("a period is two dates (YYYY-MM-DD), the first not after the second, at most 366 days")
)

// MaxFollowUpText is how long one field of a follow-up may be, in
// characters.
const MaxFollowUpText = 1000

// Rating is one citizen's rating as the console shows it.
type Rating struct {
	Device, DeviceName string
	Seq                int64
	At                 string // RFC 3339 UTC
	Window             string
	Staff, StaffName   string
	Agency             string
	Level              string
	Reasons            []string
	Words              string
	Service            string
	ServiceTitle       string
	FollowUps          []FollowUp
}

// ID is the rating's place: device/seq.
func (r Rating) ID() string { return r.Device + "/" + strconv.FormatInt(r.Seq, 10) }

// Bad says whether it is a bad rating (不满意, 非常不满意).
func (r Rating) Bad() bool { return hall.Bad(r.Level) }

// State is how far a bad rating's follow-up has come: pending (nobody has
// answered it), called (called back), fixing (a fix is set), fixed (a fix
// has its result).
func (r Rating) State() string {
	state := "pending"
	for _, f := range r.FollowUps {
		switch {
		case f.Kind == FollowFix && f.Result != "":
			return "fixed"
		case f.Kind == FollowFix:
			state = "fixing"
		case state == "pending":
			state = "called"
		}
	}
	return state
}

// FollowUp is one answer to a bad rating.
type FollowUp struct {
	N           int
	Kind        string
	At          string
	Actor, Role string
	Who, What   string
	Due, Result string
}

// RatingCount is the ratings of one window, agency or person: how many
// of each level, and the satisfaction rate (非常满意、满意、基本满意 over
// all rated; unrated services count in none).
type RatingCount struct {
	Key, Name string
	Levels    map[string]int
	Rated     int
	Unrated   int
	Satisfied int
}

// Rate is the satisfaction rate in percent, one decimal; "—" with
// nothing rated.
func (c RatingCount) Rate() string {
	if c.Rated == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(c.Satisfied)*100/float64(c.Rated), 'f', 1, 64) + "%"
}

func (c *RatingCount) add(level string, n int) {
	c.Levels[level] += n
	switch {
	case level == hall.LevelUnrated:
		c.Unrated += n
	case hall.Satisfied(level):
		c.Rated += n
		c.Satisfied += n
	default:
		c.Rated += n
	}
}

// RatingPeriod is the days [From, To] a ratings page counts, in the
// platform's time zone.
type RatingPeriod struct{ From, To time.Time }

// bounds are the period's ends as stored times (RFC 3339 UTC): from the
// first day's midnight to the midnight after the last.
func (p RatingPeriod) bounds() (string, string) {
	return p.From.UTC().Format(time.RFC3339), p.To.AddDate(0, 0, 1).UTC().Format(time.RFC3339)
}

// ParseRatingPeriod reads from and to (YYYY-MM-DD) in loc; either empty
// is the last 30 days up to today.
func ParseRatingPeriod(from, to string, now time.Time, loc *time.Location) (RatingPeriod, error) {
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	p := RatingPeriod{From: today.AddDate(0, 0, -29), To: today}
	var err error
	if from != "" {
		if p.From, err = time.ParseInLocation(time.DateOnly, from, loc); err != nil {
			return p, fmt.Errorf("%w: from %q", ErrRatingsPeriod, from)
		}
	}
	if to != "" {
		if p.To, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
			return p, fmt.Errorf("%w: to %q", ErrRatingsPeriod, to)
		}
	}
	if p.From.After(p.To) || p.To.Sub(p.From) > 366*24*time.Hour {
		return p, fmt.Errorf("%w: %s to %s", ErrRatingsPeriod, from, to)
	}
	return p, nil
}

// RatingSummary is what the ratings page shows of a period.
type RatingSummary struct {
	Period                    RatingPeriod
	Total                     RatingCount
	Windows, Agencies, People []RatingCount
	Bad                       []Rating // the bad ratings, newest first
}

// Ratings counts the ratings of a period (of agency, "" for every one)
// per window, agency and person, and lists the bad ones with their
// follow-ups.
func (c *Room) Ratings(ctx context.Context, agency string, p RatingPeriod) (_ RatingSummary, err error) {
	defer wrap.Err(&err, "ratings")
	from, to := p.bounds()
	out := RatingSummary{Period: p, Total: RatingCount{Levels: map[string]int{}}}
	names := map[string]string{}
	if c.Agencies != nil {
		if as, err := c.Agencies(ctx); err == nil {
			for _, a := range as {
				names[a.Code] = a.Name
			}
		}
	}
	rows, err := c.DB.QueryContext(ctx, `SELECT r.device, coalesce(d.name, ''), r.window_no, r.agency, r.staff, coalesce(p.name, ''), r.level, count(*)
		FROM ratings r LEFT JOIN devices d ON d.id = r.device LEFT JOIN people p ON p.id = r.staff
		WHERE (? = '' OR r.agency = ?) AND r.at >= ? AND r.at < ?
		GROUP BY r.device, d.name, r.window_no, r.agency, r.staff, p.name, r.level`, agency, agency, from, to)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	windows, agencies, people := map[string]*RatingCount{}, map[string]*RatingCount{}, map[string]*RatingCount{}
	count := func(m map[string]*RatingCount, key, name, level string, n int) {
		c, ok := m[key]
		if !ok {
			c = &RatingCount{Key: key, Name: name, Levels: map[string]int{}}
			m[key] = c
		}
		c.add(level, n)
	}
	for rows.Next() {
		var dev, devName, window, ag, staff, staffName, level string
		var n int
		if err := rows.Scan(&dev, &devName, &window, &ag, &staff, &staffName, &level, &n); err != nil {
			return out, err
		}
		count(windows, dev+"/"+window, devName+" · "+window, level, n)
		count(agencies, ag, names[ag], level, n)
		count(people, staff, staffName, level, n)
		out.Total.add(level, n)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	sorted := func(m map[string]*RatingCount) []RatingCount {
		list := []RatingCount{}
		for _, c := range m {
			list = append(list, *c)
		}
		slices.SortFunc(list, func(a, b RatingCount) int { return strings.Compare(a.Key, b.Key) })
		return list
	}
	out.Windows, out.Agencies, out.People = sorted(windows), sorted(agencies), sorted(people)
	out.Bad, err = c.listRatings(ctx, `(? = '' OR r.agency = ?) AND r.at >= ? AND r.at < ? AND r.level IN (?, ?) ORDER BY r.at DESC, r.device, r.seq`,
		agency, agency, from, to, hall.LevelDissatisfied, hall.LevelVeryDissatisfied)
	return out, err
}

// listRatings reads the ratings where cond holds, with their follow-ups.
func (c *Room) listRatings(ctx context.Context, cond string, args ...any) ([]Rating, error) {
	rows, err := c.DB.QueryContext(ctx, `SELECT r.device, coalesce(d.name, ''), r.seq, r.at, r.window_no, r.staff, coalesce(p.name, ''), r.agency,
		r.level, r.reasons, r.words, r.service, r.service_title
		FROM ratings r LEFT JOIN devices d ON d.id = r.device LEFT JOIN people p ON p.id = r.staff WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	list := []Rating{}
	for rows.Next() {
		var r Rating
		var reasons string
		if err := rows.Scan(&r.Device, &r.DeviceName, &r.Seq, &r.At, &r.Window, &r.Staff, &r.StaffName, &r.Agency,
			&r.Level, &reasons, &r.Words, &r.Service, &r.ServiceTitle); err != nil {
			rows.Close()
			return nil, err
		}
		r.Reasons = strings.Fields(reasons)
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].FollowUps, err = followUps(ctx, c.DB, list[i].Device, list[i].Seq); err != nil {
			return nil, err
		}
	}
	return list, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func followUps(ctx context.Context, q querier, device string, seq int64) ([]FollowUp, error) {
	rows, err := q.QueryContext(ctx, `SELECT n, kind, at, actor, role, who, what, due, result FROM rating_followups
		WHERE device = ? AND seq = ? ORDER BY n`, device, seq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FollowUp{}
	for rows.Next() {
		var f FollowUp
		if err := rows.Scan(&f.N, &f.Kind, &f.At, &f.Actor, &f.Role, &f.Who, &f.What, &f.Due, &f.Result); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Rating is one rating with its follow-ups; ErrNoRating if the platform
// holds none at device/seq, or it is of another agency than agency (when
// not "").
func (c *Room) Rating(ctx context.Context, agency, device string, seq int64) (_ Rating, err error) {
	defer wrap.Err(&err, "rating")
	list, err := c.listRatings(ctx, `r.device = ? AND r.seq = ? AND (? = '' OR r.agency = ?)`, device, seq, agency, agency)
	if err != nil {
		return Rating{}, err
	}
	if len(list) == 0 {
		return Rating{}, fmt.Errorf("%w: %s/%d", ErrNoRating, device, seq)
	}
	return list[0], nil
}

// AddFollowUp appends a follow-up to a bad rating (of agency, when not
// ""), written by actor in role, and returns the rating with it.
func (c *Room) AddFollowUp(ctx context.Context, agency, device string, seq int64, f FollowUp, actor, role string) (_ Rating, err error) {
	defer wrap.Err(&err, "follow up a rating")
	f.Who, f.What, f.Due, f.Result = strings.TrimSpace(f.Who), strings.TrimSpace(f.What), strings.TrimSpace(f.Due), strings.TrimSpace(f.Result)
	switch {
	case f.Kind != FollowCallback && f.Kind != FollowFix:
		return Rating{}, ErrFollowUpKind
	case f.Who == "":
		return Rating{}, ErrFollowUpWho
	case f.What == "":
		return Rating{}, ErrFollowUpWhat
	}
	for _, s := range []string{f.Who, f.What, f.Due, f.Result} {
		if utf8.RuneCountInString(s) > MaxFollowUpText || !utf8.ValidString(s) {
			return Rating{}, ErrFollowUpLong
		}
	}
	if f.Due != "" || f.Kind == FollowFix {
		if _, err := time.Parse(time.DateOnly, f.Due); err != nil {
			return Rating{}, ErrFollowUpDue
		}
	}
	r, err := c.Rating(ctx, agency, device, seq)
	if err != nil {
		return Rating{}, err
	}
	if !r.Bad() {
		return Rating{}, ErrNotBadRating
	}
	err = c.DB.Tx(ctx, func(t *sqldb.Tx) error {
		var n int
		if err := t.QueryRowContext(ctx, `SELECT coalesce(max(n), 0) FROM rating_followups WHERE device = ? AND seq = ?`, device, seq).Scan(&n); err != nil {
			return err
		}
		f.N, f.At, f.Actor, f.Role = n+1, c.Now().UTC().Format(time.RFC3339), actor, role
		_, err := t.ExecContext(ctx, `INSERT INTO rating_followups (device, seq, n, kind, at, actor, role, who, what, due, result)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, device, seq, f.N, f.Kind, f.At, actor, role, f.Who, f.What, f.Due, f.Result)
		return err
	})
	if err != nil {
		return Rating{}, err
	}
	r.FollowUps = append(r.FollowUps, f)
	return r, nil
}

type ratingsView struct {
	RatingSummary
	From, To string
	Levels   []string
	Tables   []ratingTable
}

// ratingTable is one of the page's counts: per window, agency or person.
type ratingTable struct {
	Name string
	Rows []RatingCount
}

// ratingsPage: GET /admin/ratings?from=YYYY-MM-DD&to=YYYY-MM-DD.
func (c *Room) ratingsPage(w http.ResponseWriter, r *http.Request, s *Session) {
	q := r.URL.Query()
	p, err := ParseRatingPeriod(q.Get("from"), q.Get("to"), c.Now(), time.Local)
	if errors.Is(err, ErrRatingsPeriod) {
		c.fail(w, r, s, http.StatusUnprocessableEntity, "bad_period")
		return
	}
	sum, err := c.Ratings(r.Context(), s.Scope(), p)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.ratings")
	v.Data = ratingsView{RatingSummary: sum, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Levels: append(slices.Clone(hall.Levels), hall.LevelUnrated),
		Tables: []ratingTable{{"window", sum.Windows}, {"agency", sum.Agencies}, {"person", sum.People}}}
	c.render(w, http.StatusOK, "ratings", v)
}

type ratingView struct {
	Rating
	AgencyName string   // the staff member's agency by its name
	Form       FollowUp // as typed, when the form is shown again
	Kinds      []string
}

// rating reads the rating of the path for s; it has answered when ok is
// false. Another agency's is not found to an agency administrator.
func (c *Room) rating(w http.ResponseWriter, r *http.Request, s *Session) (Rating, bool) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil {
		c.fail(w, r, s, http.StatusNotFound, "not_found")
		return Rating{}, false
	}
	got, err := c.Rating(r.Context(), s.Scope(), r.PathValue("device"), seq)
	switch {
	case errors.Is(err, ErrNoRating):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		return got, true
	}
	return Rating{}, false
}

// ratingPage: GET /admin/ratings/{device}/{seq}, the rating and its
// follow-ups, and for a bad one the form to add one.
func (c *Room) ratingPage(w http.ResponseWriter, r *http.Request, s *Session) {
	got, ok := c.rating(w, r, s)
	if !ok {
		return
	}
	c.showRating(w, r, s, got, FollowUp{Kind: FollowCallback}, http.StatusOK, "", r.URL.Query().Get("done") != "")
}

func (c *Room) showRating(w http.ResponseWriter, r *http.Request, s *Session, got Rating, form FollowUp, status int, code string, done bool) {
	v := c.view(r.Context(), s, "platform.console.rating")
	v.Data = ratingView{Rating: got, AgencyName: c.agencyName(r.Context(), got.Agency), Form: form, Kinds: []string{FollowCallback, FollowFix}}
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	if done {
		v.Notice = "platform.console.done.followup"
	}
	c.render(w, status, "rating", v)
}

// addFollowUp: POST /admin/ratings/{device}/{seq}/followups with kind
// (callback, fix), who, what, due (YYYY-MM-DD, required for a fix) and
// result. Each refusal has its code; the follow-up goes to the audit log
// as rating.callback or rating.fix.
func (c *Room) addFollowUp(w http.ResponseWriter, r *http.Request, s *Session) {
	got, ok := c.rating(w, r, s)
	if !ok {
		return
	}
	form := FollowUp{Kind: r.PostFormValue("kind"), Who: r.PostFormValue("who"), What: r.PostFormValue("what"),
		Due: r.PostFormValue("due"), Result: r.PostFormValue("result")}
	added, err := c.AddFollowUp(r.Context(), s.Scope(), got.Device, got.Seq, form, s.Admin.Login, s.Admin.Role)
	if status, code, ok := FollowUpRefusal(err); ok && !errors.Is(err, ErrNoRating) {
		c.showRating(w, r, s, got, form, status, code, false)
		return
	}
	switch {
	case errors.Is(err, ErrNoRating):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		f := added.FollowUps[len(added.FollowUps)-1]
		c.act(r, s, added.Agency, "rating."+f.Kind, added.ID(), f.Who+": "+f.What)
		http.Redirect(w, r, "/admin/ratings/"+url.PathEscape(added.Device)+"/"+strconv.FormatInt(added.Seq, 10)+"?done=1", http.StatusSeeOther)
	}
}

// followUpCodes are a follow-up's refusals, each with its status and code:
// the console's form and the API answer them alike.
var followUpCodes = []struct {
	err    error
	status int
	code   string
}{
	{ErrFollowUpKind, http.StatusUnprocessableEntity, "followup_kind"},
	{ErrFollowUpWho, http.StatusUnprocessableEntity, "followup_who"},
	{ErrFollowUpWhat, http.StatusUnprocessableEntity, "followup_what"},
	{ErrFollowUpDue, http.StatusUnprocessableEntity, "followup_due"},
	{ErrFollowUpLong, http.StatusUnprocessableEntity, "followup_long"},
	{ErrNotBadRating, http.StatusConflict, "not_bad_rating"},
	{ErrNoRating, http.StatusNotFound, "no_rating"},
}

// FollowUpRefusal is the status and code of AddFollowUp's refusal err; ok
// is false for any other error.
func FollowUpRefusal(err error) (status int, code string, ok bool) {
	for _, c := range followUpCodes {
		if errors.Is(err, c.err) {
			return c.status, c.code, true
		}
	}
	return 0, "", false
}

// ratingRoutes adds the ratings' pages.
func (c *Room) ratingRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/ratings", c.Guard(ratingRoles, c.ratingsPage))
	mux.Handle("GET /admin/ratings/{device}/{seq}", c.Guard(ratingRoles, c.ratingPage))
	mux.Handle("POST /admin/ratings/{device}/{seq}/followups", c.Guard(ratingRoles, c.addFollowUp))
}
