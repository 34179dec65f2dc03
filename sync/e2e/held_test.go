package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The patient's name and mobile number the device's redaction leaves in
// the clear.
const (
	heldPatient = "张伟"
	heldMobile  = "13912345678"
)

// insufficientlyRedacted decides a penalty case in l whose decision names
// a patient after 患者 and gives the patient's mobile number, and
// publishes it as a device whose redaction missed both would: the
// device's engine masked everything else, the patient's name and mobile
// stay in the clear. It returns the case's ID and what was published.
func insufficientlyRedacted(t *testing.T, l *casefile.Log) (string, publish.Publication) {
	t.Helper()
	ctx := context.Background()
	cal, _ := calendar.Parse(assets.Calendar)
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对未取得医疗机构执业许可证擅自执业的处罚",
		Party:    casefile.Party{Kind: "person", Name: "李明辉", IDNo: "33010619780312451X", Address: "浙江省青禾市明湖区翠苑街道文三路88号"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	tpl, err := document.TemplateByID("penalty_decision")
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := l.Case(ctx, id)
	doc, err := document.Fill(tpl, cs, "青禾市明湖区市场监督管理局", map[string]string{"doc_no": "青明市监处罚〔2026〕58号",
		"facts":    "李明辉未取得医疗机构执业许可证擅自开展诊疗活动。2026年2月3日，患者" + heldPatient + "（联系电话" + heldMobile + "）在其处接受输液治疗。",
		"basis":    "《基本医疗卫生法》第九十九条",
		"decision": "没收违法所得人民币1200元，罚款人民币20000元", "payment": "十五日内缴纳"}, cs.OpenedAt)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(doc)
	if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide", Decision: json.RawMessage(`{"fine":20000}`)}); err != nil {
		t.Fatal(err)
	}
	c, _ := l.Case(ctx, id)
	p, err := publish.Preview(c, cal, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The device's engine: every rule but what found the patient.
	var b strings.Builder
	pos := 0
	for _, sp := range redact.Redact(p.Original, redact.Options{}).Spans {
		if strings.Contains(sp.Original, heldPatient) || strings.Contains(sp.Original, heldMobile) {
			continue
		}
		b.WriteString(p.Original[pos:sp.Start])
		b.WriteString(sp.Masked)
		pos = sp.End
	}
	b.WriteString(p.Original[pos:])
	p.Redacted = b.String()
	if !strings.Contains(p.Redacted, "患者"+heldPatient) || !strings.Contains(p.Redacted, heldMobile) || strings.Contains(p.Redacted, "李明辉") {
		t.Fatalf("the device's text is not what the test needs:\n%s", p.Redacted)
	}
	data, _ := json.Marshal(p)
	if _, err := l.AddRecord(ctx, id, "990101000001", publish.KindPublish, data, nil); err != nil {
		t.Fatal(err)
	}
	return id, p
}

// A device that publishes an insufficiently redacted decision (a
// patient's name after 患者 and mobile number left in the clear) does not
// make it public: the platform's own run of the redaction finds what more
// to mask, holds the publication — no public page, nothing in the change
// feed to kiosks — with a publication_held alert, and keeps both texts.
// An agency administrator of another agency does not see it; one without
// a reason cannot publish the device's text; the city's administrator
// publishes the platform's redaction through the console (session,
// CSRF), and it is public with the platform's text, the decision in the
// audit log and on the held row. The device's later withdrawal takes it
// down as any other.
func TestPlatformHoldsUnredactedPublication(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		l := deviceLog(t, "HOLD-1", 0)
		id, sent := insufficientlyRedacted(t, l)
		c := client.New(enrol(t, s, h, l))
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		// The platform's engine must find the mobile number; it may find
		// the patient's name too (an engine that knows 患者).
		nameCaught := !strings.Contains(redact.Text("经查，患者"+heldPatient+"在其处就诊。"), heldPatient)
		t.Logf("the platform's engine masks the name after 患者: %v", nameCaught)

		// Not public: no page, not in the feed, not on a kiosk.
		get := func(path string, cookie *http.Cookie) (int, string) {
			req, _ := http.NewRequest("GET", h.URL+path, nil)
			if cookie != nil {
				req.AddCookie(cookie)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(data)
		}
		if code, page := get(api.PublicPath("decision", id), nil); code != http.StatusNotFound || strings.Contains(page, heldMobile) {
			t.Fatalf("the held decision's public page: %d\n%s", code, page)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, id); err != server.ErrNoItem {
			t.Fatalf("the held decision is in the lists: %v", err)
		}
		feed, err := s.Changes(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range feed.Changes {
			if ch.ID == id {
				t.Fatalf("the held decision is in the change feed: %+v", ch)
			}
		}
		kiosk, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "kiosk.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer kiosk.Close()
		if _, err := client.PullPublic(ctx, h.URL, kiosk); err != nil {
			t.Fatal(err)
		}
		if _, err := kiosk.Get(ctx, catalog.KindDecision, id); err == nil {
			t.Fatal("the held decision reached a kiosk")
		}

		// The alert, in Chinese, naming the case.
		code, data := getAs(t, h.URL+api.PathAlerts)
		var alerts []server.Alert
		if err := json.Unmarshal(data, &alerts); code != http.StatusOK || err != nil {
			t.Fatalf("alerts: %d %s", code, data)
		}
		var alert *server.Alert
		for i := range alerts {
			if alerts[i].Kind == "publication_held" {
				alert = &alerts[i]
			}
		}
		if alert == nil || !strings.Contains(alert.Detail, id) || !strings.Contains(alert.Detail, "暂停公开") || !strings.Contains(alert.Detail, "电话号码") {
			t.Fatalf("no publication_held alert for %s: %+v", id, alerts)
		}

		// The held row: both texts, what more the platform masks.
		held, err := s.Held(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if held.State != "held" || held.DeviceText != sent.Redacted || !strings.Contains(held.DeviceText, heldMobile) ||
			strings.Contains(held.PlatformText, heldMobile) || !strings.Contains(held.PlatformText, "139****5678") ||
			nameCaught && strings.Contains(held.PlatformText, heldPatient) {
			t.Fatalf("the held row: %+v", held)
		}
		if !strings.Contains(held.PlatformText, "罚款人民币20000元") || !strings.Contains(held.PlatformText, "青明市监处罚〔2026〕58号") {
			t.Errorf("the platform's text lost what is public:\n%s", held.PlatformText)
		}
		phone := false
		for _, sp := range held.Extra {
			phone = phone || sp.Kind == "phone" && sp.Original == heldMobile && held.DeviceText[sp.Start:sp.End] == heldMobile
		}
		if !phone {
			t.Errorf("the extra spans lack the mobile: %+v", held.Extra)
		}

		// The console: an agency administrator of another agency sees
		// nothing of it; the city's administrator sees both texts.
		for _, a := range []struct {
			admin console.Admin
			pw    string
		}{
			{console.Admin{Login: "city", Name: "市司法局", Role: console.RoleCity}, "city-password-1"},
			{console.Admin{Login: "other", Name: "城管局管理员", Role: console.RoleAgency, Agency: "02"}, "other-password-1"},
		} {
			if err := s.AddAdmin(ctx, a.admin, a.pw, "test"); err != nil {
				t.Fatal(err)
			}
		}
		login := func(who, pw string) *http.Cookie {
			resp, err := noRedirect.PostForm(h.URL+"/admin/login", url.Values{"login": {who}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for _, ck := range resp.Cookies() {
				if ck.Name == console.CookieName {
					return ck
				}
			}
			t.Fatalf("login %s: %d", who, resp.StatusCode)
			return nil
		}
		other := login("other", "other-password-1")
		if code, page := get("/admin/held/"+id, other); code != http.StatusNotFound {
			t.Errorf("another agency's administrator opens the held publication: %d", code)
		} else if _, list := get("/admin/held", other); strings.Contains(list, id) || strings.Contains(page, heldMobile) {
			t.Errorf("another agency's administrator lists it")
		}
		city := login("city", "city-password-1")
		if code, list := get("/admin/held", city); code != http.StatusOK || !strings.Contains(list, `href="/admin/held/`+id+`"`) || !strings.Contains(list, "待决定") {
			t.Fatalf("the held list: %d\n%s", code, list)
		}
		code, page := get("/admin/held/"+id, city)
		if code != http.StatusOK || !strings.Contains(page, `<mark class="left">`+heldMobile+`</mark>`) || !strings.Contains(page, `<mark class="more">139****5678</mark>`) ||
			!strings.Contains(page, `id="device-text"`) || !strings.Contains(page, `id="platform-text"`) {
			t.Fatalf("the held page: %d\n%s", code, page)
		}
		savePage(t, b.Name+"-held", page)
		_, csrf, ok := strings.Cut(page, `name="csrf" value="`)
		if !ok {
			t.Fatal("no CSRF token on the held page")
		}
		csrf, _, _ = strings.Cut(csrf, `"`)
		decide := func(form url.Values) (int, string, string) {
			req, _ := http.NewRequest("POST", h.URL+"/admin/held/"+id+"/decide", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(city)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("X-Sanxiang-Error"), string(data)
		}
		if code, _, _ := decide(url.Values{"choice": {"platform"}}); code != http.StatusForbidden {
			t.Errorf("a decision without the CSRF token: %d", code)
		}
		if code, errCode, _ := decide(url.Values{"csrf": {csrf}, "choice": {"device"}, "reason": {"  "}}); code != http.StatusUnprocessableEntity || errCode != "need_held_reason" {
			t.Errorf("the device's text without a reason: %d %s", code, errCode)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, id); err != server.ErrNoItem {
			t.Fatalf("published by a refused decision: %v", err)
		}
		if code, _, body := decide(url.Values{"csrf": {csrf}, "choice": {"platform"}}); code != http.StatusSeeOther {
			t.Fatalf("publishing the platform's redaction: %d\n%s", code, body)
		}
		if code, errCode, _ := decide(url.Values{"csrf": {csrf}, "choice": {"device"}, "reason": {"误判"}}); code != http.StatusConflict || errCode != "held_decided" {
			t.Errorf("a second decision: %d %s", code, errCode)
		}

		// Public now, with the platform's text, on the page and the kiosk.
		code, page = get(api.PublicPath("decision", id), nil)
		if code != http.StatusOK || strings.Contains(page, heldMobile) || !strings.Contains(page, "139****5678") || !strings.Contains(page, "罚款人民币20000元") ||
			nameCaught && strings.Contains(page, heldPatient) {
			t.Fatalf("the released decision's public page: %d\n%s", code, page)
		}
		if _, err := client.PullPublic(ctx, h.URL, kiosk); err != nil {
			t.Fatal(err)
		}
		it, err := kiosk.Get(ctx, catalog.KindDecision, id)
		if err != nil {
			t.Fatal(err)
		}
		if d := it.(*catalog.Decision); d.Content != held.PlatformText || d.DocNo != "青明市监处罚〔2026〕58号" || d.AgencyCode != "01" {
			t.Fatalf("the kiosk has %+v", d)
		}
		// The decision on the held row and in the audit log.
		held, err = s.Held(ctx, id)
		if err != nil || held.State != "platform" || held.DecidedBy != "city" || held.DecidedRole != console.RoleCity || held.DecidedAt == "" {
			t.Fatalf("the held row after the decision: %+v %v", held, err)
		}
		entries, _, err := s.Console().AuditLog(ctx, "", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		audited := false
		for _, e := range entries {
			audited = audited || e.Action == "held.platform" && e.Object == id && e.Actor == "city" && e.Agency == "01"
		}
		if !audited {
			t.Errorf("no held.platform entry in the audit log: %+v", entries)
		}
		if _, page := get("/admin/held/"+id, city); savePage(t, b.Name+"-held-decided", page) || !strings.Contains(page, "已按平台脱敏文本公开") || !strings.Contains(page, "由管理员 city") {
			t.Errorf("the decided held page:\n%s", page)
		}

		// The device withdraws it later: down as any published decision.
		cal, _ := calendar.Parse(assets.Calendar)
		if _, err := publish.Withdraw(ctx, l, cal, id, "990101000001", publish.Withdrawal{Cause: "revoked", Explanation: "经复议撤销", EffectiveOn: l.Now().Format(time.DateOnly)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, id); err != server.ErrNoItem {
			t.Fatalf("still public after the device's withdrawal: %v", err)
		}
		client.PullPublic(ctx, h.URL, kiosk)
		if _, err := kiosk.Get(ctx, catalog.KindDecision, id); err == nil {
			t.Fatal("still on the kiosk after the withdrawal")
		}
	})
}

// savePage writes a console page to $SANXIANG_SHOTS, when set, to be
// looked at in a browser; it answers false.
func savePage(t *testing.T, name, page string) bool {
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(page), 0o644); err != nil {
			t.Error(err)
		}
	}
	return false
}

// getAs GETs url with the platform's admin token.
func getAs(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}
