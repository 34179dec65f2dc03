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

// words are the printed labels from assets/documents/print.json.
var words = func() map[string]string {
	m := map[string]string{}
	if err := json.Unmarshal(assets.PrintWords, &m); err != nil {
		panic("assets/documents/print.json: " + err.Error()) // embedded at build time; a test reads it
	}
	return m
}()

func newPDF() *fpdf.Fpdf {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(fontName, "", assets.PDFFont)
	p.SetMargins(22, 20, 22)
	p.SetAutoPageBreak(true, 20)
	p.SetCreator("Sanxiang Desk", true)
	return p
}

func docPage(p *fpdf.Fpdf, d Doc, footer string) {
	p.AddPage()
	p.SetFont(fontName, "", 20)
	p.CellFormat(0, 14, d.Title, "", 1, "C", false, 0, "")
	p.Ln(4)
	p.SetFont(fontName, "", 12)
	p.MultiCell(0, 7.5, d.Text, "", "L", false)
	if footer != "" {
		p.Ln(6)
		p.SetFont(fontName, "", 8)
		p.SetTextColor(90, 90, 90)
		p.MultiCell(0, 5, footer, "", "L", false)
		p.SetTextColor(0, 0, 0)
	}
}

func output(p *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// PDF prints one document as recorded.
func PDF(d Doc) ([]byte, error) {
	p := newPDF()
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
	// Documents.
	for _, d := range docs {
		docPage(p, d, words["doc_footer"])
	}
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
