package calendar

import (
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/assets"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWorkdays(t *testing.T) {
	c, err := Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		date string
		work bool
	}{
		{"2026-11-26", true},  // Thursday
		{"2026-11-28", false}, // Saturday
		{"2026-10-05", false}, // National Day holiday, a Monday
		{"2026-10-10", true},  // Saturday worked instead
		{"2026-02-14", true},  // Saturday before the Spring Festival, worked
		{"2026-02-18", false}, // Spring Festival
		{"2027-01-06", true},  // a year not listed: weekends only
		{"2024-02-04", true},  // Sunday worked before the 2024 Spring Festival
		{"2024-02-16", false}, // Spring Festival 2024, a Friday
		{"2024-06-10", false}, // Dragon Boat 2024, a Monday
		{"2024-09-14", true},  // Saturday worked before Mid-Autumn 2024
		{"2025-01-26", true},  // Sunday worked before the 2025 Spring Festival
		{"2025-02-03", false}, // Spring Festival 2025, a Monday
		{"2025-10-08", false}, // National Day and Mid-Autumn 2025, a Wednesday
		{"2025-10-11", true},  // Saturday worked after it
		{"2025-06-02", false}, // Dragon Boat 2025, a Monday
	} {
		if got := c.IsWorkday(day(tc.date)); got != tc.work {
			t.Errorf("%s: workday %v, want %v", tc.date, got, tc.work)
		}
	}
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-26", 5, "2026-12-03"}, // Thu + 5 working days skips a weekend
		{"2026-09-29", 5, "2026-10-12"}, // Sep 30, Oct 8, 9, 10 (a Saturday worked), 12
		{"2026-02-12", 3, "2026-02-24"}, // Thu: Fri 13, Sat 14 (worked), then the festival until 23
		{"2025-12-30", 3, "2026-01-05"}, // across years: Wed 31, then 1-3 off, Sun 4 worked, Mon 5
		{"2024-09-27", 5, "2024-10-10"}, // Sun 29 (worked), Mon 30, National Day 2024, then 8, 9, 10
		{"2025-01-24", 2, "2025-01-27"}, // Fri: Sun 26 (worked), Mon 27
	} {
		if got := c.AddWorkdays(day(tc.from), tc.n).Format(time.DateOnly); got != tc.want {
			t.Errorf("%s + %d working days = %s, want %s", tc.from, tc.n, got, tc.want)
		}
		if got := c.WorkdaysBetween(day(tc.from), day(tc.want)); got != tc.n {
			t.Errorf("working days %s..%s = %d, want %d", tc.from, tc.want, got, tc.n)
		}
	}
	if !c.Known(day("2026-03-01")) || c.Known(day("2027-03-01")) {
		t.Error("Known is wrong")
	}
	if _, err := Parse([]byte(`{"years":{"2026":{"holidays":["26-1-1"]}}}`)); err == nil {
		t.Error("a malformed date was accepted")
	}
}

// A year the platform adds (next year's holidays, once announced) joins
// the bundled ones; a year given again replaces it; a bad file changes
// nothing.
func TestMergeAddsYears(t *testing.T) {
	extra := []byte(`{"years":{"2027":{"holidays":["2027-01-01","2027-02-06"],"workdays":["2027-01-31"]}}}`)
	merged, err := Merge(assets.Calendar, extra)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(merged)
	if err != nil {
		t.Fatal(err)
	}
	if ys := c.Years(); ys[0] != 2024 || ys[len(ys)-1] != 2027 {
		t.Fatalf("years %v", ys)
	}
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	if c.IsWorkday(day("2027-01-01")) || !c.IsWorkday(day("2027-01-31")) || !c.Known(day("2027-03-01")) {
		t.Fatal("2027 not taken in")
	}
	if c.IsWorkday(day("2026-10-01")) {
		t.Fatal("2026 lost")
	}
	for _, bad := range []string{`{"years":{"2027":{"holidays":["2027-13-01"]}}}`, `{"years":{}}`, `not json`} {
		if _, err := Merge(assets.Calendar, []byte(bad)); err == nil {
			t.Errorf("merged %s", bad)
		}
	}
}
