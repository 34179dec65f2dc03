package server

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

//go:embed migrations_pg/*.sql
var pgMigrationFiles embed.FS

var pgMigrations, _ = fs.Sub(pgMigrationFiles, "migrations_pg")

// db is the platform's storage: one SQLite file for a single instance, or
// PostgreSQL for a city, where several instances share it. Queries are
// written once with ? placeholders and rewritten to $n for PostgreSQL;
// where the two differ (schema, locking) the difference lives here.
type db struct {
	*sql.DB
	dialect
}

// dialect is what differs between SQLite and PostgreSQL in a query's text.
type dialect struct{ pg bool }

// q rewrites a query written with ? for the dialect.
func (d dialect) q(query string) string {
	if d.pg {
		return rebind(query)
	}
	return query
}

// like is the case-insensitive LIKE of the dialect.
func (d dialect) like() string {
	if d.pg {
		return "ILIKE"
	}
	return "LIKE"
}

// IsPostgres says whether a --db value names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openDB(ctx context.Context, dsn string) (*db, error) {
	if !IsPostgres(dsn) {
		s, err := store.Open(ctx, dsn, store.Options{Durability: store.Evidence, Migrations: migrations})
		if err != nil {
			return nil, err
		}
		return &db{DB: s.DB}, nil
	}
	sdb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(32)
	sdb.SetMaxIdleConns(8)
	d := &db{DB: sdb, dialect: dialect{pg: true}}
	if err := d.migratePG(ctx); err != nil {
		sdb.Close()
		return nil, err
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

func (d *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.q(query), args...)
}

func (d *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.q(query), args...)
}

func (d *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.q(query), args...)
}

// dbTx is a transaction with the same placeholder rewriting.
type dbTx struct {
	*sql.Tx
	dialect
}

func (t *dbTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.q(query), args...)
}

func (t *dbTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.q(query), args...)
}

func (t *dbTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.q(query), args...)
}

// lock serialises transactions that name the same key until commit. SQLite
// needs nothing: every transaction there takes the write lock at BEGIN. On
// PostgreSQL it is a transaction-scoped advisory lock, which is what keeps
// the catalog's cursor in commit order and one device's pushes one at a
// time across every platform instance.
func (t *dbTx) lock(ctx context.Context, key string) error {
	if !t.pg {
		return nil
	}
	_, err := t.Tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, key)
	return err
}

// Tx runs fn in a transaction, committing if it returns nil.
func (d *db) Tx(ctx context.Context, fn func(*dbTx) error) error {
	t, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&dbTx{Tx: t, dialect: d.dialect}); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}

// isUnique says whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE") || strings.Contains(m, "SQLSTATE 23505")
}

// migratePG applies the PostgreSQL migrations not yet applied, each in its
// own transaction, under an advisory lock so that instances starting
// together migrate once.
func (d *db) migratePG(ctx context.Context) error {
	names, err := fs.Glob(pgMigrations, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	return d.Tx(ctx, func(t *dbTx) error {
		if err := t.lock(ctx, "sanxiang-migrate"); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var have int
		if err := t.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
			return err
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
				return err
			}
			if _, err := t.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, num); err != nil {
				return err
			}
		}
		return nil
	})
}
