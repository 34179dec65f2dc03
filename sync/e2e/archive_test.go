package e2e

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// A case closed and archived on a device (归档) is marked archived on the
// platform when the device pushes: the supervisor's case page says 已归档
// with the date and the retention period. Then the device's software is
// changed to write on the archived case anyway: the push is taken (the log
// is signed, history is history), the records are counted on the case and
// raised as an alert, and the case page shows them in red.
func TestArchivedCaseOnThePlatform(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		l, _ := logAt(t, "DESK-ARC")
		keys := casefiletest.SignAs(t, l, testPeople...)
		keysOf.Store(l, keys)
		ident := enrol(t, s, h, l)
		l.SetArchiveDir(t.TempDir())
		officer := testPeople[0]
		pair := []casefile.Officer{{CertNo: testPeople[0], Name: "甲"}, {CertNo: testPeople[1], Name: "乙"}}

		id := casefiletest.Case(t, l)
		casefiletest.WalkTo(t, l, id, officer, pair, "close")
		if _, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: "close", Note: "结案"}); err != nil {
			t.Fatal(err)
		}
		open := casefiletest.Case(t, l) // another case, not archived
		rec, err := l.Archive(ctx, id, officer, casefile.Retention30, nil)
		if err != nil {
			t.Fatal(err)
		}
		push := func() {
			t.Helper()
			if _, err := client.New(ident).Push(ctx, l); err != nil {
				t.Fatalf("push: %v", err)
			}
		}
		push()
		if alerts, _ := s.AlertList(ctx); len(alerts) != 0 {
			t.Fatalf("alerts after an honest archive: %+v", alerts)
		}

		if err := s.AddAdmin(ctx, console.Admin{Login: "supervisor", Name: "市司法局", Role: console.RoleCity}, "supervisor-password", "test"); err != nil {
			t.Fatal(err)
		}
		resp, err := noRedirect.PostForm(h.URL+"/admin/login", url.Values{"login": {"supervisor"}, "password": {"supervisor-password"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == console.CookieName {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		page := func(caseID string) string {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, h.URL+"/admin/cases/"+ident.DeviceID+"/"+caseID, nil)
			req.AddCookie(cookie)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("case page of %s: %d", caseID, resp.StatusCode)
			}
			return html.UnescapeString(string(body))
		}
		day := rec.At.In(time.Local).Format("2006-01-02")
		archived := page(id)
		for _, w := range []string{"已归档", day, "保管期限：30年", "归档", id + ".zip"} {
			if !strings.Contains(archived, w) {
				t.Errorf("the archived case's page lacks %q", w)
			}
		}
		if strings.Contains(archived, "归档后又收到") {
			t.Error("the honest archive's page shows records after it")
		}
		if other := page(open); !strings.Contains(other, "未归档") || strings.Contains(other, "已归档") {
			t.Error("the open case's page does not say 未归档")
		}

		// Written around the device's rules: a note on the archived case,
		// signed by the officer's real key, and a second archive record.
		raw := rawLog(t, l)
		for _, r := range []*casefile.Record{
			{Case: id, Kind: casefile.KindNote, Author: officer, Body: json.RawMessage(`{"text":"归档后补记"}`)},
			{Case: open, Kind: casefile.KindNote, Author: officer, Body: json.RawMessage(`{"text":"另案照常"}`)},
			{Case: id, Kind: casefile.KindArchive, Author: officer, Body: rec.Body},
		} {
			r.At = time.Now().UTC().Truncate(time.Millisecond)
			if err := r.AddSig(l.Origin(), ledger.KeySigner{ID: officer, Key: keys[officer]}); err != nil {
				t.Fatal(err)
			}
			if err := raw.Append(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		push()
		alerts, err := s.AlertList(ctx)
		if err != nil || len(alerts) != 1 || alerts[0].Kind != "after_archive" || alerts[0].Device != ident.DeviceID ||
			!strings.Contains(alerts[0].Detail, id) || !strings.Contains(alerts[0].Detail, "已归档的案卷只读") {
			t.Fatalf("alerts after records on an archived case: %+v (%v)", alerts, err)
		}
		after := page(id)
		if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" && b.Name == "sqlite" {
			// To look at: the page as a supervisor sees it (render with a browser).
			os.WriteFile(filepath.Join(dir, "archive-case-page.html"), []byte(after), 0o600)
		}
		if !strings.Contains(after, "归档后又收到 2 条记录") || !strings.Contains(after, "保管期限：30年") || !strings.Contains(after, `class="bad"`) {
			t.Errorf("the archived case's page after the records around the rules:\n%s", after)
		}
		// Pushed again (a retry): nothing counted twice.
		push()
		if again := page(id); !strings.Contains(again, "归档后又收到 2 条记录") {
			t.Error("a repeated push counted the records again")
		}
		if alerts, _ := s.AlertList(ctx); len(alerts) != 1 {
			t.Errorf("a repeated push alerted again: %+v", alerts)
		}
	})
}
