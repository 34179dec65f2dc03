package casefile_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

const officer = "990101000001"

var pair = []casefile.Officer{{CertNo: officer, Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

// archiveLog is a log with an archive folder of its own.
func archiveLog(t *testing.T) (*casefile.Log, string) {
	t.Helper()
	l := casefiletest.Open(t, "ARC1")
	dir := filepath.Join(t.TempDir(), "archive")
	l.SetArchiveDir(dir)
	return l, dir
}

// closedCase opens a case of act (procedure "" for its general one) and
// walks it through its procedure to its final stage, recorded.
func closedCase(t *testing.T, l *casefile.Log, a act.Kind, procedure string) string {
	t.Helper()
	ctx := context.Background()
	id, err := l.OpenCase(ctx, officer, casefile.Opening{Act: a, Procedure: procedure, Agency: "01", ItemID: "E1", ItemName: "事项",
		Party: casefile.Party{Kind: "person", Name: "王某"}, Officers: pair})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := l.Case(ctx, id)
	p := c.Procedure()
	for _, st := range p.Stages {
		if st.Decision && p.Limits != nil {
			// A limited procedure's decision says what it decides.
			if _, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: st.Key, Officers: pair, Decision: json.RawMessage(`{"kinds":["warning"]}`)}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if st.Final {
			casefiletest.WalkTo(t, l, id, officer, pair, st.Key)
			if _, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: st.Key, Note: "结案"}); err != nil {
				t.Fatalf("close %s: %v", id, err)
			}
		}
	}
	return id
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// A closed case is archived: its bundle is in the archive folder under
// its ID, verifies with the device's key and hashes to what the archive
// record says; the record carries the retention period and is the case's
// last, and the case takes nothing more — no note, stage, document,
// correction, handover or second archive — each refused as archived.
func TestArchiveMakesTheCaseReadOnly(t *testing.T) {
	ctx := context.Background()
	l, dir := archiveLog(t)
	id, err := l.OpenCase(ctx, officer, casefile.Opening{Act: act.Inspection, Agency: "01", ItemID: "E1", ItemName: "检查",
		Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: pair})
	if err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, officer, pair, "close")
	if _, err := l.Archive(ctx, id, officer, "", nil); !errors.Is(err, casefile.ErrNotClosed) || casefile.ErrorCode(err) != "not_closed" {
		t.Fatalf("archive before closing: %v", err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Fatalf("a refused archive left %v", got)
	}
	if _, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: "close", Note: "整改完毕，结案"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Archive(ctx, id, officer, "12", nil); !errors.Is(err, casefile.ErrBadRetention) {
		t.Fatalf("a retention of 12 years: %v", err)
	}
	r, err := l.Archive(ctx, id, officer, "", map[string][]byte{"casefile.pdf": []byte("%PDF-1.7 test")})
	if err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != id+".zip" {
		t.Fatalf("archive folder holds %v, want only %s.zip", got, id)
	}
	var a casefile.Archive
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatal(err)
	}
	if a.Retention != casefile.Retention10 {
		t.Errorf("an inspection is kept %q, want 10 years", a.Retention)
	}
	path := filepath.Join(dir, a.File)
	sum, size, err := casefile.HashFile(path)
	if err != nil || sum.String() != a.SHA256 || size != a.Size {
		t.Fatalf("the bundle hashes to %s (%d bytes), the record says %s (%d): %v", sum, size, a.SHA256, a.Size, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, m, err := casefile.VerifyBundle(f, size, l.Verifier)
	if err != nil || rep.Case != id || rep.Records != a.Records || len(m.Extra) != 1 {
		t.Fatalf("archived bundle: %+v %v, extra %v", rep, err, m.Extra)
	}
	c, err := l.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if last := c.Records[len(c.Records)-1]; last.Kind != casefile.KindArchive || a.LastSeq != c.Records[len(c.Records)-2].Seq || a.Records != len(c.Records)-1 {
		t.Fatalf("last record %s, the bundle ends at %d of %d records", last.Kind, a.LastSeq, a.Records)
	}
	if got, _, ok := casefile.ArchiveOf(c); !ok || got != a {
		t.Fatalf("ArchiveOf: %+v %v", got, ok)
	}

	closedSeq := c.Done["close"].Seq
	for name, try := range map[string]func() error{
		"note": func() error { _, err := l.AddNote(ctx, id, officer, "归档后补记"); return err },
		"stage": func() error {
			_, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: "recheck", Officers: pair})
			return err
		},
		"document": func() error { _, err := l.AddDocument(ctx, id, officer, json.RawMessage(`{"title":"x"}`)); return err },
		"correction": func() error {
			_, err := l.AddCorrection(ctx, id, officer, closedSeq, casefile.Correction{Reason: "笔误", Text: "更正"})
			return err
		},
		"handover": func() error {
			_, err := l.HandOver(ctx, id, officer, casefile.Handover{To: "990101000002", Reason: "调岗"})
			return err
		},
		"archive": func() error { _, err := l.Archive(ctx, id, officer, "30", nil); return err },
		"raw": func() error {
			return l.Append(ctx, &casefile.Record{Case: id, Kind: "review.submit", Author: officer, Body: json.RawMessage(`{}`)})
		},
	} {
		if err := try(); !errors.Is(err, casefile.ErrArchived) || casefile.ErrorCode(err) != "archived" {
			t.Errorf("%s after archiving: %v (code %q)", name, err, casefile.ErrorCode(err))
		}
	}
	if after, _ := l.Case(ctx, id); len(after.Records) != len(c.Records) {
		t.Fatalf("records after archiving: %d, want %d", len(after.Records), len(c.Records))
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Fatalf("archive folder after the refusals: %v", got)
	}
	// Other cases go on.
	other := casefiletest.Case(t, l)
	if _, err := l.AddNote(ctx, other, officer, "另案"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// An archive that fails leaves neither a file nor a record: the record
// refused by its signer (the bundle was written and verified, then
// removed), and an archive folder that cannot be made.
func TestFailedArchiveLeavesNothing(t *testing.T) {
	ctx := context.Background()
	l, dir := archiveLog(t)
	id := closedCase(t, l, act.Penalty, "penalty.summary")
	before, _ := l.Case(ctx, id)
	refuse := errors.New("not signed in")
	l.SetSigner(func(_ context.Context, r *casefile.Record, _ []string) error {
		if r.Kind == casefile.KindArchive {
			return refuse
		}
		return nil
	})
	if _, err := l.Archive(ctx, id, officer, "", nil); !errors.Is(err, refuse) {
		t.Fatalf("archive refused by the signer: %v", err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Fatalf("a refused archive left %v", got)
	}
	l.SetSigner(nil)

	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.SetArchiveDir(filepath.Join(blocked, "archive"))
	if _, err := l.Archive(ctx, id, officer, "", nil); err == nil || !strings.Contains(err.Error(), "archive folder") {
		t.Fatalf("archive into a folder under a file: %v", err)
	}
	l.SetArchiveDir("")
	if _, err := l.Archive(ctx, id, officer, "", nil); !errors.Is(err, casefile.ErrNoArchiveDir) {
		t.Fatalf("archive with no folder: %v", err)
	}
	if after, _ := l.Case(ctx, id); len(after.Records) != len(before.Records) {
		t.Fatalf("records after failed archives: %d, want %d", len(after.Records), len(before.Records))
	}
	// And then it works.
	l.SetArchiveDir(dir)
	if _, err := l.Archive(ctx, id, officer, casefile.RetentionPermanent, nil); err != nil {
		t.Fatal(err)
	}
}

// An archive record appended past Archive still meets the rules: after
// the final stage, with a known retention period, naming the bundle of
// the case as it stands.
func TestArchiveRecordChecked(t *testing.T) {
	ctx := context.Background()
	l, _ := archiveLog(t)
	open := casefiletest.Case(t, l)
	id := closedCase(t, l, act.Fee, "")
	c, _ := l.Case(ctx, id)
	last := c.Records[len(c.Records)-1].Seq
	good := casefile.Archive{Retention: "30", File: id + ".zip", SHA256: strings.Repeat("ab", 32), LastSeq: last}
	for name, x := range map[string]struct {
		caseID string
		body   func(a casefile.Archive) casefile.Archive
		want   error
	}{
		"not closed":   {open, func(a casefile.Archive) casefile.Archive { a.File = open + ".zip"; return a }, casefile.ErrNotClosed},
		"retention":    {id, func(a casefile.Archive) casefile.Archive { a.Retention = "forever"; return a }, casefile.ErrBadRetention},
		"stale bundle": {id, func(a casefile.Archive) casefile.Archive { a.LastSeq--; return a }, casefile.ErrBadArchive},
		"no hash":      {id, func(a casefile.Archive) casefile.Archive { a.SHA256 = ""; return a }, casefile.ErrBadArchive},
		"another file": {id, func(a casefile.Archive) casefile.Archive { a.File = "x.zip"; return a }, casefile.ErrBadArchive},
	} {
		body, _ := json.Marshal(x.body(good))
		err := l.Append(ctx, &casefile.Record{Case: x.caseID, Kind: casefile.KindArchive, Author: officer, Body: body})
		if !errors.Is(err, x.want) {
			t.Errorf("%s: %v, want %v", name, err, x.want)
		}
	}
	body, _ := json.Marshal(good)
	if err := l.Append(ctx, &casefile.Record{Case: id, Kind: casefile.KindArchive, Author: officer, Body: body}); err != nil {
		t.Fatalf("a well-formed archive record: %v", err)
	}
}

// The default retention periods follow archive practice for 行政执法案卷
// (assets/procedures/retention.json): a summary penalty 10 years, a
// general one 30, one heard or revoking a licence permanently; an
// inspection 10, a fee 30; a period the final stage set wins.
func TestRetentionDefaults(t *testing.T) {
	ctx := context.Background()
	rr := casefile.Retentions()
	if rr.Basis == "" || !casefile.ValidRetention(rr.Default) {
		t.Fatalf("bundled rules: %+v", rr)
	}
	for _, a := range act.All {
		fits := false
		for _, r := range rr.Rules {
			fits = fits || r.Act == a && len(r.Stages) == 0 && len(r.Kinds) == 0
		}
		if !fits {
			t.Errorf("no plain retention rule for %s", a)
		}
	}
	if _, err := casefile.ParseRetention([]byte(`{"default":"30","rules":[{"act":"penalty","retention":"50"}]}`)); !errors.Is(err, casefile.ErrBadRetention) {
		t.Errorf("a rule of 50 years: %v", err)
	}
	l, _ := archiveLog(t)
	period := func(id string) string {
		c, err := l.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := casefile.DefaultRetention(c)
		return p
	}
	penalty := func(decision string, hearing bool) string {
		id, err := l.OpenCase(ctx, officer, casefile.Opening{Act: act.Penalty, Agency: "01", ItemID: "E1", ItemName: "处罚",
			Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: pair})
		if err != nil {
			t.Fatal(err)
		}
		casefiletest.WalkTo(t, l, id, officer, pair, "defend")
		if hearing {
			for _, s := range []casefile.StageBody{{Stage: "hearing_notice", HearingOn: "2099-01-10"}, {Stage: "hearing", Officers: pair}} {
				if _, err := l.AddStage(ctx, id, officer, s); err != nil {
					t.Fatal(err)
				}
			}
		}
		casefiletest.WalkTo(t, l, id, officer, pair, "decide")
		if _, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: "decide", Decision: json.RawMessage(decision)}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	for name, x := range map[string]struct{ id, want string }{
		"summary penalty": {closedCase(t, l, act.Penalty, "penalty.summary"), "10"},
		"general penalty": {penalty(`{"fine":5000,"kinds":["fine"]}`, false), "30"},
		"heard penalty":   {penalty(`{"fine":5000,"kinds":["fine"]}`, true), "permanent"},
		"licence revoked": {penalty(`{"kinds":["revoke_licence"]}`, false), "permanent"},
		"confiscation":    {penalty(`{"confiscate":8000}`, false), "permanent"},
		"inspection":      {closedCase(t, l, act.Inspection, ""), "10"},
		"fee":             {closedCase(t, l, act.Fee, ""), "30"},
		"seizure":         {closedCase(t, l, act.Coercion, ""), "30"},
		"licensing":       {closedCase(t, l, act.Licensing, ""), "30"},
		"levy":            {closedCase(t, l, act.Levy, ""), "30"},
	} {
		if got := period(x.id); got != x.want {
			t.Errorf("%s: %q, want %q", name, got, x.want)
		}
	}
	// The final stage's own period wins.
	id := casefiletest.Case(t, l)
	casefiletest.WalkTo(t, l, id, officer, pair, "close")
	if _, err := l.AddStage(ctx, id, officer, casefile.StageBody{Stage: "close", Retention: "permanent"}); err != nil {
		t.Fatal(err)
	}
	if got := period(id); got != "permanent" {
		t.Errorf("close stage set permanent, default %q", got)
	}
}

// In a sealed log, a bundle archived inside the data folder is a sealed
// stream file whose plaintext is the zip the record's SHA-256 and size
// name, and which verifies; one archived outside it (the agency's archive
// store) is a plaintext zip.
func TestArchiveInsideTheDataFolderIsSealed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := casefile.Open(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "ARC2", sealtest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.SetArchiveDir(filepath.Join(dir, "archive"))
	if !l.ArchiveSealed() {
		t.Fatal("an archive inside the data folder of a sealed log is not sealed")
	}
	id := closedCase(t, l, act.Inspection, "")
	r, err := l.Archive(ctx, id, officer, "", map[string][]byte{"casefile.pdf": []byte("%PDF-1.7 王某的案卷")})
	if err != nil {
		t.Fatal(err)
	}
	var a casefile.Archive
	json.Unmarshal(r.Body, &a)
	raw, err := os.ReadFile(filepath.Join(dir, "archive", a.File))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw[:4]) != "SXF1" || bytes.Contains(raw, []byte("PK\x03\x04")) || bytes.Contains(raw, []byte("manifest.json")) {
		t.Fatal("the archived bundle is not sealed")
	}
	f, err := l.OpenArchive(a.File)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zipped, _ := io.ReadAll(f)
	if sum := sha256.Sum256(zipped); hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(zipped)) != a.Size || !bytes.HasPrefix(zipped, []byte("PK")) {
		t.Fatalf("the sealed bundle opens to %d bytes, the record says %d and %s", len(zipped), a.Size, a.SHA256)
	}
	if rep, _, err := casefile.VerifyBundle(f, f.Size(), l.Verifier); err != nil || rep.Case != id {
		t.Fatalf("the sealed bundle: %+v, %v", rep, err)
	}

	// Outside the data folder: plaintext, as the agency's archive keeps it.
	out := filepath.Join(t.TempDir(), "agency")
	l.SetArchiveDir(out)
	if l.ArchiveSealed() {
		t.Fatal("an archive outside the data folder is sealed")
	}
	id2 := closedCase(t, l, act.Inspection, "")
	if _, err := l.Archive(ctx, id2, officer, "", nil); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(filepath.Join(out, id2+".zip")); !bytes.HasPrefix(raw, []byte("PK")) {
		t.Fatal("the agency's archive got a sealed file")
	}
	// Without keys the sealed one does not open.
	nk, err := casefile.OpenExisting(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nk.Close()
	nk.SetArchiveDir(filepath.Join(dir, "archive"))
	if _, err := nk.OpenArchive(a.File); !errors.Is(err, ledger.ErrSealedLog) {
		t.Fatalf("a sealed archive opened without keys: %v", err)
	}
}
