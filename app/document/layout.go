package document

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/sanxiang-desk/sanxiang/assets"
)

// The layout is computed once, in millimetres on A4, and then drawn either
// into a PDF (pdf.go) or into an image for the preview on screen
// (image.go): what the officer sees before printing is what prints.

const (
	pageW, pageH = 210.0, 297.0
	marginL      = 25.0
	marginR      = 22.0
	marginT      = 22.0
	footY        = 280.0 // baseline of the page number
	bodyBottom   = 266.0 // nothing but the foot below this
	ptMM         = 25.4 / 72
	sizeAgency   = 16.0
	sizeTitle    = 21.0
	sizeText     = 12.0
	sizeSmall    = 10.5
	lineFactor   = 1.75 // line height in font sizes
	cellPad      = 2.2
	labelW       = 30.0 // a table's label column
	sealR        = 18.0 // the seal circle's radius
	ascentFactor = 0.88
	textW        = pageW - marginL - marginR
)

// op is one drawing operation of a page.
type op struct {
	kind       byte // 't' text at (x, y = baseline), 'l' line, 'c' dashed circle, 'r' filled rectangle
	x, y, w, h float64
	size       float64
	s          string
	gray       bool
}

type page struct{ ops []op }

// The font's advance widths, shared by both outputs.
var (
	fontOnce sync.Once
	sfntFont *sfnt.Font
	fontErr  error
	widthMu  sync.Mutex
	widths   = map[rune]float64{} // in em
)

func loadFont() (*sfnt.Font, error) {
	fontOnce.Do(func() {
		sfntFont, fontErr = sfnt.Parse(assets.PDFFont)
		if fontErr != nil {
			fontErr = fmt.Errorf("pdf font: %w", fontErr)
		}
	})
	return sfntFont, fontErr
}

// width is the width of s in mm at size points.
func width(s string, size float64) float64 {
	f, err := loadFont()
	if err != nil {
		return float64(len([]rune(s))) * size * ptMM
	}
	widthMu.Lock()
	defer widthMu.Unlock()
	var buf sfnt.Buffer
	em := 0.0
	for _, r := range s {
		w, ok := widths[r]
		if !ok {
			w = 1
			if gi, err := f.GlyphIndex(&buf, r); err == nil && gi != 0 {
				if adv, err := f.GlyphAdvance(&buf, gi, fixed.I(1000), font.HintingNone); err == nil {
					w = float64(adv) / 64 / 1000
				}
			} else if r < 0x2e80 {
				w = 0.5
			}
			widths[r] = w
		}
		em += w
	}
	return em * size * ptMM
}

// Closing punctuation never begins a line, opening punctuation never ends
// one (禁则).
const (
	closing = "，。、；：？！）》」』】〕〉”’…—％,.;:?!)]}%·"
	opening = "（《「『【〔〈“‘([{"
)

func isClosing(s string) bool { return s != "" && strings.ContainsRune(closing, []rune(s)[0]) }
func isOpening(s string) bool {
	r := []rune(s)
	return len(r) > 0 && strings.ContainsRune(opening, r[len(r)-1])
}

// tokens splits a line into what may not be broken: a run of Latin
// letters, digits and the marks inside numbers (2026-11-30, 91990102MA…,
// 12.5), or one other character.
func tokens(s string) []string {
	var out []string
	var run []rune
	flush := func() {
		if len(run) > 0 {
			out = append(out, string(run))
			run = nil
		}
	}
	for _, r := range s {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-./:%_#", r)) {
			run = append(run, r)
			continue
		}
		flush()
		out = append(out, string(r))
	}
	flush()
	return out
}

// wrap breaks text into lines no wider than w mm at size points, with a
// first line indented by indent mm: at any character between Chinese
// characters, never inside a number or Latin word (unless it is wider
// than a line), never with closing punctuation at the start of a line
// or opening punctuation at its end.
func wrap(text string, w, size, indent float64) []string {
	var lines []string
	for pi, para := range strings.Split(text, "\n") {
		_ = pi
		toks := tokens(para)
		// Split tokens wider than a line.
		var ts []string
		for _, t := range toks {
			if width(t, size) <= w || len([]rune(t)) == 1 {
				ts = append(ts, t)
				continue
			}
			for _, r := range t {
				ts = append(ts, string(r))
			}
		}
		if len(ts) == 0 {
			lines = append(lines, "")
			continue
		}
		start, first := 0, true
		for start < len(ts) {
			avail := w
			if first {
				avail -= indent
			}
			x, i := 0.0, start
			for i < len(ts) {
				tw := width(ts[i], size)
				if x+tw > avail+0.01 && i > start {
					break
				}
				x += tw
				i++
			}
			if i < len(ts) {
				// Move back until the break is allowed.
				j := i
				for j > start+1 && (isClosing(ts[j]) || isOpening(ts[j-1])) {
					j--
				}
				if j > start+1 || !(isClosing(ts[j])) {
					i = j
				} else if isClosing(ts[i]) {
					// A line of one character and closing marks: let them hang.
					for i < len(ts) && isClosing(ts[i]) {
						i++
					}
				}
			}
			lines = append(lines, strings.Join(ts[start:i], ""))
			start, first = i, false
		}
	}
	return lines
}

// layout is a document's pages.
type layout struct {
	pages []*page
	cur   *page
	y     float64
	doc   Doc
}

func (l *layout) newPage() {
	l.cur = &page{}
	l.pages = append(l.pages, l.cur)
	l.y = marginT
}

func (l *layout) text(x, top, size float64, s string) {
	l.cur.ops = append(l.cur.ops, op{kind: 't', x: x, y: top + size*ptMM*ascentFactor + (lineFactor-1)*size*ptMM/2, size: size, s: s})
}

func (l *layout) centered(top, size float64, s string) {
	l.text(marginL+(textW-width(s, size))/2, top, size, s)
}

func (l *layout) right(x1, top, size float64, s string) { l.text(x1-width(s, size), top, size, s) }

func (l *layout) line(x1, y1, x2, y2 float64) {
	l.cur.ops = append(l.cur.ops, op{kind: 'l', x: x1, y: y1, w: x2, h: y2})
}

func lh(size float64) float64 { return size * ptMM * lineFactor }

// need starts a new page unless h mm fit below y.
func (l *layout) need(h float64) {
	if l.y+h > bodyBottom {
		l.newPage()
	}
}

// docPages lays a document out: the agency's name, the title and the 文号
// on the first page; the table; the body; the signature lines; the
// agency, date and seal box; and on every page the page number (第 1 页
// 共 2 页), the signature the model asks for on each page and mark, the
// document's check (checkOps), if any.
func docPages(d Doc, mark []op) []*page {
	l := &layout{doc: d}
	l.newPage()
	if d.Agency != "" {
		l.centered(l.y, sizeAgency, d.Agency)
		l.y += lh(sizeAgency)
	}
	l.centered(l.y, sizeTitle, d.Title)
	l.y += lh(sizeTitle)
	if d.DocNo != "" {
		l.right(pageW-marginR, l.y, sizeText, d.DocNo)
		l.y += lh(sizeText)
	}
	l.y += 2
	l.table(d.Rows)
	// A list follows the form's table (清单, the review's checklist), or in
	// a letter the paragraph that announces it (下列物品).
	grid := d.Grid != nil && len(d.Grid.Columns) > 0
	if grid && len(d.Rows) > 0 {
		l.y += 3
		l.grid(*d.Grid)
	}
	body := d.Body
	if len(d.Rows) == 0 && d.Grid == nil && body == "" {
		body = d.Text // a record from before the form was kept
	}
	if body != "" {
		if len(d.Rows) > 0 {
			l.y += 3
		}
		l.paragraphs(body)
	}
	if grid && len(d.Rows) == 0 {
		l.y += 3
		l.grid(*d.Grid)
	}
	for _, s := range d.Signs {
		l.y += 4
		l.need(lh(sizeText) * 1.5)
		l.text(marginL, l.y, sizeText, s)
		date := words["sign_date"]
		l.right(pageW-marginR, l.y, sizeText, date)
		l.line(marginL+width(s, sizeText)+1, l.y+lh(sizeText)-1.2, pageW-marginR-width(date, sizeText)-6, l.y+lh(sizeText)-1.2)
		l.y += lh(sizeText)
	}
	if d.Seal {
		// The seal may reach into the foot margin beside the page number
		// (it is on the right, the number in the middle), closing up the
		// gap above it before it goes on a page of its own.
		h := 2*sealR + 2
		l.y += max(0, min(6, footY-h-l.y))
		if l.y+h > footY {
			l.newPage()
		}
		cx := pageW - marginR - 28
		cy := l.y + sealR
		l.cur.ops = append(l.cur.ops, op{kind: 'c', x: cx, y: cy, w: sealR})
		seal := words["doc_seal"]
		l.cur.ops = append(l.cur.ops, op{kind: 't', x: cx - width(seal, sizeSmall)/2, y: cy - sealR + 7, size: sizeSmall, s: seal, gray: true})
		top := cy - lh(sizeText)
		for _, s := range []string{d.Agency, d.Date} {
			if s != "" {
				l.text(cx-width(s, sizeText)/2, top, sizeText, s)
			}
			top += lh(sizeText)
		}
		l.y += h
	}
	n := len(l.pages)
	for i, p := range l.pages {
		l.cur = p
		no := fmt.Sprintf(words["page_no"], i+1, n)
		l.centered(footY-lh(sizeSmall)/2-3, sizeSmall, no)
		p.ops = append(p.ops, mark...)
		if d.PageSign != "" {
			l.text(marginL, bodyBottom+1, sizeSmall, d.PageSign)
			l.line(marginL+width(d.PageSign, sizeSmall)+1, bodyBottom+1+lh(sizeSmall)-1.5, marginL+width(d.PageSign, sizeSmall)+45, bodyBottom+1+lh(sizeSmall)-1.5)
		}
	}
	return l.pages
}

// paragraphs prints prose: each paragraph indented by two characters
// except an address line ("当事人：" alone, "某某公司：") and the lines of
// questions and answers (问：/答：).
func (l *layout) paragraphs(body string) {
	h := lh(sizeText)
	for _, para := range strings.Split(body, "\n") {
		indent := 2 * width("　", sizeText)
		if strings.HasPrefix(para, "问：") || strings.HasPrefix(para, "答：") || isAddress(para) {
			indent = 0
		}
		for i, line := range wrap(para, textW, sizeText, indent) {
			l.need(h)
			x := marginL
			if i == 0 {
				x += indent
			}
			l.text(x, l.y, sizeText, line)
			l.y += h
		}
	}
}

// isAddress tells the line a letter is addressed with ("某某公司：") or a
// heading of the lines that follow ("当事人最后陈述："): it ends with a
// colon and is no sentence; a sentence ending with a colon ("现将有关事项
// 通知如下：") is indented as any paragraph.
func isAddress(para string) bool {
	return strings.HasSuffix(para, "：") && !strings.ContainsAny(para, "，。；")
}

// table draws rows of labelled cells with ruled borders. A row too tall
// for what is left of the page continues on the next, its label marked
// （续）.
func (l *layout) table(rows [][]Cell) {
	if len(rows) == 0 {
		return
	}
	h := lh(sizeText)
	x0, x1 := marginL, pageW-marginR
	topOfTable := l.y
	l.line(x0, l.y, x1, l.y)
	for _, row := range rows {
		cw := (x1 - x0) / float64(len(row))
		type cellLines struct{ label, value []string }
		var cls []cellLines
		lines := 1
		for _, c := range row {
			lw := labelW
			if len(row) > 1 {
				lw = labelW * 0.9
			}
			cl := cellLines{label: wrap(c.Label, lw-2*cellPad, sizeText, 0), value: wrap(c.Value, cw-lw-2*cellPad, sizeText, 0)}
			if c.Value == "" {
				cl.value = nil
			}
			n := max(len(cl.label), len(cl.value), c.Lines)
			if c.Sign != "" {
				n = max(len(cl.label), len(cl.value)+1, c.Lines+1)
			}
			lines = max(lines, n)
			cls = append(cls, cl)
		}
		done := 0
		for done < lines {
			room := int((bodyBottom - l.y - 2*cellPad) / h)
			if room < 1 || (room < lines-done && lines-done <= int((bodyBottom-marginT-2*cellPad)/h)) {
				l.vrules(row, topOfTable, x0, x1)
				l.newPage()
				topOfTable = l.y
				l.line(x0, l.y, x1, l.y)
				continue
			}
			take := min(room, lines-done)
			for ci, c := range row {
				cx := x0 + float64(ci)*cw
				lw := labelW
				if len(row) > 1 {
					lw = labelW * 0.9
				}
				label := cls[ci].label
				if done > 0 {
					label = []string{words["cont"]}
				}
				// The label centred in its column, the first lines at the top.
				ly := l.y + cellPad
				if len(label) < take && done == 0 {
					ly += float64(take-len(label)) * h / 2
				}
				for _, s := range label {
					l.text(cx+(lw-width(s, sizeText))/2, ly, sizeText, s)
					ly += h
				}
				for k := done; k < done+take && k < len(cls[ci].value); k++ {
					l.text(cx+lw+cellPad, l.y+cellPad+float64(k-done)*h, sizeText, cls[ci].value[k])
				}
				if c.Sign != "" && done+take == lines {
					l.right(cx+cw-cellPad, l.y+cellPad+float64(take-1)*h, sizeText, c.Sign)
				}
			}
			done += take
			l.y += float64(take)*h + 2*cellPad
			l.line(x0, l.y, x1, l.y)
			// Vertical rules of this row.
			rowTop := l.y - float64(take)*h - 2*cellPad
			for ci := range row {
				cx := x0 + float64(ci)*cw
				lw := labelW
				if len(row) > 1 {
					lw = labelW * 0.9
				}
				if ci > 0 {
					l.line(cx, rowTop, cx, l.y)
				}
				l.line(cx+lw, rowTop, cx+lw, l.y)
			}
		}
	}
	l.vrules(nil, topOfTable, x0, x1)
}

// vrules draws the table's outer sides from top to the current y.
func (l *layout) vrules(_ []Cell, top, x0, x1 float64) {
	if l.y <= top {
		return
	}
	l.line(x0, top, x0, l.y)
	l.line(x1, top, x1, l.y)
}

// grid draws a table of items under its column heads, the heads again at
// the top of each page it runs on, padded with empty rows to MinRows for
// items written in by hand. Narrow columns (序号, 数量) are centred.
func (l *layout) grid(g Grid) {
	n := len(g.Columns)
	x0, x1 := marginL, pageW-marginR
	ws := make([]float64, n)
	total := 0.0
	for i := range ws {
		ws[i] = 1
		if len(g.Widths) == n && g.Widths[i] > 0 {
			ws[i] = g.Widths[i]
		}
		total += ws[i]
	}
	xs := make([]float64, n+1)
	xs[0] = x0
	for i, w := range ws {
		xs[i+1] = xs[i] + w/total*(x1-x0)
	}
	h := lh(sizeText)
	top := l.y
	var row func(cells []string, head bool)
	row = func(cells []string, head bool) {
		var lines [][]string
		k := 1
		for i := range n {
			s := ""
			if i < len(cells) {
				s = cells[i]
			}
			ls := wrap(s, xs[i+1]-xs[i]-2*cellPad, sizeText, 0)
			if s == "" {
				ls = nil
			}
			lines = append(lines, ls)
			k = max(k, len(ls))
		}
		rowH := float64(k)*h + 2*cellPad
		if l.y+rowH > bodyBottom {
			l.vrules(nil, top, x0, x1)
			l.newPage()
			top = l.y
			l.line(x0, l.y, x1, l.y)
			if !head {
				row(g.Columns, true)
			}
		}
		for i, ls := range lines {
			cw := xs[i+1] - xs[i]
			for j, s := range ls {
				x := xs[i] + cellPad
				if head || (len(ls) == 1 && cw < 25) {
					x = xs[i] + (cw-width(s, sizeText))/2
				}
				l.text(x, l.y+cellPad+float64(j)*h, sizeText, s)
			}
		}
		rowTop := l.y
		l.y += rowH
		l.line(x0, l.y, x1, l.y)
		for i := 1; i < n; i++ {
			l.line(xs[i], rowTop, xs[i], l.y)
		}
	}
	l.line(x0, l.y, x1, l.y)
	row(g.Columns, true)
	rows := g.Rows
	for len(rows) < g.MinRows {
		rows = append(rows, nil)
	}
	for _, r := range rows {
		row(r, false)
	}
	l.vrules(nil, top, x0, x1)
}
