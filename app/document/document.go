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
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Field is one input a template asks the officer for.
type Field struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Default string `json:"default"`
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
	Body   string   `json:"body,omitempty"`
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
// Rows, Body, Signs, Seal, PageSign and Date are the laid-out form as
// printed. Records made before the form was kept have only Text and print
// it as paragraphs.
type Doc struct {
	Template string            `json:"template"`
	Title    string            `json:"title"`
	Inputs   map[string]string `json:"inputs"`
	Text     string            `json:"text"`
	Agency   string            `json:"agency,omitempty"`
	DocNo    string            `json:"doc_no,omitempty"`
	Rows     [][]Cell          `json:"rows,omitempty"`
	Body     string            `json:"body,omitempty"`
	Signs    []string          `json:"signs,omitempty"`
	Seal     bool              `json:"seal,omitempty"`
	PageSign string            `json:"page_sign,omitempty"`
	Date     string            `json:"date,omitempty"`
}

// ErrMissingInput names a field the officer left empty.
var ErrMissingInput = errors.New("a document field is empty")

// Blank stands for a field not yet filled in a draft: the form shows where
// it goes.
const Blank = "＿＿＿＿＿＿"

// Fill makes the document from the case and the officer's inputs. Every
// field must be filled (a default counts); the case supplies the rest.
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

func fill(t Template, c *casefile.Case, agency string, inputs map[string]string, now time.Time, strict bool) (Doc, error) {
	o := c.Opening
	var officers []string
	for _, of := range o.Officers {
		officers = append(officers, fmt.Sprintf(words["officer_cert"], of.Name, of.CertNo))
	}
	date := now.Format(words["fill_date_format"])
	values := map[string]string{
		"case_id": c.ID, "item": o.ItemName, "party": o.Party.Name, "party_id": o.Party.IDNo,
		"party_address": o.Party.Address, "place": o.Place, "summary": o.Summary, "agency": agency,
		"officers": strings.Join(officers, "、"), "date": date,
		"opened":      c.OpenedAt.In(now.Location()).Format(words["fill_date_format"]),
		"doc_no_auto": AutoDocNo(agency, t.Code, now.Year(), c.ID),
	}
	casePairs := []string{}
	for k, v := range values {
		casePairs = append(casePairs, "{"+k+"}", v)
	}
	caseR := strings.NewReplacer(casePairs...)
	used := map[string]string{}
	var missing error
	for _, f := range t.Fields {
		v := strings.TrimSpace(inputs[f.Key])
		if v == "" {
			v = strings.TrimSpace(f.Default)
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
		// A default may itself name a case value ({agency}, {doc_no_auto}).
		used[f.Key] = caseR.Replace(v)
	}
	pairs := append([]string{}, casePairs...)
	for _, f := range t.Fields {
		v, ok := used[f.Key]
		if !ok {
			v = Blank
		}
		pairs = append(pairs, "{"+f.Key+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	d := Doc{Template: t.ID, Title: t.Title, Inputs: used, Agency: agency, Seal: t.Seal, PageSign: t.PageSign, Date: date}
	if v, ok := used["doc_no"]; ok {
		d.DocNo = v
	} else if t.Code != "" {
		d.DocNo = values["doc_no_auto"]
	}
	for _, row := range t.Rows {
		var out []Cell
		for _, cl := range row {
			v := r.Replace(cl.Value)
			if v == Blank { // a table shows an empty box, not a line
				v = ""
			}
			out = append(out, Cell{Label: cl.Label, Value: v, Lines: cl.Lines, Sign: r.Replace(cl.Sign)})
		}
		d.Rows = append(d.Rows, out)
	}
	d.Body = r.Replace(t.Body)
	d.Signs = append(d.Signs, t.Signs...)
	d.Text = plain(d)
	return d, missing
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
	if d.Body != "" {
		b = append(b, d.Body)
	}
	b = append(b, d.Signs...)
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
