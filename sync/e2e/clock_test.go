package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// clockPlatform serves a platform whose clock is *now.
func clockPlatform(t *testing.T, b servertest.Backend, now *time.Time) (*server.Server, *httptest.Server) {
	t.Helper()
	return b.Serve(t, server.Options{AdminToken: admin, Now: func() time.Time { return *now }})
}

// receiptForger sits between a device and the platform, as anyone on the
// way could, and changes each push's receipt with forge.
func receiptForger(t *testing.T, platform string, forge func(t *testing.T, rc *api.Receipt)) *httptest.Server {
	t.Helper()
	u, err := url.Parse(platform)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != api.PathPush || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var rc api.Receipt
		if err := json.Unmarshal(body, &rc); err != nil {
			return err
		}
		forge(t, &rc)
		if body, err = json.Marshal(rc); err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	h := httptest.NewServer(p)
	t.Cleanup(h.Close)
	return h
}

// clockAlerts are the platform's alerts about record times, listed as an
// administrator lists them (GET /api/v1/admin/alerts).
func clockAlerts(t *testing.T, h *httptest.Server) []server.Alert {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.URL+api.PathAlerts, nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []server.Alert
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("alerts: %d %v", resp.StatusCode, err)
	}
	return slices.DeleteFunc(all, func(a server.Alert) bool { return !strings.HasPrefix(a.Kind, "clock_") })
}

// The receipt a push gets signs the platform's clock, not the device's;
// the device checks it with the receipt, keeps it, and stops appending
// while its clock is behind it. A receipt whose time was changed on the
// way — in the signed text, or beside it — is refused as forged, and
// nothing of it is kept.
func TestReceiptSignsPlatformTime(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		platformNow := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)
		s, h := clockPlatform(t, b, &platformNow)
		l := openLog(t, "TIME-A")
		// The device's clock is 40 minutes slow: the receipt must carry the
		// platform's time, not the records'.
		deviceNow := platformNow.Add(-40 * time.Minute)
		l.SetClock(func() time.Time { return deviceNow })
		appendN(t, l, 3, "note")
		id := enrol(t, s, h, l)

		res, err := client.New(id).Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if !res.PlatformTime.Equal(platformNow) || res.Size != 3 {
			t.Fatalf("push: platform time %s, size %d; want %s, 3", res.PlatformTime, res.Size, platformNow)
		}
		var note, kept string
		if err := l.DB().QueryRowContext(ctx, `SELECT note, platform_time FROM receipts WHERE size = 3`).Scan(&note, &kept); err != nil {
			t.Fatal(err)
		}
		rc, err := ledger.ParseReceipt(note, s.PlatformKey())
		if err != nil || !rc.Time.Equal(platformNow) || kept != "2026-03-02T09:15:00Z" {
			t.Fatalf("kept receipt: time %s, column %q, %v; want the platform's %s", rc.Time, kept, err, platformNow)
		}
		if !strings.Contains(note, "\ntime 2026-03-02T09:15:00Z\n") {
			t.Fatalf("the platform's time is not in the signed text:\n%s", note)
		}
		// The device's clock is behind the time the platform signed: it
		// appends nothing until it is put right.
		err = l.Append(ctx, &casefile.Record{Case: "C1", Kind: "note", Author: "990101000001", Body: json.RawMessage(`{}`)})
		var cb *ledger.ClockBehindError
		if !errors.As(err, &cb) || cb.What != ledger.BehindReceipt || cb.Behind() != 40*time.Minute {
			t.Fatalf("append 40 min behind the receipt: %v", err)
		}
		deviceNow = platformNow.Add(time.Minute)

		forgeries := []struct {
			name  string
			forge func(t *testing.T, rc *api.Receipt)
		}{
			{"time in the signed text moved back a day", func(t *testing.T, rc *api.Receipt) {
				was := "\ntime " + rc.ReceivedAt.UTC().Format(time.RFC3339) + "\n"
				earlier := rc.ReceivedAt.AddDate(0, 0, -1)
				forged := strings.Replace(rc.Note, was, "\ntime "+earlier.UTC().Format(time.RFC3339)+"\n", 1)
				if forged == rc.Note {
					t.Errorf("no time line %q in the receipt:\n%s", was, rc.Note)
				}
				rc.Note, rc.ReceivedAt = forged, earlier
			}},
			{"time beside the signed text moved back a day", func(t *testing.T, rc *api.Receipt) {
				rc.ReceivedAt = rc.ReceivedAt.AddDate(0, 0, -1)
			}},
		}
		for _, f := range forgeries {
			platformNow = platformNow.Add(time.Hour)
			deviceNow = platformNow
			appendN(t, l, 1, "note")
			before, _ := l.Receipted(ctx)
			mitm := id
			mitm.Platform = receiptForger(t, h.URL, f.forge).URL
			_, err := client.New(mitm).Push(ctx, l)
			if !errors.Is(err, ledger.ErrReceiptForged) {
				t.Fatalf("%s: push answered %v, want ErrReceiptForged", f.name, err)
			}
			if m := client.Why(ctx, err, mitm.Platform); m.Key != "sync.why_receipt_forged" {
				t.Fatalf("%s: the officer is told %s", f.name, m.Key)
			}
			if after, _ := l.Receipted(ctx); after != before {
				t.Fatalf("%s: a forged receipt was kept (%d → %d)", f.name, before, after)
			}
		}
		// Straight to the platform, the same push gets the receipt the
		// platform signed for that tree the first time, with its time.
		res, err = client.New(id).Push(ctx, l)
		if err != nil || res.Size != 5 || !res.PlatformTime.Equal(platformNow) {
			t.Fatalf("honest push: size %d at %s, %v; want 5 at %s", res.Size, res.PlatformTime, err, platformNow)
		}

		// An evidence file's receipt signs the platform's time too.
		platformNow = platformNow.Add(time.Hour)
		deviceNow = platformNow
		photo, _, err := l.Media().Put(strings.NewReader("现场照片 " + t.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddNote(ctx, mustCase(t, l), "990101000001", "现场照片", photo.String()); err != nil {
			t.Fatal(err)
		}
		if n, err := client.New(id).PushMedia(ctx, l, nil); err != nil || n != 1 {
			t.Fatalf("push media: %d, %v", n, err)
		}
		var mediaNote, mediaTime string
		if err := l.DB().QueryRowContext(ctx, `SELECT note, platform_time FROM media_receipts WHERE sha256 = ?`, photo.String()).Scan(&mediaNote, &mediaTime); err != nil {
			t.Fatal(err)
		}
		if want := platformNow.UTC().Format(time.RFC3339); mediaTime != want || !strings.Contains(mediaNote, "\ntime "+want+"\n") {
			t.Fatalf("media receipt time %q, want %s, in:\n%s", mediaTime, want, mediaNote)
		}
	})
}

// A device's log with a record backdated to 2020 after a receipt of 2026
// is accepted into the platform's copy (it is signed: history is
// history), but flagged: an alert of its own kind, the record's arrival
// kept by the platform's clock.
func TestBackdatedRecordFlagged(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		platformNow := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s, h := clockPlatform(t, b, &platformNow)
		l := openLog(t, "TIME-B")
		deviceNow := platformNow.Add(-30 * time.Minute)
		l.SetClock(func() time.Time { return deviceNow })
		appendN(t, l, 3, "note")
		id := enrol(t, s, h, l)
		if _, err := client.New(id).Push(ctx, l); err != nil {
			t.Fatal(err)
		}

		// The device's own software refuses to date a record in 2020 now...
		deviceNow = time.Date(2020, 6, 1, 10, 0, 0, 0, time.UTC)
		err := l.Append(ctx, &casefile.Record{Case: "C1", Kind: "note", Author: "990101000001", Body: json.RawMessage(`{}`)})
		if !errors.Is(err, ledger.ErrClockBehind) {
			t.Fatalf("the device appended a record dated 2020 after a receipt of 2026: %v", err)
		}
		// ...so it is written as altered software would, past the check.
		l.SeedHistory(func() time.Time { return deviceNow })
		appendN(t, l, 1, "backdated")
		platformNow = platformNow.Add(24 * time.Hour)
		res, err := client.New(id).Push(ctx, l)
		if err != nil || res.Size != 4 {
			t.Fatalf("the backdated record was not accepted: size %d, %v", res.Size, err)
		}
		held, err := s.LogRecords(ctx, id.DeviceID)
		if err != nil || len(held) != 4 || !bytes.Contains(held[3], []byte(`"at":"2020-06-01T10:00:00Z"`)) {
			t.Fatalf("platform holds %d records (%v); the last: %s", len(held), err, held[len(held)-1])
		}

		alerts := clockAlerts(t, h)
		if len(alerts) != 1 {
			t.Fatalf("clock alerts %+v, want one", alerts)
		}
		a := alerts[0]
		if a.Kind != intake.ClockBackdated || a.Device != id.DeviceID ||
			!strings.Contains(a.Detail, "2020-06-01T10:00:00Z") || !strings.Contains(a.Detail, "2026-03-02T09:00:00Z") {
			t.Fatalf("alert %+v: want %s about %s naming the record's time and the last receipt's", a, intake.ClockBackdated, id.DeviceID)
		}
		if at, err := s.Arrival(ctx, id.DeviceID, 3); err != nil || !at.Equal(platformNow) {
			t.Fatalf("arrival of the backdated record: %s, %v; want %s", at, err, platformNow)
		}
		if at, err := s.Arrival(ctx, id.DeviceID, 0); err != nil || !at.Equal(platformNow.Add(-24*time.Hour)) {
			t.Fatalf("arrival of the first record: %s, %v", at, err)
		}
		flags, err := s.ClockFlags(ctx, id.DeviceID)
		if err != nil || len(flags) != 1 || !flags[3].Equal(platformNow) {
			t.Fatalf("clock flags %v, %v; want record 3 only", flags, err)
		}
	})
}

// Records dated too far from their arrival either way are flagged with
// their own kinds; a record from ten days of offline work is not.
func TestRecordFarFromArrivalFlagged(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		platformNow := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s, h := clockPlatform(t, b, &platformNow)
		l := openLog(t, "TIME-C")
		var deviceNow time.Time
		l.SetClock(func() time.Time { return deviceNow })
		for _, at := range []time.Time{
			platformNow.AddDate(0, 0, -51),   // beyond 30 days offline
			platformNow.AddDate(0, 0, -10),   // offline work
			platformNow.Add(2 * time.Minute), // drift
			platformNow.Add(time.Hour),       // ahead of the platform's clock
		} {
			deviceNow = at
			appendN(t, l, 1, "note")
		}
		if _, err := client.New(enrol(t, s, h, l)).Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range clockAlerts(t, h) {
			got = append(got, a.Kind)
		}
		slices.Sort(got)
		if want := []string{intake.ClockFuture, intake.ClockStale}; !slices.Equal(got, want) {
			t.Fatalf("clock alerts %v, want %v", got, want)
		}
	})
}

// A penalty must be decided within 90 days of its registration. A device
// whose clock was set back dates its decision within them, after the
// platform had already signed a later time for its log: the device's own
// rules would pass the case, the platform judges the decision by its
// arrival, and the deadline is missed.
func TestBackdatedDecisionJudgedByArrival(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		local := func(d string, hour int) time.Time {
			t, _ := time.ParseInLocation(time.DateOnly, d, time.Local)
			return t.Add(time.Duration(hour) * time.Hour)
		}
		platformNow := local("2026-01-06", 18)
		s, h := clockPlatform(t, b, &platformNow)
		if err := demoload.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		l := openLog(t, "TIME-D")
		var clock time.Time
		l.SetClock(func() time.Time { return clock })
		id := supervisedCase(t, l, &clock, "01", catalog.ActPenalty, "2026-01-05", []step{
			{"register", "2026-01-05", "register_approval", false, ""}, {"investigate", "2026-01-06", "inspection_record", true, ""}})
		c := client.New(enrol(t, s, h, l))
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
		clock = local("2026-02-02", 10)
		if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "notify", Officers: two}); err != nil {
			t.Fatal(err)
		}
		clock = local("2026-02-03", 10)
		if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "defend", Note: "当事人当场陈述申辩"}); err != nil {
			t.Fatal(err)
		}
		platformNow = local("2026-02-20", 12)
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		// The decision is made on 10 May, 125 days after registration, on a
		// device whose clock says 10 February.
		clock = local("2026-02-10", 10)
		l.SeedHistory(func() time.Time { return clock })
		doc, _ := json.Marshal(document.Doc{Template: "penalty_decision", Inputs: map[string]string{"doc_no": "青市监罚〔2026〕" + id + "号"},
			Text: "当事人：青禾市某某有限公司。决定：罚款三千元"})
		if _, err := l.AddDocument(ctx, id, "990101000001", doc); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide", Officers: two, Decision: json.RawMessage(`{"fine":3000}`)}); err != nil {
			t.Fatal(err)
		}
		platformNow = local("2026-05-10", 15)
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}

		deadlines := func(e supervise.Evaluation) *supervise.Check {
			for i := range e.Checks {
				if e.Checks[i].Key == supervise.CheckDeadlines {
					return &e.Checks[i]
				}
			}
			t.Fatalf("case %s has no deadline check: %+v", e.Case, e.Checks)
			return nil
		}
		// By the device's own times, the deadline was kept.
		cal, _ := calendar.Parse(assets.Calendar)
		pols, _ := demo.Policies()
		own, err := l.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rules := supervise.Rules{Review: &review.Service{Policies: pols, Reviewers: review.NewRegistry(nil)}, Cal: cal, Now: platformNow}
		if ch := deadlines(supervise.Evaluate("", own, rules)); !ch.Met {
			t.Fatalf("by the device's times the decision is late: %+v", ch)
		}
		// The platform judges the flagged decision by its arrival.
		rep, err := s.Supervision(ctx, local("2026-01-01", 0), local("2027-01-01", 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Cases) != 1 || rep.Cases[0].Case != id {
			t.Fatalf("report cases %+v", rep.Cases)
		}
		if ch := deadlines(rep.Cases[0]); ch.Met || !slices.Contains(ch.Missing, "decide_90") {
			t.Fatalf("the platform's deadline check %+v: want decide_90 missed", ch)
		}
		alerts := clockAlerts(t, h)
		if len(alerts) != 1 || alerts[0].Kind != intake.ClockBackdated {
			t.Fatalf("clock alerts %+v", alerts)
		}
	})
}
