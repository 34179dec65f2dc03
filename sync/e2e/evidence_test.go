package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/internal/reporoot"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// evidenceCase is a case of agency 01 on a device whose desk recorded,
// through app/capture as an officer's desk does, two seconds of audio and
// two seconds of video (an MJPEG AVI with the WAV of its sound), and
// imported a camera's photo with EXIF; a second case holds another file.
// Both are pushed through the real sync, media and all. It returns the
// device, the case and the files' SHA-256 by role ("audio", "video",
// "sound", "photo", and "foreign": the other case's file).
func evidenceCase(t *testing.T, s *server.Server, h *httptest.Server) (string, string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}, {Code: "02", Name: "青禾市城市管理局"}}); err != nil {
		t.Fatal(err)
	}
	// A device's name signs its notes, where "/" and "+" may not stand
	// (the backend "postgres+s3" is in the test's name).
	l := openLog(t, "EVID-"+strings.NewReplacer("/", "-", "+", "-").Replace(t.Name()))
	two := []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
	open := func() string {
		id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "现场检查",
			Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"}, Officers: two})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := open()
	record := func(cfg capture.Config) {
		cfg.Log, cfg.Case, cfg.Author, cfg.Dir = l, id, "990101000001", t.TempDir()
		rec, err := capture.Start(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		if _, err := rec.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	record(capture.Config{Audio: capture.Sine{Hz: 440, Rate: 48000}})
	record(capture.Config{Audio: capture.Sine{Hz: 660, Rate: 48000}, Camera: &capture.Synthetic{}})
	if _, err := capture.ImportPhoto(ctx, l, id, "990101000001", "", filepath.Join(reporoot.Dir(t), "app", "capture", "testdata", "exif.jpg")); err != nil {
		t.Fatal(err)
	}
	other := open()
	d, _, err := l.Media().Put(strings.NewReader("另一案件的现场笔录照片"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddNote(ctx, other, "990101000001", "另案附件", d.String()); err != nil {
		t.Fatal(err)
	}
	shas := map[string]string{"foreign": d.String()}
	c, err := l.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Records {
		rec, ok := casefile.RecordingOf(r)
		if !ok {
			continue
		}
		for _, f := range rec.Files {
			role := f.Role
			if rec.Kind == casefile.MediaVideo && f.Role == casefile.MediaAudio {
				role = "sound"
			}
			shas[role] = f.SHA256
		}
	}
	for _, role := range []string{"audio", "video", "sound", "photo"} {
		if shas[role] == "" {
			t.Fatalf("the desk recorded no %s: %v", role, shas)
		}
	}
	ident := enrol(t, s, h, l)
	cl := client.New(ident)
	if _, err := cl.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	if n, err := cl.PushMedia(ctx, l, nil); err != nil || n != 5 {
		t.Fatalf("pushed %d media files: %v", n, err)
	}
	return ident.DeviceID, id, shas
}

// signedIn is an HTTP client with login's console session.
func signedIn(t *testing.T, s *server.Server, base, login string, a console.Admin) *http.Client {
	t.Helper()
	a.Login = login
	if err := s.AddAdmin(context.Background(), a, "password-"+login, "test"); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/admin/login", url.Values{"login": {login}, "password": {"password-" + login}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in %s: %d", login, resp.StatusCode)
	}
	return c
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// fetchAs GETs path with c (and headers "K: V"), returning status, header and body.
func fetchAs(t *testing.T, c *http.Client, base, path string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// statePurpose posts the purpose form of the case page at page with c's
// session; it returns the status and where it sends the browser.
func statePurpose(t *testing.T, c *http.Client, base, page string, form url.Values) (int, string) {
	t.Helper()
	code, _, body := fetchAs(t, c, base, page)
	m := csrfInput.FindSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("the case page %s: %d, no form: %.300s", page, code, body)
	}
	form.Set("csrf", string(m[1]))
	req, _ := http.NewRequest(http.MethodPost, base+page+"/evidence", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// problemCode is the code of a Problem body.
func problemCode(body []byte) string {
	var p api.Problem
	json.Unmarshal(body, &p)
	return p.Code
}

// Who may open a case's evidence, as an attacker would try it: the
// operator is refused; another agency's administrator finds no case, nor
// its files, nor can state a purpose for it; nothing plays without a
// purpose stated (purpose_required), nor under another account's; a file
// of another case is refused under this one's purpose (not_in_case); a
// bad purpose is sent back with its code. A download's bytes hash to the
// SHA-256 the page shows; seeking by ranges logs one view; each download
// is logged; the log is on the page.
func TestEvidenceAccessByRole(t *testing.T) {
	servertest.Each(t, testEvidenceAccessByRole)
}

func testEvidenceAccessByRole(t *testing.T, b servertest.Backend) {
	s, h := platform(t, b)
	device, id, shas := evidenceCase(t, s, h)
	page := "/admin/cases/" + device + "/" + id
	file := func(sha, access string, extra ...string) string {
		return page + "/evidence/" + sha + "?access=" + access + strings.Join(extra, "")
	}
	city := signedIn(t, s, h.URL, "sfj", console.Admin{Name: "市司法局 李科长", Role: console.RoleCity})
	own := signedIn(t, s, h.URL, "scj", console.Admin{Name: "市场监管局 赵科长", Role: console.RoleAgency, Agency: "01"})
	other := signedIn(t, s, h.URL, "cgj", console.Admin{Name: "城管局 王科长", Role: console.RoleAgency, Agency: "02"})
	operator := signedIn(t, s, h.URL, "ops", console.Admin{Name: "运维", Role: console.RoleOperator})

	// Nothing plays without a purpose stated, and the page offers the form.
	code, _, body := fetchAs(t, city, h.URL, page)
	if code != http.StatusOK || !strings.Contains(string(body), `id="purpose-form"`) || strings.Contains(string(body), "<audio") {
		t.Fatalf("the case page before a purpose: %d %s", code, body)
	}
	if code, _, body := fetchAs(t, city, h.URL, file(shas["audio"], "")); code != http.StatusForbidden || problemCode(body) != "purpose_required" {
		t.Fatalf("audio without a purpose: %d %s", code, body)
	}
	// A bad purpose is sent back with its code, and nothing is written.
	for _, form := range []url.Values{{}, {"purpose": {"curiosity"}}, {"purpose": {"other"}, "words": {"  "}}} {
		if code, to := statePurpose(t, city, h.URL, page, form); code != http.StatusSeeOther || !strings.Contains(to, "refused=bad_purpose") {
			t.Fatalf("purpose %v: %d → %s", form, code, to)
		}
	}
	if _, _, body := fetchAs(t, city, h.URL, page+"?refused=bad_purpose"); !strings.Contains(string(body), `data-code="bad_purpose"`) {
		t.Fatal("the page does not say why the purpose was refused")
	}
	code, to := statePurpose(t, city, h.URL, page, url.Values{"purpose": {"complaint"}, "words": {"12345 热线转办 第 88 号"}})
	u, _ := url.Parse(to)
	access := u.Query().Get("access")
	if code != http.StatusSeeOther || len(access) != 32 {
		t.Fatalf("purpose stated: %d → %s", code, to)
	}

	// The operator may not see evidence at all.
	if code, _, _ := fetchAs(t, operator, h.URL, page); code != http.StatusForbidden {
		t.Fatalf("the operator opened the case page: %d", code)
	}
	if code, _, _ := fetchAs(t, operator, h.URL, file(shas["audio"], access)); code != http.StatusForbidden {
		t.Fatalf("the operator fetched evidence: %d", code)
	}
	// Another agency finds nothing: not the page, nor the file, nor a purpose to state.
	if code, _, _ := fetchAs(t, other, h.URL, page); code != http.StatusNotFound {
		t.Fatalf("another agency opened the case page: %d", code)
	}
	if code, _, body := fetchAs(t, other, h.URL, file(shas["audio"], access)); code != http.StatusNotFound || problemCode(body) != "not_found" {
		t.Fatalf("another agency fetched evidence with the city's purpose: %d %s", code, body)
	}
	_, _, home := fetchAs(t, other, h.URL, "/admin/")
	m := csrfInput.FindSubmatch(home)
	if m == nil {
		t.Fatal("no CSRF token on the console's home page")
	}
	req, _ := http.NewRequest(http.MethodPost, h.URL+page+"/evidence", strings.NewReader(url.Values{"csrf": {string(m[1])}, "purpose": {"review"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := other.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another agency stated a purpose for the case: %v %v", resp.StatusCode, err)
	}
	// The case's own agency may, but not under the city's purpose.
	if code, _, body := fetchAs(t, own, h.URL, file(shas["audio"], access)); code != http.StatusForbidden || problemCode(body) != "purpose_required" {
		t.Fatalf("the agency replayed the city's purpose: %d %s", code, body)
	}
	// … under a purpose of its own, it sees its case's evidence.
	if code, to = statePurpose(t, own, h.URL, page, url.Values{"purpose": {"review"}}); code != http.StatusSeeOther {
		t.Fatalf("the case's own agency stating a purpose: %d", code)
	}
	ownAccess, _ := url.Parse(to)
	if code, _, data := fetchAs(t, own, h.URL, file(shas["photo"], ownAccess.Query().Get("access"))); code != http.StatusOK || len(data) == 0 {
		t.Fatalf("the case's own agency viewing the photo: %d", code)
	}
	// A file of another case is refused under this case's purpose, and a
	// made-up digest too.
	if code, _, body := fetchAs(t, city, h.URL, file(shas["foreign"], access)); code != http.StatusNotFound || problemCode(body) != "not_in_case" {
		t.Fatalf("another case's file: %d %s", code, body)
	}
	if code, _, body := fetchAs(t, city, h.URL, file(strings.Repeat("ab", 32), access)); code != http.StatusNotFound || problemCode(body) != "not_in_case" {
		t.Fatalf("a made-up digest: %d %s", code, body)
	}

	// Under the purpose: the page shows each file's SHA-256, and a
	// download's bytes hash to it.
	_, hd, body := fetchAs(t, city, h.URL, page+"?access="+access)
	if !strings.Contains(hd.Get("Content-Security-Policy"), "media-src 'self'") {
		t.Fatalf("the player's page has CSP %q", hd.Get("Content-Security-Policy"))
	}
	for _, role := range []string{"audio", "video", "sound", "photo"} {
		if !strings.Contains(string(body), `<code class="sha256">`+shas[role]+`</code>`) {
			t.Fatalf("the page does not show the %s's SHA-256", role)
		}
	}
	for _, role := range []string{"photo", "video", "photo"} {
		code, hd, data := fetchAs(t, city, h.URL, file(shas[role], access, "&download=1"))
		sum := sha256.Sum256(data)
		if code != http.StatusOK || hex.EncodeToString(sum[:]) != shas[role] || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download of the %s: %d, %x, %q", role, code, sum, hd.Get("Content-Disposition"))
		}
	}
	// Seeking in the audio: ranges answer 206 with the right bytes, and
	// log one view however many there are.
	_, _, whole := fetchAs(t, city, h.URL, file(shas["audio"], access))
	for _, rng := range []string{"bytes=0-", "bytes=1000-1999", "bytes=44-"} {
		code, _, part := fetchAs(t, city, h.URL, file(shas["audio"], access), "Range: "+rng)
		from, _ := strconv.Atoi(strings.TrimSuffix(strings.Split(strings.TrimPrefix(rng, "bytes="), "-")[0], "-"))
		if code != http.StatusPartialContent || string(part) != string(whole[from:from+len(part)]) {
			t.Fatalf("range %s: %d, %d bytes", rng, code, len(part))
		}
	}
	// The video's frames, read at random from the stored AVI, are JPEGs
	// that differ; past the last there is none; a WAV has no frames.
	frame := func(n string) (int, []byte) {
		code, hd, data := fetchAs(t, city, h.URL, page+"/evidence/"+shas["video"]+"/frames/"+n+"?access="+access)
		if code == http.StatusOK && hd.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("frame %s is %s", n, hd.Get("Content-Type"))
		}
		return code, data
	}
	c0, f0 := frame("0")
	c1, f1 := frame("10")
	if c0 != http.StatusOK || c1 != http.StatusOK || string(f0) == string(f1) || len(f0) < 100 {
		t.Fatalf("frames 0 and 10: %d %d, the same: %v", c0, c1, string(f0) == string(f1))
	}
	if code, body := frame("100000"); code != http.StatusNotFound || problemCode(body) != "no_frame" {
		t.Fatalf("a frame past the end: %d %s", code, body)
	}
	if code, _, body := fetchAs(t, city, h.URL, page+"/evidence/"+shas["audio"]+"/frames/0?access="+access); code != http.StatusBadRequest || problemCode(body) != "not_video" {
		t.Fatalf("frames of a WAV: %d %s", code, body)
	}
	_, _, body = fetchAs(t, city, h.URL, page+"?access="+access)
	log := regexp.MustCompile(`(?s)<table id="access-log".*?</table>`).Find(body)
	rows := regexp.MustCompile(`<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`).FindAllSubmatch(log, -1)
	count := map[string]int{}
	for _, r := range rows {
		if string(r[1]) == "市场监管局 赵科长（scj）" && string(r[4]) == "案卷评查" && string(r[2]) == "查看" && strings.Contains(string(r[3]), shas["photo"][:16]) {
			count["scj photo 查看"]++
			continue
		}
		if string(r[1]) != "市司法局 李科长（sfj）" || string(r[4]) != "投诉举报核查：12345 热线转办 第 88 号" {
			t.Fatalf("a log row %q", r[0])
		}
		file := string(r[3])
		for role, sha := range shas {
			if strings.Contains(file, sha[:16]) {
				count[role+" "+string(r[2])]++
			}
		}
	}
	if want := map[string]int{"photo 下载": 2, "video 下载": 1, "audio 查看": 1, "video 查看": 1, "scj photo 查看": 1}; len(count) != len(want) ||
		count["photo 下载"] != 2 || count["video 下载"] != 1 || count["audio 查看"] != 1 || count["video 查看"] != 1 || count["scj photo 查看"] != 1 {
		t.Fatalf("the access log on the page counts %v, want %v", count, want)
	}
}

// The access log cannot be altered: on every backend, an UPDATE or a
// DELETE of a purpose or an access written through the console is
// refused by the database itself.
func TestEvidenceAccessLogAppendOnly(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		dbURL, media := b.Where(t)
		s, err := server.Open(ctx, dbURL, server.Options{Media: media, AdminToken: admin, KeyFile: servertest.KeyFile(dbURL)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		h := httptest.NewServer(apitest.Checked(t, servertest.ASCIIHeaders(t, s.Handler())))
		t.Cleanup(h.Close)
		device, id, shas := evidenceCase(t, s, h)
		page := "/admin/cases/" + device + "/" + id
		city := signedIn(t, s, h.URL, "sfj", console.Admin{Name: "市司法局", Role: console.RoleCity})
		_, to := statePurpose(t, city, h.URL, page, url.Values{"purpose": {"review"}})
		u, _ := url.Parse(to)
		if code, _, _ := fetchAs(t, city, h.URL, page+"/evidence/"+shas["photo"]+"?access="+u.Query().Get("access")); code != http.StatusOK {
			t.Fatalf("view the photo: %d", code)
		}
		db, err := sqldb.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM evidence_access`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d accesses logged: %v", n, err)
		}
		for _, q := range []string{`UPDATE evidence_purposes SET purpose = 'other'`, `DELETE FROM evidence_purposes`,
			`UPDATE evidence_access SET action = 'download'`, `DELETE FROM evidence_access`} {
			if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", q, err)
			}
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM evidence_access`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d accesses after the attempts: %v", n, err)
		}
	})
}
