package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// decodeRecords reads the records of a push (or a log) once, for the
// checks and the index that follow; one that does not decode is left out
// of them, as it names no case they could act on.
func decodeRecords(raw [][]byte) []casefile.Record {
	out := make([]casefile.Record, 0, len(raw))
	for _, data := range raw {
		var r casefile.Record
		if json.Unmarshal(data, &r) == nil {
			out = append(out, r)
		}
	}
	return out
}

// errCaseElsewhere refuses a push that writes into a case it does not hold.
var errCaseElsewhere = errors.New("the push writes into a case opened on another device")

// indexCases keeps the cases table as records arrive, inside the push's
// transaction: a case.open row gives the case's agency, act and opening
// time; the newest record of each case arrived moves its row on, with one
// statement a case, not one a record.
func indexCases(ctx context.Context, tx *sqldb.Tx, device string, arrived []casefile.Record) (err error) {
	defer wrap.Err(&err, "index cases of %s", device)
	type arrival struct {
		open      *casefile.Record
		last      int64
		submitted bool // for legal review
	}
	byCase := map[string]*arrival{}
	var order []string
	for _, r := range arrived {
		if r.Case == "" {
			continue
		}
		a := byCase[r.Case]
		if a == nil {
			a = &arrival{last: r.Seq}
			byCase[r.Case] = a
			order = append(order, r.Case)
		}
		a.last = max(a.last, r.Seq)
		if r.Kind == casefile.KindOpen && a.open == nil {
			a.open = &r
		}
		a.submitted = a.submitted || r.Kind == review.KindSubmit
	}
	for _, id := range order {
		a := byCase[id]
		if a.open != nil {
			var o casefile.Opening
			json.Unmarshal(a.open.Body, &o)
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (device, case_id, agency, act, opened, last_seq) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (device, case_id) DO NOTHING`, device, id, o.Agency, string(o.Act), a.open.At.UTC().Format(time.RFC3339), a.last); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET last_seq = ? WHERE device = ? AND case_id = ? AND last_seq < ?`,
			a.last, device, id, a.last); err != nil {
			return err
		}
		if a.submitted {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET submitted = 1 WHERE device = ? AND case_id = ?`, device, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfillCases fills an empty cases table from the logs a platform
// already holds (a database made before the table existed).
func (s *Intake) backfillCases(ctx context.Context) (err error) {
	defer wrap.Err(&err, "backfill the case index")
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM cases`).Scan(&n); err != nil || n > 0 {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT device, data FROM log_records ORDER BY device, seq`)
	if err != nil {
		return err
	}
	byDevice := map[string][][]byte{}
	var order []string
	for rows.Next() {
		var dev string
		var data []byte
		if err := rows.Scan(&dev, &data); err != nil {
			rows.Close()
			return err
		}
		if _, ok := byDevice[dev]; !ok {
			order = append(order, dev)
		}
		byDevice[dev] = append(byDevice[dev], data)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(order) == 0 {
		return err
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, dev := range order {
			if err := indexCases(ctx, tx, dev, decodeRecords(byDevice[dev])); err != nil {
				return err
			}
		}
		return nil
	})
}

// caseCache keeps the newest rebuilding of each case (by device and
// case id): a case read up to a record never changes, so it serves every
// reader that asks for the case up to that record.
type caseCache struct {
	mu sync.Mutex
	m  map[string]cachedCase
}

type cachedCase struct {
	seq int64
	c   *casefile.Case
}

const caseCacheMax = 20000

func (c *caseCache) get(key string, seq int64) *casefile.Case {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok && e.seq == seq {
		return e.c
	}
	return nil
}

func (c *caseCache) put(key string, seq int64, cs *casefile.Case) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= caseCacheMax {
		c.m = map[string]cachedCase{}
	}
	if e, ok := c.m[key]; !ok || e.seq <= seq {
		c.m[key] = cachedCase{seq, cs}
	}
}

// CaseAt is a case as it stood at record seq of the device's log (see
// caseAt). Callers must not change it.
func (s *Intake) CaseAt(ctx context.Context, device, id string, seq int64) (*casefile.Case, error) {
	return s.caseAt(ctx, device, id, seq)
}

// caseAt is a case as it stood at record seq of the device's log, rebuilt
// through its record chain or taken from the cache. Callers must not
// change it.
func (s *Intake) caseAt(ctx context.Context, device, id string, seq int64) (*casefile.Case, error) {
	key := device + "\x00" + id
	if c := s.cases.get(key, seq); c != nil {
		return c, nil
	}
	recs, err := s.caseRecords(ctx, device, seq)
	if err != nil {
		return nil, err
	}
	c, err := casefile.CaseOf(id, recs)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBrokenChain, err)
	}
	s.cases.put(key, seq, c)
	return c, nil
}

// errBrokenChain: a case's records as pushed cannot be followed (one
// missing or unreadable, a link forward); no retry mends it.
var errBrokenChain = errors.New("the case's record chain is broken")

// caseRecords reads one case's records up to seq by following each
// record's link to the case's previous one, across the devices that held
// it (a takeover links to the handover it answers), so a check costs the
// case's length, not the device log's. Records of other devices than
// device have their Device set.
func (s *Intake) caseRecords(ctx context.Context, device string, seq int64) ([]casefile.Record, error) {
	get := func(ref ledger.RecordRef) (casefile.Record, error) {
		var r casefile.Record
		dev := ref.Device
		if dev == "" {
			dev = device
		}
		var data []byte
		err := s.db.QueryRowContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq = ?`, dev, ref.Seq).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("%w: record %s #%d missing", errBrokenChain, dev, ref.Seq)
		}
		if err != nil {
			return r, fmt.Errorf("record %s #%d: %w", dev, ref.Seq, err)
		}
		if err := json.Unmarshal(data, &r); err != nil {
			return r, fmt.Errorf("%w: record %s #%d: %v", errBrokenChain, dev, ref.Seq, err)
		}
		r.Device = ref.Device
		return r, nil
	}
	last, err := get(ledger.RecordRef{Seq: seq})
	if err != nil {
		return nil, err
	}
	recs, err := casefile.Follow(last, device, get)
	if err != nil && !errors.Is(err, errBrokenChain) {
		return nil, fmt.Errorf("%w: %v", errBrokenChain, err)
	}
	return recs, err
}
