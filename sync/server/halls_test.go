package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The city's office creates a hall; an agency's administrator sets the
// windows its agency staffs and the guides and fees each handles, and is
// refused a hall, another agency's window and a take-over of one; every
// bad request is refused with its own code and changes nothing; anyone
// reads the halls, in the order the windows show their items.
func TestHallsConfiguredByRole(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		items := []catalog.Item{
			&catalog.ServiceGuide{ID: "G-01-1", Name: "食品经营许可", AgencyCode: "01", Act: catalog.ActLicensing},
			&catalog.ServiceGuide{ID: "G-01-2", Name: "营业执照变更登记", AgencyCode: "01", Act: catalog.ActLicensing},
			&catalog.FeeItem{ID: "F-01-1", Name: "计量检定费", AgencyCode: "01", Standard: "按件收取"},
			&catalog.ServiceGuide{ID: "G-02-1", Name: "户外广告设置许可", AgencyCode: "02", Act: catalog.ActLicensing},
		}
		if err := s.Publish(ctx, items, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}, {Code: "02", Name: "青禾市城市管理局"}}); err != nil {
			t.Fatal(err)
		}
		agency, err := s.Console().NewToken(ctx, console.Token{Name: "hall-01", Scopes: []string{"catalog"}, Agency: "01"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		people, err := s.Console().NewToken(ctx, console.Token{Name: "hr", Scopes: []string{"people"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		hall := h.URL + api.PathAdminHalls + "civic"
		win := func(n string) string { return hall + "/windows/" + n }

		for _, c := range []struct {
			what, token, method, url, body string
			status                         int
			code                           string
		}{
			{"no token", "", "PUT", hall, `{"name":"市民中心"}`, 401, "unauthorized"},
			{"a token without catalog", people, "PUT", hall, `{"name":"市民中心"}`, 403, "scope"},
			{"an agency's hall", agency, "PUT", hall, `{"name":"市民中心"}`, 403, "city_only"},
			{"a hall without a name", admin, "PUT", hall, `{"name":"  "}`, 422, "bad_hall"},
			{"a hall code with a bang", admin, "PUT", h.URL + api.PathAdminHalls + "civic!", `{"name":"市民中心"}`, 422, "bad_hall"},
			{"a window of no hall", admin, "PUT", win("3"), `{"name":"综合受理","agency":"01"}`, 404, "not_found"},
		} {
			if code, data := doAs(t, c.token, c.method, c.url, c.body); code != c.status || problemCode(data) != c.code {
				t.Errorf("%s: %d %s", c.what, code, data)
			}
		}
		if code, data := doAs(t, admin, "PUT", hall, `{"name":"青禾市民中心"}`); code != http.StatusNoContent {
			t.Fatalf("the city's hall: %d %s", code, data)
		}
		if code, data := doAs(t, admin, "PUT", win("5"), `{"name":"城管窗口","agency":"02","guides":["G-02-1"]}`); code != http.StatusNoContent {
			t.Fatalf("the city sets another agency's window: %d %s", code, data)
		}
		for _, c := range []struct {
			what, method, url, body string
			status                  int
			code                    string
		}{
			{"another agency's window", "PUT", win("4"), `{"name":"城管","agency":"02"}`, 403, "other_agency"},
			{"taking over another agency's window", "PUT", win("5"), `{"name":"市场监管","agency":"01"}`, 403, "other_agency"},
			{"taking away another agency's window", "DELETE", win("5"), ``, 403, "other_agency"},
			{"window 0", "PUT", win("0"), `{"name":"零","agency":"01"}`, 422, "bad_window"},
			{"window x", "PUT", win("x"), `{"name":"叉","agency":"01"}`, 422, "bad_window"},
			{"a window without a name", "PUT", win("3"), `{"name":"","agency":"01"}`, 422, "bad_window"},
			{"an unknown guide", "PUT", win("3"), `{"name":"综合受理","agency":"01","guides":["G-01-1","G-NONE"]}`, 422, "unknown_item"},
			{"a guide named as a fee", "PUT", win("3"), `{"name":"综合受理","agency":"01","fees":["G-01-1"]}`, 422, "unknown_item"},
			{"not JSON", "PUT", win("3"), `{`, 400, "bad_json"},
			{"taking away no window", "DELETE", win("9"), ``, 404, "not_found"},
		} {
			if code, data := doAs(t, agency, c.method, c.url, c.body); code != c.status || problemCode(data) != c.code {
				t.Errorf("%s: %d %s", c.what, code, data)
			}
		}
		if code, data := doAs(t, agency, "PUT", win("3"), `{"name":"市场监管综合受理","agency":"01","guides":["G-01-2","G-01-1"],"fees":["F-01-1"]}`); code != http.StatusNoContent {
			t.Fatalf("the agency's window: %d %s", code, data)
		}

		resp, err := http.Get(h.URL + api.PathHalls)
		if err != nil {
			t.Fatal(err)
		}
		var got []api.Hall
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status, err)
		}
		want := []api.Hall{{Code: "civic", Name: "青禾市民中心", Windows: []api.HallWindow{
			{Number: 3, Name: "市场监管综合受理", Agency: "01", Guides: []string{"G-01-2", "G-01-1"}, Fees: []string{"F-01-1"}},
			{Number: 5, Name: "城管窗口", Agency: "02", Guides: []string{"G-02-1"}, Fees: []string{}},
		}}}
		if !slices.EqualFunc(got, want, func(a, b api.Hall) bool {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			return string(ja) == string(jb)
		}) {
			t.Fatalf("halls:\n got %+v\nwant %+v", got, want)
		}

		// Taken away by its own agency, the window is gone from the list.
		if code, data := doAs(t, agency, "DELETE", win("3"), ``); code != http.StatusNoContent {
			t.Fatalf("taking away the agency's window: %d %s", code, data)
		}
		if hl, err := s.Hall(ctx, "civic"); err != nil || len(hl.Windows) != 1 || hl.Windows[0].Number != 5 {
			t.Fatalf("after taking window 3 away: %+v %v", hl, err)
		}
	})
}
