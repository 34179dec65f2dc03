package media_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/media"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// TestHeadersArePrintableASCII: every answer of an upload's life, its
// refusals included, and of the routes around it (the held receipt, the
// platform's key, health, a public page, the router's own 404 and 405)
// carries only printable ASCII in its headers, in Chinese and in English
// (Node and browsers read header values as Latin-1). Every media test
// checks the same on every answer (open serves through
// servertest.ASCIIHeaders); this one makes sure each kind of answer is
// among them, and checks again on the client's side.
func TestHeadersArePrintableASCII(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		const KiB = 1 << 10
		p := open(t, b, media.Limits{MaxUpload: 256 * KiB})
		tokA, _ := p.enrol(t, "laptop-a")
		tokB, _ := p.enrol(t, "laptop-b")
		metaOf := func(data []byte) string {
			sum := sha256.Sum256(data)
			return "sha256 " + base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
		}
		for _, lang := range []string{"zh-CN", "en"} {
			data := randomBytes(100*KiB + 7)
			sum := sha256.Sum256(data)
			sha := hex.EncodeToString(sum[:])
			// ask makes one request and checks the answer's class and
			// headers; it returns the answer.
			ask := func(what, token, method, path string, hdr map[string]string, body []byte, class int) *http.Response {
				t.Helper()
				var r io.Reader
				if body != nil {
					r = bytes.NewReader(body)
				}
				u, err := url.Parse(path) // a Location is absolute
				if err != nil {
					t.Fatal(err)
				}
				req, err := http.NewRequest(method, p.h.URL+u.EscapedPath(), r)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Accept-Language", lang)
				req.Header.Set("Tus-Resumable", "1.0.0")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if body != nil {
					req.Header.Set("Content-Type", "application/offset+octet-stream")
				}
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != class {
					t.Errorf("%s (%s): answer %d, want %dxx", what, lang, resp.StatusCode, class)
				}
				if bad := servertest.NonASCIIHeader(resp.Header); bad != "" {
					t.Errorf("%s (%s): header outside printable ASCII: %q", what, lang, bad)
				}
				return resp
			}
			create := map[string]string{"Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": metaOf(data)}
			ask("tus discovery", tokA, http.MethodOptions, api.PathMedia, nil, nil, 2)
			ask("create without a token", "", http.MethodPost, api.PathMedia, create, nil, 4)
			ask("create with a malformed sha256", tokA, http.MethodPost, api.PathMedia,
				map[string]string{"Upload-Length": "10", "Upload-Metadata": "sha256 " + base64.StdEncoding.EncodeToString([]byte("不是摘要"))}, nil, 4)
			ask("create over the maximum", tokA, http.MethodPost, api.PathMedia,
				map[string]string{"Upload-Length": strconv.Itoa(256*KiB + 1), "Upload-Metadata": metaOf(data)}, nil, 4)
			resp := ask("create", tokA, http.MethodPost, api.PathMedia, create, nil, 2)
			loc := resp.Header.Get("Location")
			if loc == "" {
				t.Fatalf("create (%s): no Location", lang)
			}
			half := len(data) / 2
			ask("first half", tokA, http.MethodPatch, loc, map[string]string{"Upload-Offset": "0"}, data[:half], 2)
			ask("offset", tokA, http.MethodHead, loc, nil, nil, 2)
			ask("another device's HEAD", tokB, http.MethodHead, loc, nil, nil, 4)
			ask("another device's PATCH", tokB, http.MethodPatch, loc, map[string]string{"Upload-Offset": strconv.Itoa(half)}, []byte("x"), 4)
			ask("a wrong offset", tokA, http.MethodPatch, loc, map[string]string{"Upload-Offset": "1"}, data[1:half], 4)
			ask("a download", tokA, http.MethodGet, loc, nil, nil, 4)
			ask("an unknown upload", tokA, http.MethodHead, api.PathMedia+"0123456789abcdef0123456789abcdef", nil, nil, 4)
			ask("a malformed upload ID", tokA, http.MethodHead, api.PathMedia+"..%2f..%2fetc", nil, nil, 4)
			ask("not held yet", tokA, http.MethodGet, api.PathMediaSHA+sha, nil, nil, 4)
			fin := ask("last PATCH", tokA, http.MethodPatch, loc, map[string]string{"Upload-Offset": strconv.Itoa(half)}, data[half:], 2)
			if fin.Header.Get(api.HeaderReceipt) == "" {
				t.Fatalf("last PATCH (%s): no receipt", lang)
			}
			ask("held", tokA, http.MethodGet, api.PathMediaSHA+sha, nil, nil, 2)

			// An upload whose bytes do not hash to its sha256, and one
			// given up.
			other := randomBytes(10 * KiB)
			resp = ask("create a mismatch", tokA, http.MethodPost, api.PathMedia,
				map[string]string{"Upload-Length": strconv.Itoa(len(other)), "Upload-Metadata": metaOf(data)}, nil, 2)
			ask("a mismatch", tokA, http.MethodPatch, resp.Header.Get("Location"), map[string]string{"Upload-Offset": "0"}, other, 4)
			resp = ask("create to give up", tokA, http.MethodPost, api.PathMedia,
				map[string]string{"Upload-Length": strconv.Itoa(len(other)), "Upload-Metadata": metaOf(other)}, nil, 2)
			ask("give up", tokA, http.MethodDelete, resp.Header.Get("Location"), nil, nil, 2)

			ask("platform key", "", http.MethodGet, api.PathPubKey, nil, nil, 2)
			ask("health", "", http.MethodGet, api.PathHealth, nil, nil, 2)
			ask("public search", "", http.MethodGet, "/p/", nil, nil, 2)
			ask("no such route", "", http.MethodGet, "/api/v1/无此路由", nil, nil, 4)
			ask("no such method", "", http.MethodPut, api.PathPubKey, nil, nil, 4)
		}
	})
}
