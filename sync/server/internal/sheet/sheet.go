// Package sheet reads the tables administrators import (CSV or an Excel
// workbook) and names what is wrong with them, row by row: the catalog's
// import and the people's share it.
package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// RowError names a bad cell of an import: row 1 is the header, row 0 the
// file as a whole. Reason is for people (Chinese on the platform); Code,
// when set, is the stable name of the reason for programs.
type RowError struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
	Code   string `json:"code,omitempty"`
}

func (e RowError) Error() string {
	where := ""
	if e.Sheet != "" {
		where = "sheet " + e.Sheet + ", "
	}
	if e.Row == 0 {
		return fmt.Sprintf("%scolumn %s: %s", where, e.Column, e.Reason)
	}
	return fmt.Sprintf("%srow %d, column %s: %s", where, e.Row, e.Column, e.Reason)
}

// ImportError lists every bad row of an import; nothing was imported.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var s []string
	for _, r := range e.Rows {
		s = append(s, r.Error())
	}
	return strings.Join(s, "; ")
}

// Table is one sheet of an import: its name ("" for a CSV file) and its
// rows, the header first. Rows of a workbook may be shorter than the
// header: spreadsheets drop trailing empty cells.
type Table struct {
	Name string
	Rows [][]string
}

// ErrUnreadable wraps why a file could not be read as a table at all.
type ErrUnreadable struct{ Err error }

func (e *ErrUnreadable) Error() string { return "unreadable import file: " + e.Err.Error() }
func (e *ErrUnreadable) Unwrap() error { return e.Err }

// IsXLSX says whether an import is an Excel workbook, by its name or,
// failing that, by its first bytes (a workbook is a zip archive).
func IsXLSX(filename string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".xlsx", ".xlsm":
		return true
	case ".csv", ".txt":
		return false
	}
	return bytes.HasPrefix(data, []byte("PK\x03\x04"))
}

// Read reads an import: every sheet of a workbook, or the one table of a
// CSV file. CSV is UTF-8 with or without a byte-order mark, or GB18030
// (what Excel saves as "CSV" on a Chinese Windows) when it is not valid
// UTF-8. Workbook cells are read as stored, so a date cell is its serial
// number (see Date).
func Read(filename string, data []byte) ([]Table, error) {
	if IsXLSX(filename, data) {
		return readXLSX(data)
	}
	t, err := readCSV(data)
	if err != nil {
		return nil, err
	}
	return []Table{t}, nil
}

func readCSV(data []byte) (Table, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return Table{}, &ErrUnreadable{fmt.Errorf("neither UTF-8 nor GB18030: %w", err)}
		}
		data = dec
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var t Table
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return t, &ErrUnreadable{err}
		}
		t.Rows = append(t.Rows, rec)
	}
}

func readXLSX(data []byte) ([]Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, &ErrUnreadable{fmt.Errorf("not an Excel workbook: %w", err)}
	}
	defer f.Close()
	var out []Table
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &ErrUnreadable{fmt.Errorf("sheet %s: %w", name, err)}
		}
		out = append(out, Table{Name: name, Rows: rows})
	}
	if len(out) == 0 {
		return nil, &ErrUnreadable{fmt.Errorf("the workbook has no sheet")}
	}
	return out, nil
}

var dateLayouts = []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102"}

// Date reads a date as people write it in a sheet (2027-06-30, 2027/6/30,
// 2027.6.30, 2027年6月30日, 20270630) or as a workbook stores a date cell
// (days since 1899-12-30), and gives it as 2006-01-02.
func Date(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 1 && n < 100000 && len(s) != 8 {
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n))
		return t.Format(time.DateOnly), true
	}
	return "", false
}
