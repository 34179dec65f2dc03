package pages

import (
	"fmt"
	"net/http"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/book"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The supervision report and the annual report as files: the same tables
// as their pages (by agency, staffing, drawn inspection tasks; and for
// supervisors the overdue tasks and every case's score), built from the
// same figures, so that the file and the page cannot disagree.

// exportFormat is the ?format= a page is asked for: "" for the page
// itself; false (and a Problem written) for one it does not offer.
func exportFormat(w http.ResponseWriter, r *http.Request) (string, bool) {
	format := r.URL.Query().Get("format")
	if format != "" && format != book.FormatXLSX && format != book.FormatPDF {
		web.Problem(w, r, http.StatusBadRequest, "bad_format", words.M("platform.bad_format"), format)
		return "", false
	}
	return format, true
}

func col(k string) string { return words.L("supervise.col." + k) }

// ReportBook is a supervision report's tables; public leaves out what the
// public annual report does not show (overdue tasks, cases).
func (s *Room) ReportBook(rep supervise.Report, title, subtitle string, names map[string]string, public bool) book.Book {
	agencies := book.Table{ID: "by-agency", Sheet: col("by_agency"), Title: col("by_agency"), Rows: [][]book.Cell{}}
	for _, k := range []string{"agency", "cases", "decided", "major", "pass", "return", "on_time", "late", "overdue", "pending",
		"withdrawn", "out_of_order", "skipped", "exceptions", "av", "score"} {
		agencies.Header = append(agencies.Header, col(k))
	}
	for _, row := range rep.ByAgency {
		t, p := row.Tally, row.Tally.Publish
		agencies.Rows = append(agencies.Rows, []book.Cell{book.T(nameOr(names, row.Key)), book.N(t.Cases), book.N(t.Decided), book.N(t.Major),
			book.P(t.PassRate()), book.P(t.ReturnRate()), book.P(t.OnTimeRate()), book.N(p[supervise.PubLate]), book.N(p[supervise.PubOverdue]),
			book.N(p[supervise.PubPending]), book.N(t.WithdrawLate + t.WithdrawOnTime), book.N(t.OutOfOrder), book.N(t.Skipped),
			book.N(t.Exceptions), book.P(t.AVRate()), book.D(t.MeanScore())})
	}
	staffing := book.Table{ID: "staffing", Sheet: col("staffing"), Title: col("staffing"),
		Header: []string{col("agency"), col("officers"), col("reviewers"), col("share")}, Rows: [][]book.Cell{}}
	for _, st := range rep.Staffing {
		staffing.Rows = append(staffing.Rows, []book.Cell{book.T(nameOr(names, st.Agency)), book.N(st.Officers), book.N(st.Reviewers), book.P(st.Share)})
	}
	b := book.Book{Title: title, Subtitle: subtitle, Tables: []book.Table{agencies, staffing}}
	if len(rep.Inspections.ByAgency) > 0 {
		tasks := book.Table{ID: "tasks", Sheet: col("tasks"), Title: col("tasks"), Rows: [][]book.Cell{},
			Header: []string{col("agency"), col("drawn"), col("task_on_time"), col("task_late"), col("task_overdue"), col("task_pending"), col("task_rate")}}
		for _, row := range rep.Inspections.ByAgency {
			t := row.Tally
			tasks.Rows = append(tasks.Rows, []book.Cell{book.T(nameOr(names, row.Agency)), book.N(t.Drawn), book.N(t.OnTime), book.N(t.Late),
				book.N(t.Overdue), book.N(t.Pending), book.P(t.OnTimeRate())})
		}
		b.Tables = append(b.Tables, tasks)
		if !public {
			overdue := book.Table{ID: "overdue", Sheet: col("overdue_title"), Title: col("overdue_title"), Rows: [][]book.Cell{},
				Header: []string{col("task"), col("agency"), col("target"), col("inspectors"), col("due"), col("task_device")}}
			for _, x := range rep.Inspections.Overdue {
				overdue.Rows = append(overdue.Rows, []book.Cell{book.T(x.ID), book.T(nameOr(names, x.Agency)), book.T(x.Target), book.T(x.Inspectors),
					book.T(x.Due), book.T(x.Device)})
			}
			b.Tables = append(b.Tables, overdue)
		}
	}
	if !public {
		cases := book.Table{ID: "cases", Sheet: col("cases_title"), Title: col("cases_title"), Rows: [][]book.Cell{},
			Header: []string{col("case"), col("device"), col("agency"), col("act"), col("opened"), col("case_score"), col("faults")}}
		for _, c := range s.caseRows(rep.Cases, len(rep.Cases), names) {
			cases.Rows = append(cases.Rows, []book.Cell{book.T(c.Case), book.T(c.Device), book.T(c.Agency), book.T(c.Act), book.T(c.Opened),
				book.N(c.Score), book.T(c.Faults)})
		}
		b.Tables = append(b.Tables, cases)
	}
	return b
}

// serveReport answers a report's export, or a Problem.
func (s *Room) serveReport(w http.ResponseWriter, r *http.Request, b book.Book, format, name, ascii string) {
	if err := b.Serve(w, format, name, ascii); err != nil {
		web.Internal(w, r, fmt.Errorf("export %s: %w", name, err))
	}
}

// supervisionFile names a supervision report's file.
func supervisionFile(from, to time.Time, agency string) (string, string) {
	last := to.AddDate(0, 0, -1)
	name := fmt.Sprintf("%s %s—%s", words.L("supervise.report_file"), from.Format(time.DateOnly), last.Format(time.DateOnly))
	ascii := fmt.Sprintf("supervision-%s-%s", from.Format("20060102"), last.Format("20060102"))
	if agency != "" {
		ascii += "-" + agency
	}
	return name, ascii
}

// annualFile is the public annual report b of year as a file, made once
// for the report made at made however many ask at once: the page is
// public, and a PDF costs tens of milliseconds (BenchmarkPDF).
func (s *Room) annualFile(b book.Book, made time.Time, year int, format string) ([]byte, error) {
	c := &s.annual
	key := fmt.Sprintf("%d.%s", year, format)
	c.mu.Lock()
	f, ok := c.files[key]
	c.mu.Unlock()
	if ok && f.made.Equal(made) {
		return f.data, nil
	}
	v, err, _ := c.group.Do("file "+key+" "+made.String(), func() (any, error) {
		data, err := b.File(format)
		if err != nil {
			return nil, err
		}
		c.filesMade.Add(1)
		c.mu.Lock()
		if c.files == nil {
			c.files = map[string]annualFile{}
		}
		c.files[key] = annualFile{made: made, data: data}
		c.mu.Unlock()
		return data, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}
