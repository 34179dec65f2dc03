package casefile

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// KindArchive is the record that archives a closed case (归档): the case's
// bundle was written to the archive folder, verified, and is named here by
// its file and SHA-256 with the period the archive keeps it. It is the
// case's last record: nothing is appended after it.
const KindArchive = "case.archive"

// Errors of archiving.
var (
	// ErrNotClosed refuses to archive a case whose final stage (结案) is
	// not recorded.
	ErrNotClosed = errors.New("the case is not closed: it is archived after its final stage")
	// ErrArchived refuses any record of an archived case: it is read-only.
	ErrArchived = errors.New("the case is archived and read-only")
	// ErrBadRetention refuses a retention period other than permanent,
	// 30 or 10 years.
	ErrBadRetention = errors.New("the retention period must be permanent, 30 years or 10 years")
	// ErrBadArchive refuses an archive record that does not name the
	// case's bundle as it stands (a record appended after the bundle was
	// written, a malformed body).
	ErrBadArchive = errors.New("the archive record does not match the case's bundle")
	// ErrNoArchiveDir: the log was given no archive folder.
	ErrNoArchiveDir = errors.New("no archive folder is set for this case file")
)

// Retention periods (保管期限) of the archive: permanent, or 30 or 10 years
// (国家档案局令第8号).
const (
	RetentionPermanent = "permanent"
	Retention30        = "30"
	Retention10        = "10"
)

// ValidRetention says whether s is a retention period the archive knows.
func ValidRetention(s string) bool {
	return s == RetentionPermanent || s == Retention30 || s == Retention10
}

// Archive is the body of an archive record.
type Archive struct {
	// Retention is "permanent" or a number of years ("30", "10").
	Retention string `json:"retention"`
	// File is the bundle's name in the archive folder (<case-id>.zip).
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Records is how many of the case's records the bundle holds, LastSeq
	// the last of them (the record before this one), TreeSize the log's
	// size its checkpoint signs.
	Records  int   `json:"records"`
	LastSeq  int64 `json:"last_seq"`
	TreeSize int64 `json:"tree_size"`
}

// SetArchiveDir sets the folder Archive writes bundles to (the device's
// data folder's "archive" by default, see app/device). In a sealed log,
// bundles archived inside the data folder (the database's folder) are
// sealed stream files; a folder outside it, the agency's archive store,
// gets plaintext zips.
func (l *Log) SetArchiveDir(dir string) { l.archiveDir = dir }

// ArchiveSealed says whether Archive seals the bundles it writes: the log
// is sealed and the archive folder is inside the data folder.
func (l *Log) ArchiveSealed() bool {
	if l.archiveDir == "" || l.Media().Keys == nil || !l.IsSealed() {
		return false
	}
	return within(l.dataDir, l.archiveDir)
}

// within says whether dir is base or inside it.
func within(base, dir string) bool {
	b, err1 := filepath.Abs(base)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return true // when in doubt, seal
	}
	if eb, err := filepath.EvalSymlinks(b); err == nil {
		b = eb
	}
	if ed, err := evalExisting(d); err == nil {
		d = ed
	}
	rel, err := filepath.Rel(b, d)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// evalExisting resolves the symbolic links of the longest part of path
// that exists (the archive folder may not be made yet).
func evalExisting(path string) (string, error) {
	rest := ""
	for p := path; ; p = filepath.Dir(p) {
		if e, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(e, rest), nil
		}
		if filepath.Dir(p) == p {
			return path, nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// OpenArchive opens an archived bundle by its file name (Archive.File)
// for reading its plaintext zip, sealed or not.
func (l *Log) OpenArchive(name string) (ledger.MediaFile, error) {
	if l.archiveDir == "" {
		return nil, ErrNoArchiveDir
	}
	if filepath.Base(name) != name {
		return nil, fmt.Errorf("open archive %q: %w: not a file name", name, ErrBadArchive)
	}
	f, err := ledger.OpenFile(filepath.Join(l.archiveDir, name), l.Media().Keys)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", name, err)
	}
	return f, nil
}

// ArchiveDir is the folder Archive writes bundles to, "" if none is set.
func (l *Log) ArchiveDir() string { return l.archiveDir }

// Closed says whether the case's final stage (结案) is recorded.
func (c *Case) Closed() bool {
	f := c.Procedure().final()
	_, done := c.Done[f]
	return f != "" && done
}

// ArchiveOf is the case's archive record and its body, if it was archived.
func ArchiveOf(c *Case) (Archive, Record, bool) {
	for i := len(c.Records) - 1; i >= 0; i-- {
		if r := c.Records[i]; r.Kind == KindArchive {
			var a Archive
			json.Unmarshal(r.Body, &a) // a body that does not read still archives the case
			return a, r, true
		}
	}
	return Archive{}, Record{}, false
}

// Archive archives a closed case (归档): it writes the case's bundle
// (Export, with extra files such as the printed case file) to the archive
// folder as <case-id>.zip — to a temporary file first, verified with the
// device's key, then renamed — and appends the archive record naming it,
// with the retention period ("" takes the default, DefaultRetention).
// From then on the case takes no record. A case not closed is refused
// (ErrNotClosed) before anything is written; any failure leaves neither a
// file nor a record.
func (l *Log) Archive(ctx context.Context, caseID, author, retention string, extra map[string][]byte) (*Record, error) {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", caseID, err)
	}
	if _, _, done := ArchiveOf(c); done {
		return nil, fmt.Errorf("archive %s: %w", caseID, ErrArchived)
	}
	if !c.Closed() {
		return nil, fmt.Errorf("archive %s: %w", caseID, ErrNotClosed)
	}
	if retention == "" {
		retention, _ = DefaultRetention(c)
	}
	if !ValidRetention(retention) {
		return nil, fmt.Errorf("archive %s: %w: %q", caseID, ErrBadRetention, retention)
	}
	if l.archiveDir == "" {
		return nil, fmt.Errorf("archive %s: %w", caseID, ErrNoArchiveDir)
	}
	name := caseID + ".zip"
	if filepath.Base(name) != name || strings.ContainsAny(caseID, `/\:`) || strings.HasPrefix(caseID, ".") {
		return nil, fmt.Errorf("archive %s: %w: the case ID cannot name a file", caseID, ErrBadArchive)
	}
	a, err := l.writeBundle(ctx, c, name, extra)
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", caseID, err)
	}
	a.Retention = retention
	path := filepath.Join(l.archiveDir, name)
	body, err := json.Marshal(a)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("archive %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindArchive, Author: author, Body: body}
	if err := l.add(ctx, r); err != nil {
		// No record: the file it would have named goes too.
		if rerr := os.Remove(path); rerr != nil {
			err = errors.Join(err, fmt.Errorf("remove %s: %w", path, rerr))
		}
		return r, err
	}
	return r, nil
}

// writeBundle writes the case's bundle to the archive folder under name,
// through a temporary file that is verified before it takes the name: a
// sealed stream file when ArchiveSealed, else a plaintext zip. Either way
// the archive record's SHA-256 and size are the plaintext zip's.
func (l *Log) writeBundle(ctx context.Context, c *Case, name string, extra map[string][]byte) (a Archive, err error) {
	dir := l.archiveDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return a, fmt.Errorf("archive folder: %w", err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return a, fmt.Errorf("archive folder: %w", err)
	}
	tmp := filepath.Join(dir, "."+strings.TrimSuffix(name, ".zip")+"-"+hex.EncodeToString(rnd[:])+".tmp")
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp)
		}
	}()
	if err := l.writeBundleFile(ctx, c, tmp, extra); err != nil {
		return a, err
	}
	// Read back from the disk: what is archived is what verifies.
	f, err := ledger.OpenFile(tmp, l.Media().Keys)
	if err != nil {
		return a, fmt.Errorf("read the written bundle: %w", err)
	}
	open := true
	defer func() {
		if open {
			f.Close()
		}
	}()
	rep, m, err := VerifyBundle(f, f.Size(), l.Verifier)
	if err != nil {
		return a, fmt.Errorf("verify the written bundle: %w", err)
	}
	own := 0
	for _, r := range c.Records {
		if r.Device == "" {
			own++
		}
	}
	if rep.Case != c.ID || rep.Records != own || len(m.Records) == 0 {
		return a, fmt.Errorf("%w: the bundle holds %d records of %s, the case %d here", ErrBadArchive, rep.Records, rep.Case, own)
	}
	h := sha256.New()
	size, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, f.Size()), make([]byte, 1<<20))
	if err != nil {
		return a, fmt.Errorf("hash the written bundle: %w", err)
	}
	open = false
	if err := f.Close(); err != nil {
		return a, fmt.Errorf("read the written bundle: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp, path); err != nil {
		return a, fmt.Errorf("write bundle: %w", err)
	}
	renamed = true
	// The rename is on the disk before the record that names it.
	// (Windows refuses to flush a directory handle; NTFS journals the
	// rename itself.)
	if runtime.GOOS != "windows" {
		if d, err := os.Open(dir); err == nil {
			serr := d.Sync()
			d.Close()
			if serr != nil {
				os.Remove(path)
				return a, fmt.Errorf("write bundle: %w", serr)
			}
		}
	}
	return Archive{File: name, SHA256: hex.EncodeToString(h.Sum(nil)), Size: size, Records: rep.Records,
		LastSeq: m.Records[len(m.Records)-1].Seq, TreeSize: rep.TreeSize}, nil
}

// writeBundleFile exports the case into a new file at path, sealed when
// the archive is, and syncs it.
func (l *Log) writeBundleFile(ctx context.Context, c *Case, path string, extra map[string][]byte) error {
	if l.ArchiveSealed() {
		w, err := seal.Create(path, l.Media().Keys, 0)
		if err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
		if err := l.Export(ctx, c.ID, w, extra); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("archive folder: %w", err)
	}
	if err := l.Export(ctx, c.ID, f, extra); err != nil {
		f.Close()
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// checkArchive is the archive's rule on every record about to be
// appended: nothing follows a case's archive record; an archive record
// comes after the final stage and names the bundle of the case as it is.
func (l *Log) checkArchive(ctx context.Context, r *Record) error {
	if r.Case == "" {
		return nil
	}
	kind, held, err := l.LastKind(ctx, r.Case)
	if err != nil {
		return err
	}
	if held && kind == KindArchive {
		return fmt.Errorf("%w: %s", ErrArchived, r.Case)
	}
	if r.Kind != KindArchive {
		return nil
	}
	c, err := l.Case(ctx, r.Case)
	if err != nil {
		return err
	}
	if !c.Closed() {
		return fmt.Errorf("%w: %s", ErrNotClosed, r.Case)
	}
	var a Archive
	if err := json.Unmarshal(r.Body, &a); err != nil {
		return fmt.Errorf("%w: %v", ErrBadArchive, err)
	}
	if !ValidRetention(a.Retention) {
		return fmt.Errorf("%w: %q", ErrBadRetention, a.Retention)
	}
	if _, err := ParseDigest(a.SHA256); err != nil || a.File != r.Case+".zip" {
		return fmt.Errorf("%w: file %q, sha256 %q", ErrBadArchive, a.File, a.SHA256)
	}
	last := int64(-1)
	for _, x := range c.Records {
		if x.Device == "" {
			last = x.Seq
		}
	}
	if a.LastSeq != last {
		return fmt.Errorf("%w: the bundle ends at record %d, the case at %d", ErrBadArchive, a.LastSeq, last)
	}
	return nil
}

// RetentionRule gives a retention period to the cases it fits: of an act
// or a procedure, with any of the stages done, or any of the kinds of
// decision decided. Empty fields fit every case.
type RetentionRule struct {
	Act       act.Kind `json:"act,omitempty"`
	Procedure string   `json:"procedure,omitempty"`
	Stages    []string `json:"stages,omitempty"`
	Kinds     []string `json:"kinds,omitempty"`
	Retention string   `json:"retention"`
	Why       string   `json:"why"`
}

// RetentionRules are the archive's default periods (assets/procedures/
// retention.json): the first rule that fits a case gives its period.
type RetentionRules struct {
	Basis   string          `json:"basis"`
	Default string          `json:"default"`
	Rules   []RetentionRule `json:"rules"`
}

// ParseRetention reads retention rules, refusing a period the archive
// does not know.
func ParseRetention(data []byte) (RetentionRules, error) {
	var rr RetentionRules
	if err := json.Unmarshal(data, &rr); err != nil {
		return rr, fmt.Errorf("retention rules: %w", err)
	}
	if !ValidRetention(rr.Default) {
		return rr, fmt.Errorf("retention rules: default: %w: %q", ErrBadRetention, rr.Default)
	}
	for i, r := range rr.Rules {
		if !ValidRetention(r.Retention) {
			return rr, fmt.Errorf("retention rules: rule %d: %w: %q", i+1, ErrBadRetention, r.Retention)
		}
		if r.Act != "" && !r.Act.Valid() {
			return rr, fmt.Errorf("retention rules: rule %d: unknown act %q", i+1, r.Act)
		}
	}
	return rr, nil
}

var retention = sync.OnceValues(func() (RetentionRules, error) { return ParseRetention(assets.Retention) })

// Retentions are the bundled retention rules. It panics if the bundled
// file does not read, which a test catches.
func Retentions() RetentionRules {
	rr, err := retention()
	if err != nil {
		panic(err)
	}
	return rr
}

// For is the retention period of a case and why: the first rule that fits.
func (rr RetentionRules) For(c *Case) (period, why string) {
	p := c.Procedure()
	kinds := decidedKinds(c)
	for _, r := range rr.Rules {
		if r.Act != "" && r.Act != c.Opening.Act || r.Procedure != "" && r.Procedure != p.ID {
			continue
		}
		if len(r.Stages) > 0 && !slices.ContainsFunc(r.Stages, func(s string) bool { _, ok := c.Done[s]; return ok }) {
			continue
		}
		if len(r.Kinds) > 0 && !slices.ContainsFunc(r.Kinds, func(k string) bool { return slices.Contains(kinds, k) }) {
			continue
		}
		return r.Retention, r.Why
	}
	return rr.Default, ""
}

// DefaultRetention is the period a case is archived for unless the
// officer names another: the one its final stage's record set, else the
// bundled rules'.
func DefaultRetention(c *Case) (period, why string) {
	if f := c.Procedure().final(); f != "" {
		var s StageBody
		if r, ok := c.Done[f]; ok && json.Unmarshal(r.Body, &s) == nil && ValidRetention(s.Retention) {
			return s.Retention, ""
		}
	}
	return Retentions().For(c)
}

// decidedKinds lists the kinds of decision the case's decision stages
// decided (a fine and a confiscation count as their kinds).
func decidedKinds(c *Case) []string {
	var out []string
	p := c.Procedure()
	for _, st := range p.Stages {
		r, ok := c.Done[st.Key]
		if !ok || !st.Decision {
			continue
		}
		var s StageBody
		if json.Unmarshal(r.Body, &s) != nil || len(s.Decision) == 0 {
			continue
		}
		var d decisionTerms
		if json.Unmarshal(s.Decision, &d) != nil {
			continue
		}
		out = append(out, d.Kinds...)
		if d.Fine > 0 {
			out = append(out, "fine")
		}
		if d.Confiscate > 0 {
			out = append(out, "confiscate")
		}
	}
	return out
}
