package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// index holds every item's search key of one kind in memory, in list
// order, so a keystroke on the kiosk is one pass of strings.Contains over a
// few megabytes instead of a LIKE scan (or two: the count and the page) in
// SQLite. A kiosk with 100,000 officers searches in about a millisecond; see
// BenchmarkKioskSearch.
type index struct {
	generation int64
	ids        []string
	agencies   []string
	acts       []Act
	keys       []string

	// The last query's matches: the kiosk asks for the count and then the
	// pages of one query.
	lastQuery Query
	lastMatch []int32
}

func (c *Catalog) generation(ctx context.Context) (int64, error) {
	var g int64
	err := c.db.QueryRowContext(ctx, `SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0)`).Scan(&g)
	return g, err
}

// indexFor returns the kind's index, rebuilt when the catalog has changed
// since (another process, such as a sync, may have written it).
func (c *Catalog) indexFor(ctx context.Context, kind Kind) (*index, error) {
	g, err := c.generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog generation: %w", err)
	}
	if ix := c.indexes[kind]; ix != nil && ix.generation == g {
		return ix, nil
	}
	rows, err := c.db.QueryContext(ctx, `SELECT id, agency, category, search FROM items WHERE kind = ? ORDER BY sort, id`, string(kind))
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", kind, err)
	}
	defer rows.Close()
	ix := &index{generation: g}
	for rows.Next() {
		var id, agency, act, key string
		if err := rows.Scan(&id, &agency, &act, &key); err != nil {
			return nil, fmt.Errorf("index %s: %w", kind, err)
		}
		ix.ids = append(ix.ids, id)
		ix.agencies = append(ix.agencies, agency)
		ix.acts = append(ix.acts, Act(act))
		ix.keys = append(ix.keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index %s: %w", kind, err)
	}
	if c.indexes == nil {
		c.indexes = map[Kind]*index{}
	}
	c.indexes[kind] = ix
	return ix, nil
}

// match returns the positions, in list order, of the items q selects.
func (ix *index) match(q Query) []int32 {
	key := q
	key.Limit, key.Offset = 0, 0
	key.Text = NormalizeQuery(q.Text)
	if ix.lastMatch != nil && ix.lastQuery == key {
		return ix.lastMatch
	}
	out := make([]int32, 0, 64)
	for i, k := range ix.keys {
		if key.Agency != "" && ix.agencies[i] != key.Agency {
			continue
		}
		if key.Act != "" && ix.acts[i] != key.Act {
			continue
		}
		if key.Text != "" && !strings.Contains(k, key.Text) {
			continue
		}
		out = append(out, int32(i))
	}
	if key.Ranked && key.Text != "" {
		rank := make(map[int32]int, len(out))
		for _, i := range out {
			rank[i] = rankOf(ix.keys[i], key.Text)
		}
		slices.SortStableFunc(out, func(a, b int32) int { return rank[a] - rank[b] })
	}
	ix.lastQuery, ix.lastMatch = key, out
	return out
}

// rankOf is how well t matches the search key k (words parted by spaces):
// 0 a whole word, 1 the start of a word, 2 elsewhere.
func rankOf(k, t string) int {
	best := 2
	for off := 0; off < len(k); {
		i := strings.Index(k[off:], t)
		if i < 0 {
			break
		}
		i += off
		start := i == 0 || k[i-1] == ' '
		end := i+len(t) == len(k) || k[i+len(t)] == ' '
		if start && end {
			return 0
		}
		if start {
			best = 1
		}
		off = i + 1
	}
	return best
}
