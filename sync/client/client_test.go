package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

const admin = "admin-secret"

var (
	eachBackend = servertest.Each
	mustCase    = casefiletest.Case
	deviceLog   = casefiletest.WithNotes
	appendN     = casefiletest.Notes
)

func platform(t *testing.T, b servertest.Backend) (*server.Server, *httptest.Server) {
	t.Helper()
	return b.Serve(t, server.Options{AdminToken: admin})
}

func enrol(t *testing.T, s *server.Server, h *httptest.Server, l *casefile.Log) Identity {
	t.Helper()
	code, err := s.NewEnrolCode(context.Background(), "officer")
	if err != nil {
		t.Fatal(err)
	}
	id, err := Enrol(context.Background(), h.URL, code, "laptop", "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	// A code works once.
	if _, err := Enrol(context.Background(), h.URL, code, "laptop", "officer", l.Verifier); err == nil {
		t.Fatal("an enrolment code was used twice")
	}
	return id
}

// activate registers the keys the log's people sign with on the platform,
// for the device c pushes as (a person it does not know yet is added as
// an officer of agency 01).
func activate(t *testing.T, s *server.Server, c *Client, keys casefiletest.Keys) {
	t.Helper()
	ctx := context.Background()
	for person, key := range keys {
		if err := s.People().Put(ctx, api.Person{ID: person, Name: "执法员", Agency: "01", Role: api.RoleOfficer, Active: true}); err != nil {
			t.Fatal(err)
		}
		code, _, err := s.People().NewActivationCode(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Activate(ctx, code, key); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPushGetsReceiptsAndRetriesAreIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		l := deviceLog(t, "DEV-A", 25)
		id := enrol(t, s, h, l)
		c := New(id)
		c.Batch = 10
		res, err := c.Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if res.Pushed != 25 || res.Size != 25 || res.Receipts != 3 {
			t.Fatalf("push %+v", res)
		}
		held, _ := s.LogRecords(ctx, id.DeviceID)
		if len(held) != 25 {
			t.Fatalf("platform holds %d records", len(held))
		}
		// Nothing new: nothing sent.
		if res, err := c.Push(ctx, l); err != nil || res.Pushed != 0 {
			t.Fatalf("second push %+v %v", res, err)
		}
		// The same batch again (a retry after a lost answer) gets the same receipt.
		recs, cp, _ := l.Since(ctx, 0)
		body := api.PushRequest{Checkpoint: string(cp.Note)}
		for _, r := range recs {
			body.Records = append(body.Records, api.WireRecord{Seq: r.Seq, Data: r.Data})
		}
		var a, a2 api.Receipt
		for _, rc := range []*api.Receipt{&a, &a2} {
			resp, err := New(id).r.R().SetBody(body).SetResult(rc).Post(api.PathPush)
			if err := fail(resp, err); err != nil {
				t.Fatal(err)
			}
		}
		if a.Note != a2.Note || a.Size != 25 {
			t.Fatalf("retries answered differently:\n%s\n%s", a.Note, a2.Note)
		}
		// More records later continue the log.
		appendN(t, l, 3, "more")
		if res, err := c.Push(ctx, l); err != nil || res.Size != 28 {
			t.Fatalf("push after more %+v %v", res, err)
		}
		if _, err := l.Verify(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPlatformRefusesWhatItMust(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		la := deviceLog(t, "DEV-A", 5)
		lb := deviceLog(t, "DEV-B", 5)
		ida, idb := enrol(t, s, h, la), enrol(t, s, h, lb)

		// A wrong token.
		bad := ida
		bad.Token = "nope"
		if _, err := New(bad).Push(ctx, la); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("wrong token: %v", err)
		}
		// A device writing another device's log: B's token, A's records.
		if _, err := New(idb).Push(ctx, la); err == nil || !strings.Contains(err.Error(), "bad_signature") {
			t.Fatalf("another device's log: %v", err)
		}
		// A fork: A's log pushed, then rewritten and re-signed with A's key.
		if _, err := New(ida).Push(ctx, la); err != nil {
			t.Fatal(err)
		}
		forged := deviceLog(t, "DEV-A", 5)
		// Same device id, another key: a re-keyed forgery is a bad signature...
		if _, err := New(ida).Push(ctx, forged); err == nil {
			t.Fatal("a log signed with another key was accepted")
		}
		// ...and a different history under the real key is a fork.
		recs, _, _ := la.Since(ctx, 0)
		other := api.PushRequest{Checkpoint: ""}
		for _, r := range recs {
			d := bytes.Replace(r.Data, []byte("note 3"), []byte("note X"), 1)
			other.Records = append(other.Records, api.WireRecord{Seq: r.Seq, Data: d})
		}
		cp, _ := la.Latest(ctx)
		other.Checkpoint = string(cp.Note)
		resp, err := New(ida).r.R().SetBody(other).Post(api.PathPush)
		if err := fail(resp, err); !errors.Is(err, ErrFork) {
			t.Fatalf("rewritten history: %v", err)
		}
		if al, _ := s.AlertList(ctx); len(al) == 0 || al[0].Kind != "fork" {
			t.Fatalf("no fork alert: %v", al)
		}
		// A revoked device.
		req, _ := http.NewRequest("POST", h.URL+api.PathDevices+"/"+idb.DeviceID+"/revoke", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %v %v", r, err)
		}
		if _, err := New(idb).Push(ctx, lb); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("revoked device: %v", err)
		}
		// An oversized body.
		big := bytes.Repeat([]byte("x"), api.MaxBodyBytes+10)
		req, _ = http.NewRequest("POST", h.URL+api.PathPush, bytes.NewReader(big))
		req.Header.Set("Authorization", "Bearer "+ida.Token)
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized body: %v %v", r.StatusCode, err)
		}
	})
}

func TestKioskPullsTheCatalogAndPublicPagesShowIt(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		ds, _ := demo.Dataset(demo.Standard)
		var items []catalog.Item
		for i := range ds.Officers {
			items = append(items, &ds.Officers[i])
		}
		for i := range ds.Fees {
			items = append(items, &ds.Fees[i])
		}
		if err := s.Publish(ctx, items, ds.Agencies); err != nil {
			t.Fatal(err)
		}
		cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		n, err := PullPublic(ctx, h.URL, cat)
		if err != nil || n != len(items)+len(ds.Agencies) {
			t.Fatalf("pulled %d, %v", n, err)
		}
		if c, _ := cat.Count(ctx, catalog.Query{Kind: catalog.KindOfficer}); c != len(ds.Officers) {
			t.Fatalf("kiosk has %d officers", c)
		}
		// A fee edited on the platform reaches the kiosk; a withdrawn one leaves.
		fee := ds.Fees[0]
		fee.Standard = "每件1元"
		s.Publish(ctx, []catalog.Item{&fee}, nil)
		s.Withdraw(ctx, catalog.KindFee, ds.Fees[1].ID)
		if n, err := PullPublic(ctx, h.URL, cat); err != nil || n != 2 {
			t.Fatalf("second pull %d %v", n, err)
		}
		it, _ := cat.Get(ctx, catalog.KindFee, fee.ID)
		if it.(*catalog.FeeItem).Standard != "每件1元" {
			t.Fatal("edited fee not on the kiosk")
		}
		if _, err := cat.Get(ctx, catalog.KindFee, ds.Fees[1].ID); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatal("withdrawn fee still on the kiosk")
		}
		// The page behind an officer's QR code, escaped, in Chinese.
		o := ds.Officers[0]
		evil := o
		evil.Name = `<script>alert(1)</script>`
		s.Publish(ctx, []catalog.Item{&evil}, nil)
		resp, err := http.Get(h.URL + api.PublicPath("officer", o.ID))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "执法证号") || !strings.Contains(string(page), o.CertNo) {
			t.Fatalf("officer page %d: %s", resp.StatusCode, page)
		}
		if strings.Contains(string(page), "<script>alert") {
			t.Fatal("the page did not escape an item's text")
		}
		// The public search finds it by its name (the kiosk's index: name,
		// pinyin, initials), as it now reads.
		resp, _ = http.Get(h.URL + "/p/?kind=fee&q=" + url.QueryEscape(fee.Name))
		page, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), fee.Name) || !strings.Contains(string(page), "每件1元") {
			t.Fatal("search did not find the edited fee")
		}
		resp, _ = http.Get(h.URL + api.PublicPath("fee", ds.Fees[1].ID))
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("withdrawn fee page: %d", resp.StatusCode)
		}
	})
}

// The change feed never skips a change that commits late: eight writers
// publish at once while a reader follows the feed; the reader ends with
// every change, its cursors strictly rising, none twice.
func TestFeedFollowsConcurrentWriters(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s := b.Open(t, server.Options{})
		const writers, each = 8, 40
		var wg sync.WaitGroup
		done := make(chan struct{})
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					fee := &catalog.FeeItem{ID: fmt.Sprintf("F%d-%d", w, i), Name: "费", AgencyCode: "01"}
					if err := s.Publish(ctx, []catalog.Item{fee}, nil); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		go func() { wg.Wait(); close(done) }()
		seen := map[string]bool{}
		var since int64
		for finished := false; ; {
			select {
			case <-done:
				finished = true
			default:
			}
			page, err := s.Changes(ctx, since, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Changes {
				if c.Cursor <= since || seen[c.ID] {
					t.Fatalf("cursor %d after %d, or %s twice", c.Cursor, since, c.ID)
				}
				seen[c.ID] = true
				since = c.Cursor
			}
			if finished && !page.More {
				break
			}
		}
		if len(seen) != writers*each {
			t.Fatalf("the reader saw %d of %d changes", len(seen), writers*each)
		}
	})
}

// A device written around the review gate still cannot hide a major
// decision taken without legal review: the platform checks each arriving
// decision against the agency's list and its reviewer registry, flags it in
// the receipt and raises an alert. A minor decision passes unflagged.
func TestPlatformFlagsUnreviewedMajorDecisions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		pols, err := demo.Policies()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPolicies(ctx, pols); err != nil {
			t.Fatal(err)
		}
		l := casefiletest.Open(t, "GATELESS") // no gate set: as if the app were patched
		keys := casefiletest.SignAs(t, l, "990101000001", "990101000002")
		open := func() string {
			id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: "penalty", Agency: "01", ItemID: "E1",
				ItemName: "处罚", Party: casefile.Party{Kind: "org", Name: "某公司"},
				Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		major, minor := open(), open()
		two := []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}
		for id, fine := range map[string]int{major: 200000, minor: 500} {
			casefiletest.WalkTo(t, l, id, "990101000001", two, "decide")
			if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide",
				Decision: json.RawMessage(fmt.Sprintf(`{"fine":%d,"text":"罚款"}`, fine))}); err != nil {
				t.Fatal(err)
			}
		}
		c := New(enrol(t, s, h, l))
		activate(t, s, c, keys)
		res, err := c.Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Flags) != 1 || !strings.Contains(res.Flags[0], major) || strings.Contains(res.Flags[0], minor) {
			t.Fatalf("flags %q (major case %s)", res.Flags, major)
		}
		alerts, _ := s.AlertList(ctx)
		if len(alerts) != 1 || alerts[0].Kind != "review" || !strings.Contains(alerts[0].Detail, major) {
			t.Fatalf("alerts %+v", alerts)
		}
	})
}

// An administrator edits one fee over the admin API: a bad edit changes
// nothing, a good one reaches the kiosk on its next pull, a withdrawal
// removes it, and the alerts list answers.
func TestAdministratorEditsOneItem(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		fee := &catalog.FeeItem{ID: "F1", Name: "证照工本费", AgencyCode: "01", Collector: "市场监管局", Approver: "物价局",
			DocumentNo: "青价〔2024〕1号", Standard: "每件5元"}
		if err := s.Publish(ctx, []catalog.Item{fee}, nil); err != nil {
			t.Fatal(err)
		}
		call := func(method, path, body, token string) int {
			req, _ := http.NewRequest(method, h.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		item := api.PathItems + "fee/F1"
		if code := call("PUT", item, `{"standard":"每件3元"}`, "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", code)
		}
		if code := call("PUT", item, `{"standard":"每件3元","collector":""}`, admin); code != http.StatusUnprocessableEntity {
			t.Fatalf("emptying a required field: %d", code)
		}
		if m, _ := s.Item(ctx, catalog.KindFee, "F1"); m["standard"] != "每件5元" {
			t.Fatalf("a refused edit changed the item: %v", m)
		}
		cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer cat.Close()
		if _, err := PullPublic(ctx, h.URL, cat); err != nil {
			t.Fatal(err)
		}
		if code := call("PUT", item, `{"standard":"每件3元"}`, admin); code != http.StatusNoContent {
			t.Fatalf("good edit: %d", code)
		}
		if n, err := PullPublic(ctx, h.URL, cat); err != nil || n != 1 {
			t.Fatalf("pull after edit: %d %v", n, err)
		}
		got, err := cat.Get(ctx, catalog.KindFee, "F1")
		if err != nil || got.(*catalog.FeeItem).Standard != "每件3元" {
			t.Fatalf("the kiosk has %+v (%v)", got, err)
		}
		if code := call("DELETE", item, "", admin); code != http.StatusNoContent {
			t.Fatalf("withdraw: %d", code)
		}
		if code := call("DELETE", item, "", admin); code != http.StatusNotFound {
			t.Fatalf("withdraw twice: %d", code)
		}
		PullPublic(ctx, h.URL, cat)
		if _, err := cat.Get(ctx, catalog.KindFee, "F1"); err == nil {
			t.Fatal("a withdrawn fee is still on the kiosk")
		}
		if code := call("GET", api.PathAlerts, "", admin); code != http.StatusOK {
			t.Fatalf("alerts: %d", code)
		}
	})
}

// An officer's device pulls the agencies' major-decision lists the platform
// holds, so its review gate checks against the city's current lists.
func TestOfficerPullsMajorDecisionLists(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		pols, _ := demo.Policies()
		p := pols["01"]
		p.ReviewDays = 9
		pols["01"] = p
		if err := s.SetPolicies(ctx, pols); err != nil {
			t.Fatal(err)
		}
		l := deviceLog(t, "POL", 0)
		got, err := New(enrol(t, s, h, l)).PullPolicies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(pols) || got["01"].ReviewDays != 9 || len(got["01"].Rules) != len(pols["01"].Rules) {
			t.Fatalf("pulled %d lists, 01: %+v", len(got), got["01"])
		}
	})
}
