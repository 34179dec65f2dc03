package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

// listSearch is the platform's copy of the public lists in the kiosk's own
// search index (app/catalog: text, full pinyin, initials, certificate
// numbers; ranked), so that the public pages behind every QR code search
// as well as a kiosk. It follows the platform's change feed exactly as a
// kiosk does, catching up before each search: every instance of a
// platform sharing one database keeps its own copy current, and an
// import, an edit or a withdrawal is found (or gone) at the next search.
// The copy lives in a temporary folder and can be rebuilt at any time;
// the folder holds an owner lock (searchOwner) for as long as the copy is
// open, so that a copy left by a platform that crashed — whose lock the
// kernel dropped — is swept by the next one (sweepSearchCopies).
type listSearch struct {
	mu     sync.Mutex // guards the fields and one catch-up at a time
	dir    string
	owner  *os.File // the folder's owner lock, held while the copy is open
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
		s.sweepSearchCopies()
		dir, err := os.MkdirTemp("", searchPrefix)
		if err != nil {
			return nil, fmt.Errorf("search copy of the lists: %w", err)
		}
		owner, err := os.OpenFile(filepath.Join(dir, searchOwner), os.O_RDWR|os.O_CREATE, 0o600)
		if err == nil {
			if err = lockFile(owner); err != nil {
				owner.Close()
			}
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("search copy of the lists: owner lock: %w", err)
		}
		cat, err := catalog.Open(ctx, filepath.Join(dir, "lists.db"))
		if err != nil {
			owner.Close()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("search copy of the lists: %w", err)
		}
		l.dir, l.owner, l.cat, l.cursor = dir, owner, cat, 0
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
	if l.owner != nil {
		l.owner.Close()
		l.owner = nil
	}
	if rerr := os.RemoveAll(l.dir); err == nil {
		err = rerr
	}
	return err
}

// Where search copies live: os.TempDir()/sanxiang-search-*/, each with
// its owner lock.
const (
	searchPrefix = "sanxiang-search-"
	searchOwner  = "owner.lock"
)

// searchUnowned is how old a copy without an owner lock must be before it
// is swept: a platform makes the lock right after the folder, so only a
// crash in between, or a build from before the lock, leaves such a folder.
const searchUnowned = time.Hour

// sweepSearchCopies removes the search copies that platforms which ended
// without closing (a crash, a kill) left in the temporary folder: those
// whose owner lock can be taken, since the kernel releases a lock when its
// process ends however it ends. A copy another live platform holds is
// left alone. What cannot be removed is logged, never fatal: the sweep is
// housekeeping, not a reason to refuse a search.
func (s *Server) sweepSearchCopies() {
	dirs, err := filepath.Glob(filepath.Join(os.TempDir(), searchPrefix+"*"))
	if err != nil {
		s.log.Warn("sweep search copies", "err", err)
		return
	}
	for _, dir := range dirs {
		if !searchCopyStale(dir, time.Now()) { // the files' own times, not the platform's clock
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			s.log.Warn("sweep a crashed platform's search copy", "dir", dir, "err", err)
		} else {
			s.log.Info("swept a crashed platform's search copy", "dir", dir)
		}
	}
}

// searchCopyStale: no live platform owns the copy in dir.
func searchCopyStale(dir string, now time.Time) bool {
	f, err := os.OpenFile(filepath.Join(dir, searchOwner), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		st, err := os.Stat(dir)
		return err == nil && st.IsDir() && now.Sub(st.ModTime()) > searchUnowned
	}
	if err != nil {
		return false
	}
	defer f.Close()
	return lockFile(f) == nil // released when f closes
}
