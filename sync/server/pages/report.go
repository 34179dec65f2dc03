package pages

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

var reportTemplate = template.Must(template.ParseFS(templateFiles, "templates/report.html", "templates/common.html"))

type reportTile struct {
	Label, Value, Note string
	Bad                bool
}

type reportChart struct {
	Title string
	SVG   template.HTML // empty: nothing to draw in the period
}

type reportAgency struct {
	Name                              string
	Cases, Decided, Major             int
	Pass, Return, OnTime, AV, Score   string
	Late, Overdue, Withdrawn, Pending int
	OutOfOrder, Skipped, Exceptions   int
}

type reportStaff struct {
	Name                string
	Officers, Reviewers int
	Share               string
	Short               bool
}

type reportCase struct {
	Case, Device, Agency, Act, Opened, Faults string
	Score                                     int
	Low                                       bool
}

// reportTasks is one agency's drawn inspection tasks (双随机).
type reportTasks struct {
	Name                                  string
	Drawn, OnTime, Late, Pending, Overdue int
	Rate                                  string
	Short                                 bool
}

// reportOverdue is one drawn task not done by its day.
type reportOverdue struct {
	ID, URL, Agency, Target, Inspectors, Due, Device string
}

type reportData struct {
	Site, Title, Footer, Period, Made string
	Public                            bool
	Tiles                             []reportTile
	Charts                            []reportChart
	Agencies                          []reportAgency
	Staffing                          []reportStaff
	Tasks                             []reportTasks
	Overdue                           []reportOverdue
	Cases                             []reportCase
	L                                 map[string]string // headings
	Nav                               []pageResult
	Exports                           []exportLink // the tables as XLSX and PDF
}

// The charts' colours: distinct in print and for the common colour
// blindnesses (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999"}

const (
	good, warn, bad, muted = "#009E73", "#E69F00", "#D55E00", "#999999"
)

// reportPage turns a report into the page's data: headline figures,
// charts and the tables by agency.
func (s *Room) reportPage(rep supervise.Report, title string, names map[string]string) reportData {
	t := rep.Total
	d := reportData{Site: words.L("kiosk.title"), Title: title, Footer: words.L("complaint.hotline"),
		Made: words.L("supervise.made", map[string]any{"At": rep.Made.Format("2006-01-02 15:04")}), L: map[string]string{}, Nav: s.nav()}
	for _, k := range []string{"agency", "cases", "decided", "major", "pass", "return", "on_time", "late", "overdue", "pending",
		"withdrawn", "av", "score", "officers", "reviewers", "share", "case", "device", "act", "opened", "faults", "by_agency",
		"staffing", "staffing_note", "cases_title", "cases_note", "none", "case_score", "out_of_order", "skipped", "exceptions",
		"tasks", "tasks_note", "drawn", "task_on_time", "task_late", "task_pending", "task_overdue", "task_rate", "overdue_title",
		"task", "target", "inspectors", "due", "task_device"} {
		d.L[k] = words.L("supervise.col." + k)
	}
	d.Tiles = []reportTile{
		{Label: words.L("supervise.tile.cases"), Value: strconv.Itoa(t.Cases), Note: words.L("supervise.tile.decided", map[string]any{"N": t.Decided, "Major": t.Major})},
		{Label: words.L("supervise.tile.score"), Value: decimal(t.MeanScore()), Bad: t.MeanScore() >= 0 && t.MeanScore() < 80},
		{Label: words.L("supervise.tile.review"), Value: percent(t.PassRate()),
			Note: words.L("supervise.tile.review_note", map[string]any{"N": t.Opinions, "Returned": percent(t.ReturnRate())})},
		{Label: words.L("supervise.tile.publish"), Value: percent(t.OnTimeRate()), Bad: t.Publish[supervise.PubLate]+t.Publish[supervise.PubOverdue] > 0,
			Note: words.L("supervise.tile.publish_note", map[string]any{"Late": t.Publish[supervise.PubLate], "Overdue": t.Publish[supervise.PubOverdue], "Pending": t.Publish[supervise.PubPending]})},
		{Label: words.L("supervise.tile.av"), Value: percent(t.AVRate()), Bad: t.AVNeeded > t.AVPresent,
			Note: words.L("supervise.tile.av_note", map[string]any{"Have": t.AVPresent, "Need": t.AVNeeded})},
	}
	d.Tiles = append(d.Tiles, reportTile{Label: words.L("supervise.tile.order"), Value: strconv.Itoa(t.OutOfOrder + t.Skipped),
		Bad:  t.OutOfOrder+t.Skipped > 0,
		Note: words.L("supervise.tile.order_note", map[string]any{"OutOfOrder": t.OutOfOrder, "Skipped": t.Skipped, "Exceptions": t.Exceptions})})
	if it := rep.Inspections.Total; it.Drawn > 0 {
		d.Tiles = append(d.Tiles, reportTile{Label: words.L("supervise.tile.tasks"), Value: percent(it.OnTimeRate()), Bad: it.Late+it.Overdue > 0,
			Note: words.L("supervise.tile.tasks_note", map[string]any{"Drawn": it.Drawn, "Late": it.Late, "Overdue": it.Overdue, "Pending": it.Pending})})
	}
	for _, row := range rep.Inspections.ByAgency {
		tl := row.Tally
		d.Tasks = append(d.Tasks, reportTasks{Name: nameOr(names, row.Agency), Drawn: tl.Drawn, OnTime: tl.OnTime, Late: tl.Late,
			Pending: tl.Pending, Overdue: tl.Overdue, Rate: percent(tl.OnTimeRate()), Short: tl.Late+tl.Overdue > 0})
	}
	for _, x := range rep.Inspections.Overdue {
		d.Overdue = append(d.Overdue, reportOverdue{ID: x.ID, URL: fmt.Sprintf("/p/draws/%d", x.Draw), Agency: nameOr(names, x.Agency),
			Target: x.Target, Inspectors: x.Inspectors, Due: x.Due, Device: x.Device})
	}
	if t.WithdrawLate+t.WithdrawOnTime > 0 {
		d.Tiles = append(d.Tiles, reportTile{Label: words.L("supervise.tile.withdraw"), Value: strconv.Itoa(t.WithdrawOnTime + t.WithdrawLate),
			Note: words.L("supervise.tile.withdraw_note", map[string]any{"Late": t.WithdrawLate}), Bad: t.WithdrawLate > 0})
	}

	// Cases by month, stacked by act.
	var acts []series
	for i, a := range catalog.Acts {
		acts = append(acts, series{Name: words.L("act." + string(a)), Color: palette[i]})
	}
	perMonth := map[string]map[catalog.Act]int{} // cases by month and act, counted once
	for _, e := range rep.Cases {
		m := e.Opened.In(rep.From.Location()).Format("2006-01")
		if perMonth[m] == nil {
			perMonth[m] = map[catalog.Act]int{}
		}
		perMonth[m][e.Act]++
	}
	var months []bar
	for _, m := range rep.ByMonth {
		b := bar{Label: words.L("supervise.month_n", map[string]any{"N": strings.TrimPrefix(m.Key[5:], "0")})}
		for _, a := range catalog.Acts {
			b.Values = append(b.Values, float64(perMonth[m.Key][a]))
		}
		b.Text = strconv.Itoa(m.Tally.Cases)
		months = append(months, b)
	}
	d.Charts = append(d.Charts, reportChart{Title: words.L("supervise.chart.months"), SVG: vbars(words.L("supervise.chart.months"), acts, months)})

	var scores, pubs, reviews, avs []bar
	for _, row := range rep.ByAgency {
		tl, name := row.Tally, nameOr(names, row.Key)
		if ms := tl.MeanScore(); ms >= 0 {
			scores = append(scores, bar{Label: name, Values: []float64{ms}, Text: decimal(ms), Color: scoreColor(ms)})
		}
		p := tl.Publish
		if n := p[supervise.PubOnTime] + p[supervise.PubExempt] + p[supervise.PubLate] + p[supervise.PubOverdue] + p[supervise.PubPending]; n > 0 {
			pubs = append(pubs, bar{Label: name, Values: []float64{float64(p[supervise.PubOnTime]), float64(p[supervise.PubExempt]),
				float64(p[supervise.PubPending]), float64(p[supervise.PubLate]), float64(p[supervise.PubOverdue])}, Text: strconv.Itoa(n)})
		}
		if tl.Opinions > 0 {
			reviews = append(reviews, bar{Label: name, Values: []float64{float64(tl.Passed), float64(tl.Returned), float64(tl.Opinions - tl.Passed - tl.Returned)},
				Text: words.L("supervise.pass_of", map[string]any{"Rate": percent(tl.PassRate())})})
		}
		if r := tl.AVRate(); r >= 0 {
			avs = append(avs, bar{Label: name, Values: []float64{r}, Text: fmt.Sprintf("%s（%d/%d）", percent(r), tl.AVPresent, tl.AVNeeded), Color: scoreColor(r)})
		}
		d.Agencies = append(d.Agencies, reportAgency{Name: name, Cases: tl.Cases, Decided: tl.Decided, Major: tl.Major,
			Pass: percent(tl.PassRate()), Return: percent(tl.ReturnRate()), OnTime: percent(tl.OnTimeRate()), AV: percent(tl.AVRate()),
			Score: decimal(tl.MeanScore()), Late: p[supervise.PubLate], Overdue: p[supervise.PubOverdue], Pending: p[supervise.PubPending],
			Withdrawn: tl.WithdrawLate + tl.WithdrawOnTime, OutOfOrder: tl.OutOfOrder, Skipped: tl.Skipped, Exceptions: tl.Exceptions})
	}
	one := []series{{Name: words.L("supervise.col.score"), Color: good}}
	d.Charts = append(d.Charts, reportChart{Title: words.L("supervise.chart.score"), SVG: hbars(words.L("supervise.chart.score"), one, scores, 100, 80, words.L("supervise.line80"))})
	d.Charts = append(d.Charts, reportChart{Title: words.L("supervise.chart.publish"), SVG: hbars(words.L("supervise.chart.publish"), []series{
		{Name: words.L("supervise.pub.on_time"), Color: good}, {Name: words.L("supervise.pub.exempt"), Color: "#56B4E9"},
		{Name: words.L("supervise.pub.pending"), Color: muted}, {Name: words.L("supervise.pub.late"), Color: warn},
		{Name: words.L("supervise.pub.overdue"), Color: bad}}, pubs, 0, 0, "")})
	d.Charts = append(d.Charts, reportChart{Title: words.L("supervise.chart.review"), SVG: hbars(words.L("supervise.chart.review"), []series{
		{Name: words.L("supervise.col.pass"), Color: good}, {Name: words.L("supervise.col.return"), Color: bad},
		{Name: words.L("supervise.other_opinion"), Color: muted}}, reviews, 0, 0, "")})
	d.Charts = append(d.Charts, reportChart{Title: words.L("supervise.chart.av"), SVG: hbars(words.L("supervise.chart.av"), []series{{Name: words.L("supervise.col.av"), Color: good}}, avs, 100, 0, "")})

	var shares []bar
	for _, st := range rep.Staffing {
		name := nameOr(names, st.Agency)
		d.Staffing = append(d.Staffing, reportStaff{Name: name, Officers: st.Officers, Reviewers: st.Reviewers, Share: percent(st.Share), Short: !st.Enough})
		if st.Share >= 0 {
			c := good
			if !st.Enough {
				c = bad
			}
			shares = append(shares, bar{Label: name, Values: []float64{st.Share}, Text: fmt.Sprintf("%s（%d/%d）", percent(st.Share), st.Reviewers, st.Officers), Color: c})
		}
	}
	maxShare := supervise.MinReviewerShare * 2
	for _, b := range shares {
		maxShare = math.Max(maxShare, b.Values[0])
	}
	d.Charts = append(d.Charts, reportChart{Title: words.L("supervise.chart.staffing"),
		SVG: hbars(words.L("supervise.chart.staffing"), []series{{Name: words.L("supervise.col.share"), Color: good}}, shares, maxShare, supervise.MinReviewerShare, words.L("supervise.line5"))})
	return d
}

// decimal shows a mean score or a rate to one decimal, or a dash when
// nothing was counted.
func decimal(v float64) string {
	if v < 0 {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func scoreColor(v float64) string {
	switch {
	case v >= 90:
		return good
	case v >= 80:
		return warn
	}
	return bad
}

type series struct{ Name, Color string }

// bar is one bar of a chart: its parts in the order of the series, the
// text at its end, and a colour of its own for single-series charts.
type bar struct {
	Label  string
	Values []float64
	Text   string
	Color  string
}

func esc(s string) string { return html.EscapeString(s) }

// legendRow is the height of a row of the legend.
const legendRow = 18.0

// legend draws the series' names in rows from (x, y), wrapping before
// right, and answers the y below it; one series has no legend.
func legend(b *strings.Builder, ss []series, x, y, right float64) float64 {
	if len(ss) < 2 {
		return y
	}
	x0 := x
	for _, s := range ss {
		w := 30 + float64(len([]rune(s.Name)))*14
		if x > x0 && x+w > right {
			x, y = x0, y+legendRow
		}
		if b != nil {
			fmt.Fprintf(b, `<rect x="%.0f" y="%.0f" width="13" height="13" fill="%s"/><text x="%.0f" y="%.0f" font-size="14">%s</text>`,
				x, y, s.Color, x+17, y+12, esc(s.Name))
		}
		x += w
	}
	return y + legendRow
}

// svgOpen starts a chart: scaled to its box by its viewBox, an image to
// assistive technology, named by its title and described by desc (each
// bar's label and figure), so that a reader who cannot see it hears it.
func svgOpen(b *strings.Builder, title string, width, height float64, bars []bar) {
	var desc []string
	for _, br := range bars {
		if br.Text != "" {
			desc = append(desc, br.Label+" "+br.Text)
		}
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" font-family="Noto Sans SC, Microsoft YaHei, sans-serif"><title>%s</title><desc>%s</desc>`,
		width, height, esc(title), esc(strings.Join(desc, "；")))
}

// hbars draws horizontal (stacked) bars, one per row under its label,
// scaled to max (or to the longest bar when max is 0), with a dashed
// reference line at ref. Labels above the bars, not beside them, keep the
// chart narrow: scaled down to a phone's width its text still reads.
func hbars(title string, ss []series, bars []bar, max, ref float64, refLabel string) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	const width, labelH, barH, rowH = 480.0, 20.0, 18.0, 46.0
	top := legend(nil, ss, 0, 4, width) + 6
	plotW := width - 150
	if max == 0 {
		for _, b := range bars {
			sum := 0.0
			for _, v := range b.Values {
				sum += v
			}
			max = math.Max(max, sum)
		}
	}
	height := top + rowH*float64(len(bars)) + 24
	var b strings.Builder
	svgOpen(&b, title, width, height, bars)
	legend(&b, ss, 0, 4, width)
	for i, br := range bars {
		y := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="0" y="%.0f" font-size="15">%s</text>`, y+15, esc(br.Label))
		y += labelH
		x := 0.0
		for j, v := range br.Values {
			if v <= 0 || max <= 0 {
				continue
			}
			w := plotW * v / max
			c := br.Color
			if c == "" || len(br.Values) > 1 {
				c = ss[j%len(ss)].Color
			}
			name := ""
			if j < len(ss) {
				name = ss[j].Name
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="%.1f" height="%.0f" fill="%s"><title>%s %s：%s</title></rect>`,
				x, y, w, barH, c, esc(br.Label), esc(name), strconv.FormatFloat(v, 'f', -1, 64))
			x += w
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="15" fill="#333">%s</text>`, x+6, y+14, esc(br.Text))
	}
	if ref > 0 && max > 0 {
		x := plotW * ref / max
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#b71c1c" stroke-dasharray="4 3"/><text x="%.1f" y="%.0f" font-size="13" fill="#b71c1c" text-anchor="middle">%s</text>`,
			x, top-4, x, height-18, x, height-6, esc(refLabel))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// vbars draws vertical stacked bars, one per column, with their totals
// above them.
func vbars(title string, ss []series, bars []bar) template.HTML {
	const width, left, bottom, plotH = 480.0, 36.0, 28.0, 200.0
	top := legend(nil, ss, left, 4, width) + 14
	height := top + plotH + bottom
	max := 0.0
	for _, br := range bars {
		sum := 0.0
		for _, v := range br.Values {
			sum += v
		}
		max = math.Max(max, sum)
	}
	step := niceStep(max)
	if max < step*4 {
		max = step * 4
	} else {
		max = math.Ceil(max/step) * step
	}
	var b strings.Builder
	svgOpen(&b, title, width, height, bars)
	legend(&b, ss, left, 4, width)
	for v := 0.0; v <= max+1e-9; v += step {
		y := top + plotH - plotH*v/max
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#ddd"/><text x="%.0f" y="%.1f" font-size="14" text-anchor="end" fill="#555">%s</text>`,
			left, y, width, y, left-4, y+4, strconv.FormatFloat(v, 'f', -1, 64))
	}
	colW := width - left // no bars draw nothing; a width keeps the SVG finite
	if len(bars) > 0 {
		colW /= float64(len(bars))
	}
	for i, br := range bars {
		x := left + colW*float64(i) + colW*0.18
		y := top + plotH
		for j, v := range br.Values {
			if v <= 0 {
				continue
			}
			h := plotH * v / max
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s：%s</title></rect>`,
				x, y, colW*0.64, h, ss[j%len(ss)].Color, esc(br.Label), esc(ss[j%len(ss)].Name), strconv.FormatFloat(v, 'f', -1, 64))
		}
		if br.Text != "0" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="15" text-anchor="middle">%s</text>`, x+colW*0.32, y-4, esc(br.Text))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="15" text-anchor="middle">%s</text>`, x+colW*0.32, height-8, esc(br.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep is a grid step of 1, 2 or 5 times a power of ten that gives
// about four lines up to max.
func niceStep(max float64) float64 {
	if max <= 4 {
		return 1
	}
	raw := max / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}
