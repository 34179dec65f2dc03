package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// everyActPolicies is the demo city's major-decision lists with agency
// 01's rules widened so that the decision of every act below is major:
// denying a licence, seizing, demolishing and enforcing, a levy or a fee
// touching the public interest, and an inspection ordering a closure.
func everyActPolicies(t *testing.T) review.Policies {
	t.Helper()
	pols, err := demo.Policies()
	if err != nil {
		t.Fatal(err)
	}
	p := pols["01"]
	p.Rules = append(p.Rules,
		review.Rule{ID: "t-deny", Text: "不予行政许可", Acts: []catalog.Act{catalog.ActLicensing}, Kinds: []string{"deny_licence"}},
		review.Rule{ID: "t-seize", Text: "查封、扣押", Acts: []catalog.Act{catalog.ActCoercion}, Kinds: []string{"seize"}},
		review.Rule{ID: "t-demolish", Text: "强制拆除", Acts: []catalog.Act{catalog.ActCoercion}, Kinds: []string{"demolish"}},
		review.Rule{ID: "t-enforce", Text: "强制执行", Acts: []catalog.Act{catalog.ActCoercion}, Kinds: []string{"enforce"}},
		review.Rule{ID: "t-levy", Text: "涉及重大公共利益的征收、收费", Acts: []catalog.Act{catalog.ActLevy, catalog.ActFee}, Impacts: []string{"public_interest"}},
		review.Rule{ID: "t-closure", Text: "检查后责令停产停业", Acts: []catalog.Act{catalog.ActInspection}, Kinds: []string{"order_closure"}})
	pols["01"] = p
	return pols
}

// actDecision is one act's major decision: the procedure the case follows
// and what its decision stage decides.
type actDecision struct {
	name, procedure string
	act             catalog.Act
	decision        review.Proposal
}

var majorDecisions = []actDecision{
	{"penalty", "", catalog.ActPenalty, review.Proposal{Fine: 200000, Kinds: []string{"fine"}, Text: "罚款二十万元"}},
	{"licensing deny", "", catalog.ActLicensing, review.Proposal{Kinds: []string{"deny_licence"}, Text: "不予许可"}},
	{"licensing revoke", "", catalog.ActLicensing, review.Proposal{Kinds: []string{"revoke_licence"}, Text: "吊销食品经营许可证"}},
	{"coercion seize", "", catalog.ActCoercion, review.Proposal{Kinds: []string{"seize"}, Text: "查封生产设备"}},
	{"coercion demolish", "coercion.execute", catalog.ActCoercion, review.Proposal{Kinds: []string{"demolish"}, Text: "强制拆除违法建筑"}},
	{"coercion.execute enforce", "coercion.execute", catalog.ActCoercion, review.Proposal{Kinds: []string{"enforce"}, Text: "强制执行"}},
	{"levy", "", catalog.ActLevy, review.Proposal{Impacts: []string{"public_interest"}, Text: "征收"}},
	{"inspection", "", catalog.ActInspection, review.Proposal{Kinds: []string{"order_closure"}, Text: "责令停产停业整改"}},
	{"fee", "", catalog.ActFee, review.Proposal{Impacts: []string{"public_interest"}, Text: "收取费用"}},
}

// For every act with a decision, on a real device log with its review
// gate and a real platform on loopback: the device's own gate refuses the
// major decision without a passed review (review.ErrNoReview); the same
// decision written around the device's code (the gate taken off, as a
// patched app would) is pushed, and the platform flags it in the receipt
// and raises a review alert, case by case, with no other flag (the cases
// were walked through their procedures in order).
func TestEveryActMajorDecisionNeedsReview(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		pols := everyActPolicies(t)
		if err := s.SetPolicies(ctx, pols); err != nil {
			t.Fatal(err)
		}
		rv := review.Reviewer{ID: "990101000003", Name: "审核员", Qualification: review.QualLegalProfessional}
		if err := s.SetReviewer(ctx, "01", rv); err != nil {
			t.Fatal(err)
		}
		l := openLog(t, "EVERY-ACT", "990101000001", "990101000002")
		cal, err := calendar.Parse(assets.Calendar)
		if err != nil {
			t.Fatal(err)
		}
		cls, _ := review.Checklists()
		svc := &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: review.NewRegistry([]review.Reviewer{rv}), Signatures: true}
		l.SetGate(svc.Gate())
		two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

		cases := map[string]string{} // act → case
		for _, a := range majorDecisions {
			id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: a.act, Procedure: a.procedure, Agency: "01", ItemID: "E1",
				ItemName: a.name, Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"}, Officers: two})
			if err != nil {
				t.Fatalf("%s: %v", a.name, err)
			}
			c, _ := l.Case(ctx, id)
			stage := c.Procedure().DecisionStage()
			casefiletest.WalkTo(t, l, id, "990101000001", two, stage)
			d, _ := json.Marshal(a.decision)
			body := casefile.StageBody{Stage: stage, Decision: d}
			if st, _ := c.Procedure().Stage(stage); st.OnSite {
				body.Officers = two
			}
			if _, err := l.AddStage(ctx, id, "990101000001", body); !errors.Is(err, review.ErrNoReview) {
				t.Fatalf("%s: the device's gate let the major decision %s through without review: %v", a.name, stage, err)
			}
			cases[a.name] = id
		}
		// Around the device's code: the gate taken off, the same decisions.
		l.SetGate(nil)
		for _, a := range majorDecisions {
			c, _ := l.Case(ctx, cases[a.name])
			stage := c.Procedure().DecisionStage()
			d, _ := json.Marshal(a.decision)
			if _, err := l.AddStage(ctx, cases[a.name], "990101000001", casefile.StageBody{Stage: stage, Decision: d}); err != nil {
				t.Fatalf("%s written around the gate: %v", a.name, err)
			}
		}
		res, err := client.New(enrol(t, s, h, l)).Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Flags) != len(majorDecisions) {
			t.Fatalf("%d flags for %d unreviewed major decisions: %q", len(res.Flags), len(majorDecisions), res.Flags)
		}
		alerts, err := s.AlertList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range majorDecisions {
			id := cases[a.name]
			flagged := 0
			for _, f := range res.Flags {
				if strings.Contains(f, "案件 "+id+" ") {
					flagged++
				}
			}
			alerted := 0
			for _, al := range alerts {
				if al.Kind == "review" && strings.Contains(al.Detail, id) && strings.Contains(al.Detail, review.ErrNoReview.Error()) {
					alerted++
				}
			}
			if flagged != 1 || alerted != 1 {
				t.Errorf("%s (%s): flagged %d times, alerted %d times; flags %q", a.name, id, flagged, alerted, res.Flags)
			}
		}
	})
}

// rawAppend appends rec to the device log at path through the ledger
// alone: no stage rules, no gate, only the author's signature — what a
// device whose case-file code was patched out would write.
func rawAppend(t *testing.T, path, origin string, key ledger.Signer, rec *casefile.Record) {
	t.Helper()
	ctx := context.Background()
	raw, err := ledger.Open(ctx, path, filepath.Join(filepath.Dir(path), "media"), origin, ledger.Options{
		BeforeAppend: func(_ context.Context, r *ledger.Record) error { return r.AddSig("sanxiang/device/"+origin, key) }})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.Append(ctx, rec); err != nil {
		t.Fatal(err)
	}
}

// orderScenario pushes, from a real device log to the platform s, two
// penalty cases of agency 01: one decided without its prior notice (告知),
// written around the device's code after the device refused it, and one
// whose notice was recorded early with an exception (reason and approver).
// It returns the push's result and the two cases.
func orderScenario(t *testing.T, s *server.Server, h *httptest.Server) (res client.PushResult, skipped, excepted string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "casefile.db")
	l, err := casefile.Open(ctx, path, filepath.Join(dir, "media"), "ORDER-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	keys := casefiletest.SignAs(t, l, "990101000001", "990101000002")
	keysOf.Store(l, keys)
	t.Cleanup(func() { keysOf.Delete(l) })
	two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
	open := func() string {
		id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
			ItemName: "处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"}, Officers: two})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	skipped = open()
	casefiletest.WalkTo(t, l, skipped, "990101000001", two, "notify")
	decision := casefile.StageBody{Stage: "decide", Decision: json.RawMessage(`{"fine":3000,"text":"罚款三千元"}`)}
	if _, err := l.AddStage(ctx, skipped, "990101000001", decision); !errors.Is(err, casefile.ErrOutOfOrder) {
		t.Fatalf("the device let a decision through before its notice: %v", err)
	}
	body, _ := json.Marshal(decision)
	rawAppend(t, path, "ORDER-1", ledger.KeySigner{ID: "990101000001", Key: keys["990101000001"]},
		&casefile.Record{Case: skipped, Kind: casefile.KindStage, Author: "990101000001", Body: body, At: time.Now()})

	excepted = open()
	casefiletest.WalkTo(t, l, excepted, "990101000001", two, "investigate")
	if _, err := l.AddStage(ctx, excepted, "990101000001", casefile.StageBody{Stage: "notify", Officers: two,
		Exception: &casefile.Exception{Reason: exceptionReason, Approver: casefiletest.Approver}}); err != nil {
		t.Fatalf("an exception with its reason and approver: %v", err)
	}
	res, err = client.New(enrol(t, s, h, l)).Push(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	return res, skipped, excepted
}

const exceptionReason = "当事人当场承认违法事实并主动提供证据，经负责人批准先行告知"

// The procedure's order on the platform: a penalty decided without its
// prior notice (告知), written around the device's code, is flagged in
// the receipt, alerted, and counted by supervision as out of order; a
// notice recorded early with an exception (reason and approver) passes
// the device, is neither flagged nor alerted, and is counted and listed
// with its reason on the supervisor's case page.
func TestPlatformFlagsStagesOutOfOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		res, skipped, excepted := orderScenario(t, s, h)
		if len(res.Flags) != 1 || !strings.Contains(res.Flags[0], "案件 "+skipped+" ") || !strings.Contains(res.Flags[0], "告知") {
			t.Fatalf("flags %q (decided without notice: %s)", res.Flags, skipped)
		}
		alerts, _ := s.AlertList(ctx)
		if len(alerts) != 1 || alerts[0].Kind != "order" || !strings.Contains(alerts[0].Detail, skipped) {
			t.Fatalf("alerts %+v", alerts)
		}

		from, to := time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 1)
		rep, err := s.Supervision(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total.OutOfOrder != 1 || rep.Total.Exceptions != 1 || rep.Total.Skipped != 0 || len(rep.ByAgency) != 1 ||
			rep.ByAgency[0].Tally.OutOfOrder != 1 || rep.ByAgency[0].Tally.Exceptions != 1 {
			t.Fatalf("supervision counts %+v", rep.Total)
		}
		for _, e := range rep.Cases {
			switch e.Case {
			case skipped:
				if e.OutOfOrder != 1 || e.Score == 100 {
					t.Errorf("the case decided without notice: %+v", e)
				}
			case excepted:
				if e.OutOfOrder != 0 || len(e.Exceptions) != 1 || e.Exceptions[0].Reason != exceptionReason || slices.ContainsFunc(e.Failed(), func(c supervise.Check) bool { return c.Key == supervise.CheckOrder }) {
					t.Errorf("the case with an exception: %+v", e)
				}
			}
		}
		page := supervisorPage(t, s, h.URL, "/admin/cases/"+rep.Cases[0].Device+"/"+excepted)
		for _, w := range []string{exceptionReason, casefiletest.Approver, "程序例外", "调查取证"} {
			if !strings.Contains(page, w) {
				t.Errorf("the case page lacks %q", w)
			}
		}
		dash := supervisorPage(t, s, h.URL, "/admin/supervision?from="+from.Format(time.DateOnly)+"&to="+to.Format(time.DateOnly))
		for _, w := range []string{"违序环节", "程序例外", "决定环节违反法定顺序"} {
			if !strings.Contains(dash, w) {
				t.Errorf("the dashboard lacks %q", w)
			}
		}
	})
}

// supervisorPage is a console page as the city's supervisor sees it,
// logged in with their own account (made on first use).
func supervisorPage(t *testing.T, s *server.Server, base, path string) string {
	t.Helper()
	ctx := context.Background()
	if err := s.AddAdmin(ctx, console.Admin{Login: "order-supervisor", Name: "市司法局", Role: console.RoleCity}, "order-password", "test"); err != nil &&
		!strings.Contains(err.Error(), "taken") {
		t.Fatal(err)
	}
	resp, err := noRedirect.PostForm(base+"/admin/login", url.Values{"login": {"order-supervisor"}, "password": {"order-password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	page, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer page.Body.Close()
	data, _ := io.ReadAll(page.Body)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, page.StatusCode, data)
	}
	return string(data)
}

// The platform judges a case by its agency's own procedure: agency 01
// requires a notice before every inspection, which a device that has not
// pulled it yet lets through (the national procedure makes the notice
// optional); the platform flags the inspection and alerts. The device,
// once it pulls the procedure, refuses the same.
func TestPlatformJudgesByAgencyProcedures(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		list, err := casefile.ParseProcedures([]byte(`[{"id":"inspection","act":"inspection","agency":"01","title":"行政检查（本机关）","stages":[
 {"key":"notice","documents":["inspection_notice"]},
 {"key":"inspect","on_site":true,"requires":["notice"],"documents":["inspection_record"],"av":"any"},
 {"key":"handle","decision":true,"requires":["inspect"],"documents":["inspection_result"]},
 {"key":"close","final":true,"requires":["handle"]}]}]`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetProcedures(ctx, list); err != nil {
			t.Fatal(err)
		}
		l := openLog(t, "AGENCY-P", "990101000001", "990101000002")
		two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
		id := mustCase(t, l)
		if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "inspect", Officers: two}); err != nil {
			t.Fatalf("the national procedure refused an inspection without notice: %v", err)
		}
		c := client.New(enrol(t, s, h, l))
		res, err := c.Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Flags) != 1 || !strings.Contains(res.Flags[0], id) || !strings.Contains(res.Flags[0], "检查通知") {
			t.Fatalf("flags %q", res.Flags)
		}
		if alerts, _ := s.AlertList(ctx); len(alerts) != 1 || alerts[0].Kind != "order" {
			t.Fatalf("alerts %+v", alerts)
		}
		pulled, err := c.PullProcedures(ctx)
		if err != nil || len(pulled) != 1 || pulled[0].Version != 1 {
			t.Fatalf("pulled %+v %v", pulled, err)
		}
		set, err := casefile.WithAgencies(pulled)
		if err != nil {
			t.Fatal(err)
		}
		l.SetProcedures(set)
		if _, err := l.AddStage(ctx, mustCase(t, l), "990101000001", casefile.StageBody{Stage: "inspect", Officers: two}); !errors.Is(err, casefile.ErrOutOfOrder) {
			t.Fatalf("with the agency's procedure, an inspection without notice: %v", err)
		}
	})
}

// An enforcement decided before the time to comply its 催告书 gave
// (行政强制法 art. 37) is refused by the device as too early; written
// around the device's code, the platform flags it, naming the date.
func TestPlatformFlagsEnforcementBeforeTimeToComply(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		dir := t.TempDir()
		path := filepath.Join(dir, "casefile.db")
		l, err := casefile.Open(ctx, path, filepath.Join(dir, "media"), "COMPLY-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		keys := casefiletest.SignAs(t, l, "990101000001", "990101000002")
		keysOf.Store(l, keys)
		defer keysOf.Delete(l)
		two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
		id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActCoercion, Procedure: "coercion.execute", Agency: "01", ItemID: "E1",
			ItemName: "强制执行", Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"}, Officers: two})
		if err != nil {
			t.Fatal(err)
		}
		comply := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "remind", Officers: two, Dates: map[string]string{"comply_by": comply}}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "defend"}); err != nil {
			t.Fatal(err)
		}
		decision := casefile.StageBody{Stage: "decide", Decision: json.RawMessage(`{"kinds":["enforce"],"text":"强制执行"}`)}
		if _, err := l.AddStage(ctx, id, "990101000001", decision); !errors.Is(err, casefile.ErrTooEarly) {
			t.Fatalf("the device let an enforcement through before the time to comply: %v", err)
		}
		body, _ := json.Marshal(decision)
		rawAppend(t, path, "COMPLY-1", ledger.KeySigner{ID: "990101000001", Key: keys["990101000001"]},
			&casefile.Record{Case: id, Kind: casefile.KindStage, Author: "990101000001", Body: body, At: time.Now()})
		res, err := client.New(enrol(t, s, h, l)).Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Flags) != 1 || !strings.Contains(res.Flags[0], id) || !strings.Contains(res.Flags[0], "催告所定期限（"+comply+"）届满") {
			t.Fatalf("flags %q", res.Flags)
		}
	})
}
