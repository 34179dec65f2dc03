package document

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/assets"
)

const fontName = "NotoSansSC"

// words are the printed labels from assets/documents/print.json, and
// agencyAbbr its table of offices' short forms in a 文号 (机关代字).
var words, agencyAbbr = func() (map[string]string, map[string]string) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(assets.PrintWords, &raw); err != nil {
		panic("assets/documents/print.json: " + err.Error()) // embedded at build time; a test reads it
	}
	m, abbr := map[string]string{}, map[string]string{}
	for k, v := range raw {
		var err error
		if k == "agency_abbr" {
			err = json.Unmarshal(v, &abbr)
		} else {
			var s string
			err = json.Unmarshal(v, &s)
			m[k] = s
		}
		if err != nil {
			panic("assets/documents/print.json " + k + ": " + err.Error())
		}
	}
	return m, abbr
}()

func newPDF() *fpdf.Fpdf {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(fontName, "", assets.PDFFont)
	p.SetMargins(22, 20, 22)
	p.SetAutoPageBreak(true, 20)
	p.SetCreator("Sanxiang Desk", true)
	return p
}

// drawPDF replays a laid-out page into the PDF; footer, if any, is printed
// small and grey above the page number.
func drawPDF(p *fpdf.Fpdf, pg *page, footer string) {
	p.AddPage()
	p.SetLineWidth(0.3)
	for _, o := range pg.ops {
		switch o.kind {
		case 't':
			p.SetFont(fontName, "", o.size)
			if o.gray {
				p.SetTextColor(110, 110, 110)
			}
			p.Text(o.x, o.y, o.s)
			p.SetTextColor(0, 0, 0)
		case 'l':
			p.Line(o.x, o.y, o.w, o.h)
		case 'c':
			p.SetDrawColor(110, 110, 110)
			p.SetDashPattern([]float64{1.6, 1.2}, 0)
			p.Circle(o.x, o.y, o.w, "D")
			p.SetDashPattern([]float64{}, 0)
			p.SetDrawColor(0, 0, 0)
		}
	}
	if footer != "" {
		p.SetFont(fontName, "", 8)
		p.SetTextColor(90, 90, 90)
		p.Text(marginL, footY+7, footer)
		p.SetTextColor(0, 0, 0)
	}
}

func docPage(p *fpdf.Fpdf, d Doc, footer string) {
	for _, pg := range docPages(d) {
		drawPDF(p, pg, footer)
	}
}

func output(p *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// PDF prints one document as recorded, laid out as its national model.
func PDF(d Doc) ([]byte, error) {
	if _, err := loadFont(); err != nil {
		return nil, err
	}
	p := newPDF()
	p.SetTitle(d.Title, true)
	p.SetAutoPageBreak(false, 0) // the layout breaks the pages
	docPage(p, d, "")
	return output(p)
}

// CaseFilePDF prints the whole case file (案卷): a cover (封面), the list of
// contents (卷内目录), every document as recorded, and the list of records
// with the hash each has in the device's signed log, ending with the
// checkpoint, so that paper can be matched against the electronic file.
func CaseFilePDF(c *casefile.Case, agency string, leaves map[int64]ledger.Hash, cp casefile.Checkpoint, now time.Time) ([]byte, error) {
	p := newPDF()
	o := c.Opening
	// Cover.
	p.AddPage()
	p.SetFont(fontName, "", 26)
	p.Ln(30)
	p.CellFormat(0, 16, agency, "", 1, "C", false, 0, "")
	p.CellFormat(0, 16, words["casefile"], "", 1, "C", false, 0, "")
	p.Ln(20)
	p.SetFont(fontName, "", 13)
	for _, row := range [][2]string{
		{words["case_id"], c.ID}, {words["item"], o.ItemName}, {words["party"], o.Party.Name},
		{words["opened"], c.OpenedAt.Local().Format(words["date_format"])}, {words["officers"], officerNames(o.Officers)},
		{words["records"], fmt.Sprintf(words["records_n"], len(c.Records))}, {words["made"], now.Format(words["date_format"])},
	} {
		p.CellFormat(40, 10, row[0], "", 0, "R", false, 0, "")
		p.CellFormat(0, 10, "　"+row[1], "", 1, "L", false, 0, "")
	}
	// Contents.
	p.AddPage()
	p.SetFont(fontName, "", 18)
	p.CellFormat(0, 12, words["contents"], "", 1, "C", false, 0, "")
	p.SetFont(fontName, "", 10.5)
	p.CellFormat(18, 8, words["col_seq"], "1", 0, "C", false, 0, "")
	p.CellFormat(38, 8, words["col_time"], "1", 0, "C", false, 0, "")
	p.CellFormat(0, 8, words["col_record"], "1", 1, "C", false, 0, "")
	var docs []Doc
	for _, r := range c.Records {
		title := recordTitle(r)
		if r.Kind == casefile.KindDocument {
			var d Doc
			if json.Unmarshal(r.Body, &d) == nil {
				docs = append(docs, d)
			}
		}
		p.CellFormat(18, 7, fmt.Sprint(r.Seq), "1", 0, "C", false, 0, "")
		p.CellFormat(38, 7, r.At.Local().Format("2006-01-02 15:04"), "1", 0, "C", false, 0, "")
		p.CellFormat(0, 7, title, "1", 1, "L", false, 0, "")
	}
	// Documents, laid out as printed alone.
	p.SetAutoPageBreak(false, 0)
	for _, d := range docs {
		docPage(p, d, words["doc_footer"])
	}
	p.SetAutoPageBreak(true, 20)
	// Record list with hashes.
	p.AddPage()
	p.SetFont(fontName, "", 18)
	p.CellFormat(0, 12, words["hash_title"], "", 1, "C", false, 0, "")
	p.SetFont(fontName, "", 9)
	p.MultiCell(0, 5, words["hash_intro"], "", "L", false)
	p.Ln(2)
	for _, r := range c.Records {
		h := leaves[r.Seq]
		p.MultiCell(0, 5, fmt.Sprintf("#%d　%s　%s\n%x", r.Seq, r.At.Local().Format("2006-01-02 15:04:05"), recordTitle(r), h[:]), "B", "L", false)
	}
	p.Ln(4)
	p.SetFont(fontName, "", 8)
	p.MultiCell(0, 4.5, words["checkpoint"]+"\n"+string(cp.Note), "", "L", false)
	return output(p)
}

func officerNames(os []casefile.Officer) string {
	var names []string
	for _, o := range os {
		names = append(names, o.Name)
	}
	return strings.Join(names, "、")
}

// recordTitle is a record's line in the contents.
func recordTitle(r casefile.Record) string {
	switch r.Kind {
	case casefile.KindDocument:
		var d Doc
		json.Unmarshal(r.Body, &d)
		return words["kind.document"] + d.Title
	case casefile.KindStage:
		var s casefile.StageBody
		json.Unmarshal(r.Body, &s)
		return words["kind.case.stage"] + words["stage."+s.Stage]
	case casefile.KindMedia:
		m, _ := casefile.RecordingOf(r)
		t := words["kind.media"] + "：" + words["media."+m.Kind]
		if m.Kind != casefile.MediaPhoto && m.DurationMS > 0 {
			t += " " + fmt.Sprintf(words["media.seconds"], (m.DurationMS+500)/1000)
		}
		if m.Stage != "" {
			t += "　" + words["media.stage"] + words["stage."+m.Stage]
		}
		if m.Recovered {
			t += words["media.recovered"]
		}
		return t
	}
	if w, ok := words["kind."+r.Kind]; ok {
		return w
	}
	return r.Kind
}

// CaseFileFor prints the case file of one case in a log.
func CaseFileFor(ctx context.Context, l *casefile.Log, caseID, agency string, now time.Time) ([]byte, error) {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("print case file of %s: %w", caseID, err)
	}
	leaves, err := l.LeafHashes(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("print case file of %s: leaf hashes: %w", caseID, err)
	}
	cp, err := l.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("print case file of %s: checkpoint: %w", caseID, err)
	}
	pdf, err := CaseFilePDF(c, agency, leaves, cp, now)
	if err != nil {
		return nil, fmt.Errorf("print case file of %s: %w", caseID, err)
	}
	return pdf, nil
}
