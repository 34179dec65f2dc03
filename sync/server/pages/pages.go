package pages

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

//go:embed templates/*.html
var templateFiles embed.FS

// html/template escapes everything the lists hold. Every page shares the
// head, header and footer of templates/common.html.
var page = template.Must(template.ParseFS(templateFiles, "templates/page.html", "templates/common.html"))

// notFound answers 404 with the public pages' "not found" page, or with
// a Problem to a caller that asks for JSON and not HTML.
func (s *Room) notFound(w http.ResponseWriter, r *http.Request) {
	if wantsProblem(r) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("public.not_found"), r.URL.Path)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	d := s.base(words.L("public.not_found"))
	d.Item, d.Fields = true, []pageField{{Label: words.L("public.not_found"), Value: words.L("public.not_found_detail")}}
	page.Execute(w, d)
}

type pageField struct {
	Label, Value string
	Bad          bool
	URL          string // the value links there
}

type pageResult struct{ URL, Title, Subtitle string }

type pageOption struct {
	Value, Label string
	Selected     bool
}

type pageData struct {
	Site, Title, Footer string
	Item                bool
	Fields              []pageField
	Kinds               []pageOption
	Query, Hint         string
	SearchLabel, Count  string
	KindLabel           string // the search form's labels
	QueryLabel          string
	Results             []pageResult
	Nav                 []pageResult
	Portrait            *portrait // an officer's photo or its placeholder
}

func (s *Room) base(title string) pageData {
	return pageData{Site: words.L("kiosk.title"), Title: title, Footer: words.L("complaint.hotline"), Nav: s.nav()}
}

// nav links the public pages that are not lists.
func (s *Room) nav() []pageResult {
	return []pageResult{{URL: "/p/draws/", Title: words.L("draw.list_title")}, {URL: "/p/reports/", Title: words.L("supervise.annual_list")},
		{URL: "/p/flows/", Title: words.L("platform.flows.title")}, {URL: api.PathVerify, Title: words.L("platform.verify.nav")}}
}

func (s *Room) PublicItem(w http.ResponseWriter, r *http.Request) {
	kind := catalog.Kind(r.PathValue("kind"))
	var data string
	var deleted int
	err := s.DB.QueryRowContext(r.Context(), `SELECT data, deleted FROM catalog WHERE kind = ? AND id = ?`, string(kind), r.PathValue("id")).Scan(&data, &deleted)
	if err == nil && deleted != 0 && s.Withdrawn != nil {
		wd, ok, werr := s.Withdrawn(r.Context(), kind, r.PathValue("id"))
		if werr != nil {
			web.Internal(w, r, werr)
			return
		}
		if ok {
			s.withdrawnPage(w, r, kind, []byte(data), wd)
			return
		}
	}
	if err != nil || deleted != 0 {
		s.notFound(w, r)
		return
	}
	it, err := catalog.Decode(kind, []byte(data))
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	d := s.base(it.Title())
	d.Item = true
	d.Portrait = portraitOf(it)
	for _, f := range it.Fields() {
		v := f.Value
		if f.ValueIsKey {
			v = words.L(v)
		}
		bad := f.Label == "field.cert_status" && f.Value != "cert."+catalog.CertValid
		d.Fields = append(d.Fields, pageField{Label: words.L(f.Label), Value: v, Bad: bad})
	}
	d.Fields = append(d.Fields, s.flowField(r.Context(), it)...)
	if code := it.Agency(); code != "" {
		name := code
		if ags, err := s.Agencies(r.Context()); err == nil {
			name = catalog.AgencyName(ags, code)
		}
		d.Fields = append(d.Fields, pageField{Label: words.L("platform.agency.link"), Value: name + "（" + words.L("platform.agency.see") + "）",
			URL: AgencyPath(code)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, d)
}

// withdrawnPage answers 410 Gone for an item taken down from the lists,
// saying when, by whom and why — the withdrawn decision's own content is
// not shown again: its document number and agency say which it was.
func (s *Room) withdrawnPage(w http.ResponseWriter, r *http.Request, kind catalog.Kind, data []byte, wd api.Withdrawal) {
	d := s.base(words.L("public.withdrawn_title"))
	d.Item = true
	on := wd.At
	if t, err := time.Parse(time.RFC3339, wd.At); err == nil {
		on = t.In(time.Local).Format(words.L("public.date_layout"))
	}
	status := "public.withdrawn_by_admin"
	if wd.Source == api.WithdrawnByDevice {
		status = "public.withdrawn_by_agency"
	}
	d.Fields = append(d.Fields, pageField{Label: words.L("public.withdrawn_status"), Value: words.L(status, map[string]any{"Date": on}), Bad: true})
	reason := wd.Reason
	if wd.Cause != "" {
		reason = strings.TrimSuffix(words.L("publish.cause."+wd.Cause)+"："+wd.Reason, "：")
	}
	if reason != "" {
		d.Fields = append(d.Fields, pageField{Label: words.L("public.withdrawn_reason"), Value: reason})
	}
	if it, err := catalog.Decode(kind, data); err == nil {
		if dec, ok := it.(*catalog.Decision); ok {
			d.Fields = append(d.Fields, pageField{Label: words.L("field.doc_no"), Value: dec.DocNo},
				pageField{Label: words.L("field.decided_by"), Value: dec.AgencyName})
		}
	}
	if code := wd.Agency; code != "" {
		d.Fields = append(d.Fields, pageField{Label: words.L("platform.agency.link"), Value: words.L("platform.agency.see"), URL: AgencyPath(code)})
	}
	if wantsProblem(r) {
		web.Problem(w, r, http.StatusGone, "withdrawn", words.M("platform.withdrawn"), r.URL.Path)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusGone)
	page.Execute(w, d)
}

// AgencyPath is the public page of an agency.
func AgencyPath(code string) string { return "/p/agencies/" + url.PathEscape(code) }

// PublicAgency is an enforcement body's public page: its duties (职责) and
// powers (权限), how to reach it, and where to complain or seek a remedy.
func (s *Room) PublicAgency(w http.ResponseWriter, r *http.Request) {
	ags, err := s.Agencies(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	for _, a := range ags {
		if a.Code != r.PathValue("id") {
			continue
		}
		d := s.base(a.Name)
		d.Item = true
		for _, f := range []pageField{
			{Label: words.L("platform.agency.duties"), Value: a.Duties},
			{Label: words.L("platform.agency.powers"), Value: a.Powers},
			{Label: words.L("field.phone"), Value: a.Phone},
			{Label: words.L("platform.agency.address"), Value: a.Address},
			{Label: words.L("field.complaint_phone"), Value: a.ComplaintPhone},
			{Label: words.L("field.remedy"), Value: a.RemedyChannels},
		} {
			if f.Value != "" {
				d.Fields = append(d.Fields, f)
			}
		}
		d.Fields = append(d.Fields, s.agencyLists(r.Context(), a.Code)...)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page.Execute(w, d)
		return
	}
	s.notFound(w, r)
}

// wantsProblem says whether r asks for JSON and not for a page (a program
// reading a public address): its errors are then Problems like the API's.
func wantsProblem(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}
