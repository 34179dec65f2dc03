package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/bundlecheck"
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/internal/reporoot"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// buildTool builds one of the platform's cgo-free commands into dir.
func buildTool(t *testing.T, dir, name string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", bin, "github.com/sanxiang-desk/sanxiang/sync/cmd/"+name)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// runTool runs a built command and returns its exit status and output.
func runTool(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errOut.String()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	return 0, out.String(), errOut.String()
}

// witnessedCase is what witnessedBundle staged.
type witnessedCase struct {
	dir     string
	verify  string // the built sanxiang-verify
	bundle  string // the exported bundle
	policy  string // the witness policy file
	roots   string // the TSA's root and chain, PEM
	pol     witness.Policy
	tsa     *tsatest.TSA
	l       *casefile.Log
	caseID  string
	names   []string // the witnesses' names
	photo   string   // the photo's SHA-256
	stamped []byte   // the token over the cosigned checkpoint
}

// witnessedBundle stages the whole chain on loopback: two sanxiang-witness
// processes, a real TSA, the real platform asking both to cosign and the
// TSA to stamp; a device whose desk opens a case, fills in a document and
// imports a camera's photo, syncs, waits for the checkpoint cosigned by
// both and the token over it, and exports the case's bundle.
func witnessedBundle(t *testing.T) *witnessedCase {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	wc := &witnessedCase{dir: dir, names: []string{"legal-office.qinghe.test", "procuratorate.qinghe.test"}}
	wc.verify = buildTool(t, dir, "sanxiang-verify")
	wbin := buildTool(t, dir, "sanxiang-witness")
	dirA, dirB := t.TempDir(), t.TempDir()
	vA, uA, _ := witnessProcess(t, wbin, dirA, wc.names[0], "127.0.0.1:0")
	vB, uB, _ := witnessProcess(t, wbin, dirB, wc.names[1], "127.0.0.1:0")
	policyText := fmt.Sprintf("# 青禾市的见证人\nwitness %s %s %s\nwitness %s %s %s\nquorum 2\n", wc.names[0], vA, uA, wc.names[1], vB, uB)
	var err error
	if wc.pol, err = witness.ParsePolicy([]byte(policyText)); err != nil {
		t.Fatal(err)
	}
	wc.policy = filepath.Join(dir, "witnesses.txt")
	if err := os.WriteFile(wc.policy, []byte(policyText), 0o644); err != nil {
		t.Fatal(err)
	}
	wc.tsa = tsatest.Start(t)
	wc.roots = filepath.Join(dir, "tsa-roots.pem")
	if err := os.WriteFile(wc.roots, append(wc.tsa.CA.RootPEM(), wc.tsa.CA.ChainPEM()...), 0o644); err != nil {
		t.Fatal(err)
	}
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin, Witnesses: &wc.pol, WitnessRetry: 50 * time.Millisecond,
		Timestamps: stamps.Config{URL: wc.tsa.URL, Roots: wc.tsa.CA.Roots(), Intermediates: wc.tsa.CA.Intermediates(), Retry: time.Hour}})

	wc.l = openLog(t, "VERIFY-TOOL")
	id, err := wc.l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "现场检查",
		Party:    casefile.Party{Kind: "org", Name: "青禾市某某有限公司", IDNo: "91990104MA0000003Z"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}})
	if err != nil {
		t.Fatal(err)
	}
	wc.caseID = id
	ts, err := document.Templates()
	if err != nil {
		t.Fatal(err)
	}
	c, err := wc.l.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := document.Fill(ts[0], c, "青禾市市场监督管理局", map[string]string{"approver": "张科长"}, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(doc)
	if _, err := wc.l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	rec, err := capture.ImportPhoto(ctx, wc.l, id, "990101000001", "", filepath.Join(reporoot.Dir(t), "app", "capture", "testdata", "exif.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Media) != 1 {
		t.Fatalf("the photo's record names %d files", len(rec.Media))
	}
	wc.photo = rec.Media[0]

	cl := client.New(enrol(t, s, h, wc.l))
	if _, err := cl.Push(ctx, wc.l); err != nil {
		t.Fatal(err)
	}
	latest, err := wc.l.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cosigned []byte
	for range 400 {
		ans, err := cl.SendCheckpoint(ctx, wc.l)
		if err != nil {
			t.Fatal(err)
		}
		if ans.CosignedSize == latest.Size {
			cosigned = []byte(ans.Cosigned)
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if got, err := witness.VerifyCosigned(cosigned, wc.pol); err != nil || len(got) != 2 {
		t.Fatalf("the checkpoint of %d cosigned by %v: %v", latest.Size, got, err)
	}
	flush(t, s, 0)
	if _, err := cl.Push(ctx, wc.l); err != nil {
		t.Fatal(err)
	}
	for _, st := range stampsOf(t, wc.l) {
		if bytes.Equal(st.Data, cosigned) {
			wc.stamped = st.Token
		}
	}
	if wc.stamped == nil {
		t.Fatal("the device keeps no token over its cosigned checkpoint")
	}
	wc.bundle = filepath.Join(dir, "case.zip")
	if err := bundle.WriteFile(ctx, wc.l, id, "青禾市市场监督管理局", time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), wc.bundle); err != nil {
		t.Fatal(err)
	}
	return wc
}

// verifyFile runs the library on a bundle file.
func verifyFile(t *testing.T, path string, in bundlecheck.Inputs) bundlecheck.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bundlecheck.Verify(bytes.NewReader(data), int64(len(data)), in)
	if err != nil {
		t.Fatalf("verify %s: %v", path, err)
	}
	return rep
}

// inputs are the policy and roots the binary is given, for the library.
func (wc *witnessedCase) inputs() bundlecheck.Inputs {
	return bundlecheck.Inputs{Policy: &wc.pol, Roots: wc.tsa.CA.Roots(), Intermediates: wc.tsa.CA.Intermediates()}
}

// zipEntries reads every entry of a bundle.
func zipEntries(t *testing.T, path string) (names []string, data map[string][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	data = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		names = append(names, f.Name)
		data[f.Name] = b.Bytes()
	}
	return names, data
}

// rewriteBundle writes a copy of src as name in dir with entries changed
// (nil drops one), in the same order.
func rewriteBundle(t *testing.T, src, dir, name string, change map[string][]byte) string {
	t.Helper()
	names, data := zipEntries(t, src)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		content := data[n]
		if c, ok := change[n]; ok {
			if c == nil {
				continue
			}
			content = c
		}
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// tokenNames are the bundle's time-stamp tokens.
func tokenNames(names []string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "timestamps/") && strings.HasSuffix(n, ".tsr") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func TestVerifyToolPassesWitnessedBundle(t *testing.T) {
	wc := witnessedBundle(t)
	code, out, errOut := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, wc.bundle)
	t.Log(out)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q, want 0\n%s", code, errOut, out)
	}
	// The token's own time, read independently of the tool.
	st, err := timestamp.Inspect(wc.stamped, mustEntry(t, wc.bundle, bundle.WitnessCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	beijing := st.Time.In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05")
	for _, want := range []string{wc.names[0], wc.names[1], beijing, st.Time.UTC().Format(time.RFC3339),
		"见证人", "联署了该检查点", "\n（一）", "\n（二）", "\n（三）", "\n（四）", "无法从案卷包核验", "✔", "不是对证据真实性"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Chinese report lacks %q", want)
		}
	}
	for _, bad := range []string{"✘", "verify.tool.", "verify.err.", "<no value>"} {
		if strings.Contains(out, bad) {
			t.Errorf("the report holds %q", bad)
		}
	}
	// The witnesses' and the token's lines sit under their factors.
	f2, f3, f4 := strings.Index(out, "\n（二）"), strings.Index(out, "\n（三）"), strings.Index(out, "\n（四）")
	if w := strings.Index(out, wc.names[0]); w < f2 || w > f3 {
		t.Errorf("the witnesses are not reported under factor (2)")
	}
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "证明见证人联署的第") {
			line = l
		}
	}
	if tt := strings.Index(out, line); line == "" || tt < f4 || !strings.Contains(line, beijing) || !strings.Contains(line, "✔") {
		t.Errorf("the token over the witnessed checkpoint and its time %s are not reported under factor (4): %q", beijing, line)
	}

	// The device key given: its check passes too.
	code, outKey, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, "--key", wc.l.Verifier, wc.bundle)
	if code != 0 || !strings.Contains(outKey, "使用给定的设备公钥") {
		t.Errorf("with --key: exit %d\n%s", code, outKey)
	}

	// English, and the captures kept for people to read.
	code, outEn, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, "--lang", "en", wc.bundle)
	if code != 0 || !strings.Contains(outEn, "cosigned the checkpoint") || !strings.Contains(outEn, wc.names[1]) || strings.Contains(outEn, "见证人") || strings.Contains(outEn, "、") {
		t.Errorf("English: exit %d\n%s", code, outEn)
	}
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "verify-report-zh.txt"), []byte("$ sanxiang-verify --policy witnesses.txt --roots tsa-roots.pem case.zip\n"+strings.ReplaceAll(out, wc.dir+"/", "")), 0o644)
		// The inputs too, to run the tool by hand (under wine, say).
		sample := filepath.Join(dir, "verify-sample")
		os.MkdirAll(sample, 0o755)
		for _, f := range []string{wc.bundle, wc.policy, wc.roots} {
			if b, err := os.ReadFile(f); err == nil {
				os.WriteFile(filepath.Join(sample, filepath.Base(f)), b, 0o644)
			}
		}
		os.WriteFile(filepath.Join(dir, "verify-report-en.txt"), []byte("$ sanxiang-verify --policy witnesses.txt --roots tsa-roots.pem --lang en case.zip\n"+strings.ReplaceAll(outEn, wc.dir+"/", "")), 0o644)
	}

	// --json: the stable report.
	code, js, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, "--json", wc.bundle)
	if code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	var rep bundlecheck.Report
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("--json is not the report: %v\n%s", err, js)
	}
	if rep.Format != bundlecheck.Format || !rep.OK || rep.Case != wc.caseID {
		t.Fatalf("--json: %+v", rep)
	}
	want := map[string]bundlecheck.Status{"platform_registration": bundlecheck.NotChecked, "device_key": bundlecheck.NotChecked, "device_signature": bundlecheck.Pass,
		"records": bundlecheck.Pass, "system_standards": bundlecheck.NotChecked, "media": bundlecheck.Pass, "witness_cosignatures": bundlecheck.Pass,
		"witness_consistency": bundlecheck.Pass, "timestamp": bundlecheck.Pass, "extra_files": bundlecheck.NotChecked}
	for code, st := range want {
		c := rep.Find(code)
		if c == nil || c.Status != st || c.OK != (st == bundlecheck.Pass) || len(c.Factors) == 0 || c.Message == "" {
			t.Errorf("check %s: %+v, want %s", code, c, st)
		}
	}
	if c := rep.Find("witness_cosignatures"); c != nil && (c.Factors[0] != bundlecheck.FactorNeutrality || !strings.Contains(fmt.Sprint(c.Detail["Witnesses"]), wc.names[1])) {
		t.Errorf("the cosignatures' check: %+v", c)
	}
	stampedWitnessed := false
	for _, c := range rep.Checks {
		if c.Code == "timestamp" && c.Detail["Stamped"] == "witnessed" && c.Detail["Time"] == st.Time.UTC().Format(time.RFC3339) {
			stampedWitnessed = true
		}
	}
	if !stampedWitnessed {
		t.Errorf("no passing token over the witnessed checkpoint in %s", js)
	}
	// The library and app/bundle name the witness files alike.
	if bundlecheck.WitnessCheckpoint != bundle.WitnessCheckpoint || bundlecheck.WitnessProof != bundle.WitnessProof {
		t.Error("app/bundlecheck and app/bundle name the witness files differently")
	}
}

func mustEntry(t *testing.T, path, name string) []byte {
	t.Helper()
	_, data := zipEntries(t, path)
	b, ok := data[name]
	if !ok {
		t.Fatalf("%s holds no %s", path, name)
	}
	return b
}

func TestVerifyToolFlippedBits(t *testing.T) {
	wc := witnessedBundle(t)
	names, data := zipEntries(t, wc.bundle)
	cos := data[bundle.WitnessCheckpoint]
	if _, err := witness.VerifyCosigned(cos, wc.pol); err != nil {
		t.Fatal(err)
	}
	// Every bit of both witnesses' lines (the device's line is the first
	// after the text).
	body, err := witness.Body(cos)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(cos[len(body)+1:], []byte("\n"))
	start := len(body) + 1 + len(lines[0])
	reasons := map[string]int{}
	for i := start; i < len(cos)-1; i++ {
		for bit := range 8 {
			bad := bytes.Clone(cos)
			bad[i] ^= 1 << bit
			c := bundlecheck.Cosignatures(bad, wc.pol)
			if c.Status != bundlecheck.Fail {
				t.Fatalf("byte %d bit %d of the cosignatures flipped: %s", i, bit, c.Status)
			}
			reasons[c.Error]++
		}
	}
	t.Logf("cosignature flips: %v", reasons)
	// Through the whole bundle, a flipped cosignature byte fails the
	// cosignatures alone: the device's own checkpoint inside the note
	// still agrees with the bundle's.
	for i := start; i < len(cos)-1; i++ {
		bad := bytes.Clone(cos)
		bad[i] ^= 1
		rep := verifyFile(t, rewriteBundle(t, wc.bundle, wc.dir, "flip.zip", map[string][]byte{bundle.WitnessCheckpoint: bad}), wc.inputs())
		for _, c := range rep.Checks {
			if (c.Status == bundlecheck.Fail) != (c.Code == "witness_cosignatures") {
				t.Fatalf("byte %d of the cosignatures flipped: %s is %s (%s)", i, c.Code, c.Status, c.Error)
			}
		}
	}
	if reasons["cosignature_invalid"] == 0 {
		t.Error("no flip gave cosignature_invalid")
	}
	// Every bit of every token.
	rep := verifyFile(t, wc.bundle, wc.inputs())
	cp, err := ledger.ParseCheckpoint(data["checkpoint"], wc.l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	wcp, err := ledger.ParseCheckpoint(cos, wc.l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	claim := &bundlecheck.Claim{Origin: cp.Origin, Checkpoint: cp, Witnessed: &wcp, WitnessNote: cos}
	toks := tokenNames(names)
	if len(toks) == 0 || !rep.OK {
		t.Fatalf("%d tokens, report ok %v", len(toks), rep.OK)
	}
	// What the stamped text states is held to the bundle: another log,
	// another root at the bundle's size, a larger tree fail; an earlier
	// tree passes with its root reported unchecked.
	{
		tok := toks[0]
		txt := data[strings.TrimSuffix(tok, ".tsr")+".txt"]
		roots, inter := wc.tsa.CA.Roots(), wc.tsa.CA.Intermediates()
		other := *claim
		other.Origin = "sanxiang/device/OTHER"
		if c := bundlecheck.Timestamp(tok, data[tok], txt, roots, inter, &other); c.Status != bundlecheck.Fail || c.Error != "token_other_log" {
			t.Errorf("another log's claim: %s %s", c.Status, c.Error)
		}
		rooted := *claim
		rooted.Witnessed = nil
		rooted.Checkpoint.Root[0] ^= 1
		if c := bundlecheck.Timestamp(tok, data[tok], txt, roots, inter, &rooted); c.Status != bundlecheck.Fail || c.Error != "token_other_tree" {
			t.Errorf("another root at the bundle's size: %s %s", c.Status, c.Error)
		}
		smaller := *claim
		smaller.Witnessed = nil
		smaller.Checkpoint.Size = cp.Size - 1
		if c := bundlecheck.Timestamp(tok, data[tok], txt, roots, inter, &smaller); c.Status != bundlecheck.Fail || c.Error != "token_other_tree" {
			t.Errorf("a tree larger than the bundle's: %s %s", c.Status, c.Error)
		}
		later := *claim
		later.Witnessed = nil
		later.WitnessNote = nil
		later.Checkpoint.Size = cp.Size + 5
		if c := bundlecheck.Timestamp(tok, data[tok], txt, roots, inter, &later); c.Status != bundlecheck.Pass || c.Detail["Linked"] != false ||
			c.Key != "verify.tool.timestamp.pass_tree" {
			t.Errorf("an earlier tree: %s %s %v", c.Status, c.Key, c.Detail)
		}
	}
	treasons := map[string]int{}
	for _, name := range toks {
		tok, txt := data[name], data[strings.TrimSuffix(name, ".tsr")+".txt"]
		if c := bundlecheck.Timestamp(name, tok, txt, wc.tsa.CA.Roots(), wc.tsa.CA.Intermediates(), claim); c.Status != bundlecheck.Pass {
			t.Fatalf("%s as exported: %+v", name, c)
		}
		for i := range tok {
			for bit := range 8 {
				bad := bytes.Clone(tok)
				bad[i] ^= 1 << bit
				c := bundlecheck.Timestamp(name, bad, txt, wc.tsa.CA.Roots(), wc.tsa.CA.Intermediates(), claim)
				if c.Status != bundlecheck.Fail || c.Code != "timestamp" {
					t.Fatalf("%s byte %d bit %d flipped: %s %s", name, i, bit, c.Status, c.Error)
				}
				treasons[c.Error]++
			}
		}
	}
	t.Logf("token flips: %v", treasons)
	if treasons["token_signature"] == 0 && treasons["token_malformed"] == 0 {
		t.Error("no token flip was caught as a bad signature or token")
	}

	// Through the binary: one cosignature byte and one token byte.
	badCos := bytes.Clone(cos)
	badCos[len(cos)-5] ^= 0x01
	tok := toks[0]
	badTok := bytes.Clone(data[tok])
	badTok[len(badTok)-10] ^= 0x80
	for _, tc := range []struct {
		name   string
		change map[string][]byte
		code   string
		words  string
	}{
		{"cosig.zip", map[string][]byte{bundle.WitnessCheckpoint: badCos}, "witness_cosignatures", "见证人联署"},
		{"token.zip", map[string][]byte{tok: badTok}, "timestamp", "时间戳令牌"},
	} {
		path := rewriteBundle(t, wc.bundle, wc.dir, tc.name, tc.change)
		code, out, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, path)
		if code != 1 || !strings.Contains(out, "✘") || !strings.Contains(out, tc.words) || !strings.Contains(out, "核验未通过") {
			t.Errorf("%s: exit %d\n%s", tc.name, code, out)
		}
		code, js, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, "--json", path)
		var rep bundlecheck.Report
		if err := json.Unmarshal([]byte(js), &rep); err != nil || code != 1 || rep.OK {
			t.Fatalf("%s --json: exit %d %v", tc.name, code, err)
		}
		var failed []string
		for _, c := range rep.Checks {
			if c.Status == bundlecheck.Fail {
				failed = append(failed, c.Code)
			}
		}
		if len(failed) != 1 || failed[0] != tc.code {
			t.Errorf("%s: failed %v, want only %s", tc.name, failed, tc.code)
		}
	}
}

func TestVerifyToolCatchesConflictingCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bin := buildTool(t, dir, "sanxiang-verify")
	_, w := inProcessWitness(t, "procuratorate.qinghe.test")
	p := witness.Policy{Witnesses: []witness.Witness{w}, Quorum: 1}
	policyFile := filepath.Join(dir, "witnesses.txt")
	os.WriteFile(policyFile, fmt.Appendf(nil, "witness %s %s %s\nquorum 1\n", w.Name, w.Key, w.URL), 0o644)
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin, Witnesses: &p, WitnessRetry: time.Hour})
	// The audit's rewrite: the device's log was witnessed, then rebuilt
	// with other records under the same device key; the device kept the
	// cosigned checkpoint it had received and puts it in the bundle.
	a, b := twinLogs(t, "rewrite-verify")
	appendN(t, a, 4, "as it happened")
	appendN(t, b, 4, "as rewritten")
	cos := witnessedOnce(t, s, client.New(enrol(t, s, h, a)), a)

	export := func(l *casefile.Log, name string, extra map[string][]byte) string {
		var buf bytes.Buffer
		if err := l.Export(ctx, "C1", &buf, extra); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, buf.Bytes(), 0o600)
		return path
	}
	// The genuine log's bundle passes.
	good := export(a, "genuine.zip", map[string][]byte{bundle.WitnessCheckpoint: cos, bundle.WitnessProof: {}})
	if code, out, _ := runTool(t, bin, "--policy", policyFile, "--key", a.Verifier, good); code != 0 {
		t.Fatalf("the genuine bundle: exit %d\n%s", code, out)
	}
	// Records after the witnessed tree, with the old witness file put
	// beside them (the desk's export leaves it out then): the witnesses
	// never saw those records, and the report says so.
	{
		c := openLog(t, "after-verify")
		appendN(t, c, 3, "seen")
		cosC := witnessedOnce(t, s, client.New(enrol(t, s, h, c)), c)
		appendN(t, c, 2, "unseen")
		latest, _ := c.Latest(ctx)
		proof, err := c.ProveTree(ctx, latest.Size, 3)
		if err != nil {
			t.Fatal(err)
		}
		var pf strings.Builder
		for _, hsh := range proof {
			pf.WriteString(hsh.String() + "\n")
		}
		after := export(c, "after.zip", map[string][]byte{bundle.WitnessCheckpoint: cosC, bundle.WitnessProof: []byte(pf.String())})
		rep := verifyFile(t, after, bundlecheck.Inputs{Key: c.Verifier, Policy: &p})
		if cc := rep.Find("witness_consistency"); rep.OK || cc == nil || cc.Error != "records_after_witnessed" || cc.Detail["Record"] != int64(4) {
			t.Errorf("records after the witnessed tree: %+v", cc)
		}
		if code, out, _ := runTool(t, bin, "--policy", policyFile, after); code != 1 || !strings.Contains(out, "第 4 条记录在见证过的第 3 号哈希树之后") {
			t.Errorf("records after the witnessed tree: exit %d\n%s", code, out)
		}
	}
	// Same size, another root.
	same := export(b, "rewritten.zip", map[string][]byte{bundle.WitnessCheckpoint: cos, bundle.WitnessProof: {}})
	// Grown past the witnessed size: no proof from the witnessed tree holds.
	appendN(t, b, 2, "more")
	latest, _ := b.Latest(ctx)
	proof, err := b.ProveTree(ctx, latest.Size, 4)
	if err != nil {
		t.Fatal(err)
	}
	var pf strings.Builder
	for _, hsh := range proof {
		pf.WriteString(hsh.String() + "\n")
	}
	grown := export(b, "rewritten-grown.zip", map[string][]byte{bundle.WitnessCheckpoint: cos, bundle.WitnessProof: []byte(pf.String())})
	for _, path := range []string{same, grown} {
		rep := verifyFile(t, path, bundlecheck.Inputs{Key: a.Verifier, Policy: &p})
		if c := rep.Find("device_signature"); c == nil || c.Status != bundlecheck.Pass {
			t.Fatalf("%s: the rewrite is signed by the device's own key, yet %+v", path, c)
		}
		if c := rep.Find("witness_cosignatures"); c == nil || c.Status != bundlecheck.Pass {
			t.Fatalf("%s: the cosignatures are genuine, yet %+v", path, c)
		}
		c := rep.Find("witness_consistency")
		if rep.OK || c == nil || c.Status != bundlecheck.Fail || c.Error != "checkpoint_conflict" {
			t.Fatalf("%s: %+v", path, c)
		}
		code, out, _ := runTool(t, bin, "--policy", policyFile, "--key", a.Verifier, path)
		t.Log(out)
		if code != 1 || !strings.Contains(out, "案卷包的检查点与见证人见证过的检查点相冲突") || !strings.Contains(out, "✘") {
			t.Errorf("%s: exit %d\n%s", path, code, out)
		}
		code, out, _ = runTool(t, bin, "--policy", policyFile, "--lang", "en", path)
		if code != 1 || !strings.Contains(out, "conflicts with the witnessed one") {
			t.Errorf("%s in English: exit %d\n%s", path, code, out)
		}
	}
}

// TestVerifyToolBuildsForWindows: the verifier cross-builds for Windows
// without cgo and links no Fyne there either.
func TestVerifyToolBuildsForWindows(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "sanxiang-verify.exe")
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS=windows", "GOARCH=amd64")
	build := exec.Command("go", "build", "-o", exe, "github.com/sanxiang-desk/sanxiang/sync/cmd/sanxiang-verify")
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=windows CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	head := make([]byte, 2)
	if f, err := os.Open(exe); err != nil {
		t.Fatal(err)
	} else {
		f.Read(head)
		f.Close()
	}
	if string(head) != "MZ" {
		t.Fatalf("not a Windows executable: %q", head)
	}
	list := exec.Command("go", "list", "-deps", "github.com/sanxiang-desk/sanxiang/sync/cmd/sanxiang-verify")
	list.Env = env
	out, err := list.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || dep == "runtime/cgo" {
			t.Errorf("the Windows verifier links %s", dep)
		}
	}
}

func TestVerifyToolAlteredMedia(t *testing.T) {
	wc := witnessedBundle(t)
	file := "media/" + wc.photo
	photo := mustEntry(t, wc.bundle, file)
	altered := bytes.Clone(photo)
	altered[len(altered)/2] ^= 0x01
	for _, tc := range []struct {
		name, err, words string
		content          []byte
	}{
		{"altered.zip", "media_altered", "已被改动", altered},
		{"missing.zip", "media_missing", "缺少音像文件", nil},
	} {
		path := rewriteBundle(t, wc.bundle, wc.dir, tc.name, map[string][]byte{file: tc.content})
		rep := verifyFile(t, path, wc.inputs())
		c := rep.Find("media")
		if rep.OK || c == nil || c.Status != bundlecheck.Fail || c.Error != tc.err || c.Detail["File"] != file {
			t.Fatalf("%s: %+v", tc.name, c)
		}
		if r := rep.Find("records"); r == nil || r.Status != bundlecheck.Pass {
			t.Errorf("%s: the records still verify, yet %+v", tc.name, r)
		}
		code, out, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, path)
		if code != 1 || !strings.Contains(out, file) || !strings.Contains(out, tc.words) {
			t.Errorf("%s: exit %d\n%s", tc.name, code, out)
		}
	}
}

func TestVerifyToolMissingParts(t *testing.T) {
	wc := witnessedBundle(t)
	names, _ := zipEntries(t, wc.bundle)
	status := func(rep bundlecheck.Report, code string) (bundlecheck.Status, string) {
		c := rep.Find(code)
		if c == nil {
			return "", ""
		}
		return c.Status, c.Error
	}
	jsonOf := func(args ...string) (int, bundlecheck.Report, string) {
		t.Helper()
		code, js, errOut := runTool(t, wc.verify, append([]string{"--json"}, args...)...)
		var rep bundlecheck.Report
		if err := json.Unmarshal([]byte(js), &rep); err != nil {
			t.Fatalf("%v: %v %s", args, err, errOut)
		}
		return code, rep, js
	}

	// Nothing but the bundle: the witnesses and the tokens' authority are
	// reported not checked, and why; nothing fails.
	code, rep, js := jsonOf(wc.bundle)
	if code != 0 || !rep.OK {
		t.Fatalf("bundle alone: exit %d\n%s", code, js)
	}
	for check, want := range map[string]string{"witness_cosignatures": "no_policy", "timestamp": "no_roots", "device_key": "from_bundle"} {
		if st, e := status(rep, check); st != bundlecheck.NotChecked || e != want {
			t.Errorf("bundle alone: %s is %s %s, want not checked (%s)", check, st, e, want)
		}
	}
	if st, _ := status(rep, "witness_consistency"); st != bundlecheck.Pass {
		t.Errorf("bundle alone: the device's own checkpoints still agree, yet %s", st)
	}
	_, out, _ := runTool(t, wc.verify, wc.bundle)
	if !strings.Contains(out, "未给出见证策略") || !strings.Contains(out, "未给出时间戳根证书") || !strings.Contains(out, "○") {
		t.Errorf("bundle alone, in words:\n%s", out)
	}

	// A bundle with neither witness files nor tokens.
	strip := map[string][]byte{}
	for _, n := range names {
		if strings.HasPrefix(n, "witness/") || strings.HasPrefix(n, "timestamps/") {
			strip[n] = nil
		}
	}
	bare := rewriteBundle(t, wc.bundle, wc.dir, "bare.zip", strip)
	code, rep, js = jsonOf("--roots", wc.roots, bare)
	if code != 0 {
		t.Fatalf("bare bundle, no policy: exit %d\n%s", code, js)
	}
	for check, want := range map[string]string{"witness_cosignatures": "no_policy_no_witness", "witness_consistency": "no_witness_file", "timestamps": "no_tokens"} {
		if st, e := status(rep, check); st != bundlecheck.NotChecked || e != want {
			t.Errorf("bare bundle: %s is %s %s, want not checked (%s)", check, st, e, want)
		}
	}
	// With the policy, the missing witness file fails: the policy says
	// its witnesses must have seen the log.
	code, rep, _ = jsonOf("--policy", wc.policy, "--roots", wc.roots, bare)
	if st, e := status(rep, "witness_cosignatures"); code != 1 || st != bundlecheck.Fail || e != "no_witness_file" {
		t.Errorf("bare bundle with a policy: exit %d, %s %s", code, st, e)
	}
	code, out, _ = runTool(t, wc.verify, "--policy", wc.policy, bare)
	if code != 1 || !strings.Contains(out, "没有见证文件") || !strings.Contains(out, wc.names[0]) {
		t.Errorf("bare bundle with a policy, in words: exit %d\n%s", code, out)
	}

	// Usage and unreadable inputs: exit 2, said.
	for _, tc := range []struct {
		args  []string
		words string
	}{
		{nil, "用法"},
		{[]string{"--lang", "fr", wc.bundle}, "不支持的语言"},
		{[]string{"--policy", filepath.Join(wc.dir, "none.txt"), wc.bundle}, "无法读取见证策略文件"},
		{[]string{"--roots", wc.policy, wc.bundle}, "无法读取时间戳根证书文件"},
		{[]string{"--policy", wc.roots, wc.bundle}, "无法读取见证策略文件"},
		{[]string{filepath.Join(wc.dir, "none.zip")}, "无法读取案卷包"},
	} {
		code, _, errOut := runTool(t, wc.verify, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.words) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut)
		}
	}
	if code, out, _ := runTool(t, wc.verify, "--help"); code != 0 || !strings.Contains(out, "退出码") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

func TestVerifyToolRefusesHostileBundles(t *testing.T) {
	wc := witnessedBundle(t)
	raw, err := os.ReadFile(wc.bundle)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(wc.dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	// Truncated anywhere, or not a zip at all: unreadable, exit 2.
	for _, n := range []int{0, 10, len(raw) / 2, len(raw) - 30} {
		p := write(fmt.Sprintf("trunc-%d.zip", n), raw[:n])
		code, out, errOut := runTool(t, wc.verify, "--policy", wc.policy, p)
		if code != 2 || !strings.Contains(errOut, "无法读取案卷包") || out != "" {
			t.Errorf("truncated at %d: exit %d %q", n, code, errOut)
		}
	}
	// A bomb: a manifest whose header says 1000 bytes and which holds
	// 4 MiB, refused as the desk's verify refuses it.
	names, data := zipEntries(t, wc.bundle)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		if n == "manifest.json" {
			continue
		}
		w, _ := zw.Create(n)
		w.Write(data[n])
	}
	body := bytes.Repeat([]byte{' '}, 4<<20)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "manifest.json", Method: zip.Store, CompressedSize64: uint64(len(body)), UncompressedSize64: 1000})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	zw.Close()
	bomb := write("bomb.zip", b.Bytes())
	code, out, _ := runTool(t, wc.verify, "--policy", wc.policy, "--roots", wc.roots, bomb)
	if code != 1 || !strings.Contains(out, "超出核验上限") || !strings.Contains(out, "核验未通过") {
		t.Errorf("a bomb: exit %d\n%s", code, out)
	}
	rep := verifyFile(t, bomb, wc.inputs())
	if c := rep.Find("bundle"); rep.OK || c == nil || c.Error != "bundle_too_large" {
		t.Errorf("a bomb: %+v", c)
	}
	// A witness file that claims to be huge is refused unread.
	huge := rewriteBundle(t, wc.bundle, wc.dir, "huge-witness.zip", map[string][]byte{bundle.WitnessCheckpoint: bytes.Repeat([]byte("x"), 2<<20)})
	rep = verifyFile(t, huge, wc.inputs())
	if c := rep.Find("witness_cosignatures"); rep.OK || c == nil || c.Status != bundlecheck.Fail {
		t.Errorf("a huge witness file: %+v", c)
	}
}
