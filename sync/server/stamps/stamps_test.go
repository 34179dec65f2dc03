package stamps_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// TestStampsOwedKeptAppendOnly, on every backend: the same bytes asked
// twice are one request; a token is kept once verified, per device; a
// device reads only its own; neither table takes an update or a delete.
func TestStampsOwedKeptAppendOnly(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		dsn, _ := b.Where(t)
		db, err := sqldb.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tsa := tsatest.Start(t)
		var alerts []string
		s := stamps.Open(db, stamps.Config{URL: tsa.URL, Roots: tsa.CA.Roots(), Retry: time.Hour}, time.Now, slog.Default(),
			func(_ context.Context, device, kind, detail string) { alerts = append(alerts, kind) })
		defer s.Close()
		data := []byte("dev-1\n4\nroot\n")
		for range 2 {
			if err := s.Stamp(ctx, "dev-1", 4, data); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Stamp(ctx, "dev-1", 4, []byte("dev-1\n4\nroot\n\n— witness cosigned\n")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Owed(ctx); err != nil || n != 0 {
			t.Fatalf("owed %d, %v", n, err)
		}
		got, err := s.Since(ctx, "dev-1", 0, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("dev-1's: %d, %v; want the two distinct bytes' tokens", len(got), err)
		}
		if _, err := timestamp.Verify(got[0].Token, got[0].Data, tsa.CA.Roots(), nil); err != nil {
			t.Fatal(err)
		}
		if more, err := s.Since(ctx, "dev-1", got[1].Seq, 10); err != nil || len(more) != 0 {
			t.Fatalf("after the last: %d, %v", len(more), err)
		}
		if other, err := s.Since(ctx, "dev-2", 0, 10); err != nil || other == nil || len(other) != 0 {
			t.Fatalf("another device read %v, %v", other, err)
		}
		for _, q := range []string{`UPDATE timestamps SET size = 5`, `DELETE FROM timestamps`,
			`UPDATE timestamp_requests SET size = 5`, `DELETE FROM timestamp_requests`} {
			if _, err := db.ExecContext(ctx, q); err == nil {
				t.Errorf("%s: allowed", q)
			}
		}
		if len(alerts) != 0 {
			t.Errorf("alerts %v", alerts)
		}
	})
}
