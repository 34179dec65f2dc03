package ledger

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

// sealedMedia says whether the sealed fixtures carry media (sealed stream
// files).
const sealedMedia = true

// lockable is a data key that can be locked, as the vault is.
type lockable struct {
	mu     sync.Mutex
	k      seal.Static
	locked bool
}

func (l *lockable) set(locked bool) { l.mu.Lock(); l.locked = locked; l.mu.Unlock() }

func (l *lockable) Current() (*seal.Key, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locked {
		return nil, seal.ErrLocked
	}
	return l.k.Current()
}

func (l *lockable) Lookup(id seal.KeyID, s seal.Suite) (*seal.Key, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locked {
		return nil, seal.ErrLocked
	}
	return l.k.Lookup(id, s)
}

// folderHolds says whether any file in dir holds s.
func folderHolds(t *testing.T, dir string, s string) string {
	t.Helper()
	var found string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			found = p
		}
		return nil
	})
	return found
}

// A sealed log holds no record text or device key in plaintext anywhere in
// its folder, and still verifies, proves, exports and pushes the very
// bytes (and tree) a plaintext log of the same records does.
func TestSealedLogVerifiesAndPushesPlaintext(t *testing.T) {
	ctx := context.Background()
	keys := sealtest.Keys(t)
	sf := newFixtureWith(t, 12, Options{Keys: keys}, sealedMedia)
	pf := newFixtureWith(t, 12, Options{}, sealedMedia)
	sl, pl := sf.log, pf.log
	if !sl.IsSealed() || pl.IsSealed() {
		t.Fatalf("sealed %v, plain %v", sl.IsSealed(), pl.IsSealed())
	}

	// At rest: every row sealed, nothing readable in the folder.
	rows, err := sl.db.QueryContext(ctx, `SELECT data FROM records`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		if !seal.IsSealed(b) {
			t.Fatalf("a record row is not sealed: %q", b)
		}
		n++
	}
	rows.Close()
	if n != 12 {
		t.Fatalf("%d rows", n)
	}
	var keyID string
	if err := sl.db.QueryRowContext(ctx, `SELECT key_id FROM sealing`).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if k, _ := keys.Current(); keyID != k.ID.String() {
		t.Fatalf("sealing names key %s, not %s", keyID, k.ID)
	}
	for _, s := range []string{"现场检查记录", "PRIVATE+KEY", `"body"`, "photo 5"} {
		if p := folderHolds(t, filepath.Dir(sf.path), s); p != "" {
			t.Errorf("%s holds %q", p, s)
		}
		if s != "PRIVATE+KEY" && folderHolds(t, filepath.Dir(pf.path), s) == "" {
			t.Errorf("the control (plaintext) folder lacks %q: the scan proves nothing", s)
		}
	}

	// Verified, with the same tree as the plaintext log.
	srep, err := sl.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	prep, err := pl.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if srep.Records != 12 || srep.Root != prep.Root || srep.Media != prep.Media {
		t.Fatalf("sealed %+v, plain %+v", srep, prep)
	}

	// A push sends the plaintext bytes, the ones the leaf hashes cover.
	ss, scp, err := sl.Since(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	ps, _, err := pl.Since(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 9 || len(ps) != 9 || scp.Size != 12 || scp.Root != prep.Root {
		t.Fatalf("since: %d and %d records, checkpoint %d", len(ss), len(ps), scp.Size)
	}
	for i := range ss {
		if ss[i].Seq != ps[i].Seq || !bytes.Equal(ss[i].Data, ps[i].Data) {
			t.Fatalf("record %d pushed as %q, not %q", ss[i].Seq, ss[i].Data, ps[i].Data)
		}
		p, err := sl.Prove(ctx, ss[i].Seq, scp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckRecord(p, scp.Size, scp.Root, ss[i].Seq, RecordHash(ss[i].Data)); err != nil {
			t.Fatalf("record %d: %v", ss[i].Seq, err)
		}
	}
	sh, err := sl.LeafHashes(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	ph, _ := pl.LeafHashes(ctx, "C1")
	if len(sh) != 6 || len(sh) != len(ph) {
		t.Fatalf("leaf hashes %d, %d", len(sh), len(ph))
	}
	for seq, h := range ph {
		if sh[seq] != h {
			t.Fatalf("leaf %d differs", seq)
		}
	}
	recs, err := sl.Records(ctx, "C1")
	if err != nil || len(recs) != 6 || recs[0].Seq != 1 {
		t.Fatalf("records %d, %v", len(recs), err)
	}
	var body map[string]string
	if json.Unmarshal(recs[0].Body, &body); body["text"] != "现场检查记录 1" {
		t.Fatalf("body %s", recs[0].Body)
	}
	if of, err := sl.OfKind(ctx, "note"); err != nil || len(of) != 12 {
		t.Fatalf("of kind: %d, %v", len(of), err)
	}

	// A bundle is plaintext and verifies alone.
	var zb bytes.Buffer
	if err := sl.Export(ctx, "C1", &zb, nil); err != nil {
		t.Fatal(err)
	}
	brep, _, err := VerifyBundle(bytes.NewReader(zb.Bytes()), int64(zb.Len()), sl.Verifier)
	if err != nil || brep.Records != 6 || sealedMedia && brep.Media != 2 {
		t.Fatalf("bundle: %+v, %v", brep, err)
	}

	// Without keys: the public part only.
	nk, err := OpenExisting(ctx, sf.path, filepath.Join(filepath.Dir(sf.path), "media"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nk.Close()
	if !nk.IsSealed() || nk.Verifier != sl.Verifier {
		t.Fatal("the sealed log opened without keys lost its key or sealing")
	}
	if cp, err := nk.Latest(ctx); err != nil || cp.Size != 12 {
		t.Fatalf("latest without keys: %+v, %v", cp, err)
	}
	if _, err := nk.Records(ctx, ""); !errors.Is(err, ErrSealedLog) {
		t.Fatalf("records without keys: %v", err)
	}
	if _, _, err := nk.Since(ctx, 0); !errors.Is(err, ErrSealedLog) {
		t.Fatalf("since without keys: %v", err)
	}
	var ve *VerifyError
	if _, err := nk.Verify(ctx, nil); !errors.Is(err, ErrSealedLog) || errors.As(err, &ve) {
		t.Fatalf("verify without keys: %v", err)
	}
	if err := nk.Append(ctx, &Record{Case: "C0", Kind: "note", Author: "990101000001"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("append to a log opened to verify: %v", err)
	}
	wl, err := Open(ctx, sf.path, filepath.Join(filepath.Dir(sf.path), "media"), "test-01", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wl.Close()
	if err := wl.Append(ctx, &Record{Case: "C0", Kind: "note", Author: "990101000001"}); !errors.Is(err, ErrSealedLog) {
		t.Fatalf("append without keys: %v", err)
	}
	if err := nk.Export(ctx, "C0", &bytes.Buffer{}, nil); !errors.Is(err, ErrSealedLog) {
		t.Fatalf("export without keys: %v", err)
	}
	// Another data key opens nothing.
	wk, err := OpenExisting(ctx, sf.path, filepath.Join(filepath.Dir(sf.path), "media"), sealtest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer wk.Close()
	if _, err := wk.Records(ctx, ""); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("records under another key: %v", err)
	}

	// A plaintext log is not opened with keys: it is sealed first.
	if _, err := Open(ctx, pf.path, filepath.Join(filepath.Dir(pf.path), "media"), "test-01", Options{Keys: keys}); !errors.Is(err, ErrUnsealedLog) {
		t.Fatalf("plaintext log opened with keys: %v", err)
	}
	if _, err := OpenExisting(ctx, pf.path, filepath.Join(filepath.Dir(pf.path), "media"), keys); !errors.Is(err, ErrUnsealedLog) {
		t.Fatalf("plaintext log opened with keys: %v", err)
	}
	// And the sealing row stays.
	if _, err := sl.db.ExecContext(ctx, `DELETE FROM sealing`); err == nil {
		t.Fatal("the sealing row was deleted")
	}
}

// A sealed log opens while the data key is locked (a device starts before
// anyone signs in), but nothing is appended or read until it is unlocked.
func TestSealedLogLockedRefusesAppend(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, media := filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media")
	k := &lockable{k: sealtest.Keys(t)}
	note := func(text string) *Record {
		return &Record{Case: "C0", Kind: "note", Author: "990101000001", Body: json.RawMessage(`{"text":"` + text + `"}`)}
	}

	k.set(true)
	if _, err := Open(ctx, path, media, "test-01", Options{Keys: k}); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("a new sealed log made while locked: %v", err)
	}
	k.set(false)
	l, err := Open(ctx, path, media, "test-01", Options{Keys: k})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, note("one")); err != nil {
		t.Fatal(err)
	}
	l.Close()

	k.set(true)
	l, err = Open(ctx, path, media, "test-01", Options{Keys: k})
	if err != nil {
		t.Fatalf("open while locked: %v", err)
	}
	defer l.Close()
	if err := l.Append(ctx, note("two")); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("append while locked: %v", err)
	}
	if _, err := l.Records(ctx, ""); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("read while locked: %v", err)
	}
	if cp, err := l.Latest(ctx); err != nil || cp.Size != 1 {
		t.Fatalf("latest while locked: %+v, %v", cp, err)
	}

	k.set(false)
	if err := l.Append(ctx, note("two")); err != nil {
		t.Fatal(err)
	}
	// Locked again, with the device key already unsealed: still refused.
	k.set(true)
	if err := l.Append(ctx, note("three")); !errors.Is(err, seal.ErrLocked) {
		t.Fatalf("append after locking again: %v", err)
	}
	k.set(false)
	rep, err := l.Verify(ctx, nil)
	if err != nil || rep.Records != 2 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// A record received again is compared with what is held, opened: its
// sealed bytes differ each time it is sealed, its plaintext does not.
func TestReceiveComparesOpened(t *testing.T) {
	ctx := context.Background()
	other := newFixtureWith(t, 4, Options{}, false)
	recs, _, err := other.log.Since(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var c0 []RawRecord
	for _, r := range recs {
		if r.Seq%2 == 0 {
			c0 = append(c0, r)
		}
	}
	f := newFixtureWith(t, 1, Options{Keys: sealtest.Keys(t)}, false)
	l := f.log
	if err := l.Receive(ctx, "test-09", "C0", c0); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := l.db.QueryRowContext(ctx, `SELECT data FROM received_records WHERE device = 'test-09' AND seq = 0`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !seal.IsSealed(stored) || bytes.Contains(stored, []byte("现场")) {
		t.Fatalf("a received record is stored in plaintext: %q", stored)
	}
	// The same records again: kept once, no error.
	if err := l.Receive(ctx, "test-09", "C0", c0); err != nil {
		t.Fatalf("the same records received again: %v", err)
	}
	if n, _ := l.ReceivedCount(ctx, "C0"); n != 2 {
		t.Fatalf("%d received records", n)
	}
	got, err := l.Received(ctx, "C0")
	if err != nil || len(got) != 2 || got[1].Seq != 2 || got[1].Device != "test-09" {
		t.Fatalf("received: %+v, %v", got, err)
	}
	if enc, _ := EncodeRecord(&got[1]); !bytes.Equal(enc, c0[1].Data) {
		t.Fatalf("received record reads back as %q, not %q", enc, c0[1].Data)
	}
	// Other bytes at a place already held: refused.
	changed := []RawRecord{{Seq: 2, Data: bytes.Replace(c0[1].Data, []byte("记录 2"), []byte("记录 X"), 1)}}
	if bytes.Equal(changed[0].Data, c0[1].Data) {
		t.Fatal("the test did not change the record")
	}
	if err := l.Receive(ctx, "test-09", "C0", changed); !errors.Is(err, ErrReceivedDiffers) {
		t.Fatalf("a different record at a held place: %v", err)
	}
	// A received row moved to another place does not open.
	f.tamperWith(t, []string{"received_no_update"},
		`UPDATE received_records SET data = (SELECT data FROM received_records WHERE seq = 0) WHERE seq = 2`)
	if _, err := l.Received(ctx, "C0"); !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("a moved received record: %v", err)
	}
}

// A sealed row copied onto another record's place does not open there:
// Verify names that record as altered, with seal.ErrCorrupt beneath.
func TestSealedRowMovedDoesNotOpen(t *testing.T) {
	ctx := context.Background()
	f := newFixtureWith(t, 5, Options{Keys: sealtest.Keys(t)}, false)
	if _, err := f.log.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
	f.tamper(t, `UPDATE records SET data = (SELECT data FROM records WHERE seq = 1) WHERE seq = 3`)
	_, err := f.log.Verify(ctx, nil)
	expect(t, err, ErrRecordAltered, 3)
	if !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("verify: %v, want seal.ErrCorrupt beneath", err)
	}
	if _, err := f.log.Records(ctx, "C1"); !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("records: %v", err)
	}
	// A plaintext row slipped into a sealed log is no better.
	f2 := newFixtureWith(t, 3, Options{Keys: sealtest.Keys(t)}, false)
	plain, _ := EncodeRecord(&Record{Seq: 1, Case: "C1", Kind: "note", Author: "990101000001", Prev: -1, Body: json.RawMessage(`{}`)})
	f2.tamper(t, `UPDATE records SET data = x'`+hex.EncodeToString(plain)+`' WHERE seq = 1`)
	_, err = f2.log.Verify(ctx, nil)
	expect(t, err, ErrRecordAltered, 1)
	if !errors.Is(err, seal.ErrNotSealed) {
		t.Fatalf("verify: %v, want seal.ErrNotSealed beneath", err)
	}
}
