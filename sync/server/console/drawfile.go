package console

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The target list of a plan (检查对象名录) as administrators keep it: an
// Excel workbook (its first sheet with anything in it) or a CSV file, a
// header row and one target a row. Headers may be Chinese or English.
var targetColumns = map[string][]string{
	"id":      {"统一社会信用代码", "社会信用代码", "代码", "编码", "id", "code"},
	"name":    {"名称", "对象名称", "检查对象", "单位名称", "企业名称", "name"},
	"unit":    {"所属单位", "单位", "unit"},
	"address": {"地址", "住所", "address"},
}

// targetField is the field a header names, or "".
func targetField(header string) string {
	h := strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(header, "\ufeff")), ""))
	for field, names := range targetColumns {
		for _, n := range names {
			if h == n {
				return field
			}
		}
	}
	return ""
}

// Codes of a target list's faults: each its own, for programs and tests;
// platform.console.error.<code> says it to people, and every bad row is
// named with platform.console.targets.<code>.
const (
	TargetsBadFile   = "targets_bad_file"  // neither a workbook nor a CSV file
	TargetsEmpty     = "targets_empty"     // no header, or no target under it
	TargetsNoColumn  = "targets_no_column" // no code or no name column
	TargetsNoCode    = "targets_no_code"
	TargetsNoName    = "targets_no_name"
	TargetsDuplicate = "targets_duplicate" // a code listed twice
)

// isText says whether data can be a CSV file: text in UTF-8 (GB18030 is
// read too, but a NUL byte is in no text a spreadsheet writes).
func isText(data []byte) bool {
	if bytes.IndexByte(data, 0) >= 0 {
		return false
	}
	return utf8.Valid(data) || !bytes.ContainsFunc(data, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' })
}

// ReadTargets reads a target list; on any fault no targets and every bad
// row, numbered as the spreadsheet numbers it (the header is row 1 when
// it is the first row).
func ReadTargets(filename string, data []byte) ([]draw.Target, []sheet.RowError) {
	bad := func(sheetName string, row int, column, code string, kv map[string]any) sheet.RowError {
		return sheet.RowError{Sheet: sheetName, Row: row, Column: column, Code: code, Reason: words.L("platform.console.targets."+code, kv)}
	}
	ext := strings.ToLower(filepath.Ext(filename))
	xlsx := ext == ".xlsx" || ext == ".xlsm" || bytes.HasPrefix(data, []byte("PK\x03\x04"))
	csvLike := ext == ".csv" || ext == ".txt" || ext == ""
	if !xlsx && (!csvLike || !isText(data)) {
		return nil, []sheet.RowError{bad("", 0, "", TargetsBadFile, nil)}
	}
	tables, err := sheet.Read(filename, data)
	if err != nil {
		return nil, []sheet.RowError{bad("", 0, "", TargetsBadFile, nil)}
	}
	var t sheet.Table
	for _, x := range tables {
		if hasRows(x.Rows) {
			t = x
			break
		}
	}
	header := -1
	for i, row := range t.Rows {
		if !blank(row) {
			header = i
			break
		}
	}
	if header < 0 {
		return nil, []sheet.RowError{bad(t.Name, 0, "", TargetsEmpty, nil)}
	}
	col := map[string]int{}
	heads := map[string]string{}
	for j, h := range t.Rows[header] {
		if f := targetField(h); f != "" {
			if _, dup := col[f]; !dup {
				col[f], heads[f] = j, strings.TrimSpace(h)
			}
		}
	}
	var out []sheet.RowError
	for _, need := range []string{"id", "name"} {
		if _, ok := col[need]; !ok {
			out = append(out, bad(t.Name, header+1, targetColumns[need][0]+" / "+targetColumns[need][len(targetColumns[need])-1], TargetsNoColumn,
				map[string]any{"Column": targetColumns[need][0]}))
		}
	}
	if len(out) > 0 {
		return nil, out
	}
	cell := func(row []string, f string) string {
		j, ok := col[f]
		if !ok || j >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[j])
	}
	var targets []draw.Target
	first := map[string]int{} // code → the row it is first on
	for i := header + 1; i < len(t.Rows); i++ {
		row, n := t.Rows[i], i+1
		if blank(row) {
			continue
		}
		tg := draw.Target{ID: cell(row, "id"), Name: cell(row, "name"), Unit: cell(row, "unit"), Address: cell(row, "address")}
		switch {
		case tg.ID == "":
			out = append(out, bad(t.Name, n, heads["id"], TargetsNoCode, nil))
		case first[tg.ID] > 0:
			out = append(out, bad(t.Name, n, heads["id"], TargetsDuplicate, map[string]any{"ID": tg.ID, "Row": first[tg.ID]}))
		default:
			first[tg.ID] = n
		}
		if tg.Name == "" {
			out = append(out, bad(t.Name, n, heads["name"], TargetsNoName, nil))
		}
		targets = append(targets, tg)
	}
	if len(out) > 0 {
		return nil, out
	}
	if len(targets) == 0 {
		return nil, []sheet.RowError{bad(t.Name, 0, "", TargetsEmpty, nil)}
	}
	return targets, nil
}

// hasRows says whether a sheet has anything in it.
func hasRows(rows [][]string) bool {
	for _, r := range rows {
		if !blank(r) {
			return true
		}
	}
	return false
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
