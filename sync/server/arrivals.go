package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// settleEvery is how often a platform instance settles arrivals left
// owed by a failure, for devices that do not push again soon.
const settleEvery = 5 * time.Minute

// arrival is a push's range of records whose follow-up is owed.
type arrival struct {
	first, last int64
	checked     bool
	tries       int
}

// settle does the follow-up of a device's pushes that is still owed,
// oldest first: the review checks (flags for the receipt and alerts, once),
// then review tracking and the publication of decisions. An arrival is
// removed only when all of it is done. One that fails stays, is raised as
// an alert the first time, and holds back the device's later ones, so a
// case's records are always taken in order (a withdrawal after the
// publication it withdraws). It returns the flags of the checks it ran.
func (s *Server) settle(ctx context.Context, device string) ([]string, error) {
	mu, _ := s.settling.LoadOrStore(device, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	rows, err := s.db.QueryContext(ctx, `SELECT first_seq, last_seq, checked, tries FROM arrivals WHERE device = ? ORDER BY first_seq`, device)
	if err != nil {
		return nil, err
	}
	var owed []arrival
	for rows.Next() {
		var a arrival
		var checked int
		if err := rows.Scan(&a.first, &a.last, &checked, &a.tries); err != nil {
			rows.Close()
			return nil, err
		}
		a.checked = checked != 0
		owed = append(owed, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(owed) == 0 {
		return nil, err
	}
	var flags []string
	for _, a := range owed {
		f, err := s.settleOne(ctx, device, a)
		flags = append(flags, f...)
		if err != nil {
			s.db.ExecContext(ctx, `UPDATE arrivals SET tries = tries + 1, error = ? WHERE device = ? AND first_seq = ?`, err.Error(), device, a.first)
			if a.tries == 0 {
				s.alert(ctx, device, "arrival", fmt.Sprintf("第 %d–%d 条记录的后续处理（法制审核跟踪、决定公开）未完成，平台将自动重试：%v", a.first, a.last, err))
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

func (s *Server) settleOne(ctx context.Context, device string, a arrival) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq >= ? AND seq <= ? ORDER BY seq`, device, a.first, a.last)
	if err != nil {
		return nil, err
	}
	var recs []casefile.Record
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return nil, err
		}
		var r casefile.Record
		if json.Unmarshal(data, &r) == nil {
			recs = append(recs, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	svc, err := s.reviewService(ctx)
	if err != nil {
		return nil, err
	}
	var flags []string
	if !a.checked {
		flags = s.reviewFlags(ctx, device, recs, svc)
		if _, err := s.db.ExecContext(ctx, `UPDATE arrivals SET checked = 1 WHERE device = ? AND first_seq = ?`, device, a.first); err != nil {
			return flags, err
		}
	}
	if err := s.trackReview(ctx, device, recs, svc.Reviewers); err != nil {
		return flags, err
	}
	return flags, s.publishArrivals(ctx, device, recs)
}

// settleAll settles every device's owed arrivals: when the platform
// starts (it may have stopped between a push and its follow-up) and every
// settleEvery while it runs.
func (s *Server) settleAll(ctx context.Context) error {
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

// settleLoop runs settleAll every settleEvery until Close.
func (s *Server) settleLoop() {
	defer close(s.settled)
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), settleEvery)
			if err := s.settleAll(ctx); err != nil {
				s.log.Error("owed follow-up of pushes", "err", err)
			}
			cancel()
		}
	}
}
