package bundlecheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// plainBundle is a bundle of case C1 of a fresh log: four notes, one with
// a photo, no witness files, no tokens. It returns the bundle and the key.
func plainBundle(t testing.TB) ([]byte, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	l, err := ledger.Open(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "verdict-01", ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l.SetClock(func() time.Time { at = at.Add(time.Minute); return at })
	for i := range 4 {
		r := &ledger.Record{Case: "C1", Kind: "note", Author: "990101000001", Body: json.RawMessage(fmt.Sprintf(`{"text": "现场检查记录 %d"}`, i))}
		if i == 2 {
			d, _, err := l.Media().Put(strings.NewReader("现场照片"))
			if err != nil {
				t.Fatal(err)
			}
			r.Media = []string{d.String()}
		}
		if err := l.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := l.Export(ctx, "C1", &b, map[string][]byte{"casefile.pdf": []byte("%PDF-1.7")}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), l.Verifier
}

// checkShape holds for every report: each check has a code, a key, at
// least one factor of the four, ok only when it passed, and the report is
// ok exactly when no check failed; the factors come in order.
func checkShape(t *testing.T, rep Report) {
	t.Helper()
	failed, last := false, 0
	for _, c := range rep.Checks {
		if c.Code == "" || c.Key == "" || len(c.Factors) == 0 || c.Detail == nil || c.OK != (c.Status == Pass) {
			t.Fatalf("malformed check %+v", c)
		}
		for _, f := range c.Factors {
			if f < FactorPlatform || f > FactorProcess {
				t.Fatalf("check %s bears on factor %d", c.Code, f)
			}
		}
		if c.Factors[0] < last {
			t.Fatalf("check %s out of the factors' order", c.Code)
		}
		last = c.Factors[0]
		failed = failed || c.Status == Fail
	}
	if rep.OK == failed {
		t.Fatalf("report ok %v with a failed check %v", rep.OK, failed)
	}
}

func TestVerdictPlainBundle(t *testing.T) {
	b, key := plainBundle(t)
	rep, err := Verify(bytes.NewReader(b), int64(len(b)), Inputs{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, rep)
	want := map[string]Status{"platform_registration": NotChecked, "device_key": Pass, "device_signature": Pass, "records": Pass,
		"system_standards": NotChecked, "media": Pass, "witness_cosignatures": NotChecked, "witness_consistency": NotChecked,
		"timestamps": NotChecked, "extra_files": NotChecked}
	for code, st := range want {
		if c := rep.Find(code); c == nil || c.Status != st {
			t.Errorf("%s: %+v, want %s", code, c, st)
		}
	}
	if !rep.OK || len(rep.Checks) != len(want) {
		t.Errorf("%d checks, ok %v", len(rep.Checks), rep.OK)
	}
	// Another device's key: the signature fails, and what depends on it
	// is not reached rather than passed.
	_, other := plainBundle(t)
	rep, _ = Verify(bytes.NewReader(b), int64(len(b)), Inputs{Key: other})
	checkShape(t, rep)
	if c := rep.Find("device_signature"); rep.OK || c.Status != Fail || c.Error != "bad_signature" {
		t.Errorf("another key: %+v", c)
	}
	if c := rep.Find("records"); c.Status != NotChecked || c.Error != "not_reached" {
		t.Errorf("records after a bad signature: %+v", c)
	}
}

// FuzzVerify: whatever the bytes, Verify neither panics nor hangs; it
// either refuses them as unreadable or reports well-formed checks (a
// report that is ok exactly when no check failed), within small limits.
func FuzzVerify(f *testing.F) {
	b, key := plainBundle(f)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	mid := bytes.Clone(b)
	mid[len(mid)/3] ^= 0xff
	f.Add(mid)
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(bytes.NewReader(data), int64(len(data)), Inputs{Key: key, Limits: ledger.BundleLimits{
			MaxEntries: 1000, MaxEntry: 1 << 20, MaxMedia: 1 << 20, MaxTotal: 8 << 20, MaxRatio: 100, RatioFloor: 1 << 16}})
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error %v is not ErrUnreadable", err)
			}
			return
		}
		checkShape(t, rep)
	})
}
