package ledger

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// memStore is a copy's tree in memory, as a HashStore.
type memStore map[int64]Hash

func (m memStore) ReadHashes(indexes []int64) ([]Hash, error) {
	out := make([]Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := m[idx]
		if !ok {
			return nil, fmt.Errorf("hash %d not stored", idx)
		}
		out[i] = h
	}
	return out, nil
}

func (m memStore) WriteHashes(start int64, hs []Hash) error {
	for i, h := range hs {
		m[start+int64(i)] = h
	}
	return nil
}

// A copy fed in batches ends with the tree the device signed; a gap, a
// checkpoint beyond the records and a rewritten history are each refused.
func TestVerifyBatch(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 11)
	recs, cp, err := f.log.Since(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	copyOf := memStore{}
	root, err := VerifyBatch(copyOf, 0, recs[:4], Checkpoint{Size: 3, Root: mustCheckpointAt(t, f, 3).Root})
	if err != nil {
		t.Fatalf("first batch: %v", err)
	}
	if root != mustCheckpointAt(t, f, 3).Root {
		t.Fatal("first batch: another root")
	}
	if root, err = VerifyBatch(copyOf, 4, recs[4:], cp); err != nil || root != cp.Root {
		t.Fatalf("second batch: %v", err)
	}

	var ve *VerifyError
	_, err = VerifyBatch(memStore{}, 0, append(append([]RawRecord{}, recs[:2]...), recs[3:]...), cp)
	if !errors.Is(err, ErrRecordMissing) || !errors.As(err, &ve) || ve.Seq != 2 {
		t.Fatalf("gap: %v", err)
	}
	if _, err = VerifyBatch(memStore{}, 0, recs[:5], cp); !errors.Is(err, ErrRecordMissing) {
		t.Fatalf("checkpoint beyond the records: %v", err)
	}
	forged := append([]RawRecord{}, recs...)
	forged[7] = RawRecord{Seq: 7, Data: append([]byte(nil), recs[7].Data...)}
	forged[7].Data[len(forged[7].Data)-2] ^= 1
	if _, err = VerifyBatch(memStore{}, 0, forged, cp); !errors.Is(err, ErrFork) {
		t.Fatalf("rewritten record: %v", err)
	}
}

func mustCheckpointAt(t *testing.T, f *fixture, size int64) Checkpoint {
	t.Helper()
	cp, err := f.log.CheckpointAt(context.Background(), size)
	if err != nil || cp.Size != size {
		t.Fatalf("checkpoint at %d: %+v %v", size, cp, err)
	}
	return cp
}

// BeforeAppend sees every record of a batch, filled in, before anything is
// written; a refusal leaves the log as it was.
func TestBeforeAppendRefusesTheWholeBatch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	no := errors.New("no")
	var seen []string
	l, err := Open(ctx, filepath.Join(dir, "l.db"), filepath.Join(dir, "m"), "hook", Options{BeforeAppend: func(_ context.Context, r *Record) error {
		if r.At.IsZero() || r.Body == nil {
			t.Errorf("record %s not filled in", r.Kind)
		}
		seen = append(seen, r.Kind)
		if r.Kind == "refused" {
			return no
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = l.AppendBatch(ctx, []*Record{{Case: "C", Kind: "ok", Author: "a"}, {Case: "C", Kind: "refused", Author: "a"}})
	if !errors.Is(err, no) || len(seen) != 2 {
		t.Fatalf("err %v, hook saw %v", err, seen)
	}
	if recs, _ := l.Records(ctx, ""); len(recs) != 0 {
		t.Fatalf("%d records written", len(recs))
	}
	if err := l.Append(ctx, &Record{Case: "C", Kind: "ok", Author: "a"}); err != nil {
		t.Fatal(err)
	}
}
