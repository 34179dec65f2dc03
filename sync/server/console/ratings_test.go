package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// rated puts a rating in the table as the intake does when a window's
// push brings one (the whole way, from the desk, is
// kiosk.TestFullServiceRatedAtTheWindow).
func (f *fixture) rated(t *testing.T, device string, seq int, at, window, staff, agency, level, reasons, words string) {
	t.Helper()
	if _, err := f.db.ExecContext(context.Background(), `INSERT INTO ratings (device, seq, visit, at, window_no, staff, agency, level, reasons, words)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, device, seq, hall.NewVisit(), at, window, staff, agency, level, reasons, words); err != nil {
		t.Fatal(err)
	}
}

// The ratings pages on every backend: counts per window, agency and
// person with the satisfaction rate (unrated apart), a period's bounds,
// each agency administrator held to their agency, the operator kept out;
// a follow-up's every refusal with its code; and the tables refusing any
// UPDATE or DELETE, whoever tries.
func TestRatingsCountedAndFollowedUp(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		f := open(t, b)
		f.person(t, "990102000004", "02")
		f.person(t, "990101000004", "01")
		day := "2026-03-01T10:00:00Z"
		f.rated(t, "W1", 0, day, "3", "990102000004", "02", hall.LevelVerySatisfied, "", "")
		f.rated(t, "W1", 1, day, "3", "990102000004", "02", hall.LevelBasic, "", "")
		f.rated(t, "W1", 2, day, "3", "990102000004", "02", hall.LevelVeryDissatisfied, "attitude long_wait", "态度生硬")
		f.rated(t, "W1", 3, day, "3", "990102000004", "02", hall.LevelUnrated, "", "")
		f.rated(t, "W2", 0, day, "1", "990101000004", "01", hall.LevelDissatisfied, "not_done", "")
		f.rated(t, "W2", 1, "2025-01-01T10:00:00Z", "1", "990101000004", "01", hall.LevelSatisfied, "", "") // long ago

		p, err := console.ParseRatingPeriod("2026-02-01", "2026-03-31", f.clock.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := f.room.Ratings(ctx, "", p)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total.Rated != 4 || sum.Total.Unrated != 1 || sum.Total.Rate() != "50.0%" || len(sum.Windows) != 2 || len(sum.Agencies) != 2 ||
			len(sum.People) != 2 || len(sum.Bad) != 2 {
			t.Fatalf("the city's count: %+v", sum)
		}
		if a := sum.Agencies[1]; a.Key != "02" || a.Rated != 3 || a.Satisfied != 2 || a.Rate() != "66.7%" || a.Levels[hall.LevelUnrated] != 1 {
			t.Fatalf("agency 02: %+v", a)
		}
		own, err := f.room.Ratings(ctx, "02", p)
		if err != nil || own.Total.Rated != 3 || len(own.Bad) != 1 || own.Bad[0].Device != "W1" || own.Bad[0].State() != "pending" {
			t.Fatalf("agency 02's own: %+v %v", own, err)
		}
		for _, bad := range [][2]string{{"2026-03-02", "2026-03-01"}, {"2026-3-1", ""}, {"", "tomorrow"}, {"2024-01-01", "2026-01-01"}} {
			if _, err := console.ParseRatingPeriod(bad[0], bad[1], f.clock.Now(), time.UTC); err == nil {
				t.Errorf("period %v taken", bad)
			}
		}

		f.admin(t, "city", console.RoleCity, "")
		f.admin(t, "a01", console.RoleAgency, "01")
		f.admin(t, "ops", console.RoleOperator, "")
		city, a01, ops := f.browser(t), f.browser(t), f.browser(t)
		city.login("city", "password-city")
		a01.login("a01", "password-a01")
		ops.login("ops", "password-ops")
		if r := city.get("/admin/ratings?from=2026-02-01&to=2026-03-31"); r.status != http.StatusOK || !strings.Contains(r.body, "已评价 4 次，未评价 1 次，满意率 50.0%") ||
			!strings.Contains(r.body, `href="/admin/ratings/W1/2"`) || !strings.Contains(r.body, "态度不好；等候时间长；态度生硬") {
			t.Fatalf("the city's page: %d\n%s", r.status, r.body)
		}
		if r := city.get("/admin/ratings?from=2026-03-31&to=2026-02-01"); r.status != http.StatusUnprocessableEntity || r.code != "bad_period" {
			t.Errorf("a period backwards: %d %s", r.status, r.code)
		}
		if r := ops.get("/admin/ratings"); r.status != http.StatusForbidden {
			t.Errorf("the operator reads ratings: %d", r.status)
		}
		if r := a01.get("/admin/ratings/W1/2"); r.status != http.StatusNotFound {
			t.Errorf("agency 01 opens agency 02's rating: %d", r.status)
		}
		if r := a01.post("/admin/ratings/W1/2/followups", url.Values{"kind": {"callback"}, "who": {"x"}, "what": {"x"}}); r.status != http.StatusNotFound {
			t.Errorf("agency 01 answers agency 02's rating: %d", r.status)
		}
		for _, c := range []struct {
			path string
			form url.Values
			code string
		}{
			{"W2/0", url.Values{"kind": {"apology"}, "who": {"x"}, "what": {"x"}}, "followup_kind"},
			{"W2/0", url.Values{"kind": {"callback"}, "who": {" "}, "what": {"x"}}, "followup_who"},
			{"W2/0", url.Values{"kind": {"callback"}, "who": {"x"}, "what": {""}}, "followup_what"},
			{"W2/0", url.Values{"kind": {"fix"}, "who": {"x"}, "what": {"x"}}, "followup_due"},
			{"W2/0", url.Values{"kind": {"fix"}, "who": {"x"}, "what": {"x"}, "due": {"31/12/2026"}}, "followup_due"},
			{"W2/0", url.Values{"kind": {"callback"}, "who": {"x"}, "what": {strings.Repeat("长", console.MaxFollowUpText+1)}}, "followup_long"},
			{"W2/1", url.Values{"kind": {"callback"}, "who": {"x"}, "what": {"x"}}, "not_bad_rating"},
		} {
			if r := a01.post("/admin/ratings/"+c.path+"/followups", c.form); r.code != c.code || r.status < 400 {
				t.Errorf("%v: %d %s, want %s", c.form, r.status, r.code, c.code)
			}
		}
		if r := a01.post("/admin/ratings/W2/0/followups", url.Values{"kind": {"callback"}, "who": {"张三"}, "what": {"已回访"}}); r.status != http.StatusSeeOther {
			t.Fatalf("a 回访: %d %s", r.status, r.code)
		}
		if r := a01.post("/admin/ratings/W2/0/followups", url.Values{"kind": {"fix"}, "who": {"李四"}, "what": {"一次告知"}, "due": {"2026-04-01"}}); r.status != http.StatusSeeOther {
			t.Fatalf("a 整改: %d %s", r.status, r.code)
		}
		got, err := f.room.Rating(ctx, "01", "W2", 0)
		if err != nil || len(got.FollowUps) != 2 || got.FollowUps[0].N != 1 || got.FollowUps[1].Kind != console.FollowFix || got.FollowUps[1].Actor != "a01" ||
			got.State() != "fixing" {
			t.Fatalf("the rating after its follow-ups: %+v %v", got, err)
		}
		// The audit log has both.
		entries, _, err := f.room.AuditLog(ctx, "01", 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var audited []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "rating.") {
				audited = append(audited, e.Action+" "+e.Object)
			}
		}
		if strings.Join(audited, ",") != "rating.fix W2/0,rating.callback W2/0" {
			t.Fatalf("audited: %v", audited)
		}
		// Neither table takes an UPDATE or a DELETE.
		for _, q := range []string{`UPDATE ratings SET level = 'satisfied' WHERE device = 'W2'`, `DELETE FROM ratings WHERE device = 'W2'`,
			`UPDATE rating_followups SET result = 'x'`, `DELETE FROM rating_followups`} {
			if _, err := f.db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
}
