package server

import (
	"context"
	"fmt"
	"time"
)

// Arrival is when record seq of a device's log arrived on the platform,
// by the platform's clock; zero for a record held from before arrivals
// were kept. Supervision judges a record whose time was flagged by it.
func (s *Server) Arrival(ctx context.Context, device string, seq int64) (time.Time, error) {
	var at string
	if err := s.db.QueryRowContext(ctx, `SELECT arrived FROM log_records WHERE device = ? AND seq = ?`, device, seq).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("arrival of %s #%d: %w", device, seq, err)
	}
	if at == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return time.Time{}, fmt.Errorf("arrival of %s #%d: %w", device, seq, err)
	}
	return t, nil
}

// ClockFlags lists the records of a device whose time the platform
// flagged, by seq, with their arrival.
func (s *Server) ClockFlags(ctx context.Context, device string) (map[int64]time.Time, error) {
	return s.intake.ClockFlags(ctx, device)
}
