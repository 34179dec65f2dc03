// Package apidoc serves the platform's API contract: the OpenAPI document
// itself (GET /api/v1/openapi.json) and a reference page for people that
// reads it (GET /api/v1/reference): every operation with its parameters,
// its answers and their schemas, and every schema with its fields. The page
// is rendered on the platform, without script (the platform's CSP allows
// none), in the language the reader's Accept-Language prefers.
package apidoc

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Paths of the contract.
const (
	PathDocument  = "/api/v1/openapi.json"
	PathReference = "/api/v1/reference"
)

//go:embed reference.html
var files embed.FS

var page = template.Must(template.New("reference.html").Funcs(template.FuncMap{
	"anchor": anchor,
	"md":     inlineCode,
}).ParseFS(files, "reference.html"))

// inlineCode writes text with its `code` spans as <code>, the rest escaped:
// the document's descriptions use Markdown's backticks and nothing more.
func inlineCode(text string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(text, "`") {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(part))
		}
	}
	return template.HTML(b.String())
}

// Document answers the OpenAPI document as the platform serves it.
func Document(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(api.OpenAPI)
}

// Reference answers the reference page.
func Reference(w http.ResponseWriter, r *http.Request) {
	ref, err := reference()
	if err != nil {
		web.Internal(w, r, fmt.Errorf("reference page: %w", err))
		return
	}
	lang := web.Lang(r)
	ref.Lang = lang
	ref.T = func(key string) string { return words.In(lang, "apidoc."+key) }
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	if err := page.Execute(w, ref); err != nil {
		// The head is sent: the log has it.
		web.Log().Error("reference page", "err", err)
	}
}

// reference is the built-in document read once; each answer fills in its
// language on a copy.
var reference = sync.OnceValues(func() (Ref, error) { return Read(api.OpenAPI) })

// Ref is what the page shows.
type Ref struct {
	Title, Version, Description string
	Servers                     []Server
	Groups                      []Group
	Schemas                     []Schema
	Lang                        string
	T                           func(string) string
}

// Server is one of the document's servers.
type Server struct{ URL, Description string }

// Group is the operations under one part of the API.
type Group struct {
	Name string
	Ops  []Op
}

// Op is one operation.
type Op struct {
	ID, Method, Path, Summary, Description string
	Security                               []string
	Params                                 []Param
	Body                                   []Content
	Responses                              []Response
}

// Param is a parameter.
type Param struct {
	Name, In, Type, Description string
	Required                    bool
}

// Content is a body of one media type; Link names the schema's entry
// on the page ("" for a type that has none).
type Content struct{ Type, Schema, Link string }

// Response is one status an operation answers.
type Response struct {
	Status, Description string
	Content             []Content
}

// Schema is one component schema.
type Schema struct {
	Name, Description string
	Fields            []Field
	Extends           []string
}

// Field is one property of a schema.
type Field struct {
	Name, Type, Description string
	Required                bool
}

type rawSchema struct {
	Ref         string                `json:"$ref"`
	Type        any                   `json:"type"`
	Format      string                `json:"format"`
	Description string                `json:"description"`
	Enum        []any                 `json:"enum"`
	Items       *rawSchema            `json:"items"`
	Properties  map[string]*rawSchema `json:"properties"`
	Required    []string              `json:"required"`
	AllOf       []*rawSchema          `json:"allOf"`
	OneOf       []*rawSchema          `json:"oneOf"`
	Additional  any                   `json:"additionalProperties"`
}

type rawDoc struct {
	Info struct {
		Title, Version, Description string
	}
	Servers []Server
	Paths   map[string]map[string]json.RawMessage
	Comps   struct {
		Schemas map[string]*rawSchema `json:"schemas"`
	} `json:"components"`
}

type rawOp struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Description string                `json:"description"`
	Security    []map[string][]string `json:"security"`
	Parameters  []struct {
		Name        string     `json:"name"`
		In          string     `json:"in"`
		Required    bool       `json:"required"`
		Description string     `json:"description"`
		Schema      *rawSchema `json:"schema"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *rawSchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
		Content     map[string]struct {
			Schema *rawSchema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

var methods = []string{"get", "head", "post", "put", "patch", "delete"}

// groupOf names the part of the API a path belongs to.
func groupOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/p/") || path == "/":
		return "public"
	case strings.HasPrefix(path, "/api/v1/admin/"):
		return "admin"
	case strings.HasPrefix(path, "/admin/"):
		return "console"
	case strings.HasPrefix(path, "/api/v1/media"):
		return "media"
	case strings.HasPrefix(path, "/api/v1/review/"):
		return "review"
	case path == "/healthz" || path == PathDocument || path == PathReference || path == "/api/v1/platform/key" || path == "/api/v1/catalog/changes":
		return "open"
	}
	return "devices"
}

var groupOrder = []string{"open", "public", "devices", "media", "review", "admin", "console"}

// Read reads an OpenAPI document into what the page shows.
func Read(doc []byte) (Ref, error) {
	var d rawDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return Ref{}, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	ref := Ref{Title: d.Info.Title, Version: d.Info.Version, Description: d.Info.Description, Servers: d.Servers}
	groups := map[string][]Op{}
	paths := slices.Sorted(maps.Keys(d.Paths))
	for _, p := range paths {
		for _, m := range methods {
			raw, ok := d.Paths[p][m]
			if !ok {
				continue
			}
			var o rawOp
			if err := json.Unmarshal(raw, &o); err != nil {
				return Ref{}, fmt.Errorf("read %s %s: %w", m, p, err)
			}
			op := Op{ID: o.OperationID, Method: strings.ToUpper(m), Path: p, Summary: o.Summary, Description: o.Description}
			for _, s := range o.Security {
				for name := range s {
					op.Security = append(op.Security, name)
				}
			}
			for _, prm := range o.Parameters {
				op.Params = append(op.Params, Param{Name: prm.Name, In: prm.In, Required: prm.Required, Description: prm.Description, Type: typeOf(prm.Schema)})
			}
			if o.RequestBody != nil {
				op.Body = contents(o.RequestBody.Content)
			}
			codes := slices.Sorted(maps.Keys(o.Responses))
			for _, c := range codes {
				r := o.Responses[c]
				resp := Response{Status: c, Description: r.Description, Content: contents(r.Content)}
				if r.Ref != "" {
					resp.Description = "Problem"
					resp.Content = []Content{{Type: "application/problem+json", Schema: "Problem"}}
				}
				op.Responses = append(op.Responses, resp)
			}
			g := groupOf(p)
			groups[g] = append(groups[g], op)
		}
	}
	for _, g := range groupOrder {
		if len(groups[g]) > 0 {
			ref.Groups = append(ref.Groups, Group{Name: g, Ops: groups[g]})
		}
	}
	names := slices.Sorted(maps.Keys(d.Comps.Schemas))
	for _, g := range ref.Groups {
		for _, op := range g.Ops {
			for _, cs := range [][]Content{op.Body} {
				linkSchemas(cs, d.Comps.Schemas)
			}
			for _, r := range op.Responses {
				linkSchemas(r.Content, d.Comps.Schemas)
			}
		}
	}
	for _, n := range names {
		ref.Schemas = append(ref.Schemas, schemaOf(n, d.Comps.Schemas[n]))
	}
	return ref, nil
}

func contents(c map[string]struct {
	Schema *rawSchema `json:"schema"`
}) []Content {
	var out []Content
	for ct, m := range c {
		out = append(out, Content{Type: ct, Schema: typeOf(m.Schema)})
	}
	slices.SortFunc(out, func(a, b Content) int { return strings.Compare(a.Type, b.Type) })
	return out
}

// linkSchemas links each content to its schema's entry where it has one.
func linkSchemas(cs []Content, schemas map[string]*rawSchema) {
	for i, c := range cs {
		if name := strings.TrimSuffix(c.Schema, "[]"); schemas[name] != nil {
			cs[i].Link = anchor("schema", name)
		}
	}
}

func schemaOf(name string, s *rawSchema) Schema {
	out := Schema{Name: name, Description: s.Description}
	parts := []*rawSchema{s}
	if len(s.AllOf) > 0 {
		parts = s.AllOf
	}
	for _, p := range parts {
		if p.Ref != "" {
			out.Extends = append(out.Extends, refName(p.Ref))
			continue
		}
		if out.Description == "" {
			out.Description = p.Description
		}
		props := slices.Sorted(maps.Keys(p.Properties))
		for _, k := range props {
			f := p.Properties[k]
			out.Fields = append(out.Fields, Field{Name: k, Type: typeOf(f), Description: f.Description, Required: slices.Contains(p.Required, k)})
		}
	}
	return out
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// typeOf writes a schema's type short: Task, Task[], string (date-time),
// "a" | "b".
func typeOf(s *rawSchema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return refName(s.Ref)
	}
	if s.Items != nil {
		return typeOf(s.Items) + "[]"
	}
	if len(s.Enum) > 0 {
		vs := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vs[i] = fmt.Sprint(v)
		}
		return strings.Join(vs, " | ")
	}
	if len(s.AllOf) > 0 || len(s.OneOf) > 0 {
		var ns []string
		for _, p := range append(s.AllOf, s.OneOf...) {
			ns = append(ns, typeOf(p))
		}
		return strings.Join(ns, " + ")
	}
	t := fmt.Sprint(s.Type)
	if s.Type == nil {
		t = "any"
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if t == "object" && s.Additional != nil {
		if m, ok := s.Additional.(map[string]any); ok {
			if r, ok := m["$ref"].(string); ok {
				return "map[string]" + refName(r)
			}
			if ty, ok := m["type"]; ok {
				return "map[string]" + fmt.Sprint(ty)
			}
		}
	}
	return t
}

// anchor is an element id for a name.
func anchor(kind, name string) string {
	r := strings.NewReplacer("/", "-", "{", "", "}", "", ".", "-")
	return kind + "-" + strings.Trim(r.Replace(name), "-")
}
