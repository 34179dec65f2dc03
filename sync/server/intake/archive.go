package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// archiveFlag is a run of one archived case's records that arrived after
// its archive record: the device's rules refuse them, so they were written
// around them. They are kept — the log is signed, and history is history —
// counted on the case and raised as an alert.
type archiveFlag struct {
	caseID, archivedAt string
	first, last, n     int64
}

// indexArchives keeps the case index's archive marks as records arrive,
// inside the push's transaction (after indexCases): a case.archive record
// marks its case archived, with its time and retention period; any record
// of a case already archived, a second archive record included, is
// counted on the case and flagged.
func indexArchives(ctx context.Context, tx *dbTx, device string, arrived []casefile.Record) (_ []archiveFlag, err error) {
	defer wrap.Err(&err, "index archives of %s", device)
	archivedAt := map[string]string{} // by case, as the index says before each record
	flagged := map[string]*archiveFlag{}
	var order []string
	for _, r := range arrived {
		if r.Case == "" {
			continue
		}
		at, seen := archivedAt[r.Case]
		if !seen {
			err := tx.QueryRowContext(ctx, `SELECT archived_at FROM cases WHERE device = ? AND case_id = ?`, device, r.Case).Scan(&at)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			archivedAt[r.Case] = at
		}
		switch {
		case at != "":
			f := flagged[r.Case]
			if f == nil {
				f = &archiveFlag{caseID: r.Case, archivedAt: at, first: r.Seq}
				flagged[r.Case] = f
				order = append(order, r.Case)
			}
			f.last, f.n = r.Seq, f.n+1
		case r.Kind == casefile.KindArchive:
			var a casefile.Archive
			json.Unmarshal(r.Body, &a) // a body that does not read still archives the case
			at = r.At.UTC().Format(time.RFC3339)
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET archived_at = ?, retention = ?, archive_seq = ? WHERE device = ? AND case_id = ?`,
				at, a.Retention, r.Seq, device, r.Case); err != nil {
				return nil, err
			}
			archivedAt[r.Case] = at
		}
	}
	out := make([]archiveFlag, 0, len(order))
	for _, id := range order {
		f := flagged[id]
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET after_archive = after_archive + ? WHERE device = ? AND case_id = ?`,
			f.n, device, id); err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, nil
}

// alertArchive raises a push's records of archived cases as alerts, one a
// case.
func (s *Intake) alertArchive(ctx context.Context, device string, flags []archiveFlag) {
	for _, f := range flags {
		s.Alert(ctx, device, "after_archive", words.L("platform.alert.after_archive", map[string]any{
			"Case": f.caseID, "ArchivedAt": f.archivedAt, "First": f.first, "Last": f.last}))
	}
}
