package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/internal/scantest"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// noticeParty is the party of the unpublished notice: their name must
// never show on a verdict page.
const noticeParty = "李秀英"

// unpublishedNotice records a 行政处罚事先告知书 to a person in a new
// case: a document to a party that is never published.
func unpublishedNotice(t *testing.T, l *casefile.Log) (string, document.Doc, int64) {
	t.Helper()
	ctx := context.Background()
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对未取得食品经营许可从事食品经营活动的处罚",
		Party:    casefile.Party{Kind: "person", Name: noticeParty, IDNo: "330106198001011234", Address: "浙江省青禾市明湖区文一路9号"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := document.TemplateByID("prior_notice")
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := l.Case(ctx, id)
	doc, err := document.Fill(tpl, cs, "青禾市明湖区市场监督管理局", map[string]string{"facts": "当事人在文一路9号无证经营熟食。",
		"basis": "《食品安全法》第三十五条", "proposed": "罚款人民币3000元"}, cs.OpenedAt)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(doc)
	rec, err := l.AddDocument(ctx, id, "990101000001", body)
	if err != nil {
		t.Fatal(err)
	}
	return id, doc, rec.Seq
}

// documentOf is the (last) document record of case id.
func documentOf(t *testing.T, l *casefile.Log, id string) (document.Doc, int64) {
	t.Helper()
	recs, err := l.Records(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == casefile.KindDocument {
			var d document.Doc
			if err := json.Unmarshal(recs[i].Body, &d); err != nil {
				t.Fatal(err)
			}
			return d, recs[i].Seq
		}
	}
	t.Fatalf("case %s has no document", id)
	return document.Doc{}, 0
}

// scanPDF renders a printed PDF's pages with pdftoppm (what a printer or
// a phone's camera sees of the file, not the layout it was drawn from)
// and decodes the 扫码验真 QR code in the corner of each page with
// gozxing; the first page's PNG is kept as name in the shots folder.
// With every, each page must carry one; else only the first.
func scanPDF(t *testing.T, pdf []byte, name string, every bool) []string {
	t.Helper()
	var out []string
	for i, page := range scantest.Raster(t, pdf, 150) {
		if i == 0 {
			if shots := os.Getenv("SANXIANG_CONSOLE_SHOTS"); shots != "" {
				var b bytes.Buffer
				if err := png.Encode(&b, page); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(shots, name+".png"), b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		if i > 0 && !every {
			break
		}
		got, err := scantest.ReadQR(page, document.MarkBounds(page.Bounds()))
		if err != nil {
			t.Fatalf("%s page %d: the QR code does not decode: %v", name, i+1, err)
		}
		out = append(out, got)
	}
	return out
}

// getVerdict fetches u as a program would (JSON), and as a browser
// would (HTML, Chinese).
func getVerdict(t *testing.T, u string) (api.Verdict, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v api.Verdict
	err = json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("GET %s as JSON: %d %v", u, resp.StatusCode, err)
	}
	resp, err = http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return v, string(b)
}

// withHash is u with its hash parameter replaced.
func withHash(t *testing.T, u, param, hash string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.RawQuery = url.Values{param: {hash}}.Encode()
	return p.String()
}

// TestDocumentQRVerdicts: a device records a published decision and an
// unpublished notice, syncs to the platform with two witnesses and a
// time-stamping authority on loopback; the printed PDFs' QR codes,
// rendered and decoded, open verdict pages that say genuine (who
// witnessed, when first stamped; the decision's public page; for the
// notice nothing of its party or text); the same reference with another
// document's hash says altered; a reference the platform lacks says
// unknown; the case file's cover checks its checkpoint. The pages are
// looked at in headless Chromium. On every backend the tests have.
func TestDocumentQRVerdicts(t *testing.T) {
	servertest.Each(t, documentQRVerdicts)
}

func documentQRVerdicts(t *testing.T, b servertest.Backend) {
	ctx := context.Background()
	tsa := tsatest.Start(t)
	_, w1 := inProcessWitness(t, "witness.test/legal-affairs")
	_, w2 := inProcessWitness(t, "witness.test/procuratorate")
	p := witness.Policy{Witnesses: []witness.Witness{w1, w2}, Quorum: 2}
	s, h := b.Serve(t, server.Options{AdminToken: admin, Witnesses: &p, WitnessRetry: time.Hour,
		Timestamps: stamps.Config{URL: tsa.URL, Roots: tsa.CA.Roots(), Intermediates: tsa.CA.Intermediates(), Retry: time.Hour}})
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	l := openLog(t, "DOCQR-1")
	decided := publishedDecision(t, l, cal)
	noticeCase, notice, noticeSeq := unpublishedNotice(t, l)
	id := enrol(t, s, h, l)
	if dev, err := document.DeviceID(l.Verifier); err != nil || dev != id.DeviceID {
		t.Fatalf("the desk names itself %q (%v); the platform enrolled %q", dev, err, id.DeviceID)
	}
	c := client.New(id)
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	witnessedOnce(t, s, c, l)
	flush(t, s, 0)

	// The unpublished notice, printed as the desk prints it.
	chk, err := document.CheckOf(ctx, l, noticeCase, noticeSeq, h.URL)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := document.CheckedPDF(notice, &chk)
	if err != nil {
		t.Fatal(err)
	}
	codes := scanPDF(t, pdf, "verdict-printed-notice", true)
	for i, code := range codes {
		if code != chk.URL() {
			t.Fatalf("page %d's QR code opens %q, want %q", i+1, code, chk.URL())
		}
	}
	genuineURL := codes[0]
	if !strings.HasPrefix(genuineURL, h.URL+api.PathVerdict) || document.VerdictPath != api.PathVerdict || document.VerifyFormPath != api.PathVerify {
		t.Fatalf("the desk's QR code %q is not the platform's verdict route %s", genuineURL, api.PathVerdict)
	}
	v, page := getVerdict(t, genuineURL)
	if v.Verdict != api.VerdictGenuine || v.Device != id.DeviceID || v.N != noticeSeq || v.Digits != 64 {
		t.Fatalf("the notice's verdict: %+v", v)
	}
	if strings.Join(v.Witnesses, ",") != "witness.test/legal-affairs,witness.test/procuratorate" || v.Witnessed == "" {
		t.Errorf("witnessed by %q at %q; want both witnesses", v.Witnesses, v.Witnessed)
	}
	if v.Stamped == "" || v.TSA == "" {
		t.Errorf("no first time-stamp: %+v", v)
	} else if at, err := time.Parse(time.RFC3339Nano, v.Stamped); err != nil || time.Since(at) > time.Minute || time.Since(at) < -time.Minute {
		t.Errorf("first time-stamped at %q (%v)", v.Stamped, err)
	}
	if v.Public != "" {
		t.Errorf("the unpublished notice links %q", v.Public)
	}
	if !strings.Contains(page, "真实") || !strings.Contains(page, "witness.test/procuratorate") || !strings.Contains(page, "未公开") {
		t.Errorf("the genuine page does not say so:\n%s", page)
	}
	// Existence and time only: no party, no text, no title, no case number.
	for _, secret := range []string{noticeParty, "文一路", "330106198001011234", "罚款人民币3000元", notice.Title, noticeCase} {
		if strings.Contains(page, secret) {
			t.Errorf("the unpublished notice's verdict page shows %q", secret)
		}
	}
	raw, _ := json.Marshal(v)
	if strings.Contains(string(raw), noticeParty) || strings.Contains(string(raw), noticeCase) {
		t.Errorf("the verdict's JSON shows the party or the case: %s", raw)
	}
	// The short hash a person types from paper, through the form.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(h.URL + api.PathVerify + "?" + url.Values{"ref": {chk.Ref()}, "hash": {strings.ToUpper(chk.Short())}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	typed := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || typed == "" {
		t.Fatalf("the form answered %d to %q", resp.StatusCode, typed)
	}
	if tv, _ := getVerdict(t, h.URL+typed); tv.Verdict != api.VerdictGenuine || tv.Digits != document.ShortHash {
		t.Errorf("typed from paper: %+v", tv)
	}

	// The published decision: genuine, and its public page linked.
	decision, decisionSeq := documentOf(t, l, decided)
	dchk, err := document.CheckOf(ctx, l, decided, decisionSeq, h.URL)
	if err != nil {
		t.Fatal(err)
	}
	dpdf, err := document.CheckedPDF(decision, &dchk)
	if err != nil {
		t.Fatal(err)
	}
	dcode := scanPDF(t, dpdf, "verdict-printed-decision", true)[0]
	dv, dpage := getVerdict(t, dcode)
	public := api.PublicPath(string(catalog.KindDecision), decided)
	if dv.Verdict != api.VerdictGenuine || dv.Public != public || !strings.Contains(dpage, `href="`+public+`"`) {
		t.Errorf("the published decision's verdict %+v does not link %s", dv, public)
	}

	// Altered: the notice's reference with the decision's hash (a paper
	// whose QR code or words were changed).
	alteredURL := withHash(t, genuineURL, "h", hex.EncodeToString(dchk.Hash[:]))
	av, apage := getVerdict(t, alteredURL)
	if av.Verdict != api.VerdictAltered || av.Received != "" || av.Witnessed != "" || av.Stamped != "" || len(av.Witnesses) != 0 {
		t.Errorf("altered: %+v", av)
	}
	if !strings.Contains(apage, "不符") || !strings.Contains(apage, "12345") || strings.Contains(apage, noticeParty) || strings.Contains(apage, "平台收到时间") {
		t.Errorf("the altered page does not say what to do, or shows the party:\n%s", apage)
	}
	// A one-digit change of the short hash is caught too.
	short := []byte(chk.Short())
	if short[len(short)-1] == '0' {
		short[len(short)-1] = '1'
	} else {
		short[len(short)-1] = '0'
	}
	if sv, _ := getVerdict(t, withHash(t, genuineURL, "h", string(short))); sv.Verdict != api.VerdictAltered {
		t.Errorf("a short hash one digit off: %s", sv.Verdict)
	}

	// Unknown: a record the platform does not hold, a device it does not know.
	unknownURL := fmt.Sprintf("%s%s%s/%d?h=%s", h.URL, api.PathVerdict, url.PathEscape(id.DeviceID), 99999, hex.EncodeToString(chk.Hash[:]))
	uv, upage := getVerdict(t, unknownURL)
	if uv.Verdict != api.VerdictUnknown || uv.Received != "" || !strings.Contains(upage, "未知") || !strings.Contains(upage, "尚未同步") {
		t.Errorf("unknown: %+v", uv)
	}
	if ov, _ := getVerdict(t, fmt.Sprintf("%s%sNO-SUCH-DEVICE/%d?h=%s", h.URL, api.PathVerdict, noticeSeq, hex.EncodeToString(chk.Hash[:]))); ov.Verdict != api.VerdictUnknown {
		t.Errorf("another device's reference: %s", ov.Verdict)
	}

	// The case file's cover: its checkpoint, witnessed.
	cf, err := document.CheckedCaseFileFor(ctx, l, noticeCase, "青禾市明湖区市场监督管理局", h.URL, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cover := scanPDF(t, cf, "verdict-printed-casefile-cover", false)[0]
	cv, _ := getVerdict(t, cover)
	if cv.Verdict != api.VerdictGenuine || !cv.Log {
		t.Errorf("the case file's cover: %q %+v", cover, cv)
	}
	if xv, _ := getVerdict(t, withHash(t, cover, "root", hex.EncodeToString(chk.Hash[:]))); xv.Verdict != api.VerdictAltered {
		t.Errorf("a cover with another root: %s", xv.Verdict)
	}

	// English by Accept-Language.
	req, _ := http.NewRequest(http.MethodGet, genuineURL, nil)
	req.Header.Set("Accept-Language", "en")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	en, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(en), "Genuine") || resp.Header.Get("Content-Language") != "en" {
		t.Errorf("the English page: %s", en)
	}

	// As people see them.
	exe := browsertest.Find(t)
	br := browsertest.Open(t, exe)
	for _, pg := range []struct{ name, url, want string }{
		{"verdict-genuine", genuineURL, "真实"}, {"verdict-decision", dcode, "查看已公开的执法决定"},
		{"verdict-altered", alteredURL, "不符"}, {"verdict-unknown", unknownURL, "未知"},
		{"verdict-casefile-cover", cover, "真实"}, {"verdict-howto", h.URL + api.PathVerify, "如何验证文书真伪"},
	} {
		br.Do(pg.name, chromedp.EmulateViewport(412, 900, chromedp.EmulateMobile), chromedp.Navigate(pg.url), chromedp.WaitReady(chromedp.CSS(`main`)))
		if got := br.Text("main"); !strings.Contains(got, pg.want) {
			t.Errorf("%s shows %q, want %q", pg.name, got, pg.want)
		}
		br.Do(pg.name+": screenshot", br.Shot(pg.name))
	}
	// The form, typed into as a person would.
	br.Do("type the reference", chromedp.Navigate(h.URL+api.PathVerify), chromedp.WaitReady(chromedp.CSS(`#ref`)),
		chromedp.SendKeys(`#ref`, chk.Ref()), chromedp.SendKeys(`#hash`, chk.Short()), chromedp.Submit(`#hash`),
		chromedp.WaitVisible(chromedp.CSS(`.verdict`)))
	if got := br.Text(".verdict"); !strings.Contains(got, "真实") {
		t.Errorf("typed into the form: %q", got)
	}
	br.Do("typed: screenshot", br.Shot("verdict-typed"))
}

// The verdict refuses what is not a reference or a hash, each with its
// own code, never looking anything up without a hash; a record received
// by a platform without witnesses is pending, never genuine; a burst of
// checks from one address is throttled. On every backend the tests have.
func TestVerdictRefusesBadInput(t *testing.T) {
	servertest.Each(t, verdictRefusesBadInput)
}

func verdictRefusesBadInput(t *testing.T, b servertest.Backend) {
	ctx := context.Background()
	s, h := b.Serve(t, server.Options{AdminToken: admin})
	l := openLog(t, "DOCQR-2")
	_, _, seq := unpublishedNotice(t, l)
	id := enrol(t, s, h, l)
	if _, err := client.New(id).Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	caseID := ""
	recs, _ := l.Records(ctx, "")
	for _, r := range recs {
		if r.Seq == seq {
			caseID = r.Case
		}
	}
	chk, err := document.CheckOf(ctx, l, caseID, seq, h.URL)
	if err != nil {
		t.Fatal(err)
	}
	if v, page := getVerdict(t, chk.URL()); v.Verdict != api.VerdictPending || !strings.Contains(page, "已收到，尚待见证") {
		t.Errorf("without witnesses: %+v", v)
	}
	// The log's checkpoint (a case file's cover), read from the
	// platform's tree: the same, pending; another root, altered.
	cp, err := l.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cover := document.Check{Platform: h.URL, Device: id.DeviceID, N: cp.Size, Hash: cp.Root, Log: true}
	if v, _ := getVerdict(t, cover.URL()); v.Verdict != api.VerdictPending || !v.Log {
		t.Errorf("the cover without witnesses: %+v", v)
	}
	if v, _ := getVerdict(t, withHash(t, cover.URL(), "root", hex.EncodeToString(chk.Hash[:]))); v.Verdict != api.VerdictAltered {
		t.Errorf("a cover with another root: %+v", v)
	}
	if v, _ := getVerdict(t, fmt.Sprintf("%s%s%s/%d?root=%s", h.URL, api.PathVerdict, url.PathEscape(id.DeviceID), cp.Size+1, hex.EncodeToString(cp.Root[:]))); v.Verdict != api.VerdictUnknown {
		t.Errorf("a cover of a size the platform does not hold: %+v", v)
	}
	full := hex.EncodeToString(chk.Hash[:])
	dev := url.PathEscape(id.DeviceID)
	for _, c := range []struct{ path, code string }{
		{"/v/" + dev + "/x?h=" + full, "bad_ref"},
		{"/v/" + dev + "/-1?h=" + full, "bad_ref"},
		{"/v/" + dev + "/1e3?h=" + full, "bad_ref"},
		{"/v/" + dev + "/99999999999999999999?h=" + full, "bad_ref"},
		{"/v/" + strings.Repeat("D", 129) + "/1?h=" + full, "bad_ref"},
		{"/v/" + dev + "/0?root=" + full, "bad_ref"},
		{"/v/" + dev + "/1", "bad_hash"},
		{"/v/" + dev + "/1?h=", "bad_hash"},
		{"/v/" + dev + "/1?h=" + full[:15], "bad_hash"},
		{"/v/" + dev + "/1?h=" + full + "0", "bad_hash"},
		{"/v/" + dev + "/1?h=" + strings.Repeat("g", 64), "bad_hash"},
		{"/v/" + dev + "/1?h=" + full + "&root=" + full, "bad_hash"},
		{"/v/" + dev + "/1?h=" + full + "&h=" + full, "bad_hash"},
		{"/p/verify?ref=" + url.QueryEscape(id.DeviceID) + "&hash=" + full, "bad_ref"},
		{"/p/verify?ref=" + url.QueryEscape(id.DeviceID+"#x") + "&hash=" + full, "bad_ref"},
		{"/p/verify?ref=" + url.QueryEscape(chk.Ref()) + "&hash=xyz", "bad_hash"},
	} {
		req, _ := http.NewRequest(http.MethodGet, h.URL+c.path, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || p.Code != c.code || p.Message == "" {
			t.Errorf("%s: %d %+v, want 400 %s", c.path, resp.StatusCode, p, c.code)
		}
		// A person gets the page, in Chinese, saying what is wrong.
		resp, err = http.Get(h.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "无效") || !strings.Contains(string(b), c.code) {
			t.Errorf("%s as a page: %d\n%s", c.path, resp.StatusCode, b)
		}
	}
	// One address checking without pause is slowed down: the burst
	// passes, then throttled.
	throttled := 0
	for range 100 {
		req, _ := http.NewRequest(http.MethodGet, chk.URL(), nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		if resp.StatusCode == http.StatusTooManyRequests {
			json.NewDecoder(resp.Body).Decode(&p)
			if p.Code != "throttled" {
				t.Errorf("429 with code %q", p.Code)
			}
			throttled++
		}
		resp.Body.Close()
	}
	if throttled == 0 {
		t.Error("100 checks in a row from one address, none throttled")
	}
}
