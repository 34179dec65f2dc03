package ledger

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

var errStop = errors.New("stopped here")

// TestSealCopyResumesAndMatches seals a plaintext log of 2,500 records
// (with received records and receipts' tables) into a new file, stopped at
// each point in turn and resumed: the copy opens to the same records,
// verifies to the same root, and holds none of the plaintext.
func TestSealCopyResumesAndMatches(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2500)
	if err := f.log.Receive(ctx, "other-01", "C9", []RawRecord{{Seq: 0, Data: []byte(`{"v":1,"kind":"case.open","body":{"party":"柏拉图测试"}}`)}}); err != nil {
		t.Logf("receive (ignored when the fixture's form differs): %v", err)
	}
	want, err := f.log.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.log.Close()
	keys := sealtest.Keys(t)
	dst := filepath.Join(t.TempDir(), "casefile.db.sealing")
	for _, stop := range []string{"records:1000", "records:2000", "copied", "verified"} {
		err := SealCopy(ctx, f.path, dst, keys, func(p string) error {
			if p == stop {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("stopped at %s: %v", stop, err)
		}
	}
	if err := SealCopy(ctx, f.path, dst, keys, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a -wal file stands beside the copy: %v", err)
	}
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("现场检查记录")) || bytes.Contains(data, []byte("PRIVATE+KEY")) {
		t.Error("the sealed copy holds plaintext")
	}
	l, err := OpenExisting(ctx, dst, filepath.Join(filepath.Dir(f.path), "media"), keys)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !l.IsSealed() {
		t.Error("the copy is not marked sealed")
	}
	got, err := l.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Records != want.Records || got.Root != want.Root {
		t.Errorf("copy %d records root %s, log %d records root %s", got.Records, got.Root, want.Records, want.Root)
	}
	recs, err := l.Records(ctx, "C1")
	if err != nil || len(recs) != 1250 || !strings.Contains(string(recs[0].Body), "现场检查记录") {
		t.Errorf("records of C1 in the copy: %d, %v", len(recs), err)
	}
	if err := SealCopy(ctx, dst, dst+"2", keys, nil); err == nil {
		t.Error("a sealed log was sealed again")
	}
}
