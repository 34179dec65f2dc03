package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/hall"
)

// Why a push is refused for a rating (好差评, issue 23): each its own
// code. A rating whose level or reasons break the rules (hall.Check) is
// refused as rating_level or rating_reason before anything is taken; a
// rating whose visit the platform holds already (the same record
// replayed at another place in the log, where its signature still
// verifies) as rating_replayed.
var errRatingReplayed = errors.New("a rating of a service the platform holds a rating of already")

// indexRatings takes in the ratings of a push, in its transaction, after
// checkSigs has found each signed by the staff member who served: one
// row each in ratings, with the staff member's agency now. A visit held
// already, in this push or before, is refused.
func indexRatings(ctx context.Context, tx *dbTx, device string, records []casefile.Record, pre *sigChecks) error {
	for i := range records {
		r := &records[i]
		if r.Kind != hall.KindWindowRating {
			continue
		}
		var b hall.RatingBody
		if err := json.Unmarshal(r.Body, &b); err != nil {
			return fmt.Errorf("%w: rating %d: %v", errNotHallRecord, r.Seq, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ratings WHERE visit = ?`, b.Visit).Scan(&n); err != nil {
			return fmt.Errorf("rating %d: %w", r.Seq, err)
		}
		if n > 0 {
			return fmt.Errorf("%w: record %d repeats visit %s", errRatingReplayed, r.Seq, b.Visit)
		}
		var agency string
		if p, err := pre.person(r.Author); err == nil {
			agency = p.Agency
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ratings (device, seq, visit, at, window_no, staff, agency, level, reasons, words, service, service_title)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			device, r.Seq, b.Visit, r.At.UTC().Format(time.RFC3339), b.Window, r.Author, agency, b.Level,
			strings.Join(b.Reasons, " "), b.Text, b.Service, b.ServiceTitle); err != nil {
			return fmt.Errorf("rating %d: %w", r.Seq, err)
		}
	}
	return nil
}
