package server

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	texttemplate "text/template"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

//go:embed templates/*.html
var templateFiles embed.FS

// html/template escapes everything the lists hold. Every page shares the
// head, header and footer of templates/common.html.
var page = template.Must(template.ParseFS(templateFiles, "templates/page.html", "templates/common.html"))

// loadLabels reads the Chinese labels the app's translations give fields,
// lists and acts: the public pages say what the kiosk says.
func loadLabels() (map[string]string, error) {
	data, err := assets.Translations.ReadFile("translations/zh-Hans.json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, json.Unmarshal(data, &m)
}

// notFound answers 404 with the public pages' "not found" page.
func (s *Server) notFound(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNotFound)
	d := s.base(s.label("public.not_found"))
	d.Item, d.Fields = true, []pageField{{Label: s.label("public.not_found"), Value: s.label("public.not_found_detail")}}
	page.Execute(w, d)
}

// label is a Chinese label from the translations, its {{.X}} filled from
// data when given.
func (s *Server) label(key string, data ...map[string]any) string {
	v, ok := s.labels[key]
	if !ok {
		return key
	}
	if len(data) == 0 {
		return v
	}
	t, err := texttemplate.New("").Parse(v)
	if err != nil {
		return v
	}
	var b strings.Builder
	if t.Execute(&b, data[0]) != nil {
		return v
	}
	return b.String()
}

type pageField struct {
	Label, Value string
	Bad          bool
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
	Results             []pageResult
	Nav                 []pageResult
}

func (s *Server) base(title string) pageData {
	return pageData{Site: s.label("kiosk.title"), Title: title, Footer: s.label("complaint.hotline"), Nav: s.nav()}
}

// nav links the public pages that are not lists.
func (s *Server) nav() []pageResult {
	return []pageResult{{URL: "/p/draws/", Title: s.label("draw.list_title")}, {URL: "/p/reports/", Title: s.label("supervise.annual_list")}}
}

func (s *Server) publicItem(w http.ResponseWriter, r *http.Request) {
	kind := catalog.Kind(r.PathValue("kind"))
	var data string
	var deleted int
	err := s.db.QueryRowContext(r.Context(), `SELECT data, deleted FROM catalog WHERE kind = ? AND id = ?`, string(kind), r.PathValue("id")).Scan(&data, &deleted)
	if err != nil || deleted != 0 {
		s.notFound(w)
		return
	}
	it, err := catalog.Decode(kind, []byte(data))
	if err != nil {
		problem(w, http.StatusInternalServerError, "internal", "平台内部错误", err.Error())
		return
	}
	d := s.base(it.Title())
	d.Item = true
	for _, f := range it.Fields() {
		v := f.Value
		if f.ValueIsKey {
			v = s.label(v)
		}
		bad := f.Label == "field.cert_status" && f.Value != "cert."+catalog.CertValid
		d.Fields = append(d.Fields, pageField{Label: s.label(f.Label), Value: v, Bad: bad})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, d)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (s *Server) publicSearch(w http.ResponseWriter, r *http.Request) {
	kind := catalog.Kind(r.URL.Query().Get("kind"))
	if kind == "" {
		kind = catalog.KindOfficer
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := s.base(s.label("list." + string(kind)))
	d.Query, d.Hint, d.SearchLabel = q, s.label("kiosk.search_hint"), s.label("public.search")
	for _, k := range catalog.Kinds {
		d.Kinds = append(d.Kinds, pageOption{Value: string(k), Label: s.label("list." + string(k)), Selected: k == kind})
	}
	rows, err := s.db.QueryContext(r.Context(), `SELECT id, data FROM catalog WHERE kind = ? AND deleted = 0 AND data `+s.db.Like()+` ? ESCAPE '\' ORDER BY id LIMIT 51`,
		string(kind), "%"+likeEscaper.Replace(q)+"%")
	if err != nil {
		problem(w, http.StatusInternalServerError, "internal", "平台内部错误", err.Error())
		return
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, data string
		rows.Scan(&id, &data)
		n++
		if n > 50 {
			break
		}
		it, err := catalog.Decode(kind, []byte(data))
		if err != nil {
			continue
		}
		d.Results = append(d.Results, pageResult{URL: api.PublicPath(string(kind), id), Title: it.Title(), Subtitle: it.Subtitle()})
	}
	d.Count = s.label("kiosk.count", map[string]any{"N": len(d.Results)})
	if n > 50 {
		d.Count = s.label("public.more")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, d)
}
