package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var twoSteps = fstest.MapFS{
	"0001_people.sql": {Data: []byte(`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;`)},
	"0002_pets.sql": {Data: []byte(`CREATE TABLE pets (id INTEGER PRIMARY KEY,
		owner INTEGER NOT NULL REFERENCES people(id), name TEXT NOT NULL) STRICT;`)},
}

func open(t *testing.T, path string, o Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func pragma(t *testing.T, db *DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	for _, tc := range []struct {
		d    Durability
		sync string
		// secure_delete and temp_store=MEMORY on evidence only
		secure, temp string
	}{{Cache, "1", "0", "0"}, {Evidence, "2", "1", "2"}} {
		db := open(t, filepath.Join(t.TempDir(), "x.db"), Options{Durability: tc.d, Migrations: twoSteps})
		db.SetMaxOpenConns(3)
		// Hold two connections so the third query runs on a fresh one.
		c1, _ := db.Conn(context.Background())
		c2, _ := db.Conn(context.Background())
		for name, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": tc.sync,
			"secure_delete": tc.secure, "temp_store": tc.temp,
		} {
			if got := pragma(t, db, name); got != want {
				t.Errorf("durability %d: PRAGMA %s = %s, want %s", tc.d, name, got, want)
			}
		}
		c1.Close()
		c2.Close()
	}
}

func TestMigrationsApplyOnceInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db := open(t, path, Options{Migrations: twoSteps})
	if v, _ := db.Version(context.Background()); v != 2 {
		t.Fatalf("version = %d, want 2", v)
	}
	if _, err := db.Exec(`INSERT INTO people VALUES (1, '张三')`); err != nil {
		t.Fatal(err)
	}
	// foreign keys are enforced
	if _, err := db.Exec(`INSERT INTO pets VALUES (1, 99, 'x')`); err == nil {
		t.Fatal("insert with a missing owner succeeded; foreign_keys is off")
	}
	db.Close()

	// Reopening applies nothing again and keeps the data.
	db = open(t, path, Options{Migrations: twoSteps})
	var name string
	if err := db.QueryRow(`SELECT name FROM people WHERE id = 1`).Scan(&name); err != nil || name != "张三" {
		t.Fatalf("after reopen: %q, %v", name, err)
	}

	// A third migration is applied to an existing file.
	three := fstest.MapFS{"0003_vets.sql": {Data: []byte(`CREATE TABLE vets (id INTEGER PRIMARY KEY) STRICT;`)}}
	for k, v := range twoSteps {
		three[k] = v
	}
	db.Close()
	db = open(t, path, Options{Migrations: three})
	if v, _ := db.Version(context.Background()); v != 3 {
		t.Fatalf("version = %d, want 3", v)
	}
}

func TestFailedMigrationLeavesWholeVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.db")
	bad := fstest.MapFS{
		"0001_ok.sql":  twoSteps["0001_people.sql"],
		"0002_bad.sql": {Data: []byte(`CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);`)},
	}
	_, err := Open(context.Background(), path, Options{Migrations: bad})
	if err == nil || !strings.Contains(err.Error(), "0002_bad.sql") {
		t.Fatalf("err = %v, want a failure naming 0002_bad.sql", err)
	}
	db := open(t, path, Options{Migrations: fstest.MapFS{"0001_ok.sql": twoSteps["0001_people.sql"]}})
	if v, _ := db.Version(context.Background()); v != 1 {
		t.Fatalf("version = %d, want 1", v)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n)
	if n != 0 {
		t.Fatal("table from the failed migration was left behind")
	}
}

func TestMigrationNumbering(t *testing.T) {
	for name, m := range map[string]fstest.MapFS{
		"gap":      {"0001_a.sql": {Data: []byte("SELECT 1;")}, "0003_c.sql": {Data: []byte("SELECT 1;")}},
		"badname":  {"1_a.sql": {Data: []byte("SELECT 1;")}},
		"repeated": {"0001_a.sql": {Data: []byte("SELECT 1;")}, "0001_b.sql": {Data: []byte("SELECT 1;")}},
	} {
		if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "n.db"), Options{Migrations: m}); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	open(t, path, Options{Migrations: twoSteps}).Close()
	one := fstest.MapFS{"0001_people.sql": twoSteps["0001_people.sql"]}
	_, err := Open(context.Background(), path, Options{Migrations: one})
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("err = %v, want ErrTooNew", err)
	}
}

func TestDamagedFilesAreRefused(t *testing.T) {
	dir := t.TempDir()

	notDB := filepath.Join(dir, "notdb.db")
	os.WriteFile(notDB, []byte(strings.Repeat("this is not a database ", 400)), 0o600)
	if _, err := Open(context.Background(), notDB, Options{Migrations: twoSteps}); !errors.Is(err, ErrDamaged) {
		t.Errorf("text file: err = %v, want ErrDamaged", err)
	}

	torn := filepath.Join(dir, "torn.db")
	db := open(t, torn, Options{Migrations: twoSteps})
	for i := range 2000 {
		if _, err := db.Exec(`INSERT INTO people (name) VALUES (?)`, strings.Repeat("名", i%50+1)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	f, err := os.OpenFile(torn, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	if st.Size() < 8*4096 {
		t.Fatalf("test database too small to damage: %d bytes", st.Size())
	}
	// Overwrite the middle of a few b-tree pages, as a torn write would.
	for _, page := range []int64{3, 5, 7} {
		f.WriteAt([]byte(strings.Repeat("\xff\x00", 600)), page*4096+100)
	}
	f.Close()
	_, err = Open(context.Background(), torn, Options{Migrations: twoSteps})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("torn pages: err = %v, want ErrDamaged", err)
	}
}

func TestReadOnlyDoesNotCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.db")
	if _, err := Open(context.Background(), path, Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a missing file succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("read-only open created the file")
	}
}

// TestPrepared runs one INSERT many times and a second query in a
// transaction through Prepared: each is prepared once, the rows are all
// there after the commit, a bad query fails with SQLite's error, and a
// failed transaction leaves nothing.
func TestPrepared(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "p.db"), Options{Migrations: twoSteps})
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		p := Prepare(tx)
		for i := range 100 {
			if _, err := p.ExecContext(ctx, `INSERT INTO people (id, name) VALUES (?, ?)`, i, fmt.Sprint("p", i)); err != nil {
				return err
			}
		}
		if _, err := p.ExecContext(ctx, `INSERT INTO pets (owner, name) VALUES (?, ?)`, 7, "猫"); err != nil {
			return err
		}
		if len(p.stmts) != 2 {
			t.Errorf("%d statements prepared for 2 queries", len(p.stmts))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var people, pets int
	db.QueryRow(`SELECT count(*), (SELECT count(*) FROM pets) FROM people`).Scan(&people, &pets)
	if people != 100 || pets != 1 {
		t.Fatalf("%d people, %d pets after the commit", people, pets)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		p := Prepare(tx)
		if _, err := p.ExecContext(ctx, `INSERT INTO people (id, name) VALUES (?, ?)`, 500, "x"); err != nil {
			return err
		}
		_, err := p.ExecContext(ctx, `INSERT INTO nowhere VALUES (1)`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("a bad query gave %v", err)
	}
	db.QueryRow(`SELECT count(*) FROM people`).Scan(&people)
	if people != 100 {
		t.Fatalf("a failed transaction left %d people", people)
	}
}

// Scrub empties the WAL: a secret written and deleted is in neither the
// WAL nor the database file afterwards. While a reader holds a snapshot,
// Scrub fails after its retries; once it lets go, Scrub succeeds.
func TestScrubTruncatesTheWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	db := open(t, path, Options{Durability: Evidence, Migrations: twoSteps})
	secret := "SECRET-WRAP-0123456789abcdef"
	if _, err := db.Exec(`INSERT INTO people (id, name) VALUES (1, ?)`, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO people (id, name) VALUES (2, 'kept')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Scrub(ctx); err != nil { // the row is now in the main file
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM people WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if wal, _ := os.ReadFile(path + "-wal"); len(wal) == 0 {
		t.Fatal("the delete left nothing in the WAL: the test proves nothing")
	}
	if err := db.Scrub(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() != 0 {
		t.Fatalf("WAL after Scrub: %v, %v", st, err)
	}
	main, _ := os.ReadFile(path)
	if strings.Contains(string(main), secret) {
		t.Fatal("the deleted secret is still in the database file")
	}
	if !strings.Contains(string(main), "kept") {
		t.Fatal("the scan does not see what is there")
	}

	// A reader in a transaction keeps its snapshot: TRUNCATE reports busy.
	if _, err := db.Exec(`INSERT INTO people (id, name) VALUES (3, 'x')`); err != nil {
		t.Fatal(err)
	}
	reader, err := sql.Open("sqlite", DSN(path, Options{Durability: Evidence, ReadOnly: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	rtx, err := reader.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT count(*) FROM people`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO people (id, name) VALUES (4, 'y')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Scrub(ctx); err == nil {
		t.Fatal("Scrub succeeded while a reader held the WAL")
	}
	rtx.Rollback()
	if err := db.Scrub(ctx); err != nil {
		t.Fatal(err)
	}
}
