package pages

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// 扫码验真: the public verdict on a printed document. A desk prints on
// every page a QR code of the record's place in its log (device, seq) and
// its leaf hash — what the device's checkpoints, the witnesses'
// cosignatures and the time-stamps cover — or, on a case file's cover,
// the checkpoint (device, size, root). The verdict page compares that
// hash with the platform's copy of the log and says whether a witnessed
// checkpoint covers it and when it was first time-stamped.
//
// What it shows is public anyway: the verdict, times, the witnesses'
// and the authority's names, and for a published decision its public
// page. Never a party, a text, a title or a case number: an unpublished
// notice to a party shows existence and time only.
//
// What a wrong hash tells: "altered" says a record exists under that
// reference (the issue asks for it: the paper does not match). That only
// tells that a device's log reaches that length, which the public lists
// reveal anyway; nothing of the record. Without a hash nothing is looked
// up (bad_hash), so the lookup needs a hash guess per reference, each an
// index read, and each address is rate-limited.

var verdictPage = template.Must(template.ParseFS(templateFiles, "templates/common.html", "templates/verdict.html"))

// Limits of the verdict's input.
const (
	minHashDigits = 16 // what a desk prints beside the QR code
	maxDeviceLen  = 128
)

// Each address may ask this often (a phone scanning a stack of papers
// stays well inside; a script enumerating references does not).
const (
	verdictRate  = rate.Limit(1) // per second, sustained
	verdictBurst = 60
	// verdictClients bounds the table of addresses: past it the table is
	// started afresh (an attacker with that many addresses gains one
	// burst each).
	verdictClients = 10000
)

// verdictLimiter is the per-address rate limit of the verdict pages.
type verdictLimiter struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

func (v *verdictLimiter) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.clients == nil || len(v.clients) >= verdictClients {
		v.clients = map[string]*rate.Limiter{}
	}
	l, ok := v.clients[host]
	if !ok {
		l = rate.NewLimiter(verdictRate, verdictBurst)
		v.clients[host] = l
	}
	return l.Allow()
}

// verdictQuery is a parsed request: record n of device, or the log of
// size n when log; the hash's hex digits (lower case, 16 to 64).
type verdictQuery struct {
	device string
	n      int64
	log    bool
	hash   string
}

// errBadRef and errBadHash are the two refusals of input, each with its
// code and words.
var (
	errBadRef  = errors.New("bad_ref")
	errBadHash = errors.New("bad_hash")
)

func parseN(s string) (int64, bool) {
	if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func parseDevice(s string) bool {
	if s == "" || len(s) > maxDeviceLen {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '+' || r == '#' || r == '@' || r == '?' {
			return false
		}
	}
	return true
}

func parseHash(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < minHashDigits || len(s) > 2*ledger.HashSize {
		return "", false
	}
	if strings.TrimLeft(s, "0123456789abcdef") != "" {
		return "", false
	}
	return s, true
}

// parseVerdict reads /v/{device}/{n}?h=… or ?root=….
func parseVerdict(r *http.Request) (verdictQuery, error) {
	q := verdictQuery{device: r.PathValue("device")}
	n, ok := parseN(r.PathValue("n"))
	if !ok || !parseDevice(q.device) {
		return q, errBadRef
	}
	q.n = n
	h, root := r.URL.Query()["h"], r.URL.Query()["root"]
	var raw string
	switch {
	case len(h) == 1 && len(root) == 0:
		raw = h[0]
	case len(root) == 1 && len(h) == 0:
		raw, q.log = root[0], true
	default:
		return q, errBadHash
	}
	if q.log && q.n == 0 {
		return q, errBadRef // the empty log's root is nobody's document
	}
	if q.hash, ok = parseHash(raw); !ok {
		return q, errBadHash
	}
	return q, nil
}

// Verdict answers GET /v/{device}/{n}: the verdict page, or to a caller
// that asks for JSON only the api.Verdict.
func (s *Room) Verdict(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	q, err := parseVerdict(r)
	if err != nil {
		s.refuse(w, r, lang, err) // nothing looked up
		return
	}
	if !s.verdicts.allow(r) {
		s.verdictError(w, r, lang, http.StatusTooManyRequests, "throttled", "platform.verdict.throttled", "")
		return
	}
	v, err := s.verdictOf(r.Context(), q)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	if wantsProblem(r) {
		web.Respond(w, r, v, nil)
		return
	}
	d := s.verifyBase(lang, words.In(lang, "platform.verdict.title"))
	d.Verdict = &v
	d.Fields = verdictFields(lang, v)
	d.Kind = v.Verdict
	d.Status = words.In(lang, "platform.verdict."+v.Verdict)
	detail := "platform.verdict." + v.Verdict + "_detail"
	if v.Log && v.Verdict != api.VerdictUnknown {
		detail = "platform.verdict.log_" + v.Verdict + "_detail"
	}
	d.Detail = words.In(lang, detail)
	if (v.Verdict == api.VerdictGenuine || v.Verdict == api.VerdictPending) && !v.Log && v.Public == "" {
		d.Note = words.In(lang, "platform.verdict.not_public")
	}
	s.writeVerify(w, lang, http.StatusOK, d)
}

// refuse answers bad input: 400 with its code, a page for people.
func (s *Room) refuse(w http.ResponseWriter, r *http.Request, lang string, err error) {
	code := err.Error()
	s.verdictError(w, r, lang, http.StatusBadRequest, code, "platform.verdict."+code, r.URL.RequestURI())
}

func (s *Room) verdictError(w http.ResponseWriter, r *http.Request, lang string, status int, code, key, detail string) {
	if wantsProblem(r) {
		web.Problem(w, r, status, code, words.M(key), detail)
		return
	}
	d := s.verifyBase(lang, words.In(lang, "platform.verdict.error_title"))
	d.Error, d.Code = words.In(lang, key), code
	s.writeVerify(w, lang, status, d)
}

// heldRecord is the platform's copy of record seq of device's log.
func (s *Room) heldRecord(ctx context.Context, device string, seq int64) (data []byte, arrived string, ok bool, err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT data, arrived FROM log_records WHERE device = ? AND seq = ?`, device, seq).Scan(&data, &arrived)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("verdict on %s#%d: %w", device, seq, err)
	}
	return data, arrived, true, nil
}

// verdictOf compares q with the platform's copy of the device's log.
func (s *Room) verdictOf(ctx context.Context, q verdictQuery) (api.Verdict, error) {
	v := api.Verdict{Verdict: api.VerdictUnknown, Device: q.device, N: q.n, Log: q.log, Digits: len(q.hash), Witnesses: []string{}}
	var (
		held    string // the platform's hash, hex
		arrived string
		record  []byte
	)
	if q.log {
		// The root of the first n records as the platform holds them.
		_, at, ok, err := s.heldRecord(ctx, q.device, q.n-1)
		if err != nil || !ok {
			return v, err
		}
		root, err := s.HeldRoot(ctx, q.device, q.n)
		if err != nil {
			return v, fmt.Errorf("verdict on %s@%d: %w", q.device, q.n, err)
		}
		held, arrived = hex.EncodeToString(root[:]), at
	} else {
		data, at, ok, err := s.heldRecord(ctx, q.device, q.n)
		if err != nil || !ok {
			return v, err
		}
		leaf := ledger.RecordHash(data)
		held, arrived, record = hex.EncodeToString(leaf[:]), at, data
	}
	if !strings.HasPrefix(held, q.hash) {
		// Beyond the verdict itself, nothing of the record under that
		// reference: not even when it arrived.
		v.Verdict = api.VerdictAltered
		return v, nil
	}
	v.Received = arrived
	covers := q.n + 1 // a checkpoint of size > seq covers record seq
	if q.log {
		covers = q.n
	}
	var names, at string
	err := s.DB.QueryRowContext(ctx, `SELECT witnesses, at FROM cosigned_checkpoints WHERE device = ? AND size >= ? ORDER BY seq LIMIT 1`,
		q.device, covers).Scan(&names, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		v.Verdict = api.VerdictPending
	case err != nil:
		return v, fmt.Errorf("verdict on %s: witnessed: %w", q.device, err)
	default:
		v.Verdict, v.Witnessed = api.VerdictGenuine, at
		for _, n := range strings.Split(names, ",") {
			if n = strings.TrimSpace(n); n != "" {
				v.Witnesses = append(v.Witnesses, n)
			}
		}
	}
	err = s.DB.QueryRowContext(ctx, `SELECT tsa_time, tsa FROM timestamps WHERE device = ? AND size >= ? ORDER BY seq LIMIT 1`,
		q.device, covers).Scan(&v.Stamped, &v.TSA)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("verdict on %s: time-stamped: %w", q.device, err)
	}
	if record != nil {
		pub, err := s.publicPageOf(ctx, record)
		if err != nil {
			return v, fmt.Errorf("verdict on %s#%d: %w", q.device, q.n, err)
		}
		v.Public = pub
	}
	return v, nil
}

// publicPageOf is the public page of the decision a document record is,
// when that decision is published under the publication rules (its 文号
// in the public list is the document's); "" otherwise.
func (s *Room) publicPageOf(ctx context.Context, data []byte) (string, error) {
	var rec ledger.Record
	if err := json.Unmarshal(data, &rec); err != nil || rec.Kind != casefile.KindDocument {
		return "", nil //nolint:nilerr // a record that does not read as a document is no published decision
	}
	var doc struct {
		DocNo string `json:"doc_no"`
	}
	if json.Unmarshal(rec.Body, &doc) != nil || doc.DocNo == "" {
		return "", nil
	}
	var item string
	err := s.DB.QueryRowContext(ctx, `SELECT data FROM catalog WHERE kind = ? AND id = ? AND deleted = 0`, string(catalog.KindDecision), rec.Case).Scan(&item)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("published decision: %w", err)
	}
	var dec catalog.Decision
	if json.Unmarshal([]byte(item), &dec) != nil || dec.DocNo != doc.DocNo {
		return "", nil
	}
	return api.PublicPath(string(catalog.KindDecision), rec.Case), nil
}

// verdictFields are the facts of a verdict, in lang.
func verdictFields(lang string, v api.Verdict) []pageField {
	ref := v.Device + "#" + strconv.FormatInt(v.N, 10)
	if v.Log {
		ref = v.Device + "@" + strconv.FormatInt(v.N, 10)
	}
	fs := []pageField{{Label: words.In(lang, "platform.verdict.ref"), Value: ref},
		{Label: words.In(lang, "platform.verdict.digits"), Value: words.In(lang, "platform.verdict.digits_n", map[string]any{"N": v.Digits})}}
	if v.Verdict == api.VerdictUnknown {
		return fs
	}
	if v.Verdict == api.VerdictAltered {
		return fs
	}
	none := words.In(lang, "platform.verdict.none")
	or := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	fs = append(fs, pageField{Label: words.In(lang, "platform.verdict.received"), Value: or(verdictTime(v.Received))})
	fs = append(fs,
		pageField{Label: words.In(lang, "platform.verdict.witnessed"), Value: or(verdictTime(v.Witnessed))},
		pageField{Label: words.In(lang, "platform.verdict.witnesses"), Value: or(strings.Join(v.Witnesses, "、"))},
		pageField{Label: words.In(lang, "platform.verdict.stamped"), Value: or(verdictTime(v.Stamped))},
		pageField{Label: words.In(lang, "platform.verdict.tsa"), Value: or(v.TSA)})
	if v.Public != "" {
		fs = append(fs, pageField{Label: words.In(lang, "platform.verdict.public"), Value: words.In(lang, "platform.verdict.public_link"), URL: v.Public})
	}
	return fs
}

// verdictTime shows an RFC 3339 time as the platform's local time to the
// second; "" stays "".
func verdictTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.In(time.Local).Format("2006-01-02 15:04:05 MST")
}

// verifyData is the verdict page's and the how-to page's data.
type verifyData struct {
	Lang, Site, Title, Footer string
	Nav                       []pageResult
	// The verdict.
	Verdict                    *api.Verdict
	Kind, Status, Detail, Note string
	Fields                     []pageField
	Error, Code                string
	// The how-to and its form.
	Intro                     string
	Steps                     []string
	RefLabel, RefHint, Ref    string
	HashLabel, HashHint, Hash string
	Submit, HowURL, HowText   string
}

func (s *Room) verifyBase(lang, title string) verifyData {
	nav := s.nav()
	for i := range nav {
		nav[i].Title = words.In(lang, navKeys[nav[i].URL])
	}
	return verifyData{Lang: lang, Site: words.In(lang, "kiosk.title"), Title: title, Footer: words.In(lang, "complaint.hotline"), Nav: nav,
		HowURL: api.PathVerify, HowText: words.In(lang, "platform.verify.title")}
}

func (s *Room) writeVerify(w http.ResponseWriter, lang string, status int, d verifyData) {
	var b strings.Builder
	if err := verdictPage.ExecuteTemplate(&b, "verdict.html", d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// VerifyForm answers GET /p/verify: how to check a document, and a form
// for the reference and hash typed from paper; filled in, it sends the
// reader to the verdict (303), or says what is wrong with what was typed.
func (s *Room) VerifyForm(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	d := s.verifyBase(lang, words.In(lang, "platform.verify.title"))
	d.Intro = words.In(lang, "platform.verify.intro")
	d.Steps = []string{words.In(lang, "platform.verify.step1"), words.In(lang, "platform.verify.step2"), words.In(lang, "platform.verify.step3")}
	d.RefLabel, d.RefHint = words.In(lang, "platform.verify.ref"), words.In(lang, "platform.verify.ref_hint")
	d.HashLabel, d.HashHint = words.In(lang, "platform.verify.hash"), words.In(lang, "platform.verify.hash_hint")
	d.Submit, d.HowURL = words.In(lang, "platform.verify.submit"), ""
	ref, hash := strings.TrimSpace(r.URL.Query().Get("ref")), strings.TrimSpace(r.URL.Query().Get("hash"))
	d.Ref, d.Hash = ref, hash
	if ref == "" && hash == "" {
		s.writeVerify(w, lang, http.StatusOK, d)
		return
	}
	device, n, sep := "", "", ""
	if i := strings.LastIndexAny(ref, "#@"); i > 0 {
		device, n, sep = ref[:i], ref[i+1:], ref[i:i+1]
	}
	_, okN := parseN(n)
	h, okH := parseHash(hash)
	code := ""
	switch {
	case !parseDevice(device) || !okN || (sep == "@" && n == "0"):
		code = "bad_ref"
	case !okH:
		code = "bad_hash"
	}
	if code != "" {
		if wantsProblem(r) {
			web.Problem(w, r, http.StatusBadRequest, code, words.M("platform.verdict."+code), r.URL.RequestURI())
			return
		}
		d.Error, d.Code = words.In(lang, "platform.verdict."+code), code
		s.writeVerify(w, lang, http.StatusBadRequest, d)
		return
	}
	param := "h"
	if sep == "@" {
		param = "root"
	}
	http.Redirect(w, r, VerdictPath(device, n, param, h), http.StatusSeeOther)
}

// VerdictPath is the verdict page of record (param h) or log size
// (param root) n of device for hash.
func VerdictPath(device, n, param, hash string) string {
	return api.PathVerdict + url.PathEscape(device) + "/" + n + "?" + param + "=" + url.QueryEscape(hash)
}
