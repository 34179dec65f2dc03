package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// 好差评 through the administrators' JSON API, on every backend: two
// windows of two agencies push their ratings; a supervision token of the
// city reads the report and a rating, a token held to agency 01 reads its
// own only (the other's rating is not found), a token without the scope
// is refused; a follow-up is added (201, listed, audited), refused with
// its code when it is not one (422), when the rating is good (409) or
// carries an unknown field (400); no method changes or deletes a rating.
func TestRatingsThroughTheAPI(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		const pin = "258147"
		seqs := map[string][]int64{}
		for _, w := range []struct{ name, staff, agency string }{{"WIN-A", "990101000104", "01"}, {"WIN-B", "990102000104", "02"}} {
			dev, id := enrolledDevice(t, s, h.URL, w.name, api.DeviceWindow)
			if _, err := client.ActivatePerson(ctx, dev, person(t, s, api.Person{ID: w.staff, Name: "窗口" + w.agency, Agency: w.agency, Role: api.RoleStaff}), pin); err != nil {
				t.Fatal(err)
			}
			if _, _, err := dev.Book.SignIn(ctx, w.staff, pin, "1"); err != nil {
				t.Fatal(err)
			}
			for _, r := range []hall.RatingBody{{Level: hall.LevelSatisfied}, {Level: hall.LevelDissatisfied, Reasons: []string{hall.ReasonNotDone}}} {
				r.Window, r.Staff, r.Visit = "1", w.staff, hall.NewVisit()
				rec, err := hall.AppendRating(ctx, dev.Log, r)
				if err != nil {
					t.Fatal(err)
				}
				seqs[id.DeviceID] = append(seqs[id.DeviceID], rec.Seq)
			}
			if res, err := client.Round(ctx, dev, nil); err != nil {
				t.Fatalf("round: %s: %v", res, err)
			}
		}
		token := func(name, scope, agency string) string {
			secret, err := s.Console().NewToken(ctx, console.Token{Name: name, Scopes: []string{scope}, Agency: agency}, "test")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		city, a01, people := token("city", "supervision", ""), token("a01", "supervision", "01"), token("hr", "people", "")
		call := func(tok, method, path string, body any) (int, []byte) {
			t.Helper()
			var rd io.Reader
			if body != nil {
				data, _ := json.Marshal(body)
				rd = bytes.NewReader(data)
			}
			req, _ := http.NewRequest(method, h.URL+path, rd)
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, data
		}
		var rep api.RatingReport
		code, data := call(city, "GET", api.PathRatings, nil)
		if err := json.Unmarshal(data, &rep); code != http.StatusOK || err != nil || rep.Total.Rated != 4 || rep.Total.Satisfied != 2 ||
			len(rep.Agencies) != 2 || len(rep.Windows) != 2 || len(rep.Bad) != 2 || rep.Bad[0].State != "pending" {
			t.Fatalf("the city's report: %d %s", code, data)
		}
		code, data = call(a01, "GET", api.PathRatings, nil)
		if err := json.Unmarshal(data, &rep); code != http.StatusOK || err != nil || rep.Total.Rated != 2 || len(rep.Bad) != 1 || rep.Bad[0].Agency != "01" {
			t.Fatalf("agency 01's report: %d %s", code, data)
		}
		if code, _ := call(people, "GET", api.PathRatings, nil); code != http.StatusForbidden {
			t.Fatalf("a token without supervision: %d", code)
		}
		if code, _ := call(city, "GET", api.PathRatings+"?from=2026-02-30", nil); code != http.StatusBadRequest {
			t.Fatalf("a bad date: %d", code)
		}
		bad := func(dev string) string {
			return api.PathRatings + "/" + dev + "/" + strconv.FormatInt(seqs[dev][1], 10)
		}
		good := func(dev string) string {
			return api.PathRatings + "/" + dev + "/" + strconv.FormatInt(seqs[dev][0], 10)
		}
		var devA, devB string
		for dev := range seqs {
			code, data := call(city, "GET", bad(dev), nil)
			var r api.Rating
			if json.Unmarshal(data, &r) != nil || code != http.StatusOK || r.Level != hall.LevelDissatisfied {
				t.Fatalf("a rating: %d %s", code, data)
			}
			if r.Agency == "01" {
				devA = dev
			} else {
				devB = dev
			}
		}
		if code, _ := call(a01, "GET", bad(devB), nil); code != http.StatusNotFound {
			t.Fatalf("agency 01 reads agency 02's rating: %d", code)
		}
		if code, _ := call(a01, "POST", bad(devB)+"/followups", api.NewRatingFollowUp{Kind: "callback", Who: "x", What: "x"}); code != http.StatusNotFound {
			t.Fatalf("agency 01 answers agency 02's rating: %d", code)
		}
		for _, c := range []struct {
			body any
			code int
		}{
			{api.NewRatingFollowUp{Kind: "fix", Who: "李四", What: "一次告知"}, http.StatusUnprocessableEntity},
			{api.NewRatingFollowUp{Kind: "callback", What: "x"}, http.StatusUnprocessableEntity},
			{map[string]string{"kind": "callback", "who": "x", "what": "x", "level": "satisfied"}, http.StatusBadRequest},
		} {
			if code, data := call(a01, "POST", bad(devA)+"/followups", c.body); code != c.code {
				t.Errorf("%+v: %d %s", c.body, code, data)
			}
		}
		if code, _ := call(a01, "POST", good(devA)+"/followups", api.NewRatingFollowUp{Kind: "callback", Who: "x", What: "x"}); code != http.StatusConflict {
			t.Fatalf("a follow-up of a good rating: %d", code)
		}
		code, data = call(a01, "POST", bad(devA)+"/followups", api.NewRatingFollowUp{Kind: "fix", Who: "李四", What: "一次告知", Due: "2026-12-31"})
		var r api.Rating
		if json.Unmarshal(data, &r) != nil || code != http.StatusCreated || len(r.FollowUps) != 1 || r.FollowUps[0].Actor != "a01" ||
			r.FollowUps[0].Role != console.RoleToken || r.State != "fixing" {
			t.Fatalf("a 整改: %d %s", code, data)
		}
		for _, m := range []string{"PUT", "DELETE", "PATCH"} {
			if code, _ := call(city, m, bad(devA), nil); code != http.StatusMethodNotAllowed {
				t.Errorf("%s a rating: %d", m, code)
			}
		}
		code, data = call(city, "GET", bad(devA), nil)
		if json.Unmarshal(data, &r) != nil || code != http.StatusOK || len(r.FollowUps) != 1 || r.Level != hall.LevelDissatisfied {
			t.Fatalf("the rating after the attempts: %d %s", code, data)
		}
	})
}

// A rating as an attacker would try to slip one in, each refused with its
// code and an alert, nothing counted: from a kiosk (only a window rates:
// wrong_kind), signed by someone the platform has made an officer since
// (not_hall_staff), and signed with a key the platform never registered
// to the staff member it names (unknown_key).
func TestRatingsFromTheWrongDeviceRoleOrKey(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		const pin = "258147"
		rate := func(l hall.Appender, staff string) {
			t.Helper()
			if _, err := hall.AppendRating(ctx, l, hall.RatingBody{Window: "2", Staff: staff, Visit: hall.NewVisit(), Level: hall.LevelVeryDissatisfied,
				Reasons: []string{hall.ReasonAttitude}}); err != nil {
				t.Fatal(err)
			}
		}

		kiosk, kid := enrolledDevice(t, s, h.URL, "KIOSK-1", api.DeviceKiosk)
		const kadmin = "990102000106"
		if _, err := client.ActivatePerson(ctx, kiosk, person(t, s, api.Person{ID: kadmin, Name: "自助终端管理员", Agency: "02", Role: api.RoleKioskAdmin}), pin); err != nil {
			t.Fatal(err)
		}
		if _, _, err := kiosk.Book.SignIn(ctx, kadmin, pin, ""); err != nil {
			t.Fatal(err)
		}
		rate(kiosk.Log, kadmin)
		res, _ := client.Round(ctx, kiosk, nil)
		refused(t, s, pushErr(t, res), "wrong_kind", kid.DeviceID)

		win, wid := enrolledDevice(t, s, h.URL, "WINDOW-7", api.DeviceWindow)
		const moved = "990102000107"
		if _, err := client.ActivatePerson(ctx, win, person(t, s, api.Person{ID: moved, Name: "调岗员", Agency: "02", Role: api.RoleStaff}), pin); err != nil {
			t.Fatal(err)
		}
		if err := s.People().Put(ctx, api.Person{ID: moved, Name: "调岗员", Agency: "02", Role: api.RoleOfficer, Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := win.Book.SignIn(ctx, moved, pin, "2"); err != nil {
			t.Fatal(err)
		}
		rate(win.Log, moved)
		res, _ = client.Round(ctx, win, nil)
		refused(t, s, pushErr(t, res), "not_hall_staff", wid.DeviceID)

		forged, fid := enrolledDevice(t, s, h.URL, "WINDOW-8", api.DeviceWindow)
		_, fake, _ := ed25519.GenerateKey(rand.Reader)
		forged.Log.SetSigner(func(_ context.Context, r *casefile.Record, _ []string) error {
			return r.AddSig(forged.Log.Origin(), ledger.KeySigner{ID: r.Author, Key: fake})
		})
		rate(forged.Log, "990102000104")
		res, _ = client.Round(ctx, forged, nil)
		refused(t, s, pushErr(t, res), "unknown_key", fid.DeviceID)

		if sum, err := s.Console().Ratings(ctx, "", mustRatingPeriod(t)); err != nil || sum.Total.Rated+sum.Total.Unrated != 0 {
			t.Fatalf("refused ratings counted: %+v %v", sum.Total, err)
		}
	})
}

func mustRatingPeriod(t *testing.T) console.RatingPeriod {
	t.Helper()
	p, err := console.ParseRatingPeriod("", "", time.Now(), time.Local)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
