package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

// listSearch is the platform's copy of the public lists in the kiosk's own
// search index (app/catalog: text, full pinyin, initials, certificate
// numbers; ranked), so that the public pages behind every QR code search
// as well as a kiosk. It follows the platform's change feed exactly as a
// kiosk does, catching up before each search: every instance of a
// platform sharing one database keeps its own copy current, and an
// import, an edit or a withdrawal is found (or gone) at the next search.
// The copy lives in a temporary folder and can be rebuilt at any time.
type listSearch struct {
	mu     sync.Mutex // guards the fields and one catch-up at a time
	dir    string
	cat    *catalog.Catalog
	cursor int64
}

// searchPage is how many changes one catch-up step applies.
const searchPage = 2000

// lists is the search copy, caught up with the feed.
func (s *Server) lists(ctx context.Context) (*catalog.Catalog, error) {
	l := &s.search
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cat == nil {
		dir, err := os.MkdirTemp("", "sanxiang-search-")
		if err != nil {
			return nil, fmt.Errorf("search copy of the lists: %w", err)
		}
		cat, err := catalog.Open(ctx, filepath.Join(dir, "lists.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("search copy of the lists: %w", err)
		}
		l.dir, l.cat, l.cursor = dir, cat, 0
	}
	for {
		page, err := s.Changes(ctx, l.cursor, searchPage)
		if err != nil {
			return nil, fmt.Errorf("search copy of the lists: %w", err)
		}
		if len(page.Changes) == 0 {
			return l.cat, nil
		}
		changes := make([]catalog.Change, len(page.Changes))
		for i, ch := range page.Changes {
			changes[i] = catalog.Change{Cursor: ch.Cursor, Kind: ch.Kind, ID: ch.ID, Deleted: ch.Deleted, Data: ch.Data}
		}
		if err := l.cat.Apply(ctx, changes, page.Next, s.now()); err != nil {
			return nil, fmt.Errorf("search copy of the lists: %w", err)
		}
		l.cursor = page.Next
		if !page.More {
			return l.cat, nil
		}
	}
}

// SearchLists is one page of the items q selects from the public lists,
// ranked as a kiosk ranks them.
func (s *Server) SearchLists(ctx context.Context, q catalog.Query) ([]catalog.Item, error) {
	cat, err := s.lists(ctx)
	if err != nil {
		return nil, err
	}
	return cat.Search(ctx, q)
}

// SearchListsPage is one page of what q selects and how many it selects
// in all, for the public search's pages.
func (s *Server) SearchListsPage(ctx context.Context, q catalog.Query) ([]catalog.Item, int, error) {
	cat, err := s.lists(ctx)
	if err != nil {
		return nil, 0, err
	}
	n, err := cat.Count(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	items, err := cat.Search(ctx, q)
	return items, n, err
}

// close removes the search copy.
func (l *listSearch) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cat == nil {
		return nil
	}
	err := l.cat.Close()
	l.cat = nil
	if rerr := os.RemoveAll(l.dir); err == nil {
		err = rerr
	}
	return err
}
