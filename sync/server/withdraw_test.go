package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// doAs calls the platform with token as the bearer.
func doAs(t *testing.T, token, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
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

func problemCode(data []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	json.Unmarshal(data, &p)
	return p.Code
}

// An administrator withdraws a published decision only with a stated
// reason (422 need_reason without, on the decisions' route and on the
// catalog's DELETE alike), and an agency's token only its own agency's
// (403 other_agency); the withdrawal leaves the change feed as a deletion
// (off every kiosk), is kept with who, when and why, is written to the
// audit log with its reason, and the decision's public page says it was
// withdrawn on that day by the platform's administrator, and why, without
// showing the decision again — until it is published anew.
func TestAdminWithdrawsDecisionWithReason(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		mine := &catalog.Decision{ID: "C-01-1", DocNo: "青禾市监罚〔2026〕1号", AgencyCode: "01", AgencyName: "青禾市市场监督管理局", Act: catalog.ActPenalty,
			Party: "某某商店", Content: "罚款人民币3000元", DecidedOn: "2026-03-01", PublishedOn: "2026-03-02"}
		theirs := &catalog.Decision{ID: "C-02-1", DocNo: "青禾城管罚〔2026〕9号", AgencyCode: "02", AgencyName: "青禾市城市管理局", Act: catalog.ActPenalty,
			Party: "某某公司", Content: "罚款人民币800元", DecidedOn: "2026-03-01", PublishedOn: "2026-03-02"}
		if err := s.Publish(ctx, []catalog.Item{mine, theirs}, []catalog.Agency{{Code: "01", Name: mine.AgencyName}, {Code: "02", Name: theirs.AgencyName}}); err != nil {
			t.Fatal(err)
		}
		agencyToken, err := s.Console().NewToken(ctx, console.Token{Name: "agency-01", Scopes: []string{"catalog"}, Agency: "01"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		route := func(id string) string { return h.URL + api.PathDecisions + id + "/withdraw" }

		for _, c := range []struct{ what, method, url, body string }{
			{"no reason", "POST", route(mine.ID), `{}`},
			{"a blank reason", "POST", route(mine.ID), `{"reason":"  "}`},
			{"DELETE without a body", "DELETE", h.URL + api.PathItems + "decision/" + mine.ID, ``},
			{"DELETE with an empty reason", "DELETE", h.URL + api.PathItems + "decision/" + mine.ID, `{"reason":""}`},
		} {
			if code, data := doAs(t, admin, c.method, c.url, c.body); code != http.StatusUnprocessableEntity || problemCode(data) != "need_reason" {
				t.Errorf("%s: %d %s", c.what, code, data)
			}
		}
		if code, data := doAs(t, agencyToken, "POST", route(theirs.ID), `{"reason":"越权"}`); code != http.StatusForbidden || problemCode(data) != "other_agency" {
			t.Errorf("another agency's decision: %d %s", code, data)
		}
		if code, _ := doAs(t, admin, "POST", route("NO-SUCH"), `{"reason":"x"}`); code != http.StatusNotFound {
			t.Errorf("an unknown decision: %d", code)
		}
		for _, d := range []*catalog.Decision{mine, theirs} {
			if _, err := s.Item(ctx, catalog.KindDecision, d.ID); err != nil {
				t.Fatalf("%s after refused withdrawals: %v", d.ID, err)
			}
		}
		before, _ := s.Changes(ctx, 0, 100)

		reason := "该处罚决定已被行政复议机关撤销"
		code, data := doAs(t, agencyToken, "POST", route(mine.ID), `{"reason":"`+reason+`"}`)
		var wd api.Withdrawal
		if err := json.Unmarshal(data, &wd); code != http.StatusOK || err != nil || wd.Reason != reason || wd.Source != api.WithdrawnByAdmin ||
			wd.Actor != "agency-01" || wd.Agency != "01" || wd.At == "" {
			t.Fatalf("withdrawal: %d %s", code, data)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, mine.ID); err != server.ErrNoItem {
			t.Fatalf("still published: %v", err)
		}
		after, _ := s.Changes(ctx, before.Next, 100)
		if len(after.Changes) != 1 || !after.Changes[0].Deleted || after.Changes[0].ID != mine.ID || after.Changes[0].Kind != "decision" {
			t.Fatalf("the feed after the withdrawal: %+v", after.Changes)
		}
		if code, _ := doAs(t, admin, "POST", route(mine.ID), `{"reason":"again"}`); code != http.StatusNotFound {
			t.Errorf("a second withdrawal: %d", code)
		}

		// The public page: withdrawn, when, by whom, why; not the decision.
		resp, err := http.Get(h.URL + api.PublicPath("decision", mine.ID))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		day := time.Now().Format("2006年1月2日")
		for _, want := range []string{"该决定已撤回", "已于 " + day + " 由平台管理员撤回", reason, mine.DocNo, mine.AgencyName} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the withdrawn decision's page lacks %q", want)
			}
		}
		if resp.StatusCode != http.StatusGone || strings.Contains(string(page), mine.Content) || strings.Contains(string(page), mine.Party) {
			t.Errorf("the withdrawn decision's page: %d\n%s", resp.StatusCode, page)
		}

		// The catalog's DELETE withdraws a decision with a reason in its body.
		if code, data := doAs(t, admin, "DELETE", h.URL+api.PathItems+"decision/"+theirs.ID, `{"reason":"文号有误，已重新作出决定"}`); code != http.StatusOK || !bytes.Contains(data, []byte("文号有误")) {
			t.Fatalf("DELETE with a reason: %d %s", code, data)
		}
		got, err := s.Decision(ctx, theirs.ID)
		if err != nil || got.Withdrawn == nil || got.Withdrawn.Actor != console.ConfiguredName || got.Withdrawn.Reason != "文号有误，已重新作出决定" {
			t.Fatalf("kept withdrawal: %+v %v", got.Withdrawn, err)
		}
		list, err := s.Decisions(ctx, "01", "", 10)
		if err != nil || len(list) != 1 || list[0].ID != mine.ID || list[0].Withdrawn == nil {
			t.Fatalf("agency 01's decisions: %+v %v", list, err)
		}

		// The audit log has both, with their reasons.
		entries, _, err := s.Console().AuditLog(ctx, "", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, e := range entries {
			if e.Action == "decision.withdraw" {
				found[e.Object] = e.Detail
			}
		}
		if found[mine.ID] != reason || found[theirs.ID] != "文号有误，已重新作出决定" {
			t.Errorf("audit entries of withdrawals: %v", found)
		}

		// Published anew, it is the decision's page again.
		if err := s.Publish(ctx, []catalog.Item{mine}, nil); err != nil {
			t.Fatal(err)
		}
		resp, err = http.Get(h.URL + api.PublicPath("decision", mine.ID))
		if err != nil {
			t.Fatal(err)
		}
		page, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), mine.Content) || strings.Contains(string(page), reason) {
			t.Errorf("republished: %d\n%s", resp.StatusCode, page)
		}
	})
}

// A people import through the JSON API with a token held to one agency is
// refused whole (422 bad_rows, other_agency) when a row is another
// agency's, and imports a file of its own agency's rows.
func TestAgencyTokenImportsItsOwnPeople(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}, {Code: "02", Name: "青禾市城市管理局"}}); err != nil {
			t.Fatal(err)
		}
		tok, err := s.Console().NewToken(ctx, console.Token{Name: "hr-01", Scopes: []string{"people"}, Agency: "01"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		file := "编号,姓名,执法主体代码,角色\nW1,甲,01,窗口工作人员\nW2,乙,02,窗口工作人员\n"
		code, data := doAs(t, tok, "POST", h.URL+api.PathPeople+"?filename=p.csv", file)
		var bad badRows
		json.Unmarshal(data, &bad)
		if code != http.StatusUnprocessableEntity || len(bad.Rows) != 1 || bad.Rows[0].Row != 3 || bad.Rows[0].Code != "other_agency" {
			t.Fatalf("another agency's row: %d %s", code, data)
		}
		if _, err := s.People().Get(ctx, "W1"); err == nil {
			t.Fatal("imported from a refused file")
		}
		if code, data := doAs(t, tok, "POST", h.URL+api.PathPeople+"?filename=p.csv", "编号,姓名,执法主体代码,角色\nW1,甲,01,窗口工作人员\n"); code != http.StatusOK {
			t.Fatalf("its own agency's file: %d %s", code, data)
		}
	})
}
