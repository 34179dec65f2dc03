package pages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// The public annual report is computed once for a burst of readers and
// again only after annualFresh; what it serves names no case.
func TestAnnualReportIsComputedOnceForABurst(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := time.Now()
	s := &Room{DB: db, Now: func() time.Time { return clock },
		// A year's evaluation names its cases; the public report must not.
		Supervision: func(ctx context.Context, _ string, from, to time.Time) (supervise.Report, error) {
			return supervise.Report{From: from, To: to, Made: clock, Cases: []supervise.Evaluation{{Case: "C1", Device: "D1", Opened: from, Act: catalog.ActPenalty}}}, nil
		},
		Agencies: func(context.Context) ([]catalog.Agency, error) {
			return []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}}, nil
		}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/reports/{year}", s.PublicReport)
	h := httptest.NewServer(mux)
	defer h.Close()
	year := clock.Year()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, err := http.Get(h.URL + "/p/reports/" + strconv.Itoa(year))
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("%v %v", resp, err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if n := s.annual.made.Load(); n != 1 {
		t.Fatalf("20 readers at once: computed %d times", n)
	}
	// Its PDF, too, is made once for a burst, and once again only for a
	// report made anew.
	for range 10 {
		wg.Go(func() {
			resp, err := http.Get(h.URL + "/p/reports/" + strconv.Itoa(year) + "?format=pdf")
			if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
				t.Errorf("%v %v", resp, err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if n := s.annual.filesMade.Load(); n != 1 {
		t.Fatalf("10 readers of the PDF at once: made %d times", n)
	}
	clock = clock.Add(annualFresh - time.Second)
	if _, err := s.annualReport(ctx, year); err != nil || s.annual.made.Load() != 1 {
		t.Fatalf("within annualFresh: computed %d times (%v)", s.annual.made.Load(), err)
	}
	clock = clock.Add(2 * time.Second)
	rep, err := s.annualReport(ctx, year)
	if err != nil || s.annual.made.Load() != 2 {
		t.Fatalf("after annualFresh: computed %d times (%v)", s.annual.made.Load(), err)
	}
	for _, e := range rep.Cases {
		if e.Case != "" || e.Device != "" {
			t.Fatalf("the public report keeps a case: %+v", e)
		}
	}
	resp, err := http.Get(h.URL + "/p/reports/" + strconv.Itoa(year) + "?format=pdf")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
	if n := s.annual.filesMade.Load(); n != 2 {
		t.Fatalf("the PDF of a report made anew: made %d times in all, want 2", n)
	}
}
