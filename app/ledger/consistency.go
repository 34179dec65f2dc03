package ledger

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrInconsistent is a newer checkpoint that does not extend an older one:
// the consistency proof between the two trees fails, or two checkpoints of
// one size sign different roots. A witness refuses it (a split view).
var ErrInconsistent = errors.New("the checkpoint does not extend the tree seen before")

// ProveTree returns the consistency proof that the tree of oldSize records
// is a prefix of the tree of newSize records, both read from hs: what the
// platform sends a witness with a checkpoint (C2SP tlog-witness). The tlog
// numbering stays in this package, the one that speaks tlog.
func ProveTree(hs HashReader, newSize, oldSize int64) ([]Hash, error) {
	p, err := tlog.ProveTree(newSize, oldSize, storeReader{hs})
	if err != nil {
		return nil, fmt.Errorf("prove tree %d extends %d: %w", newSize, oldSize, err)
	}
	out := make([]Hash, len(p))
	for i, h := range p {
		out[i] = Hash(h)
	}
	return out, nil
}

// CheckTree checks a consistency proof: the tree of newSize records whose
// root is newRoot extends the tree of oldSize records whose root is
// oldRoot. Equal sizes must have equal roots. A failure is ErrInconsistent.
func CheckTree(proof []Hash, newSize int64, newRoot Hash, oldSize int64, oldRoot Hash) error {
	p := make(tlog.TreeProof, len(proof))
	for i, h := range proof {
		p[i] = tlog.Hash(h)
	}
	if err := tlog.CheckTree(p, newSize, tlog.Hash(newRoot), oldSize, tlog.Hash(oldRoot)); err != nil {
		return fmt.Errorf("%w: tree %d against tree %d: %v", ErrInconsistent, newSize, oldSize, err)
	}
	return nil
}

// TreeRoot is the root of the tree of size records that hs holds: what a
// checkpoint of that size must sign.
func TreeRoot(hs HashReader, size int64) (Hash, error) {
	return treeRoot(size, storeReader{hs})
}

// ProveTree is the consistency proof from the tree of oldSize records to
// the tree of newSize records of this log: what links a witnessed
// checkpoint to a newer one a bundle's inclusion proofs use.
func (l *Log) ProveTree(ctx context.Context, newSize, oldSize int64) ([]Hash, error) {
	p, err := tlog.ProveTree(newSize, oldSize, hashReader(ctx, l.db))
	if err != nil {
		return nil, fmt.Errorf("prove tree %d extends %d: %w", newSize, oldSize, err)
	}
	out := make([]Hash, len(p))
	for i, h := range p {
		out[i] = Hash(h)
	}
	return out, nil
}
