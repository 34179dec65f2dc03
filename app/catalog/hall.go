package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Hall is a service hall (政务服务大厅) as the platform configures it: its
// windows, the agency that staffs each and the guides and fees each
// handles. A window device keeps the city's halls with its copy of the
// public lists, so its desk offers a window's own set offline.
type Hall struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Windows []HallWindow `json:"windows"`
}

// HallWindow is one window of a hall; Guides and Fees are item ids, in
// the order the window shows them.
type HallWindow struct {
	Number int      `json:"number"`
	Name   string   `json:"name"`
	Agency string   `json:"agency"`
	Guides []string `json:"guides"`
	Fees   []string `json:"fees"`
}

// Window is the hall's window of that number, if it has one.
func (h Hall) Window(number int) (HallWindow, bool) {
	i := slices.IndexFunc(h.Windows, func(w HallWindow) bool { return w.Number == number })
	if i < 0 {
		return HallWindow{}, false
	}
	return h.Windows[i], true
}

// SetHalls keeps the city's halls as the platform last said they are, and
// says whether that changed anything.
func (c *Catalog) SetHalls(ctx context.Context, halls []Hall) (changed bool, err error) {
	if halls == nil {
		halls = []Hall{}
	}
	data, err := json.Marshal(halls)
	if err != nil {
		return false, fmt.Errorf("keep halls: %w", err)
	}
	// No halls kept yet reads as none: a city without halls changes
	// nothing at a pull.
	was := "[]"
	err = c.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'halls'`).Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("keep halls: %w", err)
	}
	if was == string(data) {
		return false, nil
	}
	if _, err := c.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('halls', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(data)); err != nil {
		return false, fmt.Errorf("keep halls: %w", err)
	}
	return true, nil
}

// Halls are the city's halls as last pulled; none before the first pull.
func (c *Catalog) Halls(ctx context.Context) ([]Hall, error) {
	var data string
	err := c.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'halls'`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read halls: %w", err)
	}
	var out []Hall
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("read halls: %w", err)
	}
	return out, nil
}
