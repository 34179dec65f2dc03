package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// What Verify can find wrong, each its own error so that a report says why.
var (
	ErrRecordAltered = errors.New("record altered: its bytes no longer match the signed tree")
	ErrRecordMissing = errors.New("records missing")
	ErrReordered     = errors.New("records out of order")
	ErrUnsigned      = errors.New("records not covered by any signed checkpoint")
	ErrBadSignature  = errors.New("checkpoint signature invalid")
	ErrFork          = errors.New("log forked: it disagrees with a checkpoint seen before")
	ErrMediaAltered  = errors.New("media file altered: its SHA-256 differs")
	ErrMediaMissing  = errors.New("media file missing")
)

// VerifyError names the first bad record and why.
type VerifyError struct {
	Seq    int64 // the first record that is wrong; -1 where none can be named
	Reason error
	Detail string
	// Cause is the error beneath Reason, when there is one: seal.ErrCorrupt
	// for a sealed row that does not authenticate.
	Cause error
}

func (e *VerifyError) Error() string {
	if e.Seq < 0 {
		return fmt.Sprintf("%v: %s", e.Reason, e.Detail)
	}
	return fmt.Sprintf("record %d: %v: %s", e.Seq, e.Reason, e.Detail)
}

func (e *VerifyError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Reason, e.Cause}
	}
	return []error{e.Reason}
}

// verifyCodes are the stable codes of what Verify and VerifyBundle find
// wrong, for scripts and translations (verify.err.<code>).
var verifyCodes = map[error]string{
	ErrRecordAltered:  "record_altered",
	ErrRecordMissing:  "record_missing",
	ErrReordered:      "reordered",
	ErrUnsigned:       "unsigned",
	ErrBadSignature:   "bad_signature",
	ErrFork:           "fork",
	ErrMediaAltered:   "media_altered",
	ErrMediaMissing:   "media_missing",
	ErrBadProof:       "bad_proof",
	ErrBundleTooLarge: "bundle_too_large",
}

// Code is the stable code of why verification failed ("failed" for a
// reason without one).
func (e *VerifyError) Code() string {
	if c, ok := verifyCodes[e.Reason]; ok {
		return c
	}
	return "failed"
}

// Keyed words the failure for people (translation verify.err.<code>): the
// record it names, if any, and the detail as found.
func (e *VerifyError) Keyed() (string, map[string]any) {
	rec := ""
	if e.Seq >= 0 {
		rec = fmt.Sprint(e.Seq)
	}
	return "verify.err." + e.Code(), map[string]any{"Record": rec, "Detail": e.Detail}
}

func bad(seq int64, reason error, format string, a ...any) error {
	return &VerifyError{Seq: seq, Reason: reason, Detail: fmt.Sprintf(format, a...)}
}

// Report sums up a log that verified.
type Report struct {
	Records     int64
	Checkpoints int
	Media       int
	Root        Hash
}

// memHashes is a tree's stored hashes, recomputed in memory.
type memHashes []tlog.Hash

func (m *memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		if idx < 0 || idx >= int64(len(*m)) {
			return nil, fmt.Errorf("hash %d not computed", idx)
		}
		out[i] = (*m)[idx]
	}
	return out, nil
}

// Verify checks the whole log against the device key it was opened with
// and against checkpoints seen before (from the platform's receipts or an
// earlier export): every record's bytes, order and columns, the stored
// tree, every checkpoint's signature and root, and every media file.
//
// The key stored in the database is only as trustworthy as the database:
// VerifyWithKey checks against a key from elsewhere.
func (l *Log) Verify(ctx context.Context, seen []Checkpoint) (Report, error) {
	return l.VerifyWithKey(ctx, l.Verifier, seen)
}

// VerifyWithKey is Verify with the device's verifier key given.
func (l *Log) VerifyWithKey(ctx context.Context, verifierKey string, seen []Checkpoint) (Report, error) {
	var rep Report
	tree := &memHashes{}
	rows, err := l.db.QueryContext(ctx, `SELECT seq, case_id, kind, at, author, corrects, data, hashes, checkpoint FROM records ORDER BY seq`)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	var media []mediaRef
	var checkpoints []signedAt
	var n int64
	lastOfCase := map[string]int64{}
	for rows.Next() {
		var seq int64
		var caseID, kind, at, author string
		var corrects *int64
		var data, stored []byte
		var checkpoint *string
		if err := rows.Scan(&seq, &caseID, &kind, &at, &author, &corrects, &data, &stored, &checkpoint); err != nil {
			rows.Close()
			return rep, fmt.Errorf("verify: %w", err)
		}
		if seq != n {
			rows.Close()
			return rep, bad(n, ErrRecordMissing, "the log jumps from record %d to %d", n-1, seq)
		}
		if data, err = l.open(seq, data); err != nil {
			rows.Close()
			// A sealed row that does not open was altered or moved from
			// its place; a log that cannot be opened at all is no verdict.
			if errors.Is(err, seal.ErrCorrupt) || errors.Is(err, seal.ErrNotSealed) {
				return rep, &VerifyError{Seq: seq, Reason: ErrRecordAltered, Detail: err.Error(), Cause: err}
			}
			return rep, fmt.Errorf("verify: %w", err)
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			rows.Close()
			return rep, bad(seq, ErrRecordAltered, "its bytes are not a record: %v", err)
		}
		if r.Seq != seq {
			rows.Close()
			return rep, bad(seq, ErrReordered, "position %d holds the record written as number %d", seq, r.Seq)
		}
		if r.Case != caseID || r.Kind != kind || r.Author != author || r.At.UTC().Format(time.RFC3339Nano) != at ||
			!equalPtr(r.Corrects, corrects) {
			rows.Close()
			return rep, bad(seq, ErrRecordAltered, "its columns differ from its signed bytes")
		}
		prev, ok := lastOfCase[r.Case]
		if !ok {
			prev = -1
		}
		if r.Prev != prev {
			rows.Close()
			return rep, bad(seq, ErrRecordAltered, "it links to record %d as its case's previous one; that is %d", r.Prev, prev)
		}
		lastOfCase[r.Case] = seq
		hs, err := leafHashes(seq, data, tree)
		if err != nil {
			rows.Close()
			return rep, fmt.Errorf("verify: %w", err)
		}
		// The hashes stored with the record must be the ones its bytes make.
		for i, h := range hs {
			if len(stored) < (i+1)*tlog.HashSize || !bytes.Equal(stored[i*tlog.HashSize:(i+1)*tlog.HashSize], h[:]) {
				rows.Close()
				return rep, bad(seq, ErrRecordAltered, "stored tree hash %d (level %d) differs from the record's bytes", i, i)
			}
		}
		if len(stored) != len(hs)*tlog.HashSize {
			rows.Close()
			return rep, bad(seq, ErrRecordAltered, "it stores %d bytes of tree hashes, not %d", len(stored), len(hs)*tlog.HashSize)
		}
		*tree = append(*tree, hs...)
		if checkpoint != nil {
			checkpoints = append(checkpoints, signedAt{seq + 1, *checkpoint})
		}
		for _, m := range r.Media {
			d, err := ParseDigest(m)
			if err != nil {
				rows.Close()
				return rep, bad(seq, ErrRecordAltered, "media reference %q: %v", m, err)
			}
			media = append(media, mediaRef{seq, d})
		}
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	rep.Records = n

	// The media table must say what the signed bytes say.
	if err := l.checkMediaTable(ctx, media); err != nil {
		return rep, err
	}

	// Checkpoints: signed by the device, each the root of the tree of its size.
	var latest int64
	for _, sc := range checkpoints {
		size, msg := sc.size, sc.note
		cp, err := ParseCheckpoint([]byte(msg), verifierKey)
		if err != nil {
			return rep, bad(size-1, ErrBadSignature, "checkpoint of size %d: %v", size, err)
		}
		if cp.Size != size || cp.Origin != l.origin {
			return rep, bad(size-1, ErrBadSignature, "checkpoint filed as size %d says %s size %d", size, cp.Origin, cp.Size)
		}
		root, err := treeRoot(size, tree)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		if root != cp.Root {
			return rep, bad(size-1, ErrRecordAltered, "the checkpoint of size %d signed a different tree", size)
		}
		latest = size
		rep.Checkpoints++
	}
	if latest < n {
		return rep, bad(latest, ErrUnsigned, "the newest checkpoint signs %d of %d records", latest, n)
	}
	if n > 0 {
		if rep.Root, err = treeRoot(n, tree); err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
	}

	// Checkpoints seen before, from outside this database.
	for _, s := range seen {
		cp, err := ParseCheckpoint(s.Note, verifierKey)
		if err != nil {
			return rep, bad(-1, ErrBadSignature, "checkpoint seen before: %v", err)
		}
		if cp.Size > n {
			return rep, bad(n, ErrRecordMissing, "a checkpoint seen before signs %d records; the log has %d", cp.Size, n)
		}
		root, err := treeRoot(cp.Size, tree)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		if root != cp.Root {
			return rep, bad(cp.Size-1, ErrFork, "the log's first %d records are not the ones signed before (the first changed one is at or before this)", cp.Size)
		}
	}

	for _, m := range media {
		if err := l.media.Check(m.digest); err != nil {
			switch {
			case errors.Is(err, ErrMediaMissing):
				return rep, bad(m.seq, ErrMediaMissing, "%s", m.digest)
			case errors.Is(err, ErrMediaAltered):
				return rep, &VerifyError{Seq: m.seq, Reason: ErrMediaAltered, Detail: m.digest.String(), Cause: err}
			}
			// Not a verdict: the file could not be read (a locked vault,
			// a read error).
			return rep, fmt.Errorf("verify: %w", err)
		}
		rep.Media++
	}
	return rep, nil
}

// signedAt is a checkpoint stored with the record that ends its tree.
type signedAt struct {
	size int64
	note string
}

type mediaRef struct {
	seq    int64
	digest Digest
}

func (l *Log) checkMediaTable(ctx context.Context, signed []mediaRef) error {
	rows, err := l.db.QueryContext(ctx, `SELECT seq, sha256 FROM record_media ORDER BY seq, sha256`)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer rows.Close()
	type pair struct {
		seq int64
		sha string
	}
	var table, want []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.seq, &p.sha); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		table = append(table, p)
	}
	for _, s := range signed {
		want = append(want, pair{s.seq, s.digest.String()})
	}
	slices.SortFunc(want, func(a, b pair) int {
		if a.seq != b.seq {
			return int(a.seq - b.seq)
		}
		return bytes.Compare([]byte(a.sha), []byte(b.sha))
	})
	for i := 0; i < len(table) || i < len(want); i++ {
		if i >= len(table) || i >= len(want) || table[i] != want[i] {
			seq := int64(-1)
			if i < len(want) {
				seq = want[i].seq
			} else {
				seq = table[i].seq
			}
			return bad(seq, ErrRecordAltered, "its media list differs from its signed bytes")
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

func equalPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
