package apidoc

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
)

func serve(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathDocument, Document)
	mux.HandleFunc("GET "+PathReference, Reference)
	h := httptest.NewServer(apitest.Checked(t, mux))
	t.Cleanup(h.Close)
	return h
}

func get(t *testing.T, url, lang string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// The document served is the one the platform is built with, and the
// reference page shows every operation (by its operationId) and every
// schema, each schema's entry linked from the answers that carry it — in
// Chinese by default, in English when asked.
func TestReferencePageShowsEveryOperation(t *testing.T) {
	h := serve(t)
	resp, body := get(t, h.URL+PathDocument, "")
	if resp.StatusCode != 200 || body != string(api.OpenAPI) {
		t.Fatalf("document: %d, %d bytes (want the embedded %d)", resp.StatusCode, len(body), len(api.OpenAPI))
	}
	var doc struct {
		Paths      map[string]map[string]struct{ OperationID string } `json:"paths"`
		Components struct{ Schemas map[string]any }                   `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	_, zh := get(t, h.URL+PathReference, "")
	_, en := get(t, h.URL+PathReference, "en")
	if !strings.Contains(zh, "平台接口参考") || !strings.Contains(zh, `lang="zh-Hans"`) {
		t.Error("the page is not in Chinese by default")
	}
	if !strings.Contains(en, "Platform API reference") || !strings.Contains(en, `lang="en"`) {
		t.Error("the page is not in English when asked")
	}
	ops := 0
	for path, byMethod := range doc.Paths {
		for m, op := range byMethod {
			ops++
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", m, path)
			}
			if !strings.Contains(zh, `id="`+anchor("op", op.OperationID)+`"`) {
				t.Errorf("%s %s (%s) is not on the page", m, path, op.OperationID)
			}
		}
	}
	for name := range doc.Components.Schemas {
		if !strings.Contains(zh, `id="`+anchor("schema", name)+`"`) {
			t.Errorf("schema %s is not on the page", name)
		}
	}
	if !strings.Contains(zh, `href="#`+anchor("schema", "ChangesResponse")+`"`) {
		t.Error("the change feed's answer does not link to its schema")
	}
	if strings.Contains(zh, "`") {
		t.Error("Markdown backticks left on the page")
	}
	if ops < 50 {
		t.Errorf("only %d operations in the document", ops)
	}
}
