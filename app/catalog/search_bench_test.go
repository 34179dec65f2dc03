package catalog_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/store"
)

var large struct {
	once sync.Once
	path string
	err  error
}

// largeCatalog writes the benchmark set (100,000 officers, 10,000 guides,
// 10,000 fees) once per test binary.
func largeCatalog(b *testing.B) string {
	large.once.Do(func() {
		ds, err := demo.Dataset(demo.Large)
		if err != nil {
			large.err = err
			return
		}
		dir, err := makeTempDir()
		if err != nil {
			large.err = err
			return
		}
		large.path = filepath.Join(dir, "catalog.db")
		c, err := catalog.Open(context.Background(), large.path)
		if err != nil {
			large.err = err
			return
		}
		defer c.Close()
		large.err = c.Replace(context.Background(), ds, time.Now())
	})
	if large.err != nil {
		b.Fatal(large.err)
	}
	return large.path
}

// keystrokes is what a citizen types on the kiosk, one query a key.
var keystrokes = []struct {
	kind catalog.Kind
	text string
}{
	{catalog.KindOfficer, "z"}, {catalog.KindOfficer, "zh"}, {catalog.KindOfficer, "zha"},
	{catalog.KindOfficer, "zhan"}, {catalog.KindOfficer, "zhang"}, {catalog.KindOfficer, "zhangw"},
	{catalog.KindOfficer, "w"}, {catalog.KindOfficer, "wj"},
	{catalog.KindOfficer, "9"}, {catalog.KindOfficer, "99010"}, {catalog.KindOfficer, "9901030012"},
	{catalog.KindOfficer, "李"},
	{catalog.KindGuide, "y"}, {catalog.KindGuide, "yy"}, {catalog.KindGuide, "yyz"},
	{catalog.KindFee, "c"}, {catalog.KindFee, "cs"}, {catalog.KindFee, "csd"},
}

const page = 20

func p95(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[len(d)*95/100]) / 1e6
}

// BenchmarkKioskSearch: one op is the whole keystroke sequence, each key a
// count and the first page, as the kiosk list asks. ours: the catalog's
// in-memory index; baseline: a direct SQLite FTS5 prefix query on the same
// rows. p95-ms is the 95th percentile of one keystroke.
func BenchmarkKioskSearch(b *testing.B) {
	path := largeCatalog(b)
	ctx := context.Background()
	b.Run("ours", func(b *testing.B) {
		c, err := catalog.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		// The kiosk builds a list's index when the list opens and shows its
		// first page; keystrokes come after.
		for _, k := range []catalog.Kind{catalog.KindOfficer, catalog.KindGuide, catalog.KindFee} {
			c.Search(ctx, catalog.Query{Kind: k, Limit: page})
		}
		var lat []time.Duration
		for b.Loop() {
			for _, k := range keystrokes {
				t0 := time.Now()
				q := catalog.Query{Kind: k.kind, Text: k.text, Limit: page}
				n, err := c.Count(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				items, err := c.Search(ctx, q)
				if err != nil || (n > 0 && len(items) == 0) {
					b.Fatalf("%q: %d, %d items, %v", k.text, n, len(items), err)
				}
				lat = append(lat, time.Since(t0))
			}
		}
		b.ReportMetric(p95(lat), "p95-ms")
	})
	b.Run("baseline", func(b *testing.B) {
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		// The same search keys, split into words, in an FTS5 index.
		for _, q := range []string{
			`DROP TABLE IF EXISTS bench_fts`,
			`CREATE VIRTUAL TABLE bench_fts USING fts5(kind UNINDEXED, search, tokenize = 'unicode61')`,
			`INSERT INTO bench_fts (rowid, kind, search) SELECT rowid, kind, search FROM items`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		var lat []time.Duration
		for b.Loop() {
			for _, k := range keystrokes {
				t0 := time.Now()
				match := `"` + strings.ReplaceAll(k.text, `"`, `""`) + `"*`
				var n int
				if err := db.QueryRowContext(ctx, `SELECT count(*) FROM bench_fts WHERE bench_fts MATCH ? AND kind = ?`,
					match, string(k.kind)).Scan(&n); err != nil {
					b.Fatal(err)
				}
				rows, err := db.QueryContext(ctx, `SELECT i.data FROM bench_fts f JOIN items i ON i.rowid = f.rowid
					WHERE bench_fts MATCH ? AND f.kind = ? LIMIT ?`, match, string(k.kind), page)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					var data []byte
					rows.Scan(&data)
				}
				rows.Close()
				lat = append(lat, time.Since(t0))
			}
		}
		b.ReportMetric(p95(lat), "p95-ms")
	})
}
