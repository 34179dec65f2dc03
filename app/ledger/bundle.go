package ledger

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// BundleFormat names the layout of an exported bundle. A bundle holds the
// records filed under one Case key; the name is the format's, kept as
// bundles were first written.
const BundleFormat = "sanxiang-case-bundle/1"

// ErrBadProof is returned when a bundled record's inclusion proof does not
// lead to the signed root.
var ErrBadProof = errors.New("inclusion proof does not match the signed tree")

// ErrNoRecords is returned by Export for a key no signed record is filed
// under.
var ErrNoRecords = errors.New("no signed records under this key")

// Manifest is a bundle's table of contents.
type Manifest struct {
	Format     string         `json:"format"`
	Case       string         `json:"case"`
	Origin     string         `json:"origin"`
	Verifier   string         `json:"verifier"` // for reading; a verifier must get the key elsewhere
	TreeSize   int64          `json:"tree_size"`
	ExportedAt time.Time      `json:"exported_at"`
	Records    []BundleRecord `json:"records"`
	Media      []BundleMedia  `json:"media"`
	Extra      []string       `json:"extra,omitempty"` // other files, such as the PDF case file
}

// BundleRecord points at one record's bytes and proof in the bundle.
type BundleRecord struct {
	Seq   int64  `json:"seq"`
	File  string `json:"file"`
	Proof string `json:"proof"`
}

// BundleMedia points at one media file in the bundle.
type BundleMedia struct {
	SHA256 string `json:"sha256"`
	File   string `json:"file"`
	Size   int64  `json:"size"`
}

// Export writes the records filed under caseID as a zip bundle to w: every
// record's exact bytes,
// each with its inclusion proof in the tree of the newest checkpoint, that
// checkpoint, the media files, and any extra files (name → content) such as
// the printable case file. VerifyBundle checks it with nothing else but the
// device's public key.
func (l *Log) Export(ctx context.Context, caseID string, w io.Writer, extra map[string][]byte) error {
	latest, err := l.Latest(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT seq, data FROM records WHERE case_id = ? AND seq < ? ORDER BY seq`, caseID, latest.Size)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	type rec struct {
		seq  int64
		data []byte
	}
	var recs []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.seq, &r.data); err != nil {
			rows.Close()
			return fmt.Errorf("export: %w", err)
		}
		// A bundle is plaintext, for courts: sealed rows are opened.
		if r.data, err = l.open(r.seq, r.data); err != nil {
			rows.Close()
			return fmt.Errorf("export: %w", err)
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(recs) == 0 {
		return fmt.Errorf("%w: %s", ErrNoRecords, caseID)
	}
	z := zip.NewWriter(w)
	m := Manifest{Format: BundleFormat, Case: caseID, Origin: l.origin, Verifier: l.Verifier, TreeSize: latest.Size,
		ExportedAt: l.now().UTC().Truncate(time.Second)}
	put := func(name string, data []byte) error {
		f, err := z.Create(name)
		if err != nil {
			return fmt.Errorf("export: %s: %w", name, err)
		}
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("export: %s: %w", name, err)
		}
		return nil
	}
	mediaSeen := map[string]bool{}
	for _, r := range recs {
		proof, err := l.Prove(ctx, r.seq, latest.Size)
		if err != nil {
			return fmt.Errorf("export: proof of record %d: %w", r.seq, err)
		}
		br := BundleRecord{Seq: r.seq, File: fmt.Sprintf("records/%08d.json", r.seq), Proof: fmt.Sprintf("proofs/%08d.txt", r.seq)}
		if err := put(br.File, r.data); err != nil {
			return err
		}
		var pb strings.Builder
		for _, h := range proof {
			pb.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
		}
		if err := put(br.Proof, []byte(pb.String())); err != nil {
			return err
		}
		m.Records = append(m.Records, br)
		var parsed Record
		if err := json.Unmarshal(r.data, &parsed); err != nil {
			return fmt.Errorf("export: record %d: %w", r.seq, err)
		}
		for _, d := range parsed.Media {
			if mediaSeen[d] {
				continue
			}
			mediaSeen[d] = true
			dg, err := ParseDigest(d)
			if err != nil {
				return fmt.Errorf("export: record %d: %w", r.seq, err)
			}
			bm := BundleMedia{SHA256: d, File: "media/" + d}
			if bm.Size, err = putMedia(z, bm.File, l.media, dg); err != nil {
				return fmt.Errorf("export: media %s: %w", d, err)
			}
			m.Media = append(m.Media, bm)
		}
	}
	if err := put("checkpoint", latest.Note); err != nil {
		return err
	}
	// The log's time-stamp tokens, each with the exact bytes it stamps
	// (issue 25): a court checks them with the authority's roots.
	stamps, err := l.Timestamps(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(stamps) > 0 {
		all := make(map[string][]byte, len(extra)+2*len(stamps))
		for name, b := range extra {
			all[name] = b
		}
		for _, t := range stamps {
			all[t.Name()+".tsr"], all[t.Name()+".txt"] = t.Token, t.Data
		}
		extra = all
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := put(name, extra[name]); err != nil {
			return err
		}
		m.Extra = append(m.Extra, name)
	}
	mj, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	if err := put("manifest.json", mj); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// putMedia copies a media file's plaintext into the bundle, stored (photos,
// video and speech do not deflate, and a recording stays out of memory),
// saying how many bytes it holds. A sealed file is opened as it is read.
func putMedia(z *zip.Writer, name string, m *MediaStore, d Digest) (int64, error) {
	f, err := m.Open(d)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		return 0, err
	}
	return io.Copy(w, f)
}

// BundleReport sums up a bundle that verified.
type BundleReport struct {
	Case     string
	Records  int
	Media    int
	TreeSize int64
	Root     Hash
}

// ErrBundleTooLarge is returned by VerifyBundle for a bundle whose
// entries would expand beyond BundleLimits: a zip bomb, an entry whose
// header lies about its size, or simply more than a case bundle holds.
// Nothing beyond the limits is read.
var ErrBundleTooLarge = errors.New("bundle too large: an entry expands beyond the verifier's limits")

// BundleLimits bound what VerifyBundle reads. Entries are streamed: the
// manifest, checkpoint, records and proofs are read into memory up to
// MaxEntry each, media files only pass through SHA-256, so memory stays
// bounded whatever the bundle claims.
type BundleLimits struct {
	// MaxEntries is the most entries a bundle may hold.
	MaxEntries int
	// MaxEntry is the largest entry read into memory (manifest, checkpoint,
	// record, proof).
	MaxEntry int64
	// MaxMedia is the largest media file (the platform's largest upload).
	MaxMedia int64
	// MaxTotal is the most bytes all entries read may expand to.
	MaxTotal int64
	// MaxRatio is how many times its compressed size an entry of more than
	// RatioFloor bytes may expand to. Deflate reaches about 1030:1 on
	// zeros; evidence (photos, video, speech) and JSON stay far below 100:1.
	MaxRatio   int64
	RatioFloor int64
}

// DefaultBundleLimits are the limits VerifyBundle applies.
var DefaultBundleLimits = BundleLimits{
	MaxEntries: 100_000,
	MaxEntry:   16 << 20,
	MaxMedia:   4 << 30,
	MaxTotal:   64 << 30,
	MaxRatio:   100,
	RatioFloor: 1 << 20,
}

// bundleFiles reads a bundle's entries by name within its limits, counting
// what it has read against MaxTotal.
type bundleFiles struct {
	files map[string]*zip.File
	lim   BundleLimits
	total int64
}

func openBundle(r io.ReaderAt, size int64, lim BundleLimits) (*bundleFiles, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, bad(-1, ErrRecordAltered, "not a readable bundle: %v", err)
	}
	if len(z.File) > lim.MaxEntries {
		return nil, bad(-1, ErrBundleTooLarge, "%d entries, more than %d", len(z.File), lim.MaxEntries)
	}
	b := &bundleFiles{files: make(map[string]*zip.File, len(z.File)), lim: lim}
	for _, f := range z.File {
		if _, dup := b.files[f.Name]; dup {
			return nil, bad(-1, ErrRecordAltered, "two entries are named %s", f.Name)
		}
		b.files[f.Name] = f
	}
	return b, nil
}

// errNoEntry is a named entry the bundle does not hold; callers say which
// kind of file is missing.
var errNoEntry = errors.New("not in the bundle")

// stream copies the entry name to w, refusing (ErrBundleTooLarge) an entry
// that says or turns out to be larger than limit, expands more than the
// ratio allows, or would take the bundle past MaxTotal.
func (b *bundleFiles) stream(name string, limit int64, w io.Writer) error {
	f, ok := b.files[name]
	if !ok {
		return fmt.Errorf("%s: %w", name, errNoEntry)
	}
	size := f.UncompressedSize64
	switch {
	case size > uint64(limit):
		return bad(-1, ErrBundleTooLarge, "%s says it holds %d bytes, more than %d", name, size, limit)
	case size > uint64(b.lim.MaxTotal-b.total):
		return bad(-1, ErrBundleTooLarge, "%s would take the bundle past %d bytes", name, b.lim.MaxTotal)
	case f.Method != zip.Store && size > uint64(b.lim.RatioFloor) && size/max(f.CompressedSize64, 1) > uint64(b.lim.MaxRatio):
		return bad(-1, ErrBundleTooLarge, "%s expands %d bytes to %d", name, f.CompressedSize64, size)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	// archive/zip refuses to read past the size the header gave: once the
	// entry is open, its ErrFormat says exactly that. The limit makes it
	// hold whatever reader sits below.
	n, err := io.Copy(w, io.LimitReader(rc, int64(size)+1))
	b.total += n
	switch {
	case n > int64(size) || errors.Is(err, zip.ErrFormat):
		return bad(-1, ErrBundleTooLarge, "%s holds more than the %d bytes its header says", name, size)
	case err != nil:
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// read reads a small entry (manifest, checkpoint, record, proof) whole.
func (b *bundleFiles) read(name string) ([]byte, error) {
	var buf bytes.Buffer
	if f, ok := b.files[name]; ok && f.UncompressedSize64 <= uint64(b.lim.MaxEntry) {
		buf.Grow(int(f.UncompressedSize64))
	}
	if err := b.stream(name, b.lim.MaxEntry, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// VerifyBundle checks a case bundle with the device's verifier key: the
// checkpoint's signature, every record's inclusion proof to its root, the
// case's records chained with none left out, and every media file's hash.
// Extra files are not covered by the log and are reported as such by callers.
// It reads within DefaultBundleLimits: a zip bomb is refused
// (ErrBundleTooLarge) in bounded memory.
func VerifyBundle(r io.ReaderAt, size int64, verifierKey string) (BundleReport, Manifest, error) {
	return VerifyBundleWithin(r, size, verifierKey, DefaultBundleLimits)
}

// VerifyBundleWithin is VerifyBundle within other limits.
func VerifyBundleWithin(r io.ReaderAt, size int64, verifierKey string, lim BundleLimits) (BundleReport, Manifest, error) {
	var rep BundleReport
	var m Manifest
	files, err := openBundle(r, size, lim)
	if err != nil {
		return rep, m, err
	}
	tooLarge := func(err error) bool { return errors.Is(err, ErrBundleTooLarge) }
	// entryErr words an entry that could not be read: too large as it is,
	// missing or unreadable as the kind of file it is.
	entryErr := func(err error, seq int64, missing, altered error) error {
		switch {
		case tooLarge(err):
			return withSeq(err, seq)
		case errors.Is(err, errNoEntry):
			return bad(seq, missing, "%v", err)
		}
		return bad(seq, altered, "%v", err)
	}
	mj, err := files.read("manifest.json")
	if tooLarge(err) {
		return rep, m, err
	}
	if err != nil || json.Unmarshal(mj, &m) != nil || m.Format != BundleFormat {
		return rep, m, bad(-1, ErrRecordAltered, "the manifest is missing or unreadable")
	}
	cpData, err := files.read("checkpoint")
	if err != nil {
		return rep, m, entryErr(err, -1, ErrBadSignature, ErrBadSignature)
	}
	cp, err := ParseCheckpoint(cpData, verifierKey)
	if err != nil {
		return rep, m, bad(-1, ErrBadSignature, "%v", err)
	}
	if cp.Origin != m.Origin || cp.Size != m.TreeSize {
		return rep, m, bad(-1, ErrBadSignature, "the manifest names %s size %d, the checkpoint %s size %d", m.Origin, m.TreeSize, cp.Origin, cp.Size)
	}
	rep.Case, rep.TreeSize, rep.Root = m.Case, cp.Size, cp.Root
	prev := int64(-1)
	needMedia := map[string]int64{}
	for i, br := range m.Records {
		data, err := files.read(br.File)
		if err != nil {
			return rep, m, entryErr(err, br.Seq, ErrRecordMissing, ErrRecordAltered)
		}
		var rec Record
		if err := json.Unmarshal(data, &rec); err != nil {
			return rep, m, bad(br.Seq, ErrRecordAltered, "its bytes are not a record: %v", err)
		}
		if rec.Seq != br.Seq || rec.Case != m.Case {
			return rep, m, bad(br.Seq, ErrRecordAltered, "the file holds record %d of case %s", rec.Seq, rec.Case)
		}
		if rec.Prev != prev {
			if i == 0 {
				return rep, m, bad(br.Seq, ErrRecordMissing, "the case's records before %d are not in the bundle", rec.Prev)
			}
			return rep, m, bad(br.Seq, ErrRecordMissing, "record %d of the case is not in the bundle", rec.Prev)
		}
		prev = rec.Seq
		pdata, err := files.read(br.Proof)
		if err != nil {
			return rep, m, entryErr(err, br.Seq, ErrBadProof, ErrBadProof)
		}
		var proof tlog.RecordProof
		for _, line := range strings.Fields(string(pdata)) {
			raw, err := base64.StdEncoding.DecodeString(line)
			if err != nil || len(raw) != tlog.HashSize {
				return rep, m, bad(br.Seq, ErrBadProof, "a proof hash is malformed")
			}
			var h tlog.Hash
			copy(h[:], raw)
			proof = append(proof, h)
		}
		if err := tlog.CheckRecord(proof, cp.Size, tlog.Hash(cp.Root), rec.Seq, tlog.RecordHash(data)); err != nil {
			return rep, m, bad(br.Seq, ErrBadProof, "%v", err)
		}
		for _, d := range rec.Media {
			if _, ok := needMedia[d]; !ok {
				needMedia[d] = rec.Seq
			}
		}
		rep.Records++
	}
	if rep.Records == 0 {
		return rep, m, bad(-1, ErrRecordMissing, "the bundle holds no records")
	}
	digests := make([]string, 0, len(needMedia))
	for d := range needMedia {
		digests = append(digests, d)
	}
	sort.Strings(digests)
	for _, d := range digests {
		h := sha256.New()
		if err := files.stream("media/"+d, lim.MaxMedia, h); err != nil {
			return rep, m, entryErr(err, needMedia[d], ErrMediaMissing, ErrMediaAltered)
		}
		if !bytes.Equal(h.Sum(nil), mustDigest(d)) {
			return rep, m, bad(needMedia[d], ErrMediaAltered, "%s", d)
		}
		rep.Media++
	}
	return rep, m, nil
}

// withSeq names the record an entry belongs to in a VerifyError.
func withSeq(err error, seq int64) error {
	var ve *VerifyError
	if errors.As(err, &ve) && ve.Seq < 0 {
		c := *ve
		c.Seq = seq
		return &c
	}
	return err
}

func mustDigest(s string) []byte {
	d, _ := ParseDigest(s)
	return d[:]
}
