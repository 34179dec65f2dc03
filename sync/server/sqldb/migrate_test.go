package sqldb

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sanxiang-desk/sanxiang/app/store"
)

// A platform database from before migration 0009 keeps the cases its
// review_cases table said were submitted for review: they are in the
// review queue after the upgrade.
func TestSubmittedCasesSurviveTheMerge(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "platform.db")
	old := openBefore(t, path, "0009")
	for _, q := range []string{
		`INSERT INTO cases (device, case_id, agency, act, opened, last_seq) VALUES ('D1', 'C1', '01', 'penalty', '2026-03-02T02:00:00Z', 7)`,
		`INSERT INTO cases (device, case_id, agency, act, opened, last_seq) VALUES ('D1', 'C2', '01', 'penalty', '2026-03-03T02:00:00Z', 9)`,
		`INSERT INTO review_cases (device, case_id, agency, last_seq) VALUES ('D1', 'C2', '01', 9)`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.QueryContext(ctx, `SELECT case_id FROM cases WHERE submitted = 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		got = append(got, id)
	}
	rows.Close()
	if strings.Join(got, ",") != "C2" {
		t.Fatalf("submitted after the upgrade: %v, want C2", got)
	}
	if _, err := s.ExecContext(ctx, `SELECT 1 FROM review_cases`); err == nil {
		t.Fatal("review_cases is still there")
	}
}

// openBefore makes a platform database at path with the migrations
// numbered before upto only, as an older platform left it.
func openBefore(t *testing.T, path, upto string) *store.DB {
	t.Helper()
	before := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() < upto {
			data, err := fs.ReadFile(migrations, e.Name())
			if err != nil {
				t.Fatal(err)
			}
			before[e.Name()] = &fstest.MapFile{Data: data}
		}
	}
	old, err := store.Open(context.Background(), path, store.Options{Durability: store.Evidence, Migrations: before})
	if err != nil {
		t.Fatal(err)
	}
	return old
}
