package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

func putPhoto(t *testing.T, url, token, contentType string, body []byte) (int, api.Problem, api.Person) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var pr api.Problem
	var p api.Person
	if resp.StatusCode == http.StatusOK {
		json.Unmarshal(data, &p)
	} else {
		json.Unmarshal(data, &pr)
	}
	return resp.StatusCode, pr, p
}

// A photo set through the administrator's API: a PNG sent as image/jpeg
// is judged by its bytes and kept as a JPEG named by its SHA-256; the
// officer's entry in the change feed names it; the public address serves
// those very bytes, cacheable for ever, and answers 304 to a cache that
// has them; unknown or malformed names are 404. A token held to another
// agency is refused; a bad photo is refused with its code, in Chinese by
// default and in English when asked.
func TestPhotoAPI(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}, {Code: "02", Name: "青禾市城市管理局"}}); err != nil {
			t.Fatal(err)
		}
		rec := people.Record{Person: api.Person{ID: "A1", Name: "胡瀚俊", Agency: "01", Role: api.RoleOfficer, Active: true},
			CertNo: "990101000001", Issuer: "青禾省人民政府", Status: catalog.CertValid, ValidUntil: "2029-09-11", Gender: "男", Staffing: "行政编制", Region: "白沙县"}
		rec.Unit, rec.Position = "白沙县市场监督管理局", "副科长"
		if err := s.People().PutRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		var pngData bytes.Buffer
		if err := png.Encode(&pngData, demoload.Portrait("A1", 300, 400)); err != nil {
			t.Fatal(err)
		}
		status, pr, p := putPhoto(t, h.URL+api.PathPeople+"A1/photo", admin, "image/jpeg", pngData.Bytes())
		if status != http.StatusOK || len(p.Photo) != 64 {
			t.Fatalf("PUT the photo: %d %+v %+v", status, pr, p)
		}

		// The change feed's officer entry names the photo.
		ch, err := s.Changes(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var named string
		for _, c := range ch.Changes {
			if c.Kind == string(catalog.KindOfficer) && c.ID == "A1" {
				var o catalog.Officer
				json.Unmarshal(c.Data, &o)
				named = o.Photo
			}
		}
		if named != p.Photo {
			t.Errorf("the feed's officer names photo %q, want %q", named, p.Photo)
		}

		// The public address serves the bytes whose hash is the name.
		resp, err := http.Get(h.URL + api.PhotoPath(p.Photo))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sum := sha256.Sum256(body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || hex.EncodeToString(sum[:]) != p.Photo ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("GET the photo: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
		if _, err := jpeg.DecodeConfig(bytes.NewReader(body)); err != nil {
			t.Errorf("the photo served is no JPEG: %v", err)
		}
		req, _ := http.NewRequest(http.MethodGet, h.URL+api.PhotoPath(p.Photo), nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
			t.Errorf("a cache's second GET: %v %v", resp.StatusCode, err)
		} else {
			resp.Body.Close()
		}
		for _, path := range []string{api.PhotoPath(strings.Repeat("0", 64)), api.PathPhotos + "A1.jpg", api.PathPhotos + p.Photo + ".png", api.PathPhotos + strings.ToUpper(p.Photo) + ".jpg"} {
			resp, err := http.Get(h.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}

		// A token held to agency 02 cannot set agency 01's photos.
		tok, err := s.Console().NewToken(ctx, console.Token{Name: "hr-02", Scopes: []string{"people"}, Agency: "02"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if status, pr, _ := putPhoto(t, h.URL+api.PathPeople+"A1/photo", tok, "image/png", pngData.Bytes()); status != http.StatusForbidden || pr.Code != "other_agency" {
			t.Errorf("another agency's token: %d %+v", status, pr)
		}
		if status, pr, _ := putPhoto(t, h.URL+api.PathPeople+"ZZ/photo", admin, "image/png", pngData.Bytes()); status != http.StatusNotFound || pr.Code != "not_found" {
			t.Errorf("nobody's photo: %d %+v", status, pr)
		}
		// A text file sent as a JPEG: refused by its content, in Chinese.
		status, pr, _ = putPhoto(t, h.URL+api.PathPeople+"A1/photo", admin, "image/jpeg", []byte("not a photo"))
		if status != http.StatusUnsupportedMediaType || pr.Code != "photo_format" || !strings.Contains(pr.Message, "JPEG 或 PNG") {
			t.Errorf("a text file: %d %+v", status, pr)
		}
		// Too large, in English when asked.
		big := make([]byte, people.PhotoMaxBytes+10)
		copy(big, pngData.Bytes())
		req, _ = http.NewRequest(http.MethodPut, h.URL+api.PathPeople+"A1/photo", bytes.NewReader(big))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Accept-Language", "en")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&pr)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || pr.Code != "photo_too_large" || pr.Message != "the photo is too large: at most 2 MiB" {
			t.Errorf("a big photo: %d %+v", resp.StatusCode, pr)
		}
		if got, _ := s.People().Get(ctx, "A1"); got.Photo != p.Photo {
			t.Errorf("a refused photo changed the person's: %q", got.Photo)
		}
		// An edit that does not carry the photo keeps it.
		rec.Position = "科长"
		if err := s.People().PutRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.People().Get(ctx, "A1"); got.Photo != p.Photo {
			t.Errorf("an edit dropped the photo: %q", got.Photo)
		}
		st, err := s.People().Standing(ctx)
		if err != nil || len(st.People) != 1 || st.People[0].Photo != p.Photo {
			t.Errorf("the people's standing does not name the photo: %+v %v", st.People, err)
		}
	})
}

// zipOf is a ZIP of the files given as name, data pairs.
func zipOf(t *testing.T, files ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[i+1].([]byte))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func importFile(t *testing.T, base, name string, data []byte) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return do(t, http.MethodPost, base+api.PathPeople, mw.FormDataContentType(), body.Bytes())
}

// People imported with their photos, as an HR office sends them: one ZIP
// with the workbook and the photos, a photo named in the 照片 column or by
// the person's id. A ZIP with a photo missing, a text file posing as a
// photo or a picture too small is refused whole, each bad row named with
// its code, and nobody is imported; a 照片 cell in a plain workbook is a
// bad row too (the photo is not there).
func TestImportWithPhotos(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{AdminToken: admin})
		header := append(append([]any{}, peopleHeader...), "照片")
		agencies := []any{agencyHeader, []any{"01", "青禾市市场监督管理局", "12345", "行政复议", "市场监管", "处罚、检查"}}
		row := func(id, name, photo string) []any {
			return []any{id, name, "女", "01", "一科", "科员", "执法人员", "", "9901" + id, "青禾省人民政府", "有效", "2029-06-30", "全市", "是", photo}
		}
		jpegOf := func(seed string, w, h int) []byte {
			var b bytes.Buffer
			jpeg.Encode(&b, demoload.Portrait(seed, w, h), nil)
			return b.Bytes()
		}
		sheets := func(rows ...[]any) []byte {
			return workbook(t, map[string][][]any{"执法主体": {agencies[0].([]any), agencies[1].([]any)}, "人员": append([][]any{header}, rows...)}, "执法主体", "人员")
		}

		bad := zipOf(t, "人员.xlsx", sheets(row("300001", "周敏", "照片/周敏.jpg"), row("300002", "吴刚", "吴刚.jpg"),
			row("300003", "郑洁", "郑洁.png"), row("300004", "冯丽", "")),
			"照片/吴刚.jpg", []byte("不是照片"), "照片/郑洁.png", func() []byte {
				var b bytes.Buffer
				png.Encode(&b, demoload.Portrait("x", 80, 100))
				return b.Bytes()
			}())
		status, data := importFile(t, h.URL, "人员及照片.zip", bad)
		var pr struct {
			Code string            `json:"code"`
			Rows []json.RawMessage `json:"rows"`
		}
		json.Unmarshal(data, &pr)
		text := string(data)
		if status != http.StatusUnprocessableEntity || pr.Code != "bad_rows" || len(pr.Rows) != 3 ||
			!strings.Contains(text, `"photo_missing"`) || !strings.Contains(text, `"photo_format"`) || !strings.Contains(text, `"photo_dimensions"`) ||
			!strings.Contains(text, "照片/周敏.jpg") {
			t.Fatalf("a ZIP with bad photos: %d %s", status, data)
		}
		if _, err := s.People().Get(ctx, "300004"); err == nil {
			t.Fatal("a person imported from a refused ZIP")
		}

		status, data = importFile(t, h.URL, "人员.xlsx", sheets(row("300001", "周敏", "周敏.jpg")))
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"photo_not_zip"`) {
			t.Fatalf("a workbook naming a photo: %d %s", status, data)
		}

		good := zipOf(t, "人员/人员.xlsx", sheets(row("300001", "周敏", "周敏.JPG"), row("300002", "吴刚", ""), row("300003", "郑洁", "")),
			"照片/周敏.jpg", jpegOf("周敏", 300, 400), "照片/300002.png", func() []byte {
				var b bytes.Buffer
				png.Encode(&b, demoload.Portrait("吴刚", 240, 320))
				return b.Bytes()
			}())
		if status, data := importFile(t, h.URL, "人员及照片.zip", good); status != http.StatusOK {
			t.Fatalf("a good ZIP: %d %s", status, data)
		}
		for id, want := range map[string]bool{"300001": true, "300002": true, "300003": false} {
			p, err := s.People().Get(ctx, id)
			if err != nil || (p.Photo != "") != want {
				t.Errorf("%s after the import: photo %q %v, want a photo: %v", id, p.Photo, err, want)
			}
			if want {
				if _, err := s.People().PhotoJPEG(ctx, p.Photo); err != nil {
					t.Errorf("%s's photo is not kept: %v", id, err)
				}
			}
		}
		// A second import without photos keeps them.
		if status, data := importFile(t, h.URL, "人员.xlsx", sheets(row("300001", "周敏", ""))); status != http.StatusOK {
			t.Fatalf("a re-import: %d %s", status, data)
		}
		if p, _ := s.People().Get(ctx, "300001"); p.Photo == "" {
			t.Error("a re-import without photos dropped the photo")
		}
		// A ZIP with no sheet, or two.
		for _, z := range [][]byte{zipOf(t, "a.jpg", jpegOf("a", 200, 200)), zipOf(t, "a.csv", []byte("x"), "b.xlsx", []byte("y"))} {
			if status, data := importFile(t, h.URL, "x.zip", z); status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"zip_sheet"`) {
				t.Errorf("a ZIP without exactly one sheet: %d %s", status, data)
			}
		}
	})
}
