// Package document fills the standard enforcement documents (文书) from a
// case and the officer's input, and prints documents and whole case files
// as PDF with the bundled Chinese font. The record keeps the document as
// it is laid out on paper (agency, 文号, table cells, body, signature and
// seal areas), so the electronic and the paper version are identical.
// Pure Go: the platform can print what a device recorded.
package document

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Field is one input a template asks the officer for. From names a case
// value (see Fill) that, when the case has it, is the default in place of
// Default: a date a stage record set (remind_comply_by), the head who
// approved.
type Field struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Default string `json:"default"`
	From    string `json:"from,omitempty"`
}

// Cell is one labelled box of a table form: the label on the left, the
// value on the right, at least Lines lines high, and a signature line
// (签名、日期) at the foot of the value where the model has one.
type Cell struct {
	Label string `json:"label"`
	Value string `json:"value"`
	Lines int    `json:"lines,omitempty"`
	Sign  string `json:"sign,omitempty"`
}

// List is a template's table of items with column heads: the things
// sealed or seized (查封（扣押）清单) from an input of one item a line, or
// the points of the legal review's checklist with the reviewer's answers.
type List struct {
	// Source is "review" for the checklist of the case's opinion, else
	// the key of the field whose lines are the items, each line's cells
	// split by "|", "｜" or a tab.
	Source  string    `json:"source"`
	Columns []string  `json:"columns"`
	Widths  []float64 `json:"widths,omitempty"` // relative; equal when empty
	// Numbered adds a first column 序号 counting the items.
	Numbered bool `json:"numbered,omitempty"`
	// MinRows pads the table with empty rows to be written in by hand.
	MinRows int `json:"min_rows,omitempty"`
}

// Grid is a filled List as printed.
type Grid struct {
	Columns []string   `json:"columns"`
	Widths  []float64  `json:"widths,omitempty"`
	Rows    [][]string `json:"rows"`
	MinRows int        `json:"min_rows,omitempty"`
}

// Template is a standard document, laid out as the national models of
// 行政执法文书 are: a table where the model is a table (审批表, 送达回证,
// the head of a 笔录), paragraphs where it is a letter (告知书, 决定书),
// signature lines, the agency's seal (盖章) and page numbers.
type Template struct {
	ID    string        `json:"id"`
	Title string        `json:"title"`
	Acts  []catalog.Act `json:"acts"`
	// Code is the document's class in the 文号 (立, 罚告, 罚, 许); empty
	// where the model carries no 文号 (笔录 and 送达回证 carry the 案号).
	Code   string   `json:"code"`
	Fields []Field  `json:"fields"`
	Rows   [][]Cell `json:"rows,omitempty"`
	// List is a table of items printed after Rows.
	List *List  `json:"list,omitempty"`
	Body string `json:"body,omitempty"`
	// Signs are the signature lines after the body (each with a date).
	Signs []string `json:"signs,omitempty"`
	// Seal asks for the agency's name, the date and the seal box.
	Seal bool `json:"seal,omitempty"`
	// PageSign is signed at the foot of every page (笔录: 被询问人签名).
	PageSign string `json:"page_sign,omitempty"`
}

// Templates returns the bundled templates.
func Templates() ([]Template, error) {
	var ts []Template
	if err := json.Unmarshal(assets.DocumentTemplates, &ts); err != nil {
		return nil, fmt.Errorf("document templates: %w", err)
	}
	return ts, nil
}

// TemplateByID finds the bundled template with the ID.
func TemplateByID(id string) (Template, error) {
	ts, err := Templates()
	if err != nil {
		return Template{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return Template{}, fmt.Errorf("document template %q: none bundled", id)
}

// For lists the templates that apply to an act.
func For(ts []Template, act catalog.Act) []Template {
	var out []Template
	for _, t := range ts {
		for _, a := range t.Acts {
			if a == act {
				out = append(out, t)
			}
		}
	}
	return out
}

// Doc is a filled-in document, the body of a document record. Text is the
// document in plain lines (what is published and searched); Agency, DocNo,
// Rows, Grid, Body, Signs, Seal, PageSign and Date are the laid-out form
// as printed. Records made before the form was kept have only Text and
// print it as paragraphs.
type Doc struct {
	Template string            `json:"template"`
	Title    string            `json:"title"`
	Inputs   map[string]string `json:"inputs"`
	Text     string            `json:"text"`
	Agency   string            `json:"agency,omitempty"`
	DocNo    string            `json:"doc_no,omitempty"`
	Rows     [][]Cell          `json:"rows,omitempty"`
	Grid     *Grid             `json:"grid,omitempty"`
	Body     string            `json:"body,omitempty"`
	Signs    []string          `json:"signs,omitempty"`
	Seal     bool              `json:"seal,omitempty"`
	PageSign string            `json:"page_sign,omitempty"`
	Date     string            `json:"date,omitempty"`
}

// ErrMissingInput names a field the officer left empty.
var ErrMissingInput = errors.New("a document field is empty")

// ErrNoOpinion refuses a 法制审核意见书 for a case whose legal review has
// no signed opinion yet: the document prints the opinion as recorded.
var ErrNoOpinion = errors.New("the case has no signed legal review opinion to print")

// Blank stands for a field not yet filled in a draft: the form shows where
// it goes.
const Blank = "＿＿＿＿＿＿"

// Blanks left in a signature line for a hand signature and its date, when
// the record that would fill them is not there yet.
const (
	blankName = "　　　　　　　　"
	blankDate = "　　　　年　　月　　日"
)

// Fill makes the document from the case and the officer's inputs. Every
// field must be filled (a default counts); the case supplies the rest:
//
//   - {case_id} {item} {place} {summary} {agency} {officers} (names with
//     certificate numbers) {date} {opened} {doc_no_auto};
//   - the party: {party} {party_id} {party_address} {party_phone}
//     {party_rep} (the legal representative), a blank where not known;
//   - each stage's record: {STAGE_approver} and {STAGE_note} (the head who
//     approved and what the record says), {STAGE_date} (when it was
//     recorded) and {STAGE_FIELD} for a date it set ({remind_comply_by},
//     {hearing_notice_hearing_on}); empty, or blanks for a hand signature
//     in a signature line, while the stage is not recorded;
//   - the legal review's signed opinion: {review_verdict} {review_reasons}
//     {reviewer} {reviewer_qual} {review_date} {review_proposal}
//     {review_facts} {review_basis} {review_checklist}; a template that
//     prints them is refused (ErrNoOpinion) while there is none.
func Fill(t Template, c *casefile.Case, agency string, inputs map[string]string, now time.Time) (Doc, error) {
	return fill(t, c, agency, inputs, now, true)
}

// Draft is the document as far as it is filled: what is missing shows as
// a blank (Blank in prose, an empty box in a table), so the preview always
// shows the whole form.
func Draft(t Template, c *casefile.Case, agency string, inputs map[string]string, now time.Time) Doc {
	d, _ := fill(t, c, agency, inputs, now, false)
	return d
}

var placeholder = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// caseValues looks up what the case says for a placeholder.
type caseValues struct {
	c       *casefile.Case
	loc     *time.Location
	values  map[string]string
	opinion *review.Opinion
	opAt    time.Time
	sub     *review.Submission
}

func newCaseValues(c *casefile.Case, agency, code string, now time.Time) *caseValues {
	o := c.Opening
	var officers []string
	for _, of := range o.Officers {
		officers = append(officers, fmt.Sprintf(words["officer_cert"], of.Name, of.CertNo))
	}
	cv := &caseValues{c: c, loc: now.Location(), values: map[string]string{
		"case_id": c.ID, "item": o.ItemName, "party": o.Party.Name, "party_id": o.Party.IDNo,
		"party_address": o.Party.Address, "party_phone": o.Party.Phone, "party_rep": o.Party.Representative,
		"place": o.Place, "summary": o.Summary, "agency": agency,
		"officers": strings.Join(officers, "、"), "date": now.Format(words["fill_date_format"]),
		"opened":      c.OpenedAt.In(now.Location()).Format(words["fill_date_format"]),
		"doc_no_auto": AutoDocNo(agency, code, now.Year(), c.ID),
	}}
	st := review.StateOf(c)
	cv.sub = st.Submission
	if st.Opinion != nil {
		cv.opinion = st.Opinion
		if st.OpinionRecord != nil {
			cv.opAt = st.OpinionRecord.At
		}
	}
	return cv
}

func (cv *caseValues) day(t time.Time) string {
	return t.In(cv.loc).Format(words["fill_date_format"])
}

// isoDay prints a date a record set (2026-12-01) as on paper.
func (cv *caseValues) isoDay(s string) string {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format(words["fill_date_format"])
	}
	return s
}

// stageSuffixes are the values each stage's record gives.
var stageSuffixes = []string{"approver", "note", "date", "hearing_on", "comply_by", "rectify_by", "pay_by"}

// lookup is the case's value for a placeholder; ok is false for a name
// the case does not know, which stays as written. sign asks for the
// blanks of a hand signature where a stage's record is not there.
func (cv *caseValues) lookup(name string, sign bool) (string, bool, error) {
	if v, ok := cv.values[name]; ok {
		return v, true, nil
	}
	if strings.HasPrefix(name, "review") {
		if v, ok := cv.reviewValue(name); ok {
			if cv.opinion == nil {
				return "", true, ErrNoOpinion
			}
			return v, true, nil
		}
	}
	for _, suf := range stageSuffixes {
		stage, ok := strings.CutSuffix(name, "_"+suf)
		if !ok || !casefile.National().Knows(stage) {
			continue
		}
		r, done := cv.c.Done[stage]
		var b casefile.StageBody
		if done {
			_ = json.Unmarshal(r.Body, &b) // a body that does not read gives blanks
		}
		v := ""
		switch suf {
		case "approver":
			v = b.Approver
			if v == "" && sign {
				v = blankName
			}
		case "note":
			v = b.Note
		case "date":
			if done {
				v = cv.day(r.At)
			} else if sign {
				v = blankDate
			}
		default:
			v = cv.isoDay(b.DateOf(suf))
		}
		return v, true, nil
	}
	return "", false, nil
}

// reviewValue is a value of the case's signed opinion ("" before there is
// one); ok is false for a name that is not one.
func (cv *caseValues) reviewValue(name string) (string, bool) {
	op, sub := cv.opinion, cv.sub
	if op == nil {
		op = &review.Opinion{}
	}
	if sub == nil {
		sub = &review.Submission{}
	}
	switch name {
	case "review_verdict":
		return words["review."+op.Opinion], true
	case "review_reasons":
		return op.Reasons, true
	case "reviewer":
		return op.Reviewer.Name, true
	case "reviewer_qual":
		if q, ok := words["qual."+op.Reviewer.Qualification]; ok {
			return q, true
		}
		return op.Reviewer.Qualification, true
	case "review_date":
		if cv.opAt.IsZero() {
			return "", true
		}
		return cv.day(cv.opAt), true
	case "review_proposal":
		return sub.Proposal.Text, true
	case "review_facts":
		return sub.Facts, true
	case "review_basis":
		return sub.LegalBasis, true
	case "review_checklist":
		if t := words["checklist."+strings.SplitN(op.Checklist, "+", 2)[0]]; t != "" {
			return t, true
		}
		return op.Checklist, true
	}
	return "", false
}

// expand replaces the placeholders of s with what vals or the case
// gives; a name neither knows stays. The first error (ErrNoOpinion) is
// kept in *errp.
func (cv *caseValues) expand(s string, vals map[string]string, sign bool, errp *error) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		if v, ok := vals[name]; ok {
			return v
		}
		v, ok, err := cv.lookup(name, sign)
		if err != nil && *errp == nil {
			*errp = err
		}
		if !ok {
			return m
		}
		if v == "" && !sign { // a line to write on in prose; a table shows an empty box
			return Blank
		}
		return v
	})
}

// preset is a field's default with the case's values in; empty when a
// value it names is not known, so that the officer is asked.
func (cv *caseValues) preset(s string, errp *error) string {
	v := strings.TrimSpace(cv.expand(strings.TrimSpace(s), nil, false, errp))
	if strings.Contains(v, Blank) {
		return ""
	}
	return v
}

func fill(t Template, c *casefile.Case, agency string, inputs map[string]string, now time.Time, strict bool) (Doc, error) {
	cv := newCaseValues(c, agency, t.Code, now)
	var caseErr error
	used := map[string]string{}
	var missing error
	for _, f := range t.Fields {
		v := strings.TrimSpace(inputs[f.Key])
		if v == "" && f.From != "" {
			v = cv.preset("{"+f.From+"}", &caseErr)
		}
		if v == "" {
			// A default may itself name a case value ({agency}, {doc_no_auto}).
			v = cv.preset(f.Default, &caseErr)
		}
		if v == "" {
			if missing == nil {
				missing = fmt.Errorf("%w: %s", ErrMissingInput, f.Label)
			}
			if strict {
				return Doc{}, missing
			}
			continue
		}
		used[f.Key] = v
	}
	vals := map[string]string{}
	for _, f := range t.Fields {
		v, ok := used[f.Key]
		if !ok {
			v = Blank
		}
		vals[f.Key] = v
	}
	d := Doc{Template: t.ID, Title: t.Title, Inputs: used, Agency: agency, Seal: t.Seal, PageSign: t.PageSign, Date: cv.values["date"]}
	if v, ok := used["doc_no"]; ok {
		d.DocNo = v
	} else if t.Code != "" {
		d.DocNo = cv.values["doc_no_auto"]
	}
	for _, row := range t.Rows {
		var out []Cell
		for _, cl := range row {
			v := cv.expand(cl.Value, vals, false, &caseErr)
			if v == Blank { // a table shows an empty box, not a line
				v = ""
			}
			out = append(out, Cell{Label: cl.Label, Value: v, Lines: cl.Lines, Sign: cv.expand(cl.Sign, vals, true, &caseErr)})
		}
		d.Rows = append(d.Rows, out)
	}
	if t.List != nil {
		g, err := cv.grid(*t.List, used)
		if err != nil && caseErr == nil {
			caseErr = err
		}
		d.Grid = g
	}
	d.Body = cv.expand(t.Body, vals, false, &caseErr)
	for _, s := range t.Signs {
		d.Signs = append(d.Signs, cv.expand(s, vals, true, &caseErr))
	}
	d.Text = plain(d)
	if caseErr != nil {
		if strict {
			return Doc{}, fmt.Errorf("%s: %w", t.Title, caseErr)
		}
		return d, fmt.Errorf("%s: %w", t.Title, caseErr)
	}
	return d, missing
}

// grid fills a template's list: the checklist points of the case's opinion
// with their answers, or the items an input gives one a line.
func (cv *caseValues) grid(l List, used map[string]string) (*Grid, error) {
	g := &Grid{Columns: append([]string(nil), l.Columns...), Widths: append([]float64(nil), l.Widths...), MinRows: l.MinRows}
	var rows [][]string
	var err error
	if l.Source == "review" {
		if cv.opinion == nil {
			err = ErrNoOpinion
		} else {
			for _, p := range cv.opinion.Points {
				rows = append(rows, []string{p.Text, words["point."+p.Status], p.Note})
			}
		}
	} else {
		for _, line := range strings.Split(used[l.Source], "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			cells := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '｜' || r == '\t' })
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			rows = append(rows, cells)
		}
	}
	n := len(g.Columns)
	if l.Numbered {
		n--
	}
	for i, r := range rows {
		if len(r) > n { // more cells than columns: the rest joins the last
			r = append(r[:n-1], strings.Join(r[n-1:], "；"))
		}
		for len(r) < n {
			r = append(r, "")
		}
		if l.Numbered {
			r = append([]string{strconv.Itoa(i + 1)}, r...)
		}
		g.Rows = append(g.Rows, r)
	}
	return g, err
}

// plain is the document in lines: the 文号, each cell as "label：value",
// the body, and the signature lines, agency and date.
func plain(d Doc) string {
	var b []string
	if d.DocNo != "" {
		b = append(b, d.DocNo)
	}
	for _, row := range d.Rows {
		var cells []string
		for _, c := range row {
			s := squeeze(c.Label) + "：" + c.Value
			// A signature line is kept where it names someone or a date.
			if _, after, _ := strings.Cut(c.Sign, "："); strings.Trim(after, "　 年月日") != "" {
				s += "　" + strings.TrimRight(c.Sign, "　 ")
			}
			cells = append(cells, s)
		}
		b = append(b, strings.Join(cells, "　"))
	}
	var grid []string
	if d.Grid != nil {
		grid = append(grid, strings.Join(d.Grid.Columns, "　"))
		for _, r := range d.Grid.Rows {
			grid = append(grid, strings.Join(r, "　"))
		}
	}
	if len(d.Rows) > 0 { // as printed: after the table, or after a letter's body
		b = append(b, grid...)
	}
	if d.Body != "" {
		b = append(b, d.Body)
	}
	if len(d.Rows) == 0 {
		b = append(b, grid...)
	}
	for _, s := range d.Signs {
		b = append(b, strings.TrimRight(s, "　 "))
	}
	if d.Seal {
		b = append(b, d.Agency, d.Date)
	}
	return strings.Join(b, "\n")
}

// squeeze drops the spaces that spread a short label over its box.
func squeeze(s string) string { return strings.NewReplacer("　", "", " ", "").Replace(s) }

// AgencyCode is the agency's code in a 文号 (机关代字): the first character of
// each administrative level of its name and the office's short form, e.g.
// 青禾市市场监督管理局 → 青市监, 青禾市明湖区市场监督管理局 → 青明市监, as the
// demo's published decisions are numbered (青市监罚〔2026〕N号).
func AgencyCode(agency string) string {
	stem, office := agency, ""
	best := 0
	for suffix, abbr := range agencyAbbr {
		if strings.HasSuffix(agency, suffix) && len(suffix) > best {
			best, stem, office = len(suffix), strings.TrimSuffix(agency, suffix), abbr
		}
	}
	var code []rune
	start := true
	for _, r := range stem {
		if start {
			code = append(code, r)
			start = false
		}
		if strings.ContainsRune("省市县区州旗盟", r) {
			start = true
		}
	}
	if office == "" {
		// An office the table does not know: its first two characters.
		rest := []rune(strings.TrimPrefix(agency, stem))
		if best == 0 {
			rest = []rune(agency)
			code = nil
			if len(rest) > 0 {
				code = rest[:1]
			}
			for i, r := range rest {
				if strings.ContainsRune("省市县区州旗盟", r) && i+1 < len(rest) {
					rest = rest[i+1:]
				}
			}
		}
		if len(rest) > 2 {
			rest = rest[:2]
		}
		office = string(rest)
	}
	return string(code) + office
}

// AutoDocNo proposes a document's 文号: the agency's code (AgencyCode), the
// document's class (Template.Code), the year in 〔〕 and the case's number
// on its device (the last part of the case number, DESK-1-20261205-0012 →
// 12), e.g. 青市监立〔2026〕12号. The registry of the agency has the last
// word: the officer can change the number where the template asks for it.
// Empty where the template has no class.
func AutoDocNo(agency, code string, year int, caseID string) string {
	if code == "" {
		return ""
	}
	seq := caseID
	if i := strings.LastIndex(caseID, "-"); i >= 0 {
		seq = caseID[i+1:]
	}
	n, err := strconv.Atoi(seq)
	if err != nil || n <= 0 {
		n = 1
	}
	return fmt.Sprintf("%s%s〔%d〕%d号", AgencyCode(agency), code, year, n)
}

// FileName is the name a printed document is saved under: the case number
// and the document's title, e.g. DESK-1-20261205-0001_立案审批表.pdf, with
// any character a file system refuses replaced.
func FileName(caseID, title, ext string) string {
	name := title
	if caseID != "" {
		name = caseID + "_" + title
	}
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 || r == utf8.RuneError {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" {
		name = "文书"
	}
	return name + ext
}
