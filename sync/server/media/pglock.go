package media

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
)

// pgLocker is tusd's Locker across platform instances that share one
// PostgreSQL database: a session-level advisory lock on a hash of the
// upload ID (pg_try_advisory_lock), held on a connection of its own for
// the whole request and given back at its end. PostgreSQL drops the lock by
// itself if the instance dies, so no lock outlives its holder; that is why
// it was chosen over a lease row (which needs clocks that agree) or the S3
// store's own conditional writes (which not every S3 gateway has).
//
// Within one instance tusd's memorylocker comes first: a request that
// finds the upload held by an older request of the same instance (a
// connection cut on the way, the client already back) asks that one to
// let go, as tusd's lockers do. Across instances nothing can ask: the
// newcomer polls until tusd's AcquireLockTimeout and is then answered
// 423 Locked; the client asks the offset again and resumes.
//
// The locks' connections come from a pool of their own (opened from the
// database's DSN), bounded by maxLockConns: a PATCH that holds a lock and
// then needs the database (to file its receipt) never waits for a
// connection that another PATCH's lock holds.
type pgLocker struct {
	pool  *sql.DB
	local *memorylocker.MemoryLocker
	poll  time.Duration
}

// maxLockConns bounds the uploads one instance writes at once on
// PostgreSQL; one more waits for AcquireLockTimeout, then is told 423.
const maxLockConns = 32

func newPGLocker(dsn string) (*pgLocker, error) {
	if dsn == "" {
		return nil, errors.New("upload locks: the PostgreSQL database's URL is not known")
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("upload locks: %w", err)
	}
	pool.SetMaxOpenConns(maxLockConns)
	pool.SetMaxIdleConns(4)
	pool.SetConnMaxIdleTime(time.Minute)
	return &pgLocker{pool: pool, local: memorylocker.New(), poll: 100 * time.Millisecond}, nil
}

func (l *pgLocker) UseIn(c *tusd.StoreComposer) { c.UseLocker(l) }

func (l *pgLocker) close() error { return l.pool.Close() }

// lockKey is the advisory lock's key for an upload: the first 8 bytes of a
// SHA-256 of a name only uploads use, so no other advisory lock of the
// platform (sqldb's hashtext ones) is likely to meet it.
func lockKey(id string) int64 {
	sum := sha256.Sum256([]byte("sanxiang-upload:" + id))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

func (l *pgLocker) NewLock(id string) (tusd.Lock, error) {
	local, err := l.local.NewLock(id)
	if err != nil {
		return nil, err
	}
	return &pgLock{l: l, id: id, local: local}, nil
}

type pgLock struct {
	l     *pgLocker
	id    string
	local tusd.Lock
	conn  *sql.Conn
}

// errLocked answers a request for an upload another request writes:
// 423 Locked, as tus has it (tusd's own lock timeout answers 500, which a
// client takes for the platform in trouble).
func errLocked(id string) error {
	return problem(http.StatusLocked, "upload_locked", "platform.upload_locked", "upload "+id+" is being written by another request")
}

func (k *pgLock) Lock(ctx context.Context, requestRelease func()) error {
	if err := k.local.Lock(ctx, requestRelease); err != nil {
		if errors.Is(err, tusd.ErrLockTimeout) {
			return errLocked(k.id)
		}
		return err
	}
	conn, err := k.l.pool.Conn(ctx)
	if err != nil {
		k.local.Unlock()
		if ctx.Err() != nil {
			return errLocked(k.id)
		}
		return fmt.Errorf("lock upload %s: %w", k.id, err)
	}
	for {
		var ok bool
		err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(k.id)).Scan(&ok)
		if err == nil && ok {
			k.conn = conn
			return nil
		}
		if err != nil && ctx.Err() == nil {
			discard(conn)
			k.local.Unlock()
			return fmt.Errorf("lock upload %s: %w", k.id, err)
		}
		select {
		case <-ctx.Done():
			// The query may have been cut half way: whether it took the
			// lock is unknown, so the session goes (and any lock with it).
			if err != nil {
				discard(conn)
			} else {
				conn.Close()
			}
			k.local.Unlock()
			return errLocked(k.id)
		case <-time.After(k.l.poll):
		}
	}
}

func (k *pgLock) Unlock() error {
	defer k.local.Unlock()
	if k.conn == nil {
		return nil
	}
	conn := k.conn
	k.conn = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var released bool
	err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(k.id)).Scan(&released)
	if err != nil || !released {
		// A connection that may still hold the lock must not go back to
		// the pool: closing the session releases it.
		discard(conn)
		if err == nil {
			err = errors.New("the lock was not held")
		}
		return fmt.Errorf("unlock upload %s: %w", k.id, err)
	}
	return conn.Close()
}

// discard closes conn's session instead of giving it back to the pool.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}
