// Package bundlecheck checks an exported case bundle the way a court weighing
// electronic evidence asks about it (《人民法院在线诉讼规则》第十七条): who
// kept the data, whether that keeper was neutral, how secure the system
// was, how the data were stored. It is the library behind sanxiang-verify
// and needs nothing but the bundle, the witness policy and the
// time-stamping authority's roots.
//
// Every check is one Check: a stable Code, a Status (pass, fail,
// not_checked), the factors of article 17 it bears on (1–4), a stable
// Error code when it failed or was not checked, and Detail (names, sizes,
// times; a list is a JSON array, for the caller to join in its
// language). The JSON report (sanxiang-verify --json) is Report as it
// marshals:
//
//	{"format": "sanxiang-verify-report/1", "bundle": "…", "case": "…",
//	 "origin": "…", "ok": true,
//	 "checks": [{"code": "witness_cosignatures", "status": "pass", "ok": true,
//	             "factors": [2], "detail": {"Witnesses": ["…"]}, "message": "…"}, …]}
//
// Codes: platform_registration, device_key (factor 1); witness_cosignatures,
// witness_consistency (2); device_signature, records, system_standards (3);
// media, timestamps / timestamp, extra_files, bundle (4). A check may bear
// on more factors than its first. What a bundle cannot show — whether the
// platform is registered as a 存证 service, whether its systems meet the
// national standards — is reported not_checked, never passed.
//
// The package words nothing itself: Key and Detail are a translation key
// and its arguments, which the caller renders (sync/server/words). It
// reads the bundle with app/ledger's limits: a bundle is hostile input.
// It never reaches sync, the screens or Fyne.
package bundlecheck

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/app/witness"
)

// Format names the JSON report's shape.
const Format = "sanxiang-verify-report/1"

// Names of the witness files in a bundle: app/bundle writes them
// (bundle.WitnessCheckpoint, bundle.WitnessProof; a test keeps the two
// equal). They are not imported from there: app/bundle prints case files
// and would pull the PDF writer and its fonts into a small verifier.
const (
	WitnessCheckpoint = "witness/checkpoint"
	WitnessProof      = "witness/consistency"
)

// Status is a check's outcome.
type Status string

// The outcomes. NotChecked is never a pass: the report says why.
const (
	Pass       Status = "pass"
	Fail       Status = "fail"
	NotChecked Status = "not_checked"
)

// The four factors of article 17, by their number in the article.
const (
	FactorPlatform   = 1 // 存证平台是否符合国家有关部门关于提供区块链存证服务的相关规定 (who kept it)
	FactorNeutrality = 2 // 当事人与存证平台是否存在利害关系，并利用技术手段不当干预 (was the keeper neutral)
	FactorSystem     = 3 // 信息系统是否符合清洁性、安全性、可靠性、可用性的标准 (how secure the system was)
	FactorProcess    = 4 // 存证技术和过程是否符合《电子数据存证技术规范》 (how the data were stored)
)

// Check is one line of the report.
type Check struct {
	Code    string         `json:"code"`
	Status  Status         `json:"status"`
	OK      bool           `json:"ok"`
	Factors []int          `json:"factors"`
	Error   string         `json:"error,omitempty"`
	Detail  map[string]any `json:"detail"`
	// Message is the check's words in the report's language, filled by
	// the caller from Key and Detail.
	Message string `json:"message,omitempty"`
	// Key is the translation of the result (Detail its arguments).
	Key string `json:"-"`
}

// Report is a bundle's checks, in the order the factors are numbered.
type Report struct {
	Format string  `json:"format"`
	Bundle string  `json:"bundle"`
	Case   string  `json:"case"`
	Origin string  `json:"origin"`
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// Find is the first check of code, or nil.
func (r *Report) Find(code string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Code == code {
			return &r.Checks[i]
		}
	}
	return nil
}

// Inputs are what the verifier trusts beside the bundle.
type Inputs struct {
	// Key is the device's verifier key; empty takes the bundle's own
	// (reported as such: it proves only that the bundle agrees with itself).
	Key string
	// Policy is the city's witness policy; nil leaves the witnesses unchecked.
	Policy *witness.Policy
	// Roots and Intermediates are the time-stamping authority's
	// certificates; nil Roots leaves whose the tokens are unchecked.
	Roots, Intermediates *x509.CertPool
	// Limits bound what is read; zero means ledger.DefaultBundleLimits.
	Limits ledger.BundleLimits
}

// ErrUnreadable is input that is not a zip archive at all (truncated, or
// another file): no check can begin.
var ErrUnreadable = errors.New("not a readable case bundle")

// maxSide is the most a witness file, a token or its stamped text may
// hold: each is a few hundred bytes.
const maxSide = 1 << 20

// Verify checks the bundle held by r. The error is ErrUnreadable only;
// every other finding is a check in the report.
func Verify(r io.ReaderAt, size int64, in Inputs) (Report, error) {
	lim := in.Limits
	if lim == (ledger.BundleLimits{}) {
		lim = ledger.DefaultBundleLimits
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	rep := Report{Format: Format}
	add := func(c Check) {
		c.OK = c.Status == Pass
		if c.Detail == nil {
			c.Detail = map[string]any{}
		}
		if c.Key == "" {
			c.Key = "verify.tool." + c.Code + "." + string(c.Status)
			if c.Error != "" {
				c.Key = "verify.tool." + c.Code + "." + c.Error
			}
		}
		rep.Checks = append(rep.Checks, c)
	}

	// The bundle's own key, to name when none is given; a bundle too
	// broken to name one fails below.
	_, m, _ := ledger.VerifyBundleWithin(r, size, "", lim)
	rep.Case, rep.Origin = m.Case, m.Origin
	key := in.Key
	add(Check{Code: "platform_registration", Status: NotChecked, Error: "outside_bundle", Factors: []int{FactorPlatform}})
	if key == "" {
		key = m.Verifier
		add(Check{Code: "device_key", Status: NotChecked, Error: "from_bundle", Factors: []int{FactorPlatform},
			Detail: map[string]any{"Key": key, "Origin": m.Origin}})
	} else {
		add(Check{Code: "device_key", Status: Pass, Factors: []int{FactorPlatform}, Detail: map[string]any{"Key": key, "Origin": m.Origin}})
	}

	// The ledger's own check: checkpoint signature, records and proofs,
	// media hashes, all within the limits. Its first finding decides
	// which of the three failed; the ones after it were not reached.
	br, m2, verr := ledger.VerifyBundleWithin(r, size, key, lim)
	if m2.Case != "" {
		rep.Case, rep.Origin = m2.Case, m2.Origin
	}
	var ve *ledger.VerifyError
	stage := 3 // how far the ledger got: 0 signature, 1 records, 2 media, 3 all
	var failed Check
	if verr != nil {
		failed = Check{Status: Fail, Error: "failed", Detail: map[string]any{"Record": "", "Detail": verr.Error()}, Key: "verify.err.failed"}
		if errors.As(verr, &ve) {
			k, args := ve.Keyed()
			failed.Error, failed.Key, failed.Detail = ve.Code(), k, args
		}
		switch {
		case errors.Is(verr, ledger.ErrBundleTooLarge):
			stage = -1
		case errors.Is(verr, ledger.ErrBadSignature):
			stage = 0
		case errors.Is(verr, ledger.ErrMediaAltered), errors.Is(verr, ledger.ErrMediaMissing):
			stage = 2
			if ve != nil {
				file, _, _ := strings.Cut(ve.Detail, ":")
				if errors.Is(verr, ledger.ErrMediaAltered) {
					file = "media/" + ve.Detail
				}
				failed.Detail["File"] = file
				failed.Key = "verify.tool.media." + failed.Error
			}
		default:
			stage = 1
		}
	}
	if stage == -1 {
		failed.Code, failed.Factors = "bundle", []int{FactorProcess}
		add(failed)
	}
	notReached := func(code string, factors ...int) {
		add(Check{Code: code, Status: NotChecked, Error: "not_reached", Factors: factors, Key: "verify.tool.not_reached"})
	}
	sigFactors := []int{FactorSystem, FactorProcess}
	switch {
	case stage > 0:
		add(Check{Code: "device_signature", Status: Pass, Factors: sigFactors,
			Detail: map[string]any{"Origin": rep.Origin, "Size": br.TreeSize, "Root": br.Root.String()}})
	case stage == 0:
		failed.Code, failed.Factors = "device_signature", sigFactors
		add(failed)
	default:
		notReached("device_signature", sigFactors...)
	}
	switch {
	case stage > 1:
		add(Check{Code: "records", Status: Pass, Factors: sigFactors,
			Detail: map[string]any{"Case": br.Case, "Records": br.Records, "Size": br.TreeSize}})
	case stage == 1:
		failed.Code, failed.Factors = "records", sigFactors
		add(failed)
	default:
		notReached("records", sigFactors...)
	}
	add(Check{Code: "system_standards", Status: NotChecked, Error: "outside_bundle", Factors: []int{FactorSystem}})
	switch {
	case stage > 2:
		add(Check{Code: "media", Status: Pass, Factors: []int{FactorProcess}, Detail: map[string]any{"Media": br.Media}})
	case stage == 2:
		failed.Code, failed.Factors = "media", []int{FactorProcess}
		add(failed)
	default:
		notReached("media", FactorProcess)
	}
	if stage == -1 {
		rep.finish()
		return rep, nil
	}

	// The device checkpoint the records' proofs lead to.
	var cp ledger.Checkpoint
	cpOK := false
	if stage > 0 {
		if data, err := readSide(files, "checkpoint"); err == nil {
			if c, err := ledger.ParseCheckpoint(data, key); err == nil {
				cp, cpOK = c, true
			}
		}
	}

	// Witnesses (factor 2): who outside the agency saw the tree, and
	// that the bundle's tree extends what they saw.
	wnote, werr := readSide(files, WitnessCheckpoint)
	var witnessed *ledger.Checkpoint
	switch {
	case werr != nil && !errors.Is(werr, errMissing):
		add(Check{Code: "witness_cosignatures", Status: Fail, Error: "cosignature_malformed", Factors: []int{FactorNeutrality},
			Detail: map[string]any{"Detail": werr.Error()}})
	case werr != nil && in.Policy == nil:
		add(Check{Code: "witness_cosignatures", Status: NotChecked, Error: "no_policy_no_witness", Factors: []int{FactorNeutrality}})
	case werr != nil:
		add(Check{Code: "witness_cosignatures", Status: Fail, Error: "no_witness_file", Factors: []int{FactorNeutrality},
			Detail: map[string]any{"Quorum": in.Policy.Quorum, "Witnesses": policyNames(in.Policy)}})
	case in.Policy == nil:
		add(Check{Code: "witness_cosignatures", Status: NotChecked, Error: "no_policy", Factors: []int{FactorNeutrality},
			Detail: map[string]any{"Claimed": claimedNames(wnote)}})
	default:
		add(Cosignatures(wnote, *in.Policy))
	}
	if werr == nil {
		c, w := Consistency(wnote, key, files, cp, cpOK, m2)
		witnessed = w
		add(c)
	} else {
		add(Check{Code: "witness_consistency", Status: NotChecked, Error: "no_witness_file", Factors: []int{FactorNeutrality, FactorProcess}})
	}

	// Time-stamps (factor 4): when the tree existed, by a third party.
	var stamps []string
	for name := range files {
		if strings.HasPrefix(name, "timestamps/") && strings.HasSuffix(name, ".tsr") {
			stamps = append(stamps, name)
		}
	}
	sort.Strings(stamps)
	if len(stamps) == 0 {
		add(Check{Code: "timestamps", Status: NotChecked, Error: "no_tokens", Factors: []int{FactorProcess}})
	}
	for _, name := range stamps {
		tok, err := readSide(files, name)
		if err != nil {
			add(Check{Code: "timestamp", Status: Fail, Error: "token_malformed", Factors: []int{FactorProcess},
				Detail: map[string]any{"File": name, "Detail": err.Error()}})
			continue
		}
		txtName := strings.TrimSuffix(name, ".tsr") + ".txt"
		txt, err := readSide(files, txtName)
		if err != nil {
			add(Check{Code: "timestamp", Status: Fail, Error: "token_text_missing", Factors: []int{FactorProcess},
				Detail: map[string]any{"File": txtName, "Detail": err.Error()}})
			continue
		}
		var claim *Claim
		if cpOK {
			claim = &Claim{Origin: cp.Origin, Checkpoint: cp, Witnessed: witnessed, WitnessNote: wnote}
		}
		add(Timestamp(name, tok, txt, in.Roots, in.Intermediates, claim))
	}

	// Files beside the log (the printed case file): not under any
	// signature, for reading only.
	var extra []string
	for _, name := range m2.Extra {
		if !strings.HasPrefix(name, "timestamps/") && !strings.HasPrefix(name, "witness/") {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		add(Check{Code: "extra_files", Status: NotChecked, Error: "not_signed", Factors: []int{FactorProcess},
			Detail: map[string]any{"Files": extra}})
	}
	rep.finish()
	return rep, nil
}

func (r *Report) finish() {
	r.OK = true
	for _, c := range r.Checks {
		if c.Status == Fail {
			r.OK = false
		}
	}
	// Grouped by the first factor each bears on, in the order found.
	sort.SliceStable(r.Checks, func(i, j int) bool { return r.Checks[i].Factors[0] < r.Checks[j].Factors[0] })
}

var errMissing = errors.New("not in the bundle")

// readSide reads a small side file (witness file, token, stamped text)
// within maxSide, whatever its header says.
func readSide(files map[string]*zip.File, name string) ([]byte, error) {
	f, ok := files[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, errMissing)
	}
	if f.UncompressedSize64 > maxSide {
		return nil, fmt.Errorf("%s: %w: %d bytes", name, ledger.ErrBundleTooLarge, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxSide+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxSide {
		return nil, fmt.Errorf("%s: %w", name, ledger.ErrBundleTooLarge)
	}
	return data, nil
}

func policyNames(p *witness.Policy) []string {
	names := []string{}
	for _, w := range p.Witnesses {
		names = append(names, w.Name)
	}
	return names
}

// claimedNames are the names on a note's signature lines, unchecked.
func claimedNames(msg []byte) []string {
	body, err := witness.Body(msg)
	if err != nil {
		return nil
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(msg[len(body)+1:])), "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "— ")); len(f) == 2 && strings.HasPrefix(line, "— ") {
			names = append(names, f[0])
		}
	}
	return names
}

// Cosignatures checks a cosigned checkpoint against the policy: each
// witness's line verifies, its base64 is canonical, the quorum is met.
// Its detail names the witnesses and when each says it cosigned.
func Cosignatures(msg []byte, p witness.Policy) Check {
	c := Check{Code: "witness_cosignatures", Factors: []int{FactorNeutrality}, Detail: map[string]any{"Quorum": p.Quorum, "Policy": policyNames(&p)}}
	names, err := witness.VerifyCosigned(msg, p)
	switch {
	case errors.Is(err, witness.ErrCosigFails):
		c.Status, c.Error = Fail, "cosignature_invalid"
	case errors.Is(err, witness.ErrQuorum):
		c.Status, c.Error = Fail, "quorum"
	case err != nil:
		c.Status, c.Error = Fail, "cosignature_malformed"
	}
	if err != nil {
		c.Detail["Detail"] = err.Error()
		c.Detail["Witnesses"] = append([]string{}, names...)
		c.Detail["Count"] = len(names)
		return c
	}
	vs := make([]note.Verifier, 0, len(p.Witnesses))
	for _, w := range p.Witnesses {
		vs = append(vs, w.Verifier())
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil { // VerifyCosigned opened it with the same verifiers
		c.Status, c.Error = Fail, "cosignature_invalid"
		c.Detail["Detail"] = err.Error()
		return c
	}
	var lines []string
	for _, s := range n.Sigs {
		t, err := torchwood.CosignatureTimestamp(s)
		if err != nil {
			c.Status, c.Error = Fail, "cosignature_malformed"
			c.Detail["Detail"] = err.Error()
			return c
		}
		lines = append(lines, fmt.Sprintf("%s (%s)", s.Name, beijing(time.Unix(t, 0))))
	}
	sort.Strings(lines)
	c.Status = Pass
	c.Detail["Witnesses"] = lines
	c.Detail["Count"] = len(names)
	return c
}

// Consistency checks that the witnessed checkpoint is the device's own
// and that the bundle's checkpoint extends it (the witness/consistency
// proof), and that the case's records lie inside what was witnessed. A
// bundle whose checkpoint conflicts with the witnessed one — the log
// rewritten after witnesses saw it — fails with checkpoint_conflict.
func Consistency(msg []byte, key string, files map[string]*zip.File, cp ledger.Checkpoint, cpOK bool, m ledger.Manifest) (Check, *ledger.Checkpoint) {
	c := Check{Code: "witness_consistency", Factors: []int{FactorNeutrality, FactorProcess}, Detail: map[string]any{}}
	w, err := ledger.ParseCheckpoint(deviceLines(msg, key), key)
	if err != nil {
		c.Status, c.Error = Fail, "witnessed_not_device"
		c.Detail["Detail"] = err.Error()
		return c, nil
	}
	c.Detail["WitnessedSize"], c.Detail["WitnessedRoot"] = w.Size, w.Root.String()
	if !cpOK {
		c.Status, c.Error = NotChecked, "not_reached"
		c.Key = "verify.tool.not_reached"
		return c, &w
	}
	c.Detail["Size"], c.Detail["Root"] = cp.Size, cp.Root.String()
	conflict := func(why string) (Check, *ledger.Checkpoint) {
		c.Status, c.Error = Fail, "checkpoint_conflict"
		c.Detail["Detail"] = why
		return c, &w
	}
	switch {
	case w.Origin != cp.Origin:
		return conflict(fmt.Sprintf("the witnessed log is %s, the bundle's %s", w.Origin, cp.Origin))
	case w.Size > cp.Size:
		return conflict(fmt.Sprintf("witnesses saw %d records, the bundle's tree holds %d", w.Size, cp.Size))
	case w.Size == cp.Size && w.Root != cp.Root:
		return conflict(fmt.Sprintf("two roots for the tree of %d records", w.Size))
	case w.Size < cp.Size:
		raw, err := readSide(files, WitnessProof)
		if err != nil {
			return conflict(fmt.Sprintf("no consistency proof from %d to %d: %v", w.Size, cp.Size, err))
		}
		var proof []ledger.Hash
		for _, line := range strings.Fields(string(raw)) {
			h, err := ledger.ParseHash(line)
			if err != nil {
				return conflict(fmt.Sprintf("a proof hash is malformed: %v", err))
			}
			proof = append(proof, h)
		}
		if err := ledger.CheckTree(proof, cp.Size, cp.Root, w.Size, w.Root); err != nil {
			return conflict(fmt.Sprintf("the tree of %d does not extend the witnessed tree of %d: %v", cp.Size, w.Size, err))
		}
	}
	var last int64 = -1
	for _, r := range m.Records {
		last = max(last, r.Seq)
	}
	if last >= w.Size {
		c.Status, c.Error = Fail, "records_after_witnessed"
		c.Detail["Record"] = last
		return c, &w
	}
	c.Status = Pass
	return c, &w
}

// deviceLines is a cosigned note with only the device's own signature
// lines: what the device signed is checked apart from the witnesses'
// lines, whose damage is the cosignatures' check to report, not a reason
// to doubt the device's checkpoint.
func deviceLines(msg []byte, key string) []byte {
	body, err := witness.Body(msg)
	if err != nil {
		return msg
	}
	name, _, _ := strings.Cut(key, "+")
	out := []byte(body + "\n")
	for _, line := range strings.SplitAfter(string(msg[len(body)+1:]), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "—" && f[1] == name {
			out = append(out, line...)
		}
	}
	return out
}

// Claim is what a bundle says a token's stamped text is about: the log's
// checkpoint and, when witnessed, the witnessed checkpoint and its note.
type Claim struct {
	Origin      string
	Checkpoint  ledger.Checkpoint
	Witnessed   *ledger.Checkpoint
	WitnessNote []byte
}

// Timestamp checks one token over the exact stamped bytes: against the
// roots (nil roots: only that the certificate it carries signed it, and
// the check is reported not_checked), and that the bytes state this log's
// tree — the witnessed cosigned checkpoint, a receipt or checkpoint of
// the bundle's tree, or an earlier tree of the same log. The token's time
// is in the detail, in UTC and Beijing time.
func Timestamp(name string, token, text []byte, roots, intermediates *x509.CertPool, claim *Claim) Check {
	c := Check{Code: "timestamp", Factors: []int{FactorProcess}, Detail: map[string]any{"File": name}}
	var st timestamp.Stamp
	var err error
	if roots != nil {
		st, err = timestamp.Verify(token, text, roots, intermediates)
	} else {
		st, err = timestamp.Inspect(token, text)
	}
	if err != nil {
		c.Status = Fail
		switch {
		case errors.Is(err, timestamp.ErrSignature):
			c.Error = "token_signature"
		case errors.Is(err, timestamp.ErrUntrusted):
			c.Error = "token_untrusted"
		case errors.Is(err, timestamp.ErrImprint):
			c.Error = "token_imprint"
		default:
			c.Error = "token_malformed"
		}
		c.Detail["Detail"] = err.Error()
		return c
	}
	c.Detail["Time"] = st.Time.UTC().Format(time.RFC3339)
	c.Detail["TimeBeijing"] = beijing(st.Time)
	c.Detail["TSA"] = st.TSA
	if st.Serial != nil {
		c.Detail["Serial"] = st.Serial.String()
	}
	lines := strings.SplitN(string(text), "\n", 4)
	if len(lines) < 4 {
		c.Status, c.Error = Fail, "token_other_log"
		c.Detail["Detail"] = "the stamped text is not a checkpoint"
		return c
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		c.Status, c.Error = Fail, "token_other_log"
		c.Detail["Detail"] = "the stamped text is not a checkpoint"
		return c
	}
	c.Detail["Size"] = size
	kind := "checkpoint"
	switch {
	case claim != nil && len(claim.WitnessNote) > 0 && bytes.Equal(text, claim.WitnessNote):
		kind = "witnessed"
	case strings.HasPrefix(lines[3], "time "):
		kind = "receipt"
	}
	c.Detail["Stamped"] = kind
	if claim != nil {
		root := func(h ledger.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
		switch {
		case lines[0] != claim.Origin:
			c.Status, c.Error = Fail, "token_other_log"
			c.Detail["Detail"] = fmt.Sprintf("the stamped text is of log %s, the bundle's is %s", lines[0], claim.Origin)
			return c
		case size == claim.Checkpoint.Size && lines[2] != root(claim.Checkpoint.Root),
			claim.Witnessed != nil && size == claim.Witnessed.Size && lines[2] != root(claim.Witnessed.Root):
			c.Status, c.Error = Fail, "token_other_tree"
			c.Detail["Detail"] = fmt.Sprintf("the stamped tree of %d has another root than the bundle's", size)
			return c
		case size > claim.Checkpoint.Size:
			c.Status, c.Error = Fail, "token_other_tree"
			c.Detail["Detail"] = fmt.Sprintf("the stamped tree of %d is larger than the bundle's %d", size, claim.Checkpoint.Size)
			return c
		}
	}
	if roots == nil {
		c.Status, c.Error = NotChecked, "no_roots"
		return c
	}
	// Whether the stamped root was compared with one this bundle proves:
	// the bundle's tree or the witnessed one. A token over an earlier
	// tree is still the log's (its name is), but its root is not checked,
	// and the report says so.
	linked := claim != nil && (size == claim.Checkpoint.Size || claim.Witnessed != nil && size == claim.Witnessed.Size)
	c.Detail["Linked"] = linked
	c.Status = Pass
	switch {
	case kind == "witnessed":
		c.Key = "verify.tool.timestamp.pass_witnessed"
	case !linked:
		c.Key = "verify.tool.timestamp.pass_tree"
	case kind == "receipt":
		c.Key = "verify.tool.timestamp.pass_receipt"
	default:
		c.Key = "verify.tool.timestamp.pass_linked"
	}
	return c
}

// beijing is t in China Standard Time, which has no daylight saving: a
// fixed zone keeps the report the same on every machine.
func beijing(t time.Time) string {
	return t.In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02 15:04:05 UTC+8")
}
