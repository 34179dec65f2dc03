package ledger

import (
	"encoding/base64"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// HashSize is the size of a tree hash in bytes.
const HashSize = tlog.HashSize

// Hash is a hash of the log's Merkle tree: a leaf, a subtree or a root
// (SHA-256, RFC 6962). Its text form is standard base64, as in a
// checkpoint's root line.
type Hash [HashSize]byte

// String is the hash in base64, as tlog writes it.
func (h Hash) String() string { return base64.StdEncoding.EncodeToString(h[:]) }

// MarshalText writes the hash as String does.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads a hash as ParseHash does.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash reads a hash in base64.
func ParseHash(s string) (Hash, error) {
	h, err := tlog.ParseHash(s)
	if err != nil {
		return Hash{}, fmt.Errorf("parse hash %q: %w", s, err)
	}
	return Hash(h), nil
}

// RecordHash is the leaf hash of a record's bytes.
func RecordHash(data []byte) Hash { return Hash(tlog.RecordHash(data)) }

// Proof is an inclusion proof of a record in a tree of some size.
type Proof []Hash

func proofOf(p tlog.RecordProof) Proof {
	out := make(Proof, len(p))
	for i, h := range p {
		out[i] = Hash(h)
	}
	return out
}

func (p Proof) asTlog() tlog.RecordProof {
	out := make(tlog.RecordProof, len(p))
	for i, h := range p {
		out[i] = tlog.Hash(h)
	}
	return out
}

// CheckRecord checks that the record whose leaf hash is leaf is record seq
// of the tree of the given size and root.
func CheckRecord(p Proof, size int64, root Hash, seq int64, leaf Hash) error {
	if err := tlog.CheckRecord(p.asTlog(), size, tlog.Hash(root), seq, tlog.Hash(leaf)); err != nil {
		return fmt.Errorf("%w: record %d in tree %d: %v", ErrBadProof, seq, size, err)
	}
	return nil
}

// HashStore keeps a copy of a log's tree: the hashes of every complete
// subtree, numbered as tlog stores them. The platform keeps one per device
// in its database; VerifyBatch reads and extends it.
type HashStore interface {
	// ReadHashes returns the hashes with the given indexes, in order.
	ReadHashes(indexes []int64) ([]Hash, error)
	// WriteHashes stores hashes under the indexes from start on.
	WriteHashes(start int64, hashes []Hash) error
}

// HashReader reads stored tree hashes: the reading half of a HashStore,
// all a consistency proof needs (ProveTree).
type HashReader interface {
	ReadHashes(indexes []int64) ([]Hash, error)
}

// storeReader reads a HashStore as tlog does.
type storeReader struct{ hs HashReader }

func (r storeReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	hs, err := r.hs.ReadHashes(indexes)
	if err != nil {
		return nil, err
	}
	if len(hs) != len(indexes) {
		return nil, fmt.Errorf("read hashes: %d for %d indexes", len(hs), len(indexes))
	}
	out := make([]tlog.Hash, len(hs))
	for i, h := range hs {
		out[i] = tlog.Hash(h)
	}
	return out, nil
}

// leafHashes are the tree hashes record seq, whose bytes are data, adds to
// the tree of seq records that r reads: its leaf hash first, then each
// subtree it completes. Appending, verifying a whole log and verifying a
// pushed batch all hash a record with this one function.
func leafHashes(seq int64, data []byte, r tlog.HashReader) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashes(seq, data, r)
	if err != nil {
		return nil, fmt.Errorf("tree hashes of record %d: %w", seq, err)
	}
	return hs, nil
}

// treeRoot is the root of the tree of size records that r reads. Every
// check of a checkpoint against a tree goes through it.
func treeRoot(size int64, r tlog.HashReader) (Hash, error) {
	root, err := tlog.TreeHash(size, r)
	if err != nil {
		return Hash{}, fmt.Errorf("root of tree %d: %w", size, err)
	}
	return Hash(root), nil
}

// VerifyBatch adds records pushed to a copy of a log to that copy's tree
// and checks the checkpoint the device sent with them, whose signature the
// caller has checked (ParseCheckpoint). The copy holds size records, whose
// tree hs keeps; records must be numbered on from size with no gap. Their
// tree hashes are written to hs, and the checkpoint must sign no more
// records than the copy then holds and be the root of the tree of its
// size. It returns that root. Errors are *VerifyError: ErrRecordMissing for
// a gap or a checkpoint beyond the records, ErrFork for another root (with
// the earlier records held, the device's history was rewritten).
func VerifyBatch(hs HashStore, size int64, records []RawRecord, cp Checkpoint) (Hash, error) {
	r := storeReader{hs}
	for _, rec := range records {
		if rec.Seq != size {
			return Hash{}, bad(size, ErrRecordMissing, "record %d follows %d", rec.Seq, size-1)
		}
		leaf, err := leafHashes(rec.Seq, rec.Data, r)
		if err != nil {
			return Hash{}, fmt.Errorf("verify batch: %w", err)
		}
		out := make([]Hash, len(leaf))
		for i, h := range leaf {
			out[i] = Hash(h)
		}
		if err := hs.WriteHashes(tlog.StoredHashIndex(0, rec.Seq), out); err != nil {
			return Hash{}, fmt.Errorf("verify batch: store hashes of record %d: %w", rec.Seq, err)
		}
		size++
	}
	if cp.Size > size {
		return Hash{}, bad(size, ErrRecordMissing, "the checkpoint signs %d records; %d are here", cp.Size, size)
	}
	root, err := treeRoot(cp.Size, r)
	if err != nil {
		return Hash{}, fmt.Errorf("verify batch: %w", err)
	}
	if root != cp.Root {
		return Hash{}, bad(cp.Size-1, ErrFork, "the checkpoint of size %d signs another tree", cp.Size)
	}
	return root, nil
}

// FirstHashIndex is where the stored hashes that come with record n begin
// in a log's tree (its leaf's hash; the interior hashes it completes
// follow): for programs that copy a log's tree, as the platform's
// benchmarks do, without reading tlog's numbering themselves.
func FirstHashIndex(n int64) int64 { return tlog.StoredHashIndex(0, n) }
