package catalog

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the catalog database's numbered schema steps.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// ErrNotFound is returned by Get for an item the catalog does not hold.
var ErrNotFound = errors.New("catalog: no such item")

// Catalog is the local copy of the public lists. It is safe for use by
// several goroutines.
type Catalog struct {
	db *store.DB

	mu      sync.Mutex // guards indexes
	indexes map[Kind]*index
}

// Open opens or creates the catalog database at path. The catalog can be
// pulled again from the platform, so it trades the last commits on power
// loss for speed (store.Cache).
func Open(ctx context.Context, path string) (*Catalog, error) {
	db, err := store.Open(ctx, path, store.Options{Durability: store.Cache, Migrations: Migrations})
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	return &Catalog{db: db}, nil
}

// Close closes the database.
func (c *Catalog) Close() error { return c.db.Close() }

// Replace swaps the whole catalog for ds in one transaction: a reader sees
// the old lists or the new ones, never a mix.
func (c *Catalog) Replace(ctx context.Context, ds *Dataset, updated time.Time) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM items`, `DELETE FROM agencies`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("replace catalog: %w", err)
			}
		}
		ag, err := tx.PrepareContext(ctx, `INSERT INTO agencies (code, name, data) VALUES (?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("replace catalog: %w", err)
		}
		defer ag.Close()
		for _, a := range ds.Agencies {
			data, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("replace catalog: agency %s: %w", a.Code, err)
			}
			if _, err := ag.ExecContext(ctx, a.Code, a.Name, string(data)); err != nil {
				return fmt.Errorf("replace catalog: agency %s: %w", a.Code, err)
			}
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO items (kind, id, agency, category, title, sort, search, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("replace catalog: %w", err)
		}
		defer ins.Close()
		err = ds.each(func(it Item) error {
			data, err := json.Marshal(it)
			if err != nil {
				return err
			}
			_, err = ins.ExecContext(ctx, string(it.Kind()), it.Key(), it.Agency(), string(it.Category()),
				it.Title(), strings.Join(readings(it.Title()), " "), it.searchKey(), string(data))
			if err != nil {
				return fmt.Errorf("%s %s: %w", it.Kind(), it.Key(), err)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("replace catalog: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('updated_at', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, updated.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// bumpGeneration tells every reader, in this process or another, that the
// items changed and in-memory indexes must be rebuilt.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('generation', '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`)
	return err
}

// UpdatedAt is when the catalog's content was last refreshed; zero if never.
func (c *Catalog) UpdatedAt(ctx context.Context) (time.Time, error) {
	var v string
	err := c.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'updated_at'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("catalog updated at: %w", err)
	}
	return time.Parse(time.RFC3339, v)
}

// AgencyName is the full name of the agency with the code, or the code
// when the lists do not name it.
func (c *Catalog) AgencyName(ctx context.Context, code string) (string, error) {
	ags, err := c.Agencies(ctx)
	if err != nil {
		return code, fmt.Errorf("agency %s: %w", code, err)
	}
	return AgencyName(ags, code), nil
}

// Agencies lists the enforcement bodies in code order.
func (c *Catalog) Agencies(ctx context.Context) ([]Agency, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT data FROM agencies ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	defer rows.Close()
	var out []Agency
	for rows.Next() {
		var data []byte
		var a Agency
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list agencies: %w", err)
		}
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("list agencies: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Query selects items of one kind. Empty fields do not filter.
type Query struct {
	Kind   Kind
	Text   string // text, full pinyin or pinyin initials; see NormalizeQuery
	Agency string
	Act    Act
	Limit  int // 0 means 50
	Offset int
	// Ranked puts the best matches of Text first, list order among equals:
	// a whole word of the key (the name, its full pinyin, its initials, a
	// certificate number) before the start of one, before anywhere else.
	Ranked bool
}

// Search returns one page of the items q selects, in pinyin order.
func (c *Catalog) Search(ctx context.Context, q Query) ([]Item, error) {
	c.mu.Lock()
	ix, err := c.indexFor(ctx, q.Kind)
	var ids []string
	if err == nil {
		m := ix.match(q)
		limit := q.Limit
		if limit <= 0 {
			limit = 50
		}
		for i := q.Offset; i < len(m) && i < q.Offset+limit; i++ {
			if i >= 0 {
				ids = append(ids, ix.ids[m[i]])
			}
		}
	}
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", q.Kind, err)
	}
	return c.load(ctx, q.Kind, ids)
}

// load reads the items with the given ids, in that order.
func (c *Catalog) load(ctx context.Context, kind Kind, ids []string) ([]Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, string(kind))
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT id, data FROM items WHERE kind = ? AND id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", kind, err)
	}
	defer rows.Close()
	byID := make(map[string]Item, len(ids))
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("load %s: %w", kind, err)
		}
		it, err := decode(kind, data)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", kind, err)
		}
		byID[id] = it
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load %s: %w", kind, err)
	}
	out := make([]Item, 0, len(ids))
	for _, id := range ids {
		if it, ok := byID[id]; ok { // gone if the catalog changed in between
			out = append(out, it)
		}
	}
	return out, nil
}

// Count returns how many items q selects, ignoring Limit and Offset. A
// whole list is counted in SQL, so the kiosk's home screen does not build
// every list's search index at start-up.
func (c *Catalog) Count(ctx context.Context, q Query) (int, error) {
	if q.Text == "" && q.Agency == "" && q.Act == "" {
		var n int
		if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE kind = ?`, string(q.Kind)).Scan(&n); err != nil {
			return 0, fmt.Errorf("count %s: %w", q.Kind, err)
		}
		return n, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ix, err := c.indexFor(ctx, q.Kind)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", q.Kind, err)
	}
	return len(ix.match(q)), nil
}

// Get returns one item, or ErrNotFound.
func (c *Catalog) Get(ctx context.Context, kind Kind, id string) (Item, error) {
	var data []byte
	err := c.db.QueryRowContext(ctx, `SELECT data FROM items WHERE kind = ? AND id = ?`, string(kind), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, kind, id)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	return decode(kind, data)
}

// Decode reads an item of the kind from its JSON form.
func Decode(kind Kind, data []byte) (Item, error) { return decode(kind, data) }

func decode(kind Kind, data []byte) (Item, error) {
	spec, ok := Spec(kind)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	it := spec.New()
	if err := json.Unmarshal(data, it); err != nil {
		return nil, fmt.Errorf("decode %s: %w", kind, err)
	}
	return it, nil
}

// Change is one entry of the platform's change feed, as the catalog
// applies it.
type Change struct {
	Cursor  int64
	Kind    string // an item kind, or "agency"
	ID      string
	Deleted bool
	Data    []byte
}

// Cursor is the last change feed position applied; 0 for none.
func (c *Catalog) Cursor(ctx context.Context) (int64, error) {
	var v string
	err := c.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'cursor'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	_, err = fmt.Sscan(v, &n)
	return n, err
}

// Apply writes a page of changes and the new cursor in one transaction: a
// kiosk closed mid-sync resumes from the last page it applied, and a page
// applied twice changes nothing.
func (c *Catalog) Apply(ctx context.Context, changes []Change, cursor int64, at time.Time) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		p := store.Prepare(tx)
		for _, ch := range changes {
			if ch.Kind == "agency" {
				if ch.Deleted {
					if _, err := p.ExecContext(ctx, `DELETE FROM agencies WHERE code = ?`, ch.ID); err != nil {
						return err
					}
					continue
				}
				var a Agency
				if err := json.Unmarshal(ch.Data, &a); err != nil {
					return fmt.Errorf("change %d: %w", ch.Cursor, err)
				}
				if _, err := p.ExecContext(ctx, `INSERT INTO agencies (code, name, data) VALUES (?, ?, ?)
					ON CONFLICT (code) DO UPDATE SET name = excluded.name, data = excluded.data`, a.Code, a.Name, string(ch.Data)); err != nil {
					return err
				}
				continue
			}
			if ch.Deleted {
				if _, err := p.ExecContext(ctx, `DELETE FROM items WHERE kind = ? AND id = ?`, ch.Kind, ch.ID); err != nil {
					return err
				}
				continue
			}
			it, err := decode(Kind(ch.Kind), ch.Data)
			if err != nil {
				return fmt.Errorf("change %d: %w", ch.Cursor, err)
			}
			if _, err := p.ExecContext(ctx, `INSERT INTO items (kind, id, agency, category, title, sort, search, data)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (kind, id) DO UPDATE SET agency = excluded.agency, category = excluded.category, title = excluded.title,
					sort = excluded.sort, search = excluded.search, data = excluded.data`,
				string(it.Kind()), it.Key(), it.Agency(), string(it.Category()), it.Title(),
				strings.Join(readings(it.Title()), " "), it.searchKey(), string(ch.Data)); err != nil {
				return err
			}
		}
		for k, v := range map[string]string{"cursor": fmt.Sprint(cursor), "updated_at": at.UTC().Format(time.RFC3339)} {
			if _, err := p.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		return bumpGeneration(ctx, tx)
	})
}
