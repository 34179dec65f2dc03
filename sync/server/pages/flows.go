package pages

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/flowchart"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The flowcharts' pages share the head, header and footer of common.html,
// and speak the reader's language ("lang" redefines common.html's block).
var flowsPage = template.Must(template.ParseFS(templateFiles, "templates/common.html", "templates/flows.html"))

// FlowsPath is the page of the chart id (a procedure's ID, or
// flowchart.ReviewID), for agency's version ("" for the national one).
func FlowsPath(id, agency string) string {
	p := "/p/flows/" + url.PathEscape(id)
	if agency != "" {
		p += "?agency=" + url.QueryEscape(agency)
	}
	return p
}

type flowLink struct{ URL, Title, Sub string }

type flowGroup struct {
	Title string
	Links []flowLink
}

type flowsData struct {
	Lang, Site, Title, Footer string
	Nav                       []pageResult
	Intro                     string
	Groups                    []flowGroup
	// One chart's page:
	Subtitle       string
	SVG            template.HTML
	MaxWidth       int // px: a narrow chart is not blown up to the page's width
	ChartLabel     string
	Downloads      []flowLink
	Other          flowGroup
	Back, BackText string
}

func (s *Room) flowsBase(lang, title string) flowsData {
	nav := s.nav()
	for i := range nav {
		nav[i].Title = words.In(lang, navKeys[nav[i].URL])
	}
	return flowsData{Lang: lang, Site: words.In(lang, "kiosk.title"), Title: title, Footer: words.In(lang, "complaint.hotline"), Nav: nav}
}

// navKeys are the words of nav's links, for pages in the reader's language.
var navKeys = map[string]string{"/p/draws/": "draw.list_title", "/p/reports/": "supervise.annual_list", "/p/flows/": "platform.flows.title", "/p/verify": "platform.verify.nav"}

// in is words in lang, as flowchart.Words.
func in(lang string) flowchart.Words {
	return func(key string, data map[string]any) string { return words.In(lang, key, data) }
}

// nationalProcedures are the bundled procedures in their file's order.
func nationalProcedures() ([]casefile.Procedure, error) {
	return casefile.ParseProcedures(assets.Procedures)
}

// PublicFlows lists the flowcharts: every act's national procedure, each
// agency's own versions, and the legal review's chart, the city's and each
// agency's that has its own list of major decisions.
func (s *Room) PublicFlows(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	set, err := s.Procedures(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	ags, err := s.Agencies(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	national, err := nationalProcedures()
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	d := s.flowsBase(lang, words.In(lang, "platform.flows.title"))
	d.Intro = words.In(lang, "platform.flows.intro")
	g := flowGroup{Title: words.In(lang, "platform.flows.national")}
	for _, p := range national {
		g.Links = append(g.Links, flowLink{URL: FlowsPath(p.ID, ""), Title: words.In(lang, "procedure."+p.ID), Sub: p.Basis})
	}
	d.Groups = append(d.Groups, g)
	pols, _, err := s.ReviewRules(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	rg := flowGroup{Title: words.In(lang, "flow.review.title"), Links: []flowLink{{URL: FlowsPath(flowchart.ReviewID, ""), Title: words.In(lang, "platform.flows.review_default")}}}
	for _, pol := range pols.List() {
		rg.Links = append(rg.Links, flowLink{URL: FlowsPath(flowchart.ReviewID, pol.Agency), Title: catalog.AgencyName(ags, pol.Agency),
			Sub: words.In(lang, "flow.review.days", map[string]any{"N": pol.Days()})})
	}
	d.Groups = append(d.Groups, rg)
	byAgency := map[string][]casefile.Procedure{}
	var order []string
	for _, p := range set.Agencies() {
		if byAgency[p.Agency] == nil {
			order = append(order, p.Agency)
		}
		byAgency[p.Agency] = append(byAgency[p.Agency], p)
	}
	for _, code := range order {
		g := flowGroup{Title: words.In(lang, "platform.flows.agency", map[string]any{"Agency": catalog.AgencyName(ags, code)})}
		for _, p := range byAgency[code] {
			title := p.Title
			if title == "" {
				title = words.In(lang, "procedure."+p.ID)
			}
			g.Links = append(g.Links, flowLink{URL: FlowsPath(p.ID, code), Title: title,
				Sub: words.In(lang, "flow.agency_version", map[string]any{"Agency": catalog.AgencyName(ags, code), "Version": max(p.Version, 1)})})
		}
		d.Groups = append(d.Groups, g)
	}
	s.writeFlows(w, r, lang, http.StatusOK, d)
}

func (s *Room) writeFlows(w http.ResponseWriter, r *http.Request, lang string, status int, d flowsData) {
	var b bytes.Buffer
	if err := flowsPage.ExecuteTemplate(&b, "flows.html", d); err != nil {
		web.Internal(w, r, fmt.Errorf("flows page: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// PublicFlow is one flowchart: /p/flows/{act} its page, {act}.svg the
// drawing, {act}.pdf the printable page; ?agency=CODE the agency's
// version (its own procedure where it has one, else the national one it
// follows; its own review rules for the legal review's chart).
func (s *Room) PublicFlow(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	name := r.PathValue("act")
	format := ""
	for _, ext := range []string{".svg", ".pdf"} {
		if id, ok := strings.CutSuffix(name, ext); ok {
			name, format = id, ext
		}
	}
	agency := r.URL.Query().Get("agency")
	ags, err := s.Agencies(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	agencyName := ""
	if agency != "" {
		for _, a := range ags {
			if a.Code == agency {
				agencyName = a.Name
			}
		}
		if agencyName == "" {
			s.notFound(w, r)
			return
		}
	}
	c, found, err := s.chart(r.Context(), name, agency, agencyName, lang)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	if !found {
		s.notFound(w, r)
		return
	}
	switch format {
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
		w.Header().Set("Content-Language", lang)
		w.Header().Add("Vary", "Accept-Language")
		w.Write(c.SVG())
		return
	case ".pdf":
		pdf, err := c.PDF(words.In(lang, "platform.flows.printed", map[string]any{"URL": FlowsPath(name, agency)}))
		if err != nil {
			web.Internal(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.pdf"`, strings.NewReplacer(`"`, "", `\`, "").Replace(c.ID)))
		w.Header().Set("Content-Language", lang)
		w.Header().Add("Vary", "Accept-Language")
		w.Write(pdf)
		return
	}
	d := s.flowsBase(lang, c.Title)
	d.Subtitle = c.Subtitle
	d.SVG = template.HTML(c.SVG()) // drawn by flowchart, every text escaped there
	d.MaxWidth = int(c.W * 1.25)
	d.ChartLabel = words.In(lang, "platform.flows.chart", map[string]any{"Title": c.Title})
	file := url.PathEscape(name)
	q := ""
	if agency != "" {
		q = "?agency=" + url.QueryEscape(agency)
	}
	d.Downloads = []flowLink{{URL: "/p/flows/" + file + ".pdf" + q, Title: words.In(lang, "platform.flows.pdf")},
		{URL: "/p/flows/" + file + ".svg" + q, Title: words.In(lang, "platform.flows.svg")}}
	d.Back, d.BackText = "/p/flows/", words.In(lang, "platform.flows.all")
	// The review and the procedures it gates point at each other.
	d.Other.Title = words.In(lang, "platform.flows.see_also")
	if name == flowchart.ReviewID {
		d.Other.Links = []flowLink{{URL: FlowsPath(string(catalog.ActPenalty), agency), Title: words.In(lang, "procedure.penalty")}}
	} else {
		d.Other.Links = []flowLink{{URL: FlowsPath(flowchart.ReviewID, agency), Title: words.In(lang, "flow.review.title")}}
	}
	s.writeFlows(w, r, lang, http.StatusOK, d)
}

// chart draws the chart id for agency (""), false if there is no such
// procedure.
func (s *Room) chart(ctx context.Context, id, agency, agencyName, lang string) (*flowchart.Chart, bool, error) {
	if id == flowchart.ReviewID {
		pols, cls, err := s.ReviewRules(ctx)
		if err != nil {
			return nil, false, err
		}
		pol, ok := pols[agency]
		if !ok {
			pol = review.Policy{Agency: agency}
		}
		c, err := flowchart.Review(pol, cls, agencyName, in(lang))
		return c, err == nil, err
	}
	set, err := s.Procedures(ctx)
	if err != nil {
		return nil, false, err
	}
	p, ok := set.Get(agency, id)
	if !ok {
		return nil, false, nil
	}
	if p.Agency == "" {
		agencyName = ""
	}
	c, err := flowchart.Procedure(p, agencyName, in(lang))
	return c, err == nil, err
}

// flowField links a service guide's 办事流程 to its act's chart (the
// guide's agency's version where the agency is known): nothing for other
// items.
func (s *Room) flowField(ctx context.Context, it catalog.Item) []pageField {
	g, ok := it.(*catalog.ServiceGuide)
	if !ok || !g.Act.Valid() {
		return nil
	}
	agency := ""
	if ags, err := s.Agencies(ctx); err == nil && g.AgencyCode != "" && catalog.AgencyName(ags, g.AgencyCode) != g.AgencyCode {
		agency = g.AgencyCode
	}
	return []pageField{{Label: words.L("platform.flows.guide"), Value: words.L("procedure."+string(g.Act)) + "（" + words.L("platform.flows.see") + "）",
		URL: FlowsPath(string(g.Act), agency)}}
}
