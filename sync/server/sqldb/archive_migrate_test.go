package sqldb

import (
	"context"
	"path/filepath"
	"testing"
)

// A platform database from before migration 0021 keeps its cases, none of
// them archived, and takes the archive marks after the upgrade.
func TestCasesBeforeArchivesStayUnarchived(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "platform.db")
	old := openBefore(t, path, "0021")
	if _, err := old.ExecContext(ctx, `INSERT INTO cases (device, case_id, agency, act, opened, last_seq) VALUES ('D1', 'C1', '01', 'penalty', '2026-03-02T02:00:00Z', 7)`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var at, retention string
	var seq, after int64
	if err := s.QueryRowContext(ctx, `SELECT archived_at, retention, archive_seq, after_archive FROM cases WHERE case_id = 'C1'`).Scan(&at, &retention, &seq, &after); err != nil {
		t.Fatal(err)
	}
	if at != "" || retention != "" || seq != -1 || after != 0 {
		t.Fatalf("an old case after the upgrade: archived %q, retention %q, seq %d, after %d", at, retention, seq, after)
	}
	if _, err := s.ExecContext(ctx, `UPDATE cases SET archived_at = '2026-12-06T04:00:00Z', retention = '30', archive_seq = 9 WHERE case_id = 'C1'`); err != nil {
		t.Fatal(err)
	}
}
