package server

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// CalendarFile is the working-day calendar the platform holds: the
// bundled years (assets/calendar/cn.json of this build), and the years an
// administrator added, which take precedence. Only the added years are
// stored, so a build that bundles newer years passes them on.
func (s *Server) CalendarFile(ctx context.Context) (_ []byte, err error) {
	defer wrap.Err(&err, "calendar")
	var added string
	err = s.db.QueryRowContext(ctx, `SELECT data FROM calendar WHERE id = 1`).Scan(&added)
	if errors.Is(err, sql.ErrNoRows) {
		return assets.Calendar, nil
	}
	if err != nil {
		return nil, err
	}
	return calendar.Merge(assets.Calendar, []byte(added))
}

// AddCalendarYears adds or replaces years of the calendar (in
// assets/calendar/cn.json's form); devices take it on their next sync.
func (s *Server) AddCalendarYears(ctx context.Context, extra []byte) (err error) {
	defer wrap.Err(&err, "add calendar years")
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.Lock(ctx, "calendar"); err != nil {
			return err
		}
		added := extra
		var data string
		err := tx.QueryRowContext(ctx, `SELECT data FROM calendar WHERE id = 1`).Scan(&data)
		if err == nil {
			if added, err = calendar.Merge([]byte(data), extra); err != nil {
				return err
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Checked as it will be served: the bundled years with these.
		if _, err := calendar.Merge(assets.Calendar, added); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO calendar (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`, string(added))
		return err
	})
}

func (s *Server) calendar(ctx context.Context) (_ *calendar.Calendar, err error) {
	defer wrap.Err(&err, "calendar")
	data, err := s.CalendarFile(ctx)
	if err != nil {
		return nil, err
	}
	return calendar.Parse(data)
}

// calendarFile: GET /api/v1/calendar, for devices.
func (s *Server) calendarFile(w http.ResponseWriter, r *http.Request, _ Device) {
	data, err := s.CalendarFile(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}
