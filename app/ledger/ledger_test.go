package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/store"
)

type fixture struct {
	log   *Log
	path  string
	media []Digest
}

// newFixture writes n records over two cases; every third carries a media file.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	return newFixtureWith(t, n, Options{}, true)
}

// newFixtureWith is newFixture with options, and media or not.
func newFixtureWith(t *testing.T, n int, o Options, media bool) *fixture {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "casefile.db")
	l, err := Open(context.Background(), path, filepath.Join(dir, "media"), "test-01", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l.SetClock(func() time.Time { at = at.Add(time.Minute); return at })
	f := &fixture{log: l, path: path}
	for i := range n {
		r := &Record{Case: fmt.Sprintf("C%d", i%2), Kind: "note", Author: "990101000001",
			Body: json.RawMessage(fmt.Sprintf(`{"text": "现场检查记录 %d"}`, i))}
		if media && i%3 == 2 {
			d, _, err := l.Media().Put(strings.NewReader(fmt.Sprintf("photo %d", i)))
			if err != nil {
				t.Fatal(err)
			}
			f.media = append(f.media, d)
			r.Media = []string{d.String()}
		}
		if err := l.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if r.Seq != int64(i) {
			t.Fatalf("record %d got seq %d", i, r.Seq)
		}
	}
	return f
}

// tamper runs SQL on the file as an attacker would: triggers dropped first.
func (f *fixture) tamper(t *testing.T, stmts ...string) {
	t.Helper()
	f.tamperWith(t, nil, stmts...)
}

// tamperWith is tamper with more triggers dropped.
func (f *fixture) tamperWith(t *testing.T, triggers []string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", store.DSN(f.path, store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tr := range append([]string{"records_no_update", "records_no_delete", "record_media_no_update", "record_media_no_delete"}, triggers...) {
		if _, err := db.Exec("DROP TRIGGER IF EXISTS " + tr); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func expect(t *testing.T, err error, reason error, seq int64) {
	t.Helper()
	var ve *VerifyError
	if !errors.As(err, &ve) || !errors.Is(err, reason) {
		t.Fatalf("err = %v, want %v", err, reason)
	}
	if ve.Seq != seq {
		t.Fatalf("err names record %d, want %d: %v", ve.Seq, seq, err)
	}
}

func TestCleanLogVerifies(t *testing.T) {
	f := newFixture(t, 20)
	rep, err := f.log.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 20 || rep.Checkpoints != 20 || rep.Media != len(f.media) {
		t.Fatalf("report %+v", rep)
	}
	latest, _ := f.log.Latest(context.Background())
	if latest.Size != 20 || latest.Root != rep.Root {
		t.Fatalf("latest %+v, root %v", latest, rep.Root)
	}
	recs, _ := f.log.Records(context.Background(), "C1")
	if len(recs) != 10 || recs[0].Seq != 1 || !strings.Contains(string(recs[0].Body), "现场检查记录 1") {
		t.Fatalf("case C1: %d records, first %+v", len(recs), recs[0])
	}
}

func TestTriggersRefuseChanges(t *testing.T) {
	f := newFixture(t, 3)
	for _, q := range []string{
		`UPDATE records SET author = 'x' WHERE seq = 0`, `DELETE FROM records WHERE seq = 2`,
		`UPDATE records SET hashes = x'00'`, `UPDATE records SET checkpoint = NULL`,
		`DELETE FROM record_media`, `UPDATE device_key SET verifier = ''`,
	} {
		if _, err := f.log.db.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

func TestCorrectionNamesTheRecordItCorrects(t *testing.T) {
	f := newFixture(t, 3)
	one := int64(1)
	r := &Record{Case: "C1", Kind: "correction", Author: "990101000001", Corrects: &one, Body: json.RawMessage(`{"reason":"笔误"}`)}
	if err := f.log.Append(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	nine := int64(9)
	if err := f.log.Append(context.Background(), &Record{Case: "C1", Kind: "correction", Author: "x", Corrects: &nine}); err == nil {
		t.Fatal("a correction of a record that does not exist was appended")
	}
	if _, err := f.log.Verify(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestAttacksAreDetected(t *testing.T) {
	ctx := context.Background()
	t.Run("edit a record's bytes", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t, `UPDATE records SET data = CAST(replace(CAST(data AS TEXT), '记录 4', '记录 X') AS BLOB) WHERE seq = 4`)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrRecordAltered, 4)
	})
	t.Run("edit a record's columns", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t, `UPDATE records SET author = '990101000099' WHERE seq = 6`)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrRecordAltered, 6)
	})
	t.Run("delete the last records", func(t *testing.T) {
		f := newFixture(t, 10)
		seen, _ := f.log.Latest(ctx)
		f.tamper(t, `DELETE FROM record_media WHERE seq >= 7`, `DELETE FROM records WHERE seq >= 7`)
		// Hashes and checkpoints live in the rows, so a cut tail leaves a log
		// consistent by itself: only a checkpoint seen before (a platform
		// receipt) can show what is missing.
		if _, err := f.log.Verify(ctx, nil); err != nil {
			t.Fatalf("a cleanly cut log is consistent by itself: %v", err)
		}
		_, err := f.log.Verify(ctx, []Checkpoint{seen})
		expect(t, err, ErrRecordMissing, 7)
	})
	t.Run("replace a stored tree hash", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t, `UPDATE records SET hashes = zeroblob(length(hashes)) WHERE seq = 5`)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrRecordAltered, 5)
	})
	t.Run("delete a record in the middle", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t, `DELETE FROM record_media WHERE seq = 5`, `DELETE FROM records WHERE seq = 5`)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrRecordMissing, 5)
	})
	t.Run("reorder records", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t,
			`UPDATE records SET seq = 100 WHERE seq = 3`,
			`UPDATE records SET seq = 3 WHERE seq = 4`,
			`UPDATE records SET seq = 4 WHERE seq = 100`)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrReordered, 3)
	})
	t.Run("replace a media file", func(t *testing.T) {
		f := newFixture(t, 10)
		os.WriteFile(f.log.Media().Path(f.media[1]), []byte("another photo"), 0o600)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrMediaAltered, 5)
	})
	t.Run("remove a media file", func(t *testing.T) {
		f := newFixture(t, 10)
		os.Remove(f.log.Media().Path(f.media[0]))
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrMediaMissing, 2)
	})
	t.Run("point a record at another media file", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t, fmt.Sprintf(`UPDATE record_media SET sha256 = '%s' WHERE seq = 2`, f.media[2]))
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrRecordAltered, 2)
	})
	t.Run("forge a checkpoint with another key", func(t *testing.T) {
		f := newFixture(t, 10)
		skey, _, _ := note.GenerateKey(rand.Reader, keyName("test-01"))
		s, _ := note.NewSigner(skey)
		latest, _ := f.log.Latest(ctx)
		forged, _ := note.Sign(&note.Note{Text: checkpointText(f.log.Origin(), 10, latest.Root)}, s)
		f.tamper(t, fmt.Sprintf(`UPDATE records SET checkpoint = '%s' WHERE seq = 9`, forged))
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrBadSignature, 9)
	})
	t.Run("append without signing", func(t *testing.T) {
		f := newFixture(t, 10)
		f.tamper(t, `UPDATE records SET checkpoint = NULL WHERE seq = 9`)
		_, err := f.log.Verify(ctx, nil)
		expect(t, err, ErrUnsigned, 9)
	})
	t.Run("truncate and re-sign a different history", func(t *testing.T) {
		f := newFixture(t, 10)
		seen, _ := f.log.Latest(ctx)
		f.tamper(t, `DELETE FROM record_media WHERE seq >= 5`, `DELETE FROM records WHERE seq >= 5`)
		// The forger holds the device key and writes a new tail through the real code.
		for i := range 7 {
			if err := f.log.Append(ctx, &Record{Case: "C0", Kind: "note", Author: "990101000001",
				Body: json.RawMessage(fmt.Sprintf(`{"text":"改写 %d"}`, i))}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.log.Verify(ctx, nil); err != nil {
			t.Fatalf("the forged log is consistent by itself: %v", err)
		}
		_, err := f.log.Verify(ctx, []Checkpoint{seen})
		expect(t, err, ErrFork, 9)
	})
	t.Run("a checkpoint seen before signed by another key", func(t *testing.T) {
		f := newFixture(t, 4)
		skey, _, _ := note.GenerateKey(rand.Reader, keyName("test-01"))
		s, _ := note.NewSigner(skey)
		latest, _ := f.log.Latest(ctx)
		forged, _ := note.Sign(&note.Note{Text: checkpointText(f.log.Origin(), 4, latest.Root)}, s)
		_, err := f.log.Verify(ctx, []Checkpoint{{Note: forged}})
		expect(t, err, ErrBadSignature, -1)
	})
}

// Every bit of an inclusion proof matters: flip any one and the check fails.
func TestInclusionProofsFailOnAnyBitFlip(t *testing.T) {
	f := newFixture(t, 13)
	ctx := context.Background()
	latest, _ := f.log.Latest(ctx)
	for seq := int64(0); seq < 13; seq++ {
		var data []byte
		f.log.db.QueryRow(`SELECT data FROM records WHERE seq = ?`, seq).Scan(&data)
		leaf := RecordHash(data)
		p, err := f.log.Prove(ctx, seq, latest.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckRecord(p, latest.Size, latest.Root, seq, leaf); err != nil {
			t.Fatalf("record %d: honest proof rejected: %v", seq, err)
		}
		for i := range p {
			for bit := range 8 * HashSize {
				q := append(Proof(nil), p...)
				q[i][bit/8] ^= 1 << (bit % 8)
				if err := CheckRecord(q, latest.Size, latest.Root, seq, leaf); !errors.Is(err, ErrBadProof) {
					t.Fatalf("record %d: proof with hash %d bit %d flipped accepted", seq, i, bit)
				}
			}
		}
	}
}

func TestRecordEncodingIsCanonical(t *testing.T) {
	a := &Record{Seq: 1, Case: "C", Kind: "k", Author: "a", At: time.Unix(0, 0), Body: json.RawMessage(`{ "b": 1, "a": [1, 2] }`)}
	b := &Record{Seq: 1, Case: "C", Kind: "k", Author: "a", At: time.Unix(0, 0).In(time.FixedZone("CST", 8*3600)), Body: json.RawMessage(`{"a":[1,2],"b":1}`)}
	ea, _ := a.encode()
	eb, _ := b.encode()
	if !bytes.Equal(ea, eb) {
		t.Fatalf("one meaning, two encodings:\n%s\n%s", ea, eb)
	}
}
