// Package book writes the tables of figures a supervision page shows as
// an Excel workbook (excelize: one sheet per table, numbers as numbers,
// rates as numbers with a percent format) and as a PDF (go-pdf/fpdf with
// the bundled CJK font embedded, so the file reads the same on every
// machine and the platform stays cgo-free). It knows no page and no
// database: the pages build a Book from the same figures they show.
package book

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/sanxiang-desk/sanxiang/assets"
)

// Kinds of cell.
const (
	Text    = iota // words
	Count          // a whole number
	Percent        // a rate in percent (66.7 is 66.7 %); below 0: none
	Decimal        // a number with one decimal (a mean score); below 0: none
)

// None is how a rate or mean with nothing to count shows: on the page, in
// the workbook (as text) and in the PDF.
const None = "—"

// Cell is one figure of a table.
type Cell struct {
	Kind int
	Text string  // for Text
	Num  float64 // for the others
}

// T is a text cell.
func T(s string) Cell { return Cell{Kind: Text, Text: s} }

// N is a count.
func N(n int) Cell { return Cell{Kind: Count, Num: float64(n)} }

// P is a rate in percent (below 0: none).
func P(v float64) Cell { return Cell{Kind: Percent, Num: v} }

// D is a number with one decimal (below 0: none).
func D(v float64) Cell { return Cell{Kind: Decimal, Num: v} }

// Empty says whether the cell has no figure (a rate of nothing).
func (c Cell) Empty() bool { return (c.Kind == Percent || c.Kind == Decimal) && c.Num < 0 }

// String is the cell as the page shows it: "12", "66.7%", "80.0", "—".
func (c Cell) String() string {
	switch {
	case c.Kind == Text:
		return c.Text
	case c.Empty():
		return None
	case c.Kind == Count:
		return strconv.FormatFloat(c.Num, 'f', 0, 64)
	case c.Kind == Percent:
		return strconv.FormatFloat(c.Num, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(c.Num, 'f', 1, 64)
}

// Table is one table: its sheet's name (at most 31 characters, no
// []:*?/\), a title, the header and the rows.
type Table struct {
	ID     string // the page's table id, for tests and anchors
	Sheet  string
	Title  string
	Header []string
	Rows   [][]Cell
}

// IsText says whether column col holds words (as its first row has
// them; with no rows, the first column), to align its header as its cells.
func (t Table) IsText(col int) bool {
	if len(t.Rows) == 0 || col >= len(t.Rows[0]) {
		return col == 0
	}
	return t.Rows[0][col].Kind == Text
}

// Book is a report's tables.
type Book struct {
	Title    string
	Subtitle string // the period, when it was made
	Tables   []Table
}

// sheetName makes a table's name a valid, unique sheet name.
func sheetName(name string, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" {
		name = "Sheet"
	}
	if utf8.RuneCountInString(name) > 28 {
		name = string([]rune(name)[:28])
	}
	base := name
	for i := 2; used[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	used[name] = true
	return name
}

// XLSX writes the book as a workbook: one sheet per table, the header in
// the first row, frozen.
func (b Book) XLSX() (_ []byte, err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("workbook %s: close: %w", b.Title, cerr)
		}
	}()
	wrap := func(what string, err error) error { return fmt.Errorf("workbook %s: %s: %w", b.Title, what, err) }
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"F2F2F2"}, Pattern: 1}})
	if err != nil {
		return nil, wrap("header style", err)
	}
	pct := "0.0%"
	percent, err := f.NewStyle(&excelize.Style{CustomNumFmt: &pct})
	if err != nil {
		return nil, wrap("percent style", err)
	}
	one := "0.0"
	decimal, err := f.NewStyle(&excelize.Style{CustomNumFmt: &one})
	if err != nil {
		return nil, wrap("decimal style", err)
	}
	used := map[string]bool{}
	for i, t := range b.Tables {
		name := sheetName(t.Sheet, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, wrap("sheet "+name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, wrap("sheet "+name, err)
		}
		for c, h := range t.Header {
			cell, _ := excelize.CoordinatesToCellName(c+1, 1)
			if err := f.SetCellStr(name, cell, h); err != nil {
				return nil, wrap("header "+cell, err)
			}
		}
		if len(t.Header) > 0 {
			last, _ := excelize.CoordinatesToCellName(len(t.Header), 1)
			if err := f.SetCellStyle(name, "A1", last, bold); err != nil {
				return nil, wrap("header style", err)
			}
			col, _ := excelize.ColumnNumberToName(len(t.Header))
			if err := f.SetColWidth(name, "A", col, 12); err != nil {
				return nil, wrap("widths", err)
			}
			if err := f.SetColWidth(name, "A", "A", 24); err != nil {
				return nil, wrap("widths", err)
			}
		}
		for r, row := range t.Rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
				var err error
				switch {
				case v.Kind == Text:
					err = f.SetCellStr(name, cell, v.Text)
				case v.Empty():
					err = f.SetCellStr(name, cell, None)
				case v.Kind == Count:
					err = f.SetCellInt(name, cell, int64(math.Round(v.Num)))
				case v.Kind == Percent:
					// The page rounds to one decimal of a percent; the
					// workbook holds the same figure.
					if err = f.SetCellFloat(name, cell, v.Num/100, -1, 64); err == nil {
						err = f.SetCellStyle(name, cell, cell, percent)
					}
				default:
					if err = f.SetCellFloat(name, cell, v.Num, -1, 64); err == nil {
						err = f.SetCellStyle(name, cell, cell, decimal)
					}
				}
				if err != nil {
					return nil, wrap("cell "+name+"!"+cell, err)
				}
			}
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, wrap("freeze "+name, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: b.Title, Creator: "Sanxiang Desk"}); err != nil {
		return nil, wrap("properties", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, wrap("write", err)
	}
	return buf.Bytes(), nil
}

const pdfFont = "NotoSansSC"

// PDF prints the book on A4 landscape pages: the title, then each table
// with its header repeated on every page it runs onto. Columns are as
// wide as their widest cell, the text shrunk when a table is wider than
// the page.
func (b Book) PDF() ([]byte, error) {
	const (
		pw, ph = 297.0, 210.0
		m      = 12.0
		pad    = 1.2  // inside a cell
		maxCol = 90.0 // the widest a column grows before its cells wrap
	)
	p := fpdf.New("L", "mm", "A4", "")
	p.AddUTF8FontFromBytes(pdfFont, "", assets.PDFFont)
	p.SetCreator("Sanxiang Desk", true)
	p.SetTitle(b.Title, true)
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(m, m, m)
	p.AddPage()
	p.SetFont(pdfFont, "", 15)
	p.SetTextColor(0, 0, 0)
	p.Text(m, m+5, b.Title)
	y := m + 9
	if b.Subtitle != "" {
		p.SetFont(pdfFont, "", 9)
		p.SetTextColor(80, 80, 80)
		p.Text(m, y+3, b.Subtitle)
		y += 7
	}
	page := 1
	var header func()
	footer := func() {
		p.SetFont(pdfFont, "", 8)
		p.SetTextColor(110, 110, 110)
		p.Text(pw-m-10, ph-6, strconv.Itoa(page))
	}
	newPage := func() {
		footer()
		p.AddPage()
		page++
		y = m
	}
	for _, t := range b.Tables {
		// Widths at 9 pt, a column of long words held to maxCol (its
		// cells wrap), then all scaled down to fit the page.
		size := 9.0
		p.SetFont(pdfFont, "", size)
		widths := make([]float64, len(t.Header))
		measure := func(c int, s string) {
			if c < len(widths) {
				widths[c] = max(widths[c], min(p.GetStringWidth(s)+0.5, maxCol))
			}
		}
		for c, h := range t.Header {
			measure(c, h)
		}
		for _, row := range t.Rows {
			for c, v := range row {
				measure(c, v.String())
			}
		}
		// The words scale with the font; the cells' padding does not.
		total, pads := 0.0, 2*pad*float64(len(widths))
		for _, w := range widths {
			total += w
		}
		k := 1.0
		if total+pads > pw-2*m {
			k = (pw - 2*m - pads) / total
			size *= k
		}
		for i := range widths {
			widths[i] = widths[i]*k + 2*pad
		}
		lineH := size * 0.3528 * 1.35 // points to mm, with leading
		// row draws one row of cells, wrapped to their widths, all as
		// tall as the tallest.
		row := func(cells []string, text func(c int) bool, fill bool) {
			lines := make([][]string, len(cells))
			n := 1
			for c, s := range cells {
				if c < len(widths) {
					lines[c] = wrap(p, s, widths[c]-2*pad)
					n = max(n, len(lines[c]))
				}
			}
			h := float64(n)*lineH + 2*pad
			if y+h > ph-m {
				newPage()
				if !fill {
					header()
				}
			}
			x := m
			for c := range cells {
				if c >= len(widths) {
					break
				}
				style := "D"
				if fill {
					style = "FD"
				}
				p.Rect(x, y, widths[c], h, style)
				for i, line := range lines[c] {
					lx := x + widths[c] - pad - p.GetStringWidth(line)
					switch {
					case fill:
						lx = x + (widths[c]-p.GetStringWidth(line))/2
					case text(c):
						lx = x + pad
					}
					p.Text(lx, y+pad+lineH*float64(i+1)-lineH*0.25, line)
				}
				x += widths[c]
			}
			y += h
		}
		header = func() {
			p.SetFont(pdfFont, "", size)
			p.SetFillColor(235, 235, 235)
			p.SetTextColor(40, 40, 40)
			p.SetDrawColor(200, 200, 200)
			row(t.Header, func(int) bool { return true }, true)
			p.SetTextColor(0, 0, 0)
		}
		if y+lineH*4+8 > ph-m {
			newPage()
		}
		p.SetFont(pdfFont, "", 11)
		p.SetTextColor(0, 0, 0)
		p.Text(m, y+5, t.Title)
		y += 8
		header()
		for _, r := range t.Rows {
			cells := make([]string, len(r))
			for c, v := range r {
				cells[c] = v.String()
			}
			row(cells, func(c int) bool { return r[c].Kind == Text }, false)
		}
		y += 6
	}
	footer()
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("print %s: %w", b.Title, err)
	}
	return buf.Bytes(), nil
}

// wrap breaks s into lines no wider than w at the current font, between
// any two characters (Chinese has no spaces to break at; fpdf's
// SplitText drops the character it breaks a Chinese line at).
func wrap(p *fpdf.Fpdf, s string, w float64) []string {
	var lines []string
	var line []rune
	for _, r := range s {
		if len(line) > 0 && p.GetStringWidth(string(append(line, r))) > w {
			lines = append(lines, string(line))
			line = line[:0]
		}
		line = append(line, r)
	}
	return append(lines, string(line))
}

// Formats a book is served in.
const (
	FormatXLSX = "xlsx"
	FormatPDF  = "pdf"
)

// Serve writes the book in format (FormatXLSX or FormatPDF) as a download
// named name (Chinese welcome: the name goes as RFC 5987 UTF-8, with an
// ASCII fallback for old clients). Nothing is written when the book
// cannot be made: the error is the caller's to answer.
func (b Book) Serve(w http.ResponseWriter, format, name, fallback string) error {
	data, err := b.File(format)
	if err != nil {
		return err
	}
	return Send(w, format, data, name, fallback)
}

// File is the book written in format (FormatXLSX or FormatPDF).
func (b Book) File(format string) ([]byte, error) {
	switch format {
	case FormatXLSX:
		return b.XLSX()
	case FormatPDF:
		return b.PDF()
	}
	return nil, fmt.Errorf("book %s: no format %q", b.Title, format)
}

// Send writes a file made by File as the download name.format, with its
// content type.
func Send(w http.ResponseWriter, format string, data []byte, name, fallback string) error {
	ctype := "application/pdf"
	if format == FormatXLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", Disposition(name+"."+format, fallback+"."+format))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write(data)
	return err
}

// Disposition is an attachment's Content-Disposition with a UTF-8 file
// name (RFC 6266, RFC 5987) and an ASCII one for clients that know no
// other.
func Disposition(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}
