package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// fetch GETs a page of the platform over HTTP and wants 200.
func fetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}

// The public form of a draw, as an outsider reads /p/draws/{id}.json:
// only what they need, decoded by themselves.
type outsiderDraw struct {
	Commit  string `json:"commit"`
	Seed    string `json:"seed"`
	Witness string `json:"witness"`
	Count   int    `json:"count"`
	Lists   struct {
		Targets []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Unit string `json:"unit"`
		} `json:"targets"`
		Inspectors []struct {
			CertNo string `json:"cert_no"`
			Unit   string `json:"unit"`
			Person string `json:"person"`
		} `json:"inspectors"`
		Conflicts []struct {
			CertNo string `json:"cert_no"`
			Target string `json:"target"`
		} `json:"conflicts"`
		Last map[string][]string `json:"last"`
	} `json:"lists"`
	SHA   string `json:"lists_sha256"`
	Picks []struct {
		Target struct {
			ID string `json:"id"`
		} `json:"target"`
		Inspectors []struct {
			CertNo string `json:"cert_no"`
		} `json:"inspectors"`
	} `json:"picks"`
}

func outsiderJSON(t *testing.T, url string) (outsiderDraw, string) {
	t.Helper()
	body := fetch(t, url)
	var d outsiderDraw
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return d, body
}

// commitOf is SHA-256("sanxiang/draw/commit" 0x00 seed), as published
// before a draw.
func commitOf(t *testing.T, seedHex string) string {
	t.Helper()
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != 32 {
		t.Fatalf("seed %q: %v", seedHex, err)
	}
	sum := sha256.Sum256(append([]byte("sanxiang/draw/commit\x00"), seed...))
	return hex.EncodeToString(sum[:])
}

// A plan shows the commitment to its seed and not the seed, on its page
// and in its JSON; the draw reveals a seed whose hash is the commitment
// published before it.
func TestDrawSeedCommittedBeforeDraw(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := demoPlatform(t, b)
		due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		p, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 3, Due: due, By: "admin"}, shops(10), nil)
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("%s/p/draws/%d", h.URL, p.ID)
		before := fetch(t, page)
		pub, beforeJSON := outsiderJSON(t, page+".json")
		if !strings.Contains(before, pub.Commit) || !strings.Contains(before, "待抽取") || pub.Commit != p.Commit || len(pub.Commit) != 64 {
			t.Fatalf("the plan's page and JSON do not show its commitment %s: %q", p.Commit, pub.Commit)
		}
		if pub.Seed != "" || len(pub.Picks) != 0 {
			t.Fatalf("a seed or picks before the draw: %q %d", pub.Seed, len(pub.Picks))
		}
		for _, o := range pub.Lists.Inspectors {
			if o.Person != "" {
				t.Fatalf("a person's ID in the published pool: %+v", o)
			}
		}
		if list := fetch(t, h.URL+"/p/draws/"); !strings.Contains(list, fmt.Sprintf("/p/draws/%d", p.ID)) || !strings.Contains(list, "待抽取") {
			t.Fatalf("the list of draws lacks the plan: %s", list)
		}

		d, err := s.MakeDraw(ctx, "", p.ID, "4417", "admin")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(before, d.Seed) || strings.Contains(beforeJSON, d.Seed) {
			t.Fatal("the seed was public before the draw")
		}
		after := fetch(t, page)
		drawn, _ := outsiderJSON(t, page+".json")
		if drawn.Seed == "" || drawn.Seed != d.Seed || !strings.Contains(after, drawn.Seed) || !strings.Contains(after, "4417") {
			t.Fatalf("the seed is not revealed after the draw: %q", drawn.Seed)
		}
		if got := commitOf(t, drawn.Seed); got != pub.Commit {
			t.Fatalf("the revealed seed hashes to %s, the commitment published before was %s", got, pub.Commit)
		}
		if len(drawn.Picks) != 3 {
			t.Fatalf("picks: %d", len(drawn.Picks))
		}
		for _, pk := range drawn.Picks {
			if !strings.Contains(after, pk.Inspectors[0].CertNo) || !strings.Contains(after, pk.Inspectors[1].CertNo) {
				t.Fatalf("the page does not name the inspectors drawn for %s", pk.Target.ID)
			}
		}
		if r, err := http.Get(fmt.Sprintf("%s/p/draws/%d.json", h.URL, p.ID+100)); err != nil || r.StatusCode != http.StatusNotFound {
			t.Fatalf("the JSON of no draw: %v %v", r.StatusCode, err)
		} else {
			r.Body.Close()
		}
	})
}

// rederive is the outsider's check of a published draw, written from the
// algorithm documented in app/draw/plan.go with SHA-256 alone: the seed
// matches the commitment, the lists their fingerprint, and the draw made
// again from seed, witness and lists is the published one. It answers the
// picks as "target cert cert".
func rederive(d outsiderDraw) ([]string, error) {
	seed, err := hex.DecodeString(d.Seed)
	if err != nil || len(seed) != 32 {
		return nil, fmt.Errorf("seed %q", d.Seed)
	}
	c := sha256.Sum256(append([]byte("sanxiang/draw/commit\x00"), seed...))
	if hex.EncodeToString(c[:]) != d.Commit {
		return nil, fmt.Errorf("the seed does not match the commitment")
	}
	l := d.Lists
	// The fingerprint: each target, each inspector, each conflict, each
	// last-time pair (by target, certificates sorted).
	h := sha256.New()
	for _, t := range l.Targets {
		h.Write([]byte("T\x00" + t.ID + "\x00" + t.Name + "\x00" + t.Unit + "\n"))
	}
	for _, o := range l.Inspectors {
		h.Write([]byte("I\x00" + o.CertNo + "\x00" + o.Unit + "\n"))
	}
	for _, x := range l.Conflicts {
		h.Write([]byte("C\x00" + x.CertNo + "\x00" + x.Target + "\n"))
	}
	var keys []string
	for k := range l.Last {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		certs := append([]string(nil), l.Last[k]...)
		sort.Strings(certs)
		h.Write([]byte("L\x00" + k + "\x00" + strings.Join(certs, ",") + "\n"))
	}
	sha := hex.EncodeToString(h.Sum(nil))
	if sha != d.SHA {
		return nil, fmt.Errorf("the lists do not match their fingerprint")
	}
	// key = SHA-256("sanxiang/draw/v2" 0 seed 0 witness 0 lists_sha256);
	// block(i) = SHA-256(key ‖ i as 8 bytes big-endian); next = its first 8 bytes.
	var buf bytes.Buffer
	buf.WriteString("sanxiang/draw/v2\x00")
	buf.Write(seed)
	buf.WriteString("\x00" + d.Witness + "\x00" + sha)
	key := sha256.Sum256(buf.Bytes())
	var counter uint64
	next := func() uint64 {
		var b [40]byte
		copy(b[:], key[:])
		binary.BigEndian.PutUint64(b[32:], counter)
		counter++
		sum := sha256.Sum256(b[:])
		return binary.BigEndian.Uint64(sum[:8])
	}
	below := func(n int) int {
		m := uint64(n)
		limit := -(-m % m) // 2⁶⁴ − (2⁶⁴ mod m)
		for {
			if v := next(); limit == 0 || v < limit {
				return int(v % m)
			}
		}
	}
	choose := func(n, k int) []int {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		for i := 0; i < k; i++ {
			j := i + below(n-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		return idx[:k]
	}
	var out []string
	for _, ti := range choose(len(l.Targets), d.Count) {
		t := l.Targets[ti]
		var pool []string
		for _, o := range l.Inspectors {
			excluded := o.Unit != "" && o.Unit == t.Unit || slices.Contains(l.Last[t.ID], o.CertNo)
			for _, x := range l.Conflicts {
				excluded = excluded || x.CertNo == o.CertNo && x.Target == t.ID
			}
			if !excluded {
				pool = append(pool, o.CertNo)
			}
		}
		if len(pool) < 2 {
			return nil, fmt.Errorf("fewer than two inspectors for %s", t.ID)
		}
		two := choose(len(pool), 2)
		out = append(out, t.ID+" "+pool[two[0]]+" "+pool[two[1]])
	}
	return out, nil
}

func publishedPicks(d outsiderDraw) []string {
	var out []string
	for _, p := range d.Picks {
		out = append(out, p.Target.ID+" "+p.Inspectors[0].CertNo+" "+p.Inspectors[1].CertNo)
	}
	return out
}

// A draw with a declared conflict and last time's inspectors left out is
// drawn again by an outsider from its JSON, with a function of its own
// and SHA-256: the same targets and inspectors, in order; with a list or
// the seed changed, the check fails.
func TestDrawRederivedFromPublishedSeed(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := demoPlatform(t, b)
		due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		targets := shops(12)
		first, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 4, Due: due}, targets, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first, err = s.MakeDraw(ctx, "", first.ID, "", "admin"); err != nil {
			t.Fatal(err)
		}
		// A conflict declared for the first inspector of the pool with
		// every target.
		pool := first.Lists.Inspectors
		for _, tg := range targets {
			if err := s.DeclareConflict(ctx, server.ConflictEntry{Agency: first.Plan.Agency, CertNo: pool[0].CertNo, Target: tg.ID, Reason: "近亲属经营"}); err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Share: 50, Due: due}, targets, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Lists.Conflicts) != len(targets) || len(p.Lists.Last) != 4 {
			t.Fatalf("conflicts %d, last time's %d", len(p.Lists.Conflicts), len(p.Lists.Last))
		}
		if _, err := s.MakeDraw(ctx, "", p.ID, "8830", "admin"); err != nil {
			t.Fatal(err)
		}
		d, body := outsiderJSON(t, fmt.Sprintf("%s/p/draws/%d.json", h.URL, p.ID))
		got, err := rederive(d)
		if err != nil {
			t.Fatal(err)
		}
		want := publishedPicks(d)
		if len(want) != 6 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("re-derived:\n%s\npublished:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, pk := range d.Picks {
			for _, o := range pk.Inspectors {
				if o.CertNo == pool[0].CertNo || slices.Contains(d.Lists.Last[pk.Target.ID], o.CertNo) {
					t.Fatalf("%s sent to %s, left out by a conflict or last time", o.CertNo, pk.Target.ID)
				}
			}
		}
		// Tampered: each must fail the outsider's check.
		tamper := func(what string, change func(*outsiderDraw)) {
			var x outsiderDraw
			if err := json.Unmarshal([]byte(body), &x); err != nil {
				t.Fatal(err)
			}
			change(&x)
			if again, err := rederive(x); err == nil && strings.Join(again, "\n") == strings.Join(publishedPicks(x), "\n") {
				t.Errorf("%s: the check still passes", what)
			}
		}
		tamper("a seed digit changed", func(x *outsiderDraw) {
			r := []byte(x.Seed)
			r[5] = "01"[(r[5]-'0'+1)%2]
			x.Seed = string(r)
		})
		tamper("a conflict dropped", func(x *outsiderDraw) { x.Lists.Conflicts = x.Lists.Conflicts[1:] })
		tamper("two targets swapped", func(x *outsiderDraw) {
			x.Lists.Targets[0], x.Lists.Targets[1] = x.Lists.Targets[1], x.Lists.Targets[0]
		})
		tamper("last time's inspectors dropped", func(x *outsiderDraw) { x.Lists.Last = nil })
		tamper("the picks' order changed", func(x *outsiderDraw) { x.Picks[0], x.Picks[1] = x.Picks[1], x.Picks[0] })
	})
}

// drawScenario is what runDrawScenario leaves on a platform.
type drawScenario struct {
	drawn, planned, cancelled server.PlanRecord
	taskID, caseID            string // the first task and its case
	devA, devB                string // the device that claimed the tasks, and another
}

const (
	resultPhone = "13857124567"
	resultIDNo  = "33010619780312451X"
)

// runDrawScenario makes a cancelled plan, a drawn one and one to be drawn
// in two days. Desk A claims both drawn tasks; desk B, a second enrolled
// device with the same officers, opens a case for the first; desk A opens
// one for the second naming another officer; then desk A opens the case
// for the first task naming both inspectors, records the inspection and
// its result (a phone number and an ID number in the note) and pushes.
func runDrawScenario(t *testing.T, s *server.Server, h *httptest.Server) drawScenario {
	t.Helper()
	ctx := context.Background()
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	const a, b, other = "990101000001", "990101000002", "990101000006"
	due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	var sc drawScenario
	var err error
	if sc.cancelled, err = s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 2, Due: due, By: "admin"}, shops(6), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelPlan(ctx, "", sc.cancelled.ID, "检查对象名录有误，重新导入", "admin"); err != nil {
		t.Fatal(err)
	}
	p, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 2, Due: due, By: "admin"}, shops(6), []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if sc.drawn, err = s.MakeDraw(ctx, "", p.ID, "2026", "admin"); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	if sc.planned, err = s.NewPlan(ctx, "", server.Plan{Item: "R01001", Share: 20, Due: due, DrawAt: at, By: "admin"}, shops(10), nil); err != nil {
		t.Fatal(err)
	}

	logA := openLog(t, "DESK-A", a, b, other)
	idA := enrol(t, s, h, logA)
	logB := openLog(t, "DESK-B", a, b)
	idB := enrol(t, s, h, logB)
	sc.devA, sc.devB = idA.DeviceID, idB.DeviceID
	first, second := sc.drawn.Tasks[0], sc.drawn.Tasks[1]
	sc.taskID = first.ID()
	for _, task := range []server.DrawTask{first, second} {
		if _, err := s.ClaimTask(ctx, task.ID(), idA.DeviceID, a); err != nil {
			t.Fatal(err)
		}
	}
	open := func(l *casefile.Log, task server.DrawTask, officers ...string) string {
		t.Helper()
		var named []casefile.Officer
		for _, o := range officers {
			named = append(named, casefile.Officer{CertNo: o})
		}
		id, err := l.OpenCase(ctx, a, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "R01001", ItemName: sc.drawn.Plan.ItemName,
			Party: casefile.Party{Kind: "org", Name: task.Target.Name}, Place: task.Target.Address, Officers: named,
			Task: &casefile.TaskRef{ID: task.ID(), Due: task.Due}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	push := func(id client.Identity, l *casefile.Log) {
		t.Helper()
		if _, err := client.New(id).Push(ctx, l); err != nil {
			t.Fatalf("push of %s: %v", id.DeviceID, err)
		}
	}
	mismatch := func(device, want string) {
		t.Helper()
		alerts, err := s.AlertList(ctx)
		if err != nil || len(alerts) == 0 || alerts[0].Kind != "task_mismatch" || alerts[0].Device != device || !strings.Contains(alerts[0].Detail, want) {
			t.Fatalf("want a task_mismatch alert about %s saying %q, got %+v (%v)", device, want, alerts, err)
		}
	}
	open(logB, first, a, b)
	push(idB, logB)
	mismatch(idB.DeviceID, idA.DeviceID)
	open(logA, second, a, other)
	push(idA, logA)
	mismatch(idA.DeviceID, b)

	sc.caseID = open(logA, first, a, b)
	both := []casefile.Officer{{CertNo: a}, {CertNo: b}}
	casefiletest.WalkTo(t, logA, sc.caseID, a, both, "handle")
	note := "经现场检查，该店食品经营许可证在有效期内，后厨操作间未设置防蝇设施。负责人联系电话" + resultPhone + "，身份证号" + resultIDNo + "。责令限期改正。"
	if _, err := logA.AddStage(ctx, sc.caseID, a, casefile.StageBody{Stage: "handle", Note: note,
		Decision: json.RawMessage(`{"kinds":["rectify"],"text":"责令限期改正"}`)}); err != nil {
		t.Fatal(err)
	}
	push(idA, logA)
	return sc
}

// A case opened for a drawn task on the desk that claimed it, naming its
// two inspectors, is linked to it; its handle stage's note, masked by the
// platform's redaction, is the task's published result: on the draw's
// page, on the result's own page and in the change feed the kiosks read.
// A case for the task from another device, and one naming other officers,
// raise task_mismatch and are not linked; their records are kept.
func TestDrawTaskLinkedAndResultPublished(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		sc := runDrawScenario(t, s, h)
		rec, err := s.Plan(ctx, sc.drawn.ID)
		if err != nil {
			t.Fatal(err)
		}
		task, stray := rec.Tasks[0], rec.Tasks[1]
		t.Logf("result published: %s", task.Result)
		if task.CaseID != sc.caseID || stray.CaseID != "" {
			t.Fatalf("linked: %q (want %q), the second task %q", task.CaseID, sc.caseID, stray.CaseID)
		}
		if task.Result == "" || strings.Contains(task.Result, resultPhone) || strings.Contains(task.Result, resultIDNo) ||
			!strings.Contains(task.Result, "责令限期改正") || task.ResultAt == "" {
			t.Fatalf("the result kept: %q at %q", task.Result, task.ResultAt)
		}
		for _, url := range []string{fmt.Sprintf("%s/p/draws/%d", h.URL, sc.drawn.ID), h.URL + "/p/result/" + sc.taskID} {
			page := fetch(t, url)
			if !strings.Contains(page, "未设置防蝇设施") || strings.Contains(page, resultPhone) || strings.Contains(page, resultIDNo) {
				t.Fatalf("%s does not show the masked result", url)
			}
		}
		feed := fetch(t, h.URL+api.PathChanges+"?since=0&limit=5000")
		var ch api.ChangesResponse
		if err := json.Unmarshal([]byte(feed), &ch); err != nil {
			t.Fatal(err)
		}
		var res *catalog.InspectionResult
		for _, c := range ch.Changes {
			if c.Kind == string(catalog.KindResult) && c.ID == sc.taskID {
				res = new(catalog.InspectionResult)
				if err := json.Unmarshal(c.Data, res); err != nil {
					t.Fatal(err)
				}
			}
		}
		if res == nil || res.Result != task.Result || res.Case != sc.caseID || res.DrawID != sc.drawn.ID ||
			!strings.Contains(res.Inspectors, task.Inspectors[0].CertNo) || res.Target != task.Target.Name {
			t.Fatalf("the result in the feed: %+v", res)
		}
		rep, err := s.Supervision(ctx, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if it := rep.Inspections.Total; it.Drawn != 2 || it.OnTime != 1 || it.Pending != 1 || len(rep.Inspections.Overdue) != 0 || it.OnTimeRate() != 100 {
			t.Fatalf("drawn tasks in supervision: %+v", rep.Inspections)
		}
		// Nothing lost: the refused cases' records are held.
		for _, dev := range []string{sc.devA, sc.devB} {
			if recs, err := s.LogRecords(ctx, dev); err != nil || len(recs) == 0 {
				t.Fatalf("records of %s: %d %v", dev, len(recs), err)
			}
		}
	})
}

// The public draw pages in a real browser, on a phone and on a desk: the
// list with a plan to be drawn, a cancelled one and a drawn one; a
// plan's page before the draw and a drawn one with a result. Screenshots
// go to $SANXIANG_CONSOLE_SHOTS as public-*.png. Skipped without a
// Chromium, unless SANXIANG_REQUIRE_BROWSER=1.
func TestDrawPagesInABrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	var late atomic.Int64 // how far the platform's clock is ahead
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin,
		Now: func() time.Time { return time.Now().Add(time.Duration(late.Load())) }})
	sc := runDrawScenario(t, s, h)
	br := browsertest.Open(t, exe)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desk", 1280, 900}} {
		br.Do("the list of draws", chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(h.URL+"/p/draws/"),
			chromedp.WaitVisible(chromedp.CSS(`ul`)), br.Shot("public-draws-"+size.name))
		list := br.Text(`main`)
		for _, want := range []string{"待抽取", "已撤销", "检查对象名录有误", "已公示结果 1 户"} {
			if !strings.Contains(list, want) {
				t.Errorf("the list of draws lacks %q:\n%s", want, list)
			}
		}
		br.Do("a plan to be drawn", chromedp.Navigate(fmt.Sprintf("%s/p/draws/%d", h.URL, sc.planned.ID)),
			chromedp.WaitVisible(chromedp.CSS(`#check`)), br.Shot("public-draw-planned-"+size.name))
		if got := br.Text(`#check`); !strings.Contains(got, sc.planned.Commit) || !strings.Contains(got, "抽取时公开") {
			t.Errorf("the plan's check section: %q", got)
		}
		br.Do("a drawn plan with a result", chromedp.Navigate(fmt.Sprintf("%s/p/draws/%d", h.URL, sc.drawn.ID)),
			chromedp.WaitVisible(chromedp.CSS(`#tasks`)), br.Shot("public-draw-drawn-"+size.name))
		tasks := br.Text(`#tasks`)
		if !strings.Contains(tasks, "未设置防蝇设施") || strings.Contains(tasks, resultPhone) || !strings.Contains(tasks, "检查中，结果待公示") {
			t.Errorf("the drawn tasks: %q", tasks)
		}
	}
	// A month on, the second task is overdue, and so are the two of the
	// plan the platform drew by itself two days in: one of four done on
	// time. Marked on the draw's page, counted and listed on the
	// supervision page.
	late.Store(int64(30 * 24 * time.Hour))
	ctx := context.Background()
	if err := s.AddAdmin(ctx, console.Admin{Login: "city", Name: "市司法局 王科长", Role: console.RoleCity}, "password-city", "test"); err != nil {
		t.Fatal(err)
	}
	day := func(d time.Time) string { return d.Format(time.DateOnly) }
	br.Do("the supervision page", chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "city"), chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "password-city"),
		chromedp.Click(chromedp.CSS(`#login`)), chromedp.WaitVisible(chromedp.CSS(`.cards`)),
		chromedp.Navigate(h.URL+"/admin/supervision?from="+day(time.Now().AddDate(0, 0, -1))+"&to="+day(time.Now().AddDate(0, 0, 60))),
		chromedp.WaitVisible(chromedp.CSS(`#overdue`)), br.Shot("supervision-tasks-desk"))
	if got := br.Text(`#tasks`); !strings.Contains(got, "25.0%") {
		t.Errorf("the drawn tasks by agency: %q", got)
	}
	if got := br.Text(`#overdue`); !strings.Contains(got, sc.drawn.Tasks[1].ID()) || !strings.Contains(got, sc.drawn.Tasks[1].Target.Name) {
		t.Errorf("the overdue tasks: %q", got)
	}
	br.Do("a drawn plan with a task overdue", chromedp.Navigate(fmt.Sprintf("%s/p/draws/%d", h.URL, sc.drawn.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#tasks`)), br.Shot("public-draw-overdue-desk"))
	if got := br.Text(`#tasks`); !strings.Contains(got, "逾期未完成") {
		t.Errorf("the overdue task is not marked: %q", got)
	}
	t.Logf("screenshots in %s", br.Shots)
}
