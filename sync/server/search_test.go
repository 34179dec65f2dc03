package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The public search's copy of the lists follows the change feed: an item
// published, edited or withdrawn after the first search is found, found
// as it now reads, or gone at the very next search.
func TestSearchFollowsTheLists(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		search := func(q string) string {
			t.Helper()
			items, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindDecision, Text: q, Ranked: true})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.(*catalog.Decision).DocNo)
			}
			return strings.Join(out, " ")
		}
		if got := search(""); got != "" {
			t.Fatalf("an empty platform finds %q", got)
		}
		d := &catalog.Decision{ID: "C-01-1", DocNo: "青禾市监罚〔2026〕1号", AgencyCode: "01", AgencyName: "青禾市市场监督管理局", Act: catalog.ActPenalty,
			Party: "某某商店", Content: "罚款人民币3000元", DecidedOn: "2026-03-01", PublishedOn: "2026-03-02"}
		if err := s.Publish(ctx, []catalog.Item{d}, []catalog.Agency{{Code: "01", Name: d.AgencyName}}); err != nil {
			t.Fatal(err)
		}
		if got := search("mmsd"); got != d.DocNo { // 某某商店's initials
			t.Fatalf("after publishing: %q", got)
		}
		changed := *d
		changed.Party = "青禾便利店"
		if err := s.Publish(ctx, []catalog.Item{&changed}, nil); err != nil {
			t.Fatal(err)
		}
		if got, now := search("mmsd"), search("qhbld"); got != "" || now != d.DocNo {
			t.Fatalf("after the edit: old party %q, new %q", got, now)
		}
		if code, data := doAs(t, admin, "POST", h.URL+api.PathDecisions+d.ID+"/withdraw", `{"reason":"已被复议撤销"}`); code != http.StatusOK {
			t.Fatalf("withdraw: %d %s", code, data)
		}
		if got := search("qhbld"); got != "" {
			t.Fatalf("after the withdrawal: %q", got)
		}
	})
}

// BenchmarkSearchCopyBuild is the first public search on a platform with
// the demo city: the copy of the lists built from the whole feed.
func BenchmarkSearchCopyBuild(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := server.Open(ctx, filepath.Join(b.TempDir(), "p.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		if err := demoload.Load(ctx, s); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.SearchLists(ctx, catalog.Query{Kind: catalog.KindOfficer, Text: "zs", Ranked: true}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
	}
}

// BenchmarkPublicSearchPage is one page of /p/ on the demo city, the
// copy caught up: catching up (nothing new), ranking, counting, paging
// and rendering.
func BenchmarkPublicSearchPage(b *testing.B) {
	ctx := context.Background()
	s, err := server.Open(ctx, filepath.Join(b.TempDir(), "p.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := demoload.Load(ctx, s); err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/p/?kind=guide&q=xk&page=1", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
