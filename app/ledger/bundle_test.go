package ledger

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func exportCase(t *testing.T, f *fixture, caseID string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.log.Export(context.Background(), caseID, &buf, map[string][]byte{"casefile.pdf": []byte("%PDF-1.4 test")}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewrite copies a bundle, changing one file's content with fn (nil drops it).
func rewrite(t *testing.T, b []byte, name string, fn func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			if fn == nil {
				continue
			}
			data = fn(data)
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	zw.Close()
	return out.Bytes()
}

func flip(bit int) func([]byte) []byte {
	return func(b []byte) []byte {
		c := append([]byte(nil), b...)
		c[(bit/8)%len(c)] ^= 1 << (bit % 8)
		return c
	}
}

func verifyBytes(b []byte, key string) (BundleReport, error) {
	rep, _, err := VerifyBundle(bytes.NewReader(b), int64(len(b)), key)
	return rep, err
}

func TestBundleVerifiesAlone(t *testing.T) {
	f := newFixture(t, 12)
	b := exportCase(t, f, "C0")
	rep, err := verifyBytes(b, f.log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 6 || rep.Media != 2 || rep.TreeSize != 12 {
		t.Fatalf("report %+v", rep)
	}
}

func TestBundleTamperingIsDetected(t *testing.T) {
	f := newFixture(t, 12)
	key := f.log.Verifier
	b := exportCase(t, f, "C0")
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var m Manifest
	for _, zf := range zr.File {
		if zf.Name == "manifest.json" {
			rc, _ := zf.Open()
			json.NewDecoder(rc).Decode(&m)
			rc.Close()
		}
	}
	// One bit flipped in any file the log covers is caught, wherever it is.
	for _, zf := range zr.File {
		if zf.Name == "casefile.pdf" {
			continue // not covered by the log; the PDF is a rendering of the records
		}
		for _, bit := range []int{0, 7, 8 * 5, 8*int(zf.UncompressedSize64) - 1} {
			if _, err := verifyBytes(rewrite(t, b, zf.Name, flip(bit)), key); err == nil {
				t.Errorf("%s with bit %d flipped verified", zf.Name, bit)
			}
		}
	}
	// A record left out of the middle of the case.
	m2 := m
	m2.Records = append(append([]BundleRecord(nil), m.Records[:2]...), m.Records[3:]...)
	mj, _ := json.Marshal(m2)
	_, err := verifyBytes(rewrite(t, b, "manifest.json", func([]byte) []byte { return mj }), key)
	if !errors.Is(err, ErrRecordMissing) {
		t.Errorf("record left out: %v", err)
	}
	// A media file replaced or missing.
	_, err = verifyBytes(rewrite(t, b, m.Media[0].File, func([]byte) []byte { return []byte("other") }), key)
	if !errors.Is(err, ErrMediaAltered) {
		t.Errorf("media replaced: %v", err)
	}
	_, err = verifyBytes(rewrite(t, b, m.Media[0].File, nil), key)
	if !errors.Is(err, ErrMediaMissing) {
		t.Errorf("media removed: %v", err)
	}
	// Another device's key.
	_, vkey, _ := note.GenerateKey(rand.Reader, keyName("test-01"))
	if _, err := verifyBytes(b, vkey); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong key: %v", err)
	}
	// (Bits of the zip's own headers, such as file times, carry no evidence;
	// every byte of every covered file is what the flips above exercise.)
	// A proof from another record.
	other, _ := readZip(b, m.Records[1].Proof)
	if _, err := verifyBytes(rewrite(t, b, m.Records[0].Proof, func([]byte) []byte { return other }), key); !errors.Is(err, ErrBadProof) {
		t.Errorf("swapped proof: %v", err)
	}
}

func readZip(b []byte, name string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	return nil, errors.New("no such file")
}
