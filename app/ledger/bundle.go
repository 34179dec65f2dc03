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
	"os"
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
			data, err := os.ReadFile(l.media.Path(dg))
			if err != nil {
				return fmt.Errorf("export: media %s: %w", d, err)
			}
			bm := BundleMedia{SHA256: d, File: "media/" + d, Size: int64(len(data))}
			if err := put(bm.File, data); err != nil {
				return err
			}
			m.Media = append(m.Media, bm)
		}
	}
	if err := put("checkpoint", latest.Note); err != nil {
		return err
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

// BundleReport sums up a bundle that verified.
type BundleReport struct {
	Case     string
	Records  int
	Media    int
	TreeSize int64
	Root     Hash
}

// VerifyBundle checks a case bundle with the device's verifier key: the
// checkpoint's signature, every record's inclusion proof to its root, the
// case's records chained with none left out, and every media file's hash.
// Extra files are not covered by the log and are reported as such by callers.
func VerifyBundle(r io.ReaderAt, size int64, verifierKey string) (BundleReport, Manifest, error) {
	var rep BundleReport
	var m Manifest
	z, err := zip.NewReader(r, size)
	if err != nil {
		return rep, m, bad(-1, ErrRecordAltered, "not a readable bundle: %v", err)
	}
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%s is missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	mj, err := read("manifest.json")
	if err != nil || json.Unmarshal(mj, &m) != nil || m.Format != BundleFormat {
		return rep, m, bad(-1, ErrRecordAltered, "the manifest is missing or unreadable")
	}
	cpData, err := read("checkpoint")
	if err != nil {
		return rep, m, bad(-1, ErrBadSignature, "%v", err)
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
		data, err := read(br.File)
		if err != nil {
			return rep, m, bad(br.Seq, ErrRecordMissing, "%v", err)
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
		pdata, err := read(br.Proof)
		if err != nil {
			return rep, m, bad(br.Seq, ErrBadProof, "%v", err)
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
		data, err := read("media/" + d)
		if err != nil {
			return rep, m, bad(needMedia[d], ErrMediaMissing, "%s", d)
		}
		sum := sha256.Sum256(data)
		if !bytes.Equal(sum[:], mustDigest(d)) {
			return rep, m, bad(needMedia[d], ErrMediaAltered, "%s", d)
		}
		rep.Media++
	}
	return rep, m, nil
}

func mustDigest(s string) []byte {
	d, _ := ParseDigest(s)
	return d[:]
}
