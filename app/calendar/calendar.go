// Package calendar counts working days (工作日) for statutory time limits:
// Saturdays and Sundays off, public holidays off, and the weekend days the
// State Council moves work to (调休) on. Limits stated in days (日) count
// calendar days; those stated in working days count with this.
package calendar

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Calendar knows the holidays and make-up workdays of the years it lists.
type Calendar struct {
	holidays map[string]bool
	workdays map[string]bool
	years    map[int]bool
}

type file struct {
	Years map[string]struct {
		Holidays []string `json:"holidays"`
		Workdays []string `json:"workdays"`
	} `json:"years"`
}

// Parse reads a calendar file (assets/calendar/cn.json's form).
func Parse(data []byte) (*Calendar, error) {
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	c := &Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}, years: map[int]bool{}}
	for y, days := range f.Years {
		var year int
		if _, err := fmt.Sscanf(y, "%d", &year); err != nil {
			return nil, fmt.Errorf("calendar: year %q", y)
		}
		c.years[year] = true
		for _, d := range days.Holidays {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, fmt.Errorf("calendar: holiday %q", d)
			}
			c.holidays[d] = true
		}
		for _, d := range days.Workdays {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, fmt.Errorf("calendar: workday %q", d)
			}
			c.workdays[d] = true
		}
	}
	return c, nil
}

// Known reports whether the calendar lists t's year; other years count
// weekends only, and screens say so.
func (c *Calendar) Known(t time.Time) bool { return c.years[t.Year()] }

// IsWorkday reports whether t's date is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	d := t.Format(time.DateOnly)
	if c.workdays[d] {
		return true
	}
	if c.holidays[d] {
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays is the date n working days after t, counted from the day
// after t (the day of an event does not count, as the law counts periods).
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	d := dateOf(t)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts working days after from, up to and including to.
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	n := 0
	for d := dateOf(from).AddDate(0, 0, 1); !d.After(dateOf(to)); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Merge adds the years of extra to base (both in cn.json's form); a year in
// both is taken from extra. The result is checked as a calendar.
func Merge(base, extra []byte) ([]byte, error) {
	var b, e struct {
		Note  string                     `json:"_note,omitempty"`
		Years map[string]json.RawMessage `json:"years"`
	}
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if err := json.Unmarshal(extra, &e); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if _, err := Parse(extra); err != nil {
		return nil, err
	}
	if len(e.Years) == 0 {
		return nil, fmt.Errorf("calendar: no year given")
	}
	if b.Years == nil {
		b.Years = map[string]json.RawMessage{}
	}
	for y, days := range e.Years {
		b.Years[y] = days
	}
	out, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return nil, fmt.Errorf("calendar: encode merged years: %w", err)
	}
	_, err = Parse(out)
	return out, err
}

// Years lists the years the calendar knows, in order.
func (c *Calendar) Years() []int {
	var out []int
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}
