package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// conforms checks a JSON value against an OpenAPI schema of the platform's
// document: its type (an array is never null unless the schema says
// nullable), its required properties, no property the schema does not
// name, and the same for what it holds.
func conforms(t *testing.T, schemas map[string]any, schema map[string]any, v any, at string) {
	t.Helper()
	if ref, ok := schema["$ref"].(string); ok {
		schema = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	if v == nil {
		if schema["nullable"] != true {
			t.Errorf("%s: null where the document says %v", at, schema["type"])
		}
		return
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %T where the document says an object", at, v)
			return
		}
		required, _ := schema["required"].([]any)
		for _, r := range required {
			if _, ok := m[r.(string)]; !ok {
				t.Errorf("%s: required %q missing", at, r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, x := range m {
			if p, ok := props[k].(map[string]any); ok {
				conforms(t, schemas, p, x, at+"."+k)
			} else if extra, ok := schema["additionalProperties"].(map[string]any); ok {
				conforms(t, schemas, extra, x, at+"."+k)
			} else if props != nil {
				t.Errorf("%s: %q is not in the document", at, k)
			}
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %T where the document says an array", at, v)
			return
		}
		for i, x := range l {
			conforms(t, schemas, schema["items"].(map[string]any), x, fmt.Sprintf("%s[%d]", at, i))
		}
	case "string":
		if _, ok := v.(string); !ok {
			t.Errorf("%s: %T where the document says a string", at, v)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			t.Errorf("%s: %v where the document says an integer", at, v)
		}
	}
}

// What the draws' routes answer is what the OpenAPI document says: a
// plan's published JSON before and after its draw (over HTTP), and the
// tasks the desks' list and claim answer with.
func TestDrawWireMatchesOpenAPI(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	ctx := context.Background()
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "p.db"), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	var targets []draw.Target
	for i := range 6 {
		targets = append(targets, draw.Target{ID: fmt.Sprintf("T%02d", i), Name: fmt.Sprintf("第%d号店", i), Unit: "城东所"})
	}
	p, err := s.NewPlan(ctx, "", server.Plan{Item: "R01001", Count: 2, Due: time.Now().AddDate(0, 0, 9).Format(time.DateOnly)}, targets, nil)
	if err != nil {
		t.Fatal(err)
	}
	published := func(when string) {
		resp, err := http.Get(fmt.Sprintf("%s/p/draws/%d.json", h.URL, p.ID))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", when, resp.StatusCode)
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		conforms(t, schemas, map[string]any{"$ref": "#/components/schemas/PublishedDraw"}, v, when)
	}
	published("planned")
	d, err := s.MakeDraw(ctx, "", p.ID, "", "admin")
	if err != nil {
		t.Fatal(err)
	}
	published("drawn")
	task := d.Tasks[0]
	claimed, err := s.ClaimTask(ctx, task.ID(), "DEV-1", task.Inspectors[0].CertNo)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.TasksFor(ctx, task.Inspectors[1].CertNo)
	if err != nil || !slices.ContainsFunc(list, func(x api.Task) bool { return x.ID == task.ID() && x.Device == "DEV-1" }) {
		t.Fatalf("tasks of the second inspector: %+v %v", list, err)
	}
	for name, x := range map[string]any{"claim": claimed, "list": list} {
		var v any
		b, _ := json.Marshal(x)
		json.Unmarshal(b, &v)
		schema := map[string]any{"$ref": "#/components/schemas/Task"}
		if name == "list" {
			schema = map[string]any{"type": "array", "items": schema}
		}
		conforms(t, schemas, schema, v, name)
	}
}
