package intake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// settleEvery is how often a platform instance settles arrivals left
// owed by a failure, for devices that do not push again soon.
const settleEvery = 5 * time.Minute

// pushSettleTime is how long a push's answer waits for its follow-up.
const pushSettleTime = 20 * time.Second

// settleLease is how long an instance may settle a device's arrivals
// before another may take over (it renews the lease between arrivals).
const settleLease = 10 * time.Minute

// errPermanent marks a follow-up no retry can do (a publication whose body
// or case cannot be read): it is alerted and set aside, not retried.
var errPermanent = errors.New("cannot be done")

// arrival is a push's range of records whose follow-up is owed.
type arrival struct {
	first, last, done int64
	checked, tracked  bool
	tries             int
	recs              []casefile.Record
}

// settle does the follow-up of a device's pushes that is still owed. First
// the review and order checks of every arrival not yet checked (flags for the
// receipt and alerts, once; they only read, so nothing held back holds
// them back). Then, oldest first, review tracking and the publication and
// withdrawal of decisions, record by record, remembering how far each got:
// a retry never publishes again what an administrator has since taken
// down. A failure stops there, is alerted the first time and retried
// later; later arrivals wait, so a case's records are taken in order (a
// withdrawal after the publication it withdraws). A publication that can
// never be done is alerted and set aside. It returns the flags of the
// checks it ran. One instance settles a device at a time; if another is
// at it, this one leaves it to that one.
func (s *Intake) settle(ctx context.Context, device string) (_ []string, err error) {
	defer wrap.Err(&err, "settle %s", device)
	mu, _ := s.settling.LoadOrStore(device, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	owed, err := s.owed(ctx, device)
	if err != nil || len(owed) == 0 {
		return nil, err
	}
	if ok, err := s.claim(ctx, device); err != nil || !ok {
		return nil, err
	}
	defer func() {
		if _, err := s.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM settling WHERE device = ? AND owner = ?`, device, s.instance); err != nil {
			s.log.Error("settle: release the lease (it runs out by itself)", "device", device, "err", err)
		}
	}()
	owed, err = s.owed(ctx, device) // as it stands now that it is ours
	if err != nil {
		return nil, err
	}
	svc, err := s.reviewService(ctx)
	if err != nil {
		return nil, err
	}
	set := casefile.National()
	if s.procedures != nil {
		if set, err = s.procedures(ctx); err != nil {
			return nil, err
		}
	}
	var flags []string
	for i := range owed {
		a := &owed[i]
		if a.recs, err = s.arrivedRecords(ctx, device, a); err != nil {
			return flags, err
		}
		if !a.checked {
			// Alerts raised before a failure here are raised again on the
			// retry: the checks of one arrival are not half kept.
			f, err := s.arrivalFlags(ctx, device, a.recs, svc, set)
			flags = append(flags, f...)
			if err != nil {
				return flags, err
			}
			// Kept only if something may fail before the arrival is done:
			// its own follow-up, or an earlier arrival's.
			if i > 0 || a.opinions() || a.publications() {
				if err := s.markArrival(ctx, device, a.first, "checked = 1"); err != nil {
					return flags, err
				}
			}
		}
	}
	for i, a := range owed {
		if i > 0 {
			if ok, err := s.claim(ctx, device); err != nil || !ok {
				return flags, err // renewed, or another instance took over
			}
		}
		if err := s.followUp(ctx, device, a, svc.Reviewers); err != nil {
			if _, uerr := s.db.ExecContext(ctx, `UPDATE arrivals SET tries = tries + 1, error = ? WHERE device = ? AND first_seq = ?`,
				err.Error(), device, a.first); uerr != nil {
				s.log.Error("owed follow-up of a push: count a try", "device", device, "err", uerr)
			}
			if a.tries == 0 {
				s.Alert(ctx, device, "arrival", words.L("platform.alert.arrival", map[string]any{"First": a.first, "Last": a.last, "Err": err}))
			}
			return flags, err
		}
		if _, err := s.db.ExecContext(ctx, `DELETE FROM arrivals WHERE device = ? AND first_seq = ?`, device, a.first); err != nil {
			return flags, err
		}
		if a.tries > 0 {
			s.log.Info("owed follow-up of a push done", "device", device, "first", a.first, "last", a.last, "tries", a.tries)
		}
	}
	return flags, nil
}

// followUp is one arrival's review tracking, publications and the drawn
// tasks' links and results.
func (s *Intake) followUp(ctx context.Context, device string, a arrival, reviewers review.Reviewers) error {
	if !a.tracked && a.opinions() {
		if err := s.trackReview(ctx, device, a.recs, reviewers); err != nil {
			return err
		}
		if a.publications() { // which may fail after it
			if err := s.markArrival(ctx, device, a.first, "tracked = 1"); err != nil {
				return err
			}
		}
	}
	for _, r := range a.recs {
		if r.Seq <= a.done || !followedUp(r) {
			continue
		}
		var err error
		if r.Kind == publish.KindPublish || r.Kind == publish.KindWithdraw {
			err = s.publishRecord(ctx, device, r)
		} else {
			err = s.followTask(ctx, device, r)
		}
		if errors.Is(err, errPermanent) {
			s.Alert(ctx, device, "publish", words.L("platform.alert.unpublishable", map[string]any{"Case": r.Case, "Seq": r.Seq, "Err": err}))
		} else if err != nil {
			return fmt.Errorf("%s：%w", words.L("platform.publish_failed", map[string]any{"Case": r.Case, "Seq": r.Seq}), err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE arrivals SET done_seq = ? WHERE device = ? AND first_seq = ?`, r.Seq, device, a.first); err != nil {
			return err
		}
	}
	return nil
}

func (s *Intake) markArrival(ctx context.Context, device string, first int64, set string) (err error) {
	defer wrap.Err(&err, "mark arrival %d of %s", first, device)
	_, err = s.db.ExecContext(ctx, `UPDATE arrivals SET `+set+` WHERE device = ? AND first_seq = ?`, device, first)
	return err
}

// owesFollowUp says whether records that arrived leave anything to do
// after their push: a stage to check against its procedure's order (and,
// a decision, for its review), opinions to track, publications or
// withdrawals, a case opened for a drawn task. Pushes of notes, documents and evidence owe nothing, and
// are kept with no arrival row and no follow-up: a city's morning sync is
// one commit a push.
func owesFollowUp(records []casefile.Record) bool {
	a := arrival{recs: records, done: -1}
	return a.opinions() || a.publications() || slices.ContainsFunc(records, func(r casefile.Record) bool { return r.Kind == casefile.KindStage })
}

// opinions says whether the arrival carries opinions signed for other
// devices' cases (what review tracking takes in).
func (a *arrival) opinions() bool {
	return slices.ContainsFunc(a.recs, func(r casefile.Record) bool { return r.Kind == review.KindRemoteOpinion })
}

// publications says whether the arrival has publications or withdrawals
// not yet done, or records for the drawn tasks (a case linked to its
// task, an inspection's result published).
func (a *arrival) publications() bool {
	return slices.ContainsFunc(a.recs, func(r casefile.Record) bool { return r.Seq > a.done && followedUp(r) })
}

// followedUp says whether a record is followed up one by one after its
// push, remembering how far it got: a publication or withdrawal, or a
// record for the drawn tasks.
func followedUp(r casefile.Record) bool {
	return r.Kind == publish.KindPublish || r.Kind == publish.KindWithdraw || taskFollowUp(r)
}

// owed lists a device's arrivals whose follow-up is owed, oldest first.
func (s *Intake) owed(ctx context.Context, device string) (_ []arrival, err error) {
	defer wrap.Err(&err, "owed arrivals of %s", device)
	rows, err := s.db.QueryContext(ctx, `SELECT first_seq, last_seq, done_seq, checked, tracked, tries FROM arrivals WHERE device = ? ORDER BY first_seq`, device)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []arrival
	for rows.Next() {
		var a arrival
		var checked, tracked int
		if err := rows.Scan(&a.first, &a.last, &a.done, &checked, &tracked, &a.tries); err != nil {
			return nil, err
		}
		a.checked, a.tracked = checked != 0, tracked != 0
		out = append(out, a)
	}
	return out, rows.Err()
}

// claim takes or renews this instance's lease on settling the device; it
// says false if another instance holds a lease that has not run out.
func (s *Intake) claim(ctx context.Context, device string) (_ bool, err error) {
	defer wrap.Err(&err, "claim settling %s", device)
	now := s.now().UTC()
	res, err := s.db.ExecContext(ctx, `INSERT INTO settling (device, owner, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (device) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE settling.owner = excluded.owner OR settling.lease_until < ?`,
		device, s.instance, now.Add(settleLease).Format(time.RFC3339), now.Format(time.RFC3339))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// arrivedRecords reads an arrival's records.
func (s *Intake) arrivedRecords(ctx context.Context, device string, a *arrival) (_ []casefile.Record, err error) {
	defer wrap.Err(&err, "records %d–%d of %s", a.first, a.last, device)
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq >= ? AND seq <= ? ORDER BY seq`, device, a.first, a.last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recs []casefile.Record
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var r casefile.Record
		if json.Unmarshal(data, &r) == nil {
			recs = append(recs, r)
		}
	}
	return recs, rows.Err()
}

// settleAll settles every device's owed arrivals: when the platform
// starts (it may have stopped between a push and its follow-up) and every
// settleEvery while it runs.
func (s *Intake) settleAll(ctx context.Context) (err error) {
	defer wrap.Err(&err, "settle all")
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT device FROM arrivals ORDER BY device`)
	if err != nil {
		return err
	}
	var devices []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return err
		}
		devices = append(devices, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var failed []error
	for _, d := range devices {
		if _, err := s.settle(ctx, d); err != nil {
			failed = append(failed, fmt.Errorf("device %s: %w", d, err))
		}
	}
	return errors.Join(failed...)
}

// settleLoop runs settleAll every settleEvery until Close, which also
// ends a run under way.
func (s *Intake) settleLoop() {
	defer close(s.settled)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run, done := context.WithTimeout(ctx, settleEvery)
			if err := s.settleAll(run); err != nil && ctx.Err() == nil {
				s.log.Error("owed follow-up of pushes", "err", err)
			}
			done()
		}
	}
}

// newInstance names this platform instance in settling leases.
func newInstance() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
