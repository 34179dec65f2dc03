package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// seenEvery is how often an instance writes when its devices were last
// seen: last_seen is for people (the devices' sync status), and a minute
// late is on time for them.
const seenEvery = 30 * time.Second

// lastSeen keeps when each device was last seen in memory and writes them
// all in one transaction every seenEvery, at Close, and before the
// devices are listed. Written on every call, it was a commit of its own
// in front of a push whenever a device came back after a minute — at the
// start of a city's day, one for nearly every push.
type lastSeen struct {
	db      *sqldb.DB
	log     *slog.Logger
	mu      sync.Mutex
	pending map[string]time.Time
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func newLastSeen(db *sqldb.DB, log *slog.Logger) *lastSeen {
	l := &lastSeen{db: db, log: log, pending: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

// saw notes that device called at at.
func (l *lastSeen) saw(device string, at time.Time) {
	l.mu.Lock()
	if at.After(l.pending[device]) {
		l.pending[device] = at
	}
	l.mu.Unlock()
}

// flush writes what was seen since the last flush; what fails to be
// written is kept for the next.
func (l *lastSeen) flush(ctx context.Context) error {
	l.mu.Lock()
	batch := l.pending
	l.pending = map[string]time.Time{}
	l.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := l.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for id, at := range batch {
			// Another instance may have written a later time.
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET last_seen = ? WHERE id = ? AND last_seen < ?`,
				at.UTC().Format(time.RFC3339), id, at.UTC().Format(time.RFC3339)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for id, at := range batch {
			l.saw(id, at)
		}
		return fmt.Errorf("write when %d devices were last seen: %w", len(batch), err)
	}
	return nil
}

func (l *lastSeen) run() {
	defer close(l.done)
	t := time.NewTicker(seenEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if err := l.flush(context.Background()); err != nil {
				l.log.Warn("last seen of devices not kept (tried again later)", "err", err)
			}
		}
	}
}

// close stops the flushing and writes what is pending (once: a server
// may be closed twice).
func (l *lastSeen) close() error {
	l.once.Do(func() { close(l.stop) })
	<-l.done
	return l.flush(context.Background())
}
