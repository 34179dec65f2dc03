// Package store opens the application's SQLite databases with the pragmas
// every mode relies on and brings their schema up to date from numbered,
// embedded migrations.
//
// It knows nothing of what the databases hold: each domain package (catalog,
// casefile, …) owns its migrations and passes them in. It never imports Fyne.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Durability says how hard a commit must try to reach the disk.
type Durability int

const (
	// Cache is for data that can be pulled again (a kiosk's catalog): WAL with
	// synchronous=NORMAL keeps the file consistent across power loss but may
	// lose the last commits.
	Cache Durability = iota
	// Evidence is for records that exist nowhere else yet: WAL with
	// synchronous=FULL survives power loss once a commit returns.
	Evidence
)

// ErrDamaged is returned when a database file fails its integrity check or is
// not a database at all. Callers show it to the person and must not write.
var ErrDamaged = errors.New("database is damaged")

// ErrTooNew is returned when a database was written by a newer program whose
// migrations this binary does not know.
var ErrTooNew = errors.New("database is newer than this program")

// Options say how to open one database.
type Options struct {
	Durability Durability
	// Migrations holds files named NNNN_description.sql, applied in order of
	// their number, each in its own transaction. Numbers start at 1 and have
	// no gaps.
	Migrations fs.FS
	// ReadOnly opens the file without creating or migrating it.
	ReadOnly bool
}

// DB is an open database. It embeds *sql.DB; every transaction it begins
// takes the write lock at once (_txlock=immediate), so two writers never
// deadlock upgrading a read lock.
type DB struct {
	*sql.DB
	Path string
}

// DSN builds the modernc.org/sqlite connection string for path.
func DSN(path string, o Options) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	if !o.ReadOnly {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	if o.Durability == Evidence {
		q.Add("_pragma", "synchronous(FULL)")
		// Deleted rows (a wrap removed, a plaintext row replaced) are
		// zeroed in the file, and temporary tables and sort spills stay in
		// memory rather than in unsealed files under TMPDIR.
		q.Add("_pragma", "secure_delete(1)")
		q.Add("_pragma", "temp_store(2)")
	} else {
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Set("_txlock", "immediate")
	if o.ReadOnly {
		q.Set("mode", "ro")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, checks its integrity
// and applies any migrations it has not seen yet.
func Open(ctx context.Context, path string, o Options) (*DB, error) {
	if !o.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sqldb, err := sql.Open("sqlite", DSN(path, o))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{DB: sqldb, Path: path}
	if err := db.check(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	if o.Migrations != nil && !o.ReadOnly {
		if err := db.migrate(ctx, o.Migrations); err != nil {
			sqldb.Close()
			return nil, err
		}
	}
	return db, nil
}

// check runs PRAGMA quick_check, which reads every page and catches torn or
// overwritten pages in seconds even on large files. A file that is not a
// database at all fails before the check can run; both are ErrDamaged.
func (db *DB) check(ctx context.Context) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		if isCorrupt(err) {
			return fmt.Errorf("%w: %s: %v", ErrDamaged, db.Path, err)
		}
		return fmt.Errorf("check %s: %w", db.Path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("check %s: %w", db.Path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		if isCorrupt(err) {
			return fmt.Errorf("%w: %s: %v", ErrDamaged, db.Path, err)
		}
		return fmt.Errorf("check %s: %w", db.Path, err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("… %d more", len(problems)-5))
		}
		return fmt.Errorf("%w: %s: %s", ErrDamaged, db.Path, strings.Join(problems, "; "))
	}
	return nil
}

func isCorrupt(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_CORRUPT") || strings.Contains(msg, "SQLITE_NOTADB") ||
		strings.Contains(msg, "malformed") || strings.Contains(msg, "not a database")
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

type migration struct {
	version int
	name    string
}

func listMigrations(migrations fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var list []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		list = append(list, migration{version: v, name: e.Name()})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	for i, m := range list {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want number %04d (numbers start at 1 with no gaps or repeats)", m.name, i+1)
		}
	}
	return list, nil
}

// Version reports the schema version recorded in the file.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", db.Path, err)
	}
	return v, nil
}

// migrate applies each migration newer than the file's user_version in its
// own immediate transaction, so a crash leaves the file at a whole version.
func (db *DB) migrate(ctx context.Context, migrations fs.FS) error {
	list, err := listMigrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	current, err := db.Version(ctx)
	if err != nil { // Version names the operation and the file
		return err
	}
	if current > len(list) {
		return fmt.Errorf("%w: %s is at schema %d, this program knows %d", ErrTooNew, db.Path, current, len(list))
	}
	for _, m := range list[current:] {
		body, err := fs.ReadFile(migrations, m.name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		// PRAGMA takes no bound parameters; the version is an int we made.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// Tx runs fn in one immediate transaction, committing when fn returns nil.
// fn's own error comes back as it is: the caller knows what fn was doing.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction on %s: %w", db.Path, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction on %s: %w", db.Path, err)
	}
	return nil
}

// Prepared runs statements in one transaction, preparing each query the
// first time it runs and reusing it after. The driver keeps no statement
// cache, so a transaction that runs the same INSERT for every row of a
// page otherwise parses it every time (a fifth of a catalog pull's CPU).
// The statements close with the transaction.
type Prepared struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// Prepare starts a Prepared on tx.
func Prepare(tx *sql.Tx) *Prepared { return &Prepared{tx: tx, stmts: map[string]*sql.Stmt{}} }

// ExecContext runs query with args, prepared once.
func (p *Prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ok := p.stmts[query]
	if !ok {
		var err error
		if st, err = p.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		p.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

// scrubTries, scrubBusy and scrubWait bound how long Scrub waits for
// readers that block the WAL's truncation: each try waits scrubBusy in
// SQLite's busy handler, then scrubWait between tries (about 2.5 s in all).
const (
	scrubTries = 10
	scrubBusy  = 200 // ms
	scrubWait  = 50 * time.Millisecond
)

// Scrub checkpoints the whole WAL into the database and truncates it to
// zero bytes (PRAGMA wal_checkpoint(TRUNCATE)), so that frames holding
// deleted or replaced data (a plaintext row, a removed key wrap) no longer
// sit in the -wal file. With secure_delete on, the pages they came from
// are zeroed in the database itself. A reader holding an old snapshot
// blocks the truncation: Scrub retries briefly and then fails.
func (db *DB) Scrub(ctx context.Context) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("scrub %s: %w", db.Path, err)
	}
	defer conn.Close()
	// A short busy timeout on this connection while it tries, so the
	// retries, not the 5 s of the DSN, bound the wait; restored after.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", scrubBusy)); err != nil {
		return fmt.Errorf("scrub %s: %w", db.Path, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = 5000")
	var busy, logFrames, checkpointed int
	for try := 0; ; try++ {
		err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
		if err != nil {
			return fmt.Errorf("scrub %s: %w", db.Path, err)
		}
		if busy == 0 {
			return nil
		}
		if try+1 >= scrubTries {
			return fmt.Errorf("scrub %s: the WAL is still in use by a reader after %d tries (%d of %d frames checkpointed)", db.Path, scrubTries, checkpointed, logFrames)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("scrub %s: %w", db.Path, ctx.Err())
		case <-time.After(scrubWait):
		}
	}
}
