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
	drawOps(p, pg.ops)
	if footer != "" {
		p.SetFont(fontName, "", 8)
		p.SetTextColor(90, 90, 90)
		p.Text(marginL, footY+7, footer)
		p.SetTextColor(0, 0, 0)
	}
}

// drawOps replays laid-out operations onto the current page.
func drawOps(p *fpdf.Fpdf, ops []op) {
	p.SetLineWidth(0.3)
	for _, o := range ops {
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
		case 'r':
			p.SetFillColor(0, 0, 0)
			p.Rect(o.x, o.y, o.w, o.h, "F")
		case 'c':
			p.SetDrawColor(110, 110, 110)
			p.SetDashPattern([]float64{1.6, 1.2}, 0)
			p.Circle(o.x, o.y, o.w, "D")
			p.SetDashPattern([]float64{}, 0)
			p.SetDrawColor(0, 0, 0)
		}
	}
}

func docPage(p *fpdf.Fpdf, d Doc, mark []op, footer string) {
	for _, pg := range docPages(d, mark) {
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
func PDF(d Doc) ([]byte, error) { return CheckedPDF(d, nil) }

// CheckedPDF prints one document with its check (扫码验真) in the top
// right corner of every page; nil prints none.
func CheckedPDF(d Doc, c *Check) ([]byte, error) {
	if _, err := loadFont(); err != nil {
		return nil, err
	}
	mark, err := checkOps(c)
	if err != nil {
		return nil, fmt.Errorf("print %s: %w", d.Title, err)
	}
	p := newPDF()
	p.SetTitle(d.Title, true)
	p.SetAutoPageBreak(false, 0) // the layout breaks the pages
	docPage(p, d, mark, "")
	return output(p)
}

// CaseFilePDF prints the whole case file (案卷): a cover (封面), the list of
// contents (卷内目录), every document as recorded, and the list of records
// with the hash each has in the device's signed log, ending with the
// checkpoint, so that paper can be matched against the electronic file.
func CaseFilePDF(c *casefile.Case, agency string, leaves map[int64]ledger.Hash, cp casefile.Checkpoint, now time.Time) ([]byte, error) {
	return CheckedCaseFilePDF(c, agency, leaves, cp, now, "", "")
}

// CheckedCaseFilePDF is CaseFilePDF with 扫码验真 marks: on the cover the
// checkpoint it prints (device, size, root), on every page of each
// document that document's record; pointing to platform ("" prints the
// references without QR codes). An empty device prints no marks: the
// case file of a log read elsewhere, whose device the platform does not
// know.
func CheckedCaseFilePDF(c *casefile.Case, agency string, leaves map[int64]ledger.Hash, cp casefile.Checkpoint, now time.Time, device, platform string) ([]byte, error) {
	p := newPDF()
	o := c.Opening
	// Cover.
	p.AddPage()
	if device != "" && cp.Size > 0 {
		mark, err := checkOps(&Check{Platform: platform, Device: device, N: cp.Size, Hash: cp.Root, Log: true})
		if err != nil {
			return nil, fmt.Errorf("print case file of %s: %w", c.ID, err)
		}
		drawOps(p, mark)
	}
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
	type markedDoc struct {
		doc  Doc
		mark []op
	}
	var docs []markedDoc
	for _, r := range c.Records {
		title := recordTitle(r)
		if r.Kind == casefile.KindDocument {
			var d Doc
			if json.Unmarshal(r.Body, &d) == nil {
				var mark []op
				// A record of the device that held the case before is
				// checked in that device's log, whose hash this one lacks.
				if h, ok := leaves[r.Seq]; ok && device != "" && r.Device == "" {
					var err error
					if mark, err = checkOps(&Check{Platform: platform, Device: device, N: r.Seq, Hash: h}); err != nil {
						return nil, fmt.Errorf("print case file of %s: %w", c.ID, err)
					}
				}
				docs = append(docs, markedDoc{d, mark})
			}
		}
		p.CellFormat(18, 7, fmt.Sprint(r.Seq), "1", 0, "C", false, 0, "")
		p.CellFormat(38, 7, r.At.Local().Format("2006-01-02 15:04"), "1", 0, "C", false, 0, "")
		p.CellFormat(0, 7, title, "1", 1, "L", false, 0, "")
	}
	// Documents, laid out as printed alone.
	p.SetAutoPageBreak(false, 0)
	for _, d := range docs {
		docPage(p, d.doc, d.mark, words["doc_footer"])
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
	return caseFileFor(ctx, l, caseID, agency, now, false, "")
}

// CheckedCaseFileFor prints the case file of one case in the desk's own
// log with its 扫码验真 marks pointing to platform ("" for references
// without QR codes).
func CheckedCaseFileFor(ctx context.Context, l *casefile.Log, caseID, agency, platform string, now time.Time) ([]byte, error) {
	return caseFileFor(ctx, l, caseID, agency, now, true, platform)
}

func caseFileFor(ctx context.Context, l *casefile.Log, caseID, agency string, now time.Time, marked bool, platform string) ([]byte, error) {
	device := ""
	if marked {
		var err error
		if device, err = DeviceID(l.Verifier); err != nil {
			return nil, fmt.Errorf("print case file of %s: %w", caseID, err)
		}
	}
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
	pdf, err := CheckedCaseFilePDF(c, agency, leaves, cp, now, device, platform)
	if err != nil {
		return nil, fmt.Errorf("print case file of %s: %w", caseID, err)
	}
	return pdf, nil
}
