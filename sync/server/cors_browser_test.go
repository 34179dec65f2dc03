package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// probePage is another web application's page: it calls the platform with
// fetch(), as a city's app or an auditor's tool would, and lists what its
// script could read of each answer, or the browser's refusal.
const probePage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>CORS probe</title>
<style>body{font:14px sans-serif;margin:16px} table{border-collapse:collapse;width:100%} td,th{border:1px solid #888;padding:4px 6px;text-align:left;vertical-align:top}
.ok{background:#e4f4e4} .blocked{background:#f8e0e0}</style>
<h1>A page of <span id="origin"></span> calls the platform</h1>
<table><thead><tr><th>call</th><th>what the page's script could read</th></tr></thead><tbody id="out"></tbody></table>
<script>
document.getElementById("origin").textContent = location.origin;
function show(what, r) {
  const tr = document.createElement("tr");
  tr.className = r.ok ? "ok" : "blocked";
  tr.append(document.createElement("td"), document.createElement("td"));
  tr.cells[0].textContent = what;
  tr.cells[1].textContent = r.ok ? "HTTP " + r.status + (r.receipt ? ", Sanxiang-Receipt: " + r.receipt.slice(0, 48) + "…" : "") +
    (r.location ? ", Location: " + r.location : "") + ", body: " + r.body.slice(0, 60) : r.error;
  document.getElementById("out").append(tr);
  return r;
}
async function probe(what, url, init) {
  try {
    const resp = await fetch(url, init);
    const body = await resp.text();
    return show(what, {ok: true, status: resp.status, receipt: resp.headers.get("Sanxiang-Receipt") || "",
      location: resp.headers.get("Location") || "", body: body});
  } catch (e) {
    return show(what, {ok: false, error: e.name + ": " + e.message});
  }
}
async function upload(platform, token, text, sha) {
  const data = new TextEncoder().encode(text);
  const auth = {"Authorization": "Bearer " + token, "Tus-Resumable": "1.0.0"};
  const created = await probe("tus POST " + platform + "/api/v1/media/ (bearer token)", platform + "/api/v1/media/",
    {method: "POST", headers: {...auth, "Upload-Length": String(data.length), "Upload-Metadata": "sha256 " + btoa(sha)}});
  if (!created.ok || !created.location) return created;
  return probe("tus PATCH (the last bytes: the receipt)", created.location,
    {method: "PATCH", headers: {...auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, body: data});
}
</script></html>`

// fetched is what probe() answers: what the page's script could read.
type fetched struct {
	OK       bool   `json:"ok"`
	Status   int    `json:"status"`
	Receipt  string `json:"receipt"`
	Location string `json:"location"`
	Body     string `json:"body"`
	Error    string `json:"error"`
}

// CORS in a real Chromium: pages of two other origins (loopback servers of
// their own, on other ports) call the platform with fetch(). Both read the
// public reads. The listed origin's page reads a device route with the
// device's bearer token and uploads evidence by tus, reading the upload's
// Location and its Sanxiang-Receipt; the unlisted one's calls to the same
// routes, with the token or without, are blocked by the browser itself
// (fetch rejects with a TypeError), though the token is valid.
func TestCORSInABrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, probePage)
	})
	listed, unlisted := httptest.NewServer(page), httptest.NewServer(page)
	t.Cleanup(listed.Close)
	t.Cleanup(unlisted.Close)
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{CORSOrigins: []string{listed.URL}})
	token := enrolOfficer(t, s, h.URL)

	b := browsertest.Open(t, exe)
	probe := func(what, path, init string) fetched {
		t.Helper()
		expr := fmt.Sprintf("probe(%q, %q, %s)", what, h.URL+path, init)
		got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[fetched](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return got
	}
	bearer := fmt.Sprintf("{headers: {Authorization: %q}}", "Bearer "+token)

	// The listed origin's page.
	b.Do("open the listed origin's page", chromedp.Navigate(listed.URL+"/"))
	if got := probe("GET /api/v1/platform/key (public)", api.PathPubKey, "{}"); !got.OK || got.Status != http.StatusOK || !strings.Contains(got.Body, "verifier") {
		t.Errorf("public read from the listed origin: %+v", got)
	}
	if got := probe("GET /api/v1/av-requirements (bearer token)", api.PathAVLists, bearer); !got.OK || got.Status != http.StatusOK {
		t.Errorf("device read from the listed origin: %+v", got)
	}
	if got := probe("GET /api/v1/review/queue (no token)", api.PathQueue, "{}"); !got.OK || got.Status != http.StatusUnauthorized || !strings.Contains(got.Body, "unauthorized") {
		t.Errorf("a refusal, read by the listed origin's page: %+v", got)
	}
	text := "现场照片 uploaded from a browser page"
	sum := sha256.Sum256([]byte(text))
	up, err := chromedp.Run(b.Ctx, chromedp.Evaluate[fetched](fmt.Sprintf("upload(%q, %q, %q, %q)", h.URL, token, text, hex.EncodeToString(sum[:])), chromedp.EvalAwaitPromise))
	if err != nil || !up.OK || up.Status != http.StatusNoContent || up.Receipt == "" {
		t.Errorf("tus upload from the listed origin: %+v %v", up, err)
	}
	if held, err := s.OpenMedia(context.Background(), hex.EncodeToString(sum[:])); err != nil {
		t.Errorf("the uploaded evidence is not held: %v", err)
	} else {
		held.Close()
	}
	b.Do("shoot the listed origin's page", b.Shot("cors-listed-origin"))

	// The unlisted origin's page, with the same valid token.
	b.Do("open the unlisted origin's page", chromedp.Navigate(unlisted.URL+"/"))
	if got := probe("GET /api/v1/platform/key (public)", api.PathPubKey, "{}"); !got.OK || got.Status != http.StatusOK {
		t.Errorf("public read from the unlisted origin: %+v", got)
	}
	if got := probe("GET /p/ (public page)", "/p/", "{}"); !got.OK || got.Status != http.StatusOK || !strings.Contains(got.Body, "<html") {
		t.Errorf("public page from the unlisted origin: %+v", got)
	}
	for _, c := range []struct{ what, path, init string }{
		{"GET /api/v1/av-requirements (bearer token)", api.PathAVLists, bearer},
		{"GET /api/v1/review/queue (no token, no preflight)", api.PathQueue, "{}"},
		{"GET /api/v1/platform/key with credentials", api.PathPubKey, `{credentials: "include"}`},
	} {
		if got := probe(c.what, c.path, c.init); got.OK || !strings.HasPrefix(got.Error, "TypeError") {
			t.Errorf("%s from the unlisted origin: the browser let the page read it: %+v", c.what, got)
		}
	}
	up, err = chromedp.Run(b.Ctx, chromedp.Evaluate[fetched](fmt.Sprintf("upload(%q, %q, %q, %q)", h.URL, token, "another", strings.Repeat("00", 32)), chromedp.EvalAwaitPromise))
	if err != nil || up.OK || !strings.HasPrefix(up.Error, "TypeError") {
		t.Errorf("tus upload from the unlisted origin: %+v %v", up, err)
	}
	b.Do("shoot the unlisted origin's page", b.Shot("cors-unlisted-origin"))
}
