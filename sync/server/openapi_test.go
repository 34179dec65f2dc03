package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
)

// Every operation the OpenAPI document names is served, answers with one
// of the statuses it lists, and the document names every route the server
// has.
func TestServerMatchesOpenAPI(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), Options{AdminToken: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			url := strings.NewReplacer("{id}", "X1", "{kind}", "officer", "{sha}", "00").Replace(path)
			req, _ := http.NewRequest(strings.ToUpper(method), h.URL+url, strings.NewReader("{}"))
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			code := resp.StatusCode
			if code == http.StatusMethodNotAllowed {
				t.Errorf("%s %s: not served", method, path)
				continue
			}
			if _, ok := op.Responses[http.StatusText(code)]; ok {
				continue
			}
			if _, ok := op.Responses[strconv.Itoa(code)]; !ok {
				t.Errorf("%s %s answered %d, which the document does not list", method, path, code)
			}
		}
	}
	served := []string{"GET /", "GET /healthz", "GET /api/v1/platform/key", "POST /api/v1/devices/enrol", "POST /api/v1/logs/push",
		"GET /api/v1/catalog/changes", "POST /api/v1/admin/enrol-codes", "POST /api/v1/admin/catalog/import",
		"GET /api/v1/admin/devices", "POST /api/v1/admin/devices/{id}/revoke", "GET /p/", "GET /p/{kind}/{id}",
		"POST /api/v1/media/", "HEAD /api/v1/media/{id}", "PATCH /api/v1/media/{id}", "DELETE /api/v1/media/{id}",
		"GET /api/v1/media-by-sha/{sha}", "PUT /api/v1/admin/catalog/items/{kind}/{id}",
		"DELETE /api/v1/admin/catalog/items/{kind}/{id}", "GET /api/v1/admin/alerts",
		"GET /api/v1/review/policies", "GET /api/v1/review/queue", "GET /api/v1/review/opinions",
		"GET /api/v1/review/reviewers", "GET /p/draws/", "GET /p/draws/{id}",
		"GET /api/v1/admin/supervision", "GET /api/v1/admin/audit", "GET /admin/supervision", "GET /p/reports/", "GET /p/reports/{year}", "GET /api/v1/av-requirements", "GET /api/v1/procedures", "GET /api/v1/calendar", "GET /admin/cases/{device}/{case}",
		"GET /api/v1/admin/people/", "POST /api/v1/admin/people/", "GET /api/v1/admin/people/{id}", "PUT /api/v1/admin/people/{id}",
		"POST /api/v1/admin/people/{id}/activation", "GET /api/v1/admin/people/{id}/keys", "POST /api/v1/admin/person-keys/{id}/revoke",
		"GET /p/agencies/{id}", "POST /api/v1/people/activate", "GET /api/v1/people/standing", "POST /api/v1/review/open",
		"POST /api/v1/admin/decisions/{id}/withdraw", "GET /api/v1/handovers", "GET /api/v1/hall/windows",
		"GET /api/v1/deadlines", "PUT /api/v1/admin/deadlines", "GET /api/v1/tasks/", "POST /api/v1/tasks/{id}/claim", "GET /p/draws/{id}.json",
		"GET /api/v1/openapi.json", "GET /api/v1/reference", "GET /favicon.ico",
		"GET /p/flows/", "GET /p/flows/{act}", "GET /p/flows/{act}.svg", "GET /p/flows/{act}.pdf",
		"GET /p/photos/{sha}.jpg", "PUT /api/v1/admin/people/{id}/photo",
		"GET /api/v1/admin/ratings", "GET /api/v1/admin/ratings/{device}/{seq}", "POST /api/v1/admin/ratings/{device}/{seq}/followups",
		"GET /p/agencies/", "GET /api/v1/halls", "PUT /api/v1/admin/halls/{hall}", "PUT /api/v1/admin/halls/{hall}/windows/{no}", "DELETE /api/v1/admin/halls/{hall}/windows/{no}",
		"GET /api/v1/admin/appraisal", "GET /admin/appraisal",
		"POST /admin/cases/{device}/{case}/evidence", "GET /admin/cases/{device}/{case}/evidence/{sha}",
		"GET /admin/cases/{device}/{case}/evidence/{sha}/frames/{n}", "GET /admin/evidence/player.js"}
	// 通报 → 整改 → 复查 (noticeapi.go)
	served = append(served, "GET /api/v1/admin/notices", "POST /api/v1/admin/notices", "GET /api/v1/admin/notices/{id}",
		"POST /api/v1/admin/notices/{id}/report", "POST /api/v1/admin/notices/{id}/recheck", "POST /api/v1/admin/notices/{id}/accountability",
		"GET /api/v1/admin/notices/{id}/files/{sha}", "GET /api/v1/notices")
	served = append(served, "GET /api/v1/admin/equipment") // the equipment register (issue 24, part 4)

	// The checkpoint alone (issue 25, part 3).
	served = append(served, "POST /api/v1/logs/checkpoint")
	served = append(served, "GET /api/v1/logs/timestamps") // a device's time-stamp tokens (issue 25, part 2)

	// 扫码验真 (issue 25, part 5).
	served = append(served, "GET /v/{device}/{n}", "GET /p/verify")
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Errorf("documented:\n%s\nserved:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
