package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// A penalty decided in the officer's log, published after technical
// processing and synced, shows redacted on the platform's public page and
// on a kiosk; withdrawn, it leaves both.
func TestPublishedDecisionReachesPublicPagesAndKiosk(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		cal, _ := calendar.Parse(assets.Calendar)
		l := deviceLog(t, "PUB-1", 0)
		id := publishedDecision(t, l, cal)
		c := client.New(enrol(t, s, h, l))
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}

		resp, err := http.Get(h.URL + "/p/decision/" + id)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, leak := range []string{"张建国", "33010619780312451X", "13857124567", "文三路"} {
			if strings.Contains(string(page), leak) {
				t.Errorf("the public page shows %q", leak)
			}
		}
		if resp.StatusCode != 200 || !strings.Contains(string(page), "张某某") || !strings.Contains(string(page), "罚款人民币5000元") {
			t.Fatalf("public page %d:\n%s", resp.StatusCode, page)
		}

		cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "kiosk.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		if _, err := client.PullPublic(ctx, h.URL, cat); err != nil {
			t.Fatal(err)
		}
		it, err := cat.Get(ctx, catalog.KindDecision, id)
		if err != nil {
			t.Fatal(err)
		}
		if d := it.(*catalog.Decision); d.Party != "张某某" || strings.Contains(d.Content, "张建国") || d.DocNo != "青明市监处罚〔2026〕37号" {
			t.Fatalf("the kiosk has %+v", d)
		}

		// Revoked: withdrawn from every public place.
		if _, err := publish.Withdraw(ctx, l, cal, id, "990101000001", publish.Withdrawal{Cause: "revoked"}); err != publish.ErrExplanation {
			t.Fatalf("a withdrawal without explanation: %v", err)
		}
		if _, err := publish.Withdraw(ctx, l, cal, id, "990101000001", publish.Withdrawal{Cause: "revoked", Explanation: "经复议撤销", EffectiveOn: l.Now().Format(time.DateOnly)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Item(ctx, catalog.KindDecision, id); err != server.ErrNoItem {
			t.Fatalf("still on the platform: %v", err)
		}
		// Its public page says the agency withdrew it, and why.
		resp, err = http.Get(h.URL + "/p/decision/" + id)
		if err != nil {
			t.Fatal(err)
		}
		page, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{"由作出决定的机关撤回", "决定被撤销：经复议撤销", "青明市监处罚〔2026〕37号"} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the withdrawn decision's page lacks %q", want)
			}
		}
		if resp.StatusCode != http.StatusGone || strings.Contains(string(page), "罚款人民币5000元") {
			t.Errorf("the withdrawn decision's page %d:\n%s", resp.StatusCode, page)
		}
		client.PullPublic(ctx, h.URL, cat)
		if _, err := cat.Get(ctx, catalog.KindDecision, id); err == nil {
			t.Fatal("still on the kiosk")
		}
	})
}

// A decision the platform fails to publish (its database refuses the
// write) is owed, not lost: the push is acknowledged, one alert is raised,
// and the publication is done once the failure is gone, at the device's
// next push or, for a platform stopped meanwhile, when it starts again.
func TestFailedPublicationIsOwedAndDone(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		dbURL, media := b.Where(t)
		open := func() *server.Server {
			s, err := server.Open(ctx, dbURL, server.Options{AdminToken: admin, Media: media, KeyFile: servertest.KeyFile(dbURL)})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := open()
		var current atomic.Pointer[server.Server]
		current.Store(s)
		h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			apitest.Checked(t, current.Load().Handler()).ServeHTTP(w, r)
		}))
		defer h.Close()
		// The database refuses to write decisions (those of one case, if
		// given) until allowed again.
		driver := "sqlite"
		refusing := func(only string) []string {
			when := "NEW.kind = 'decision'"
			if only != "" {
				when += " AND NEW.id = '" + only + "'"
			}
			return []string{`CREATE TRIGGER refuse BEFORE INSERT ON catalog WHEN ` + when + ` BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`}
		}
		allow := `DROP TRIGGER refuse`
		if b.Name != "sqlite" {
			driver = "pgx"
			fn := `CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk trouble'; END $$`
			refusing = func(only string) []string {
				when := "NEW.kind = 'decision'"
				if only != "" {
					when += " AND NEW.id = '" + only + "'"
				}
				return []string{fn, `CREATE TRIGGER refuse BEFORE INSERT ON catalog FOR EACH ROW WHEN (` + when + `) EXECUTE FUNCTION refuse()`}
			}
			allow = `DROP TRIGGER refuse ON catalog`
		}
		refuse := refusing("")
		raw, err := sql.Open(driver, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		exec := func(q string) {
			t.Helper()
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for _, q := range refuse {
			exec(q)
		}
		cal, _ := calendar.Parse(assets.Calendar)
		l := deviceLog(t, "OWED-1", 0)
		var clock time.Time
		l.SeedHistory(func() time.Time { return clock })
		decided := func(opened string) string {
			id := supervisedCase(t, l, &clock, "01", catalog.ActPenalty, opened, []step{
				{"register", opened, "register_approval", false, ""}, {"investigate", opened, "inspection_record", false, ""},
				{"notify", opened, "prior_notice", false, ""}, {"defend", opened, "", false, ""}, {"decide", opened, "penalty_decision", false, `{"fine":3000}`}})
			if _, err := publish.Publish(ctx, l, cal, id, "990101000001", nil); err != nil {
				t.Fatal(err)
			}
			return id
		}
		public := func(id string) int {
			resp, err := http.Get(h.URL + "/p/decision/" + id)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		owedAlerts := func() int {
			list, err := current.Load().AlertList(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, a := range list {
				if a.Kind == "arrival" {
					n++
				}
			}
			return n
		}
		c := client.New(enrol(t, s, h, l))
		push := func() {
			t.Helper()
			if _, err := c.Push(ctx, l); err != nil {
				t.Fatalf("push: %v", err)
			}
		}

		first := decided("2026-03-02")
		push()
		if got := public(first); got != http.StatusNotFound || owedAlerts() != 1 {
			t.Fatalf("while refused: page %d, %d alerts", got, owedAlerts())
		}
		appendN(t, l, 1, "still refused")
		push()
		if got := public(first); got != http.StatusNotFound || owedAlerts() != 1 {
			t.Fatalf("refused again: page %d, %d alerts (one is enough)", got, owedAlerts())
		}
		exec(allow)
		appendN(t, l, 1, "next push")
		push()
		if got := public(first); got != http.StatusOK {
			t.Fatalf("after the failure went: page %d", got)
		}

		// Stopped while a publication is owed, the platform does it when it
		// starts again.
		for _, q := range refuse[len(refuse)-1:] {
			exec(q)
		}
		second := decided("2026-04-01")
		push()
		if got := public(second); got != http.StatusNotFound {
			t.Fatalf("second while refused: page %d", got)
		}
		s.Close()
		exec(allow)
		s = open()
		defer s.Close()
		current.Store(s)
		if got := public(second); got != http.StatusOK {
			t.Fatalf("after a restart: page %d", got)
		}
		if got := public(first); got != http.StatusOK {
			t.Fatalf("the first after a restart: page %d", got)
		}

		// Two decisions in one push, the second refused: the first is
		// public at once. An administrator then takes it down; when the
		// second is published at last, the first stays down.
		third, fourth := decided("2026-05-04"), decided("2026-05-05")
		for _, q := range refusing(fourth) {
			exec(q)
		}
		push()
		if public(third) != http.StatusOK || public(fourth) != http.StatusNotFound {
			t.Fatalf("one of two refused: pages %d and %d", public(third), public(fourth))
		}
		if err := s.Withdraw(ctx, catalog.KindDecision, third); err != nil {
			t.Fatal(err)
		}
		exec(allow)
		appendN(t, l, 1, "after the administrator")
		push()
		if public(fourth) != http.StatusOK || public(third) != http.StatusNotFound {
			t.Fatalf("after the retry: pages %d (taken down) and %d", public(third), public(fourth))
		}

		// A publication whose text cannot be read is never publishable: it
		// is alerted and set aside, and does not hold back the next.
		broken := supervisedCase(t, l, &clock, "01", catalog.ActPenalty, "2026-06-01", []step{
			{"register", "2026-06-01", "register_approval", false, ""}, {"investigate", "2026-06-01", "inspection_record", false, ""},
			{"notify", "2026-06-01", "prior_notice", false, ""}, {"defend", "2026-06-01", "", false, ""}, {"decide", "2026-06-01", "penalty_decision", false, `{"fine":100}`}})
		if _, err := l.AddRecord(ctx, broken, "990101000001", publish.KindPublish, json.RawMessage(`{"doc_no":5}`), nil); err != nil {
			t.Fatal(err)
		}
		push()
		fifth := decided("2026-06-02")
		push()
		if public(fifth) != http.StatusOK || public(broken) != http.StatusNotFound {
			t.Fatalf("after an unreadable publication: pages %d and %d", public(fifth), public(broken))
		}
		list, _ := s.AlertList(ctx)
		setAside := 0
		for _, a := range list {
			if a.Kind == "publish" && strings.Contains(a.Detail, broken) && strings.Contains(a.Detail, "已跳过") {
				setAside++
			}
		}
		if setAside != 1 {
			t.Fatalf("%d alerts set the unreadable publication aside, want 1: %+v", setAside, list)
		}
	})
}
