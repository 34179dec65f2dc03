// Package sqldb is the platform's storage: one SQLite file for a single
// instance, or PostgreSQL for a city, where several instances share it.
// Queries are written once with ? placeholders and rewritten to $n for
// PostgreSQL; where the two differ (schema, locking, LIKE) the difference
// lives here, and so do both schemas' migrations.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/sanxiang-desk/sanxiang/app/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

var migrations, _ = fs.Sub(migrationFiles, "migrations")

//go:embed migrations_pg/*.sql
var pgMigrationFiles embed.FS

var pgMigrations, _ = fs.Sub(pgMigrationFiles, "migrations_pg")

// DB is the platform's database with its dialect.
type DB struct {
	*sql.DB
	Dialect
	// DSN is the PostgreSQL URL the database was opened with (empty for
	// SQLite): what must hold sessions of its own for long (the upload
	// locks of package media) opens its own pool with it, so that it
	// never starves the queries.
	DSN string
}

// Dialect is what differs between SQLite and PostgreSQL in a query's text.
type Dialect struct{ PG bool }

// Q rewrites a query written with ? for the dialect.
func (d Dialect) Q(query string) string {
	if d.PG {
		return rebind(query)
	}
	return query
}

// Like is the case-insensitive LIKE of the dialect.
func (d Dialect) Like() string {
	if d.PG {
		return "ILIKE"
	}
	return "LIKE"
}

// MaxConns is how many PostgreSQL connections one platform instance opens
// at most: several instances share one server, whose max_connections
// (100 by default) bounds them all.
const MaxConns = 32

// IsPostgres says whether a --db value names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating and migrating if needed) the database dsn names: a
// PostgreSQL URL, or else the path of a SQLite file.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if !IsPostgres(dsn) {
		s, err := store.Open(ctx, dsn, store.Options{Durability: store.Evidence, Migrations: migrations})
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		return &DB{DB: s.DB}, nil
	}
	sdb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	sdb.SetMaxOpenConns(MaxConns)
	sdb.SetMaxIdleConns(8)
	d := &DB{DB: sdb, Dialect: Dialect{PG: true}, DSN: dsn}
	if err := d.migratePG(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("migrate PostgreSQL: %w", err)
	}
	return d, nil
}

// rebind turns ? placeholders into $1, $2, … outside string literals.
func rebind(q string) string {
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range q {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.Q(query), args...)
}

func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.Q(query), args...)
}

func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.Q(query), args...)
}

// Tx is a transaction with the same placeholder rewriting.
type Tx struct {
	*sql.Tx
	Dialect
}

func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.Q(query), args...)
}

func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.Q(query), args...)
}

func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.Q(query), args...)
}

// Lock serialises transactions that name the same key until commit. SQLite
// needs nothing: every transaction there takes the write lock at BEGIN. On
// PostgreSQL it is a transaction-scoped advisory lock, which is what keeps
// the catalog's cursor in commit order and one device's pushes one at a
// time across every platform instance.
func (t *Tx) Lock(ctx context.Context, key string) error {
	if !t.PG {
		return nil
	}
	if _, err := t.Tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, key); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// Tx runs fn in a transaction, committing if it returns nil.
func (d *DB) Tx(ctx context.Context, fn func(*Tx) error) error {
	t, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{Tx: t, Dialect: d.Dialect}); err != nil {
		t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUnique says whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE") || strings.Contains(m, "SQLSTATE 23505")
}

// migratePG applies the PostgreSQL migrations not yet applied, each in its
// own transaction, under an advisory lock so that instances starting
// together migrate once.
func (d *DB) migratePG(ctx context.Context) error {
	names, err := fs.Glob(pgMigrations, "*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	return d.Tx(ctx, func(t *Tx) error {
		if err := t.Lock(ctx, "sanxiang-migrate"); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("schema_version: %w", err)
		}
		var have int
		if err := t.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		if have > len(names) {
			return fmt.Errorf("%w: schema version %d, this program knows %d", store.ErrTooNew, have, len(names))
		}
		for i, name := range names {
			num, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
			if err != nil || num != i+1 {
				return errors.New("migration " + name + " is misnumbered")
			}
			if num <= have {
				continue
			}
			body, err := fs.ReadFile(pgMigrations, name)
			if err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if _, err := t.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, num); err != nil {
				return fmt.Errorf("migration %s: record version: %w", name, err)
			}
		}
		return nil
	})
}

// insertChunk is how many rows one INSERT of InsertRows carries: well
// under both dialects' limits on parameters (SQLite 32,766, PostgreSQL
// 65,535) for the widest row the platform writes this way.
const insertChunk = 500

// InsertRows inserts rows into table's columns cols with one statement a
// chunk of rows, where a statement a row costs a round trip (and, on
// PostgreSQL, a trip through the server's parser and executor) each: a
// push of 20 records and their 40 tree hashes is 2 statements, not 60.
func (t *Tx) InsertRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), insertChunk)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if len(r) != len(cols) {
				return fmt.Errorf("insert into %s: row %d has %d values for %d columns", table, i, len(r), len(cols))
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(one)
			args = append(args, r...)
		}
		if _, err := t.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}
