package pages

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/book"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

var appraisalTemplate = template.Must(template.ParseFS(templateFiles, "templates/appraisal.html", "templates/common.html"))

// exportLink is a link to a page's figures as a file.
type exportLink struct{ URL, Label string }

// appraisalData is the 评议考核 page: its period form, charts, and the
// tables the exports carry too.
type appraisalData struct {
	Site, Title, Footer, Period, Made, Note string
	From, To                                string // the form's dates (to inclusive of nothing: exclusive)
	Charts                                  []reportChart
	Tables                                  []book.Table
	Exports                                 []exportLink
	L                                       map[string]string
	Nav                                     []pageResult
}

// figureHeader is the header of the figures every appraisal table has,
// after its own first columns.
func figureHeader() []string {
	h := []string{words.L("appraisal.col.cases")}
	for _, a := range catalog.Acts {
		h = append(h, words.L("act."+string(a)))
	}
	for _, k := range []string{"stages_on_time", "stages_late", "stage_rate", "passed", "returned", "pass_rate", "av_cases", "av_rate",
		"pub_rate", "score", "ratings", "satisfaction"} {
		h = append(h, words.L("appraisal.col."+k))
	}
	return h
}

// figureCells are one row's figures, in figureHeader's order.
func figureCells(f supervise.Figures) []book.Cell {
	c := []book.Cell{book.N(f.Cases)}
	for _, a := range catalog.Acts {
		c = append(c, book.N(f.ByAct[a]))
	}
	return append(c, book.N(f.StagesOnTime), book.N(f.StagesLate), book.P(f.StageRate()), book.N(f.Passed), book.N(f.Returned),
		book.P(f.PassRate()), book.N(f.AVCases), book.P(f.AVRate()), book.P(f.PubRate()), book.D(f.MeanScore()), book.N(f.Ratings),
		book.P(f.SatisfactionRate()))
}

// AppraisalBook is the appraisal's tables: per officer, per agency, per
// month; the page shows them and the exports write them.
func AppraisalBook(a supervise.Appraisal, title, period string, names map[string]string) book.Book {
	officers := book.Table{ID: "officers", Sheet: words.L("appraisal.by_officer"), Title: words.L("appraisal.by_officer"),
		Header: append([]string{words.L("appraisal.col.officer"), words.L("appraisal.col.cert"), words.L("appraisal.col.agency")}, figureHeader()...),
		Rows:   [][]book.Cell{}}
	for _, o := range a.Officers {
		officers.Rows = append(officers.Rows, append([]book.Cell{book.T(o.Name), book.T(o.ID), book.T(nameOr(names, o.Agency))}, figureCells(o.Figures)...))
	}
	agencies := book.Table{ID: "agencies", Sheet: words.L("appraisal.by_agency"), Title: words.L("appraisal.by_agency"),
		Header: append([]string{words.L("appraisal.col.agency"), words.L("appraisal.col.officers")}, figureHeader()...), Rows: [][]book.Cell{}}
	for _, g := range a.Agencies {
		agencies.Rows = append(agencies.Rows, append([]book.Cell{book.T(nameOr(names, g.Agency)), book.N(g.Officers)}, figureCells(g.Figures)...))
	}
	months := book.Table{ID: "months", Sheet: words.L("appraisal.by_month"), Title: words.L("appraisal.by_month"),
		Header: append([]string{words.L("appraisal.col.month")}, figureHeader()...), Rows: [][]book.Cell{}}
	for _, m := range a.Months {
		months.Rows = append(months.Rows, append([]book.Cell{book.T(m.Month)}, figureCells(m.Figures)...))
	}
	return book.Book{Title: title, Subtitle: period, Tables: []book.Table{officers, agencies, months}}
}

// AppraisalPage: GET /admin/appraisal, 评议考核 over a period (?from=&to=
// or ?year=): per officer, agencies side by side, the trend by month;
// ?format=xlsx or pdf exports the same tables. agency, when not "",
// holds it to that agency (an agency administrator's view).
func (s *Room) AppraisalPage(w http.ResponseWriter, r *http.Request, agency string) {
	format, ok := exportFormat(w, r)
	if !ok {
		return
	}
	from, to, err := s.Period(r)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_period", words.Of(err), "")
		return
	}
	a, err := s.Appraisal(r.Context(), agency, from, to)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	names, err := s.agencyNames(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	title := words.L("appraisal.title")
	if agency != "" {
		title = words.L("platform.supervision_of", map[string]any{"Title": title, "Agency": nameOr(names, agency)})
	}
	last := to.AddDate(0, 0, -1)
	period := fmt.Sprintf("%s — %s", from.Format(time.DateOnly), last.Format(time.DateOnly))
	made := words.L("supervise.made", map[string]any{"At": a.Made.Format("2006-01-02 15:04")})
	b := AppraisalBook(a, title, period+"　"+made, names)
	if format != "" {
		name := fmt.Sprintf("%s %s—%s", title, from.Format(time.DateOnly), last.Format(time.DateOnly))
		ascii := fmt.Sprintf("appraisal-%s-%s", from.Format("20060102"), last.Format("20060102"))
		if agency != "" {
			ascii += "-" + agency
		}
		if err := b.Serve(w, format, name, ascii); err != nil {
			web.Internal(w, r, err)
		}
		return
	}
	d := appraisalData{Site: words.L("kiosk.title"), Title: title, Footer: words.L("complaint.hotline"), Period: period, Made: made,
		Note: words.L("appraisal.note"), From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Tables: b.Tables, Nav: s.nav(),
		Exports: exportLinks(r), L: map[string]string{}}
	for _, k := range []string{"from", "to", "show"} {
		d.L[k] = words.L("appraisal." + k)
	}
	d.L["none"], d.L["export"] = words.L("supervise.col.none"), words.L("export.links")
	d.Charts = appraisalCharts(a, names)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	appraisalTemplate.Execute(w, d)
}

// exportLinks are the page's own address with ?format=xlsx and pdf.
func exportLinks(r *http.Request) []exportLink {
	var out []exportLink
	for _, f := range []string{book.FormatXLSX, book.FormatPDF} {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("format", f)
		out = append(out, exportLink{URL: r.URL.Path + "?" + q.Encode(), Label: words.L("export." + f)})
	}
	return out
}

// appraisalCharts: the cases of each month by act, the mean score of each
// month, and the agencies' mean scores side by side.
func appraisalCharts(a supervise.Appraisal, names map[string]string) []reportChart {
	var acts []series
	for i, act := range catalog.Acts {
		acts = append(acts, series{Name: words.L("act." + string(act)), Color: palette[i]})
	}
	var cases, scores []bar
	for _, m := range a.Months {
		label := words.L("supervise.month_n", map[string]any{"N": strings.TrimPrefix(m.Month[5:], "0")})
		if len(a.Months) > 12 {
			label = m.Month[2:4] + "/" + strings.TrimPrefix(m.Month[5:], "0")
		}
		b := bar{Label: label, Text: strconv.Itoa(m.Figures.Cases)}
		for _, act := range catalog.Acts {
			b.Values = append(b.Values, float64(m.Figures.ByAct[act]))
		}
		cases = append(cases, b)
		if ms := m.Figures.MeanScore(); ms >= 0 {
			scores = append(scores, bar{Label: label, Values: []float64{ms}, Text: decimal(ms), Color: scoreColor(ms)})
		}
	}
	var agencies []bar
	for _, g := range a.Agencies {
		if ms := g.Figures.MeanScore(); ms >= 0 {
			agencies = append(agencies, bar{Label: nameOr(names, g.Agency), Values: []float64{ms}, Text: decimal(ms), Color: scoreColor(ms)})
		}
	}
	one := []series{{Name: words.L("appraisal.col.score"), Color: good}}
	return []reportChart{
		{Title: words.L("appraisal.chart.months"), SVG: vbars(words.L("appraisal.chart.months"), acts, cases)},
		{Title: words.L("appraisal.chart.score_months"), SVG: hbars(words.L("appraisal.chart.score_months"), one, scores, 100, 80, words.L("supervise.line80"))},
		{Title: words.L("appraisal.chart.agencies"), SVG: hbars(words.L("appraisal.chart.agencies"), one, agencies, 100, 80, words.L("supervise.line80"))},
	}
}
