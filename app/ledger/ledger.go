// Package ledger is a device's tamper-evident log, and nothing else: an
// append-only sequence of records that a third party can verify offline.
// Each record's bytes are a leaf of a Merkle tree hashed as RFC 6962
// (golang.org/x/mod/sumdb/tlog) and every append writes, in the same
// transaction, a checkpoint of the tree signed with the device's Ed25519
// key (golang.org/x/mod/sumdb/note, the C2SP tlog-checkpoint form). It holds
// the records, their tree hashes and checkpoints, inclusion proofs, the
// platform's receipts, whole-log, batch and bundle verification, and the
// media store, where evidence files are kept by SHA-256.
//
// The ledger must never know what a case is. A record's Case is an opaque
// key that chains the records sharing it, so that a bundle of them shows
// none is left out; what the records mean, and which may be written, is the
// case file's (app/casefile), which reaches in through Options.BeforeAppend.
//
// At rest (issue 21), a log opened with Options.Keys is sealed: each
// record's bytes, each received record's and the device's signing key are
// app/store/seal blobs bound to their row, and media files are sealed
// stream files. Everything that hashes, proves, pushes or exports works on
// the opened plaintext, so leaf hashes, checkpoints, receipts, evidence
// digests and bundles are the same as an unsealed log's. Only this package
// reads those columns: others go through its methods.
//
// The platform verifies logs with this same code (Log.Verify, VerifyBatch,
// VerifyBundle), so this package stays pure Go: no cgo, no Fyne. It is the
// only package that imports tlog.
package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the log database's schema steps. The tables keep the
// names they had when the log lived in the case file package.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// Record is one entry of the log. Body is the kind's own JSON; Case and
// Kind are strings the ledger stores and indexes without reading meaning
// into them.
type Record struct {
	Seq      int64     `json:"seq"`
	Case     string    `json:"case"`
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	Author   string    `json:"author"`
	Corrects *int64    `json:"corrects,omitempty"`
	// Prev is the seq of the case's previous record (-1 for its first): the
	// case's records chain, so a bundle of one case shows none is left out.
	Prev  int64           `json:"prev"`
	Media []string        `json:"media,omitempty"` // SHA-256, hex
	Body  json.RawMessage `json:"body"`
	// Sigs are the people's signatures of the record's statement (its
	// author's, and a second officer's on an on-site record), besides the
	// device's checkpoint that covers the whole record, Sigs included.
	Sigs []Sig `json:"sigs,omitempty"`
	// Device names the device whose log holds the record when that is not
	// the log it was read from: a record of a case handed over to this
	// device (Received), or, on the platform, of a case's earlier holder.
	// It is not part of the record's bytes.
	Device string `json:"-"`
}

// Ref names a record among those of a case that crossed devices: its
// device (empty for the log read from) and its index in that log.
func (r *Record) Ref() RecordRef { return RecordRef{r.Device, r.Seq} }

// RecordRef is a record's place: a device's log and an index in it.
type RecordRef struct {
	Device string
	Seq    int64
}

// encode is the exact byte form a record's leaf hash covers.
func (r *Record) encode() ([]byte, error) {
	if !json.Valid(r.Body) {
		return nil, errors.New("record body is not JSON")
	}
	var body any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return nil, fmt.Errorf("record body: %w", err)
	}
	canon, err := json.Marshal(body) // sorted keys, no spaces: one form for one meaning
	if err != nil {
		return nil, fmt.Errorf("record body: %w", err)
	}
	c := *r
	c.Body = canon
	c.At = r.At.UTC()
	return json.Marshal(c)
}

// Log is a device's record log.
type Log struct {
	db     *store.DB
	media  *MediaStore
	origin string
	// signer is the device key, unsealed at the first append (deviceSigner)
	// from storedSigner, the device_key.signer column.
	signer       note.Signer
	storedSigner string
	keyMu        sync.Mutex
	// sealed says the log has its sealing row: records, received records
	// and the device key are sealed under opt.Keys.
	sealed bool
	// readOnly is a log opened to verify (OpenExisting): it takes no
	// record, having none of its owner's rules (Options.BeforeAppend).
	readOnly bool
	// Verifier is the device's public key in note form: what a platform or
	// an auditor needs to check this log's checkpoints.
	Verifier string
	now      func() time.Time
	opt      Options
	// seeding turns the clock check off while a seed writes history
	// (SeedHistory).
	seeding bool

	// stmt are the statements every append runs, prepared once.
	stmt appendSQL

	// cache holds tree hashes already committed: the log is append-only, so
	// a committed hash never changes. Appends read the tree's right edge
	// from here instead of one query a hash.
	mu    sync.Mutex
	cache map[int64]tlog.Hash
}

// cachedReader reads through the cache, falling back to q.
func (l *Log) cachedReader(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) tlog.HashReaderFunc {
	db := hashReader(ctx, q)
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			l.mu.Lock()
			h, ok := l.cache[idx]
			l.mu.Unlock()
			if !ok {
				hs, err := db([]int64{idx})
				if err != nil {
					return nil, err
				}
				h = hs[0]
			}
			out[i] = h
		}
		return out, nil
	}
}

// remember adds committed hashes to the cache.
func (l *Log) remember(base int64, hs []tlog.Hash) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cache == nil {
		l.cache = map[int64]tlog.Hash{}
	}
	for i, h := range hs {
		l.cache[base+int64(i)] = h
	}
}

// appendSQL are the statements every append runs, prepared once: parsing
// them again for each record was a fifth of an append's CPU (profile of
// BenchmarkAppend). Inside a transaction they are bound to it with
// tx.StmtContext, which reuses what the connection has prepared.
type appendSQL struct {
	next, prev, insert, media, clock *sql.Stmt
}

func (a *appendSQL) prepare(ctx context.Context, db *store.DB) error {
	for _, s := range []struct {
		to  **sql.Stmt
		sql string
	}{
		// max(seq)+1 reads one page of the primary key (count(*) would
		// scan), and the first record's case link comes in the same round
		// trip.
		{&a.next, `SELECT (SELECT coalesce(max(seq), -1) + 1 FROM records),
			(SELECT coalesce(max(seq), -1) FROM records WHERE case_id = ?)`},
		{&a.prev, `SELECT coalesce(max(seq), -1) FROM records WHERE case_id = ?`},
		{&a.insert, `INSERT INTO records (seq, case_id, kind, at, author, corrects, data, hashes, checkpoint)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&a.media, `INSERT INTO record_media (seq, sha256) VALUES (?, ?)`},
		// The clock check's two times: the newest record's, and the
		// platform's in the newest receipt (both one index page).
		{&a.clock, `SELECT (SELECT at FROM records ORDER BY seq DESC LIMIT 1),
			(SELECT platform_time FROM receipts ORDER BY size DESC LIMIT 1)`},
	} {
		st, err := db.PrepareContext(ctx, s.sql)
		if err != nil {
			a.close()
			return fmt.Errorf("open log: %w", err)
		}
		*s.to = st
	}
	return nil
}

func (a *appendSQL) close() {
	for _, st := range []*sql.Stmt{a.next, a.prev, a.insert, a.media, a.clock} {
		if st != nil {
			st.Close()
		}
	}
}

// Options are what the log's owner adds to it.
type Options struct {
	// BeforeAppend, when set, sees each record about to be appended, with
	// its time and body filled in, before the transaction starts; an error
	// refuses the whole append, and is returned as it is. It is how the
	// case file applies its rules (the review gate among them) to every
	// record, without the ledger knowing them.
	BeforeAppend func(ctx context.Context, r *Record) error
	// ClockTolerance is how far the clock may be behind the newest record
	// or receipt before an append is refused (ErrClockBehind); zero is
	// DefaultClockTolerance.
	ClockTolerance time.Duration
	// Keys seal the records' bodies, the device key and the evidence at
	// rest; nil keeps them in plaintext (tests, and the upgrade reading an
	// old folder). A new log made with keys is sealed for good; an old
	// plaintext log opened with keys is ErrUnsealedLog; a sealed log
	// opened without keys reads no content (ErrSealedLog).
	Keys seal.Keys
}

// Open opens (creating if needed) the log at path, with its media folder,
// and makes the device key on first use. deviceID names the device in the
// checkpoints' origin line. With o.Keys a new log is sealed; the keys may
// be locked when an existing log is opened (the device key is unsealed at
// the first append), not when a new one is made.
func Open(ctx context.Context, path, mediaDir, deviceID string, o Options) (*Log, error) {
	db, err := store.Open(ctx, path, store.Options{Durability: store.Evidence, Migrations: Migrations})
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	l := &Log{db: db, media: &MediaStore{Dir: mediaDir, Keys: o.Keys}, now: time.Now, opt: o}
	if err := l.loadKey(ctx, deviceID); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	if err := l.stmt.prepare(ctx, db); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return l, nil
}

// ErrReadOnly refuses an append to a log opened to verify (OpenExisting).
var ErrReadOnly = errors.New("append: the log was opened to verify, not to write")

// ErrNotLog is returned by OpenExisting for a file that holds no log.
var ErrNotLog = errors.New("not a log database")

// OpenExisting opens a log that must already exist, as a verifier does: it
// never creates a file or a key.
func OpenExisting(ctx context.Context, path, mediaDir string, keys seal.Keys) (*Log, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	db, err := store.Open(ctx, path, store.Options{Durability: store.Evidence, Migrations: Migrations})
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	l := &Log{db: db, media: &MediaStore{Dir: mediaDir, Keys: keys}, now: time.Now, opt: Options{Keys: keys}, readOnly: true}
	err = db.QueryRowContext(ctx, `SELECT origin, signer, verifier FROM device_key WHERE id = 1`).Scan(&l.origin, &l.storedSigner, &l.Verifier)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.Join(fmt.Errorf("%w: %s", ErrNotLog, path), db.Close())
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open log: device key: %w", err), db.Close())
	}
	if err := l.readSealing(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	if keys != nil && !l.sealed {
		return nil, errors.Join(fmt.Errorf("open log %s: %w", path, ErrUnsealedLog), db.Close())
	}
	if err := l.stmt.prepare(ctx, db); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return l, nil
}

// Close closes the database.
func (l *Log) Close() error {
	l.stmt.close()
	return l.db.Close()
}

// Media is the log's media store.
func (l *Log) Media() *MediaStore { return l.media }

// DB is the underlying database, for read-only reports.
func (l *Log) DB() *store.DB { return l.db }

// SetClock replaces the clock records are stamped with, for tests and seeds.
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// Now is the log's clock: the time a record added now would carry.
func (l *Log) Now() time.Time { return l.now() }

// loadKey reads the device key's public part and whether the log is
// sealed, or, for a new log, makes the key (sealed, with the sealing row,
// when the log has keys).
func (l *Log) loadKey(ctx context.Context, deviceID string) error {
	if err := l.readSealing(ctx); err != nil {
		return err
	}
	err := l.db.QueryRowContext(ctx, `SELECT origin, signer, verifier FROM device_key WHERE id = 1`).Scan(&l.origin, &l.storedSigner, &l.Verifier)
	if err == nil {
		if l.opt.Keys != nil && !l.sealed {
			return fmt.Errorf("open log: %w", ErrUnsealedLog)
		}
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("device key: %w", err)
	}
	if l.sealed && l.opt.Keys == nil {
		return fmt.Errorf("make device key: %w", ErrSealedLog)
	}
	origin := "sanxiang/device/" + deviceID
	skey, verifier, err := note.GenerateKey(rand.Reader, keyName(deviceID))
	if err != nil {
		return fmt.Errorf("make device key: %w", err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return fmt.Errorf("make device key: %w", err)
	}
	stored := skey
	var keyID string
	if k := l.opt.Keys; k != nil {
		cur, err := k.Current()
		if err != nil {
			return fmt.Errorf("make device key: %w", err)
		}
		keyID = cur.ID.String()
		if stored, err = sealSigner(k, skey); err != nil {
			return err
		}
	}
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_key (id, origin, signer, verifier) VALUES (1, ?, ?, ?)`, origin, stored, verifier); err != nil {
			return err
		}
		if keyID != "" && !l.sealed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sealing (id, key_id, since) VALUES (1, ?, ?)`, keyID, sinceNow(l.now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("make device key: %w", err)
	}
	l.origin, l.Verifier, l.storedSigner, l.signer = origin, verifier, stored, signer
	l.sealed = l.sealed || keyID != ""
	return nil
}

// keyName makes a note key name from a device id (no spaces or '+').
func keyName(id string) string {
	r := strings.NewReplacer(" ", "-", "+", "-")
	return "sanxiang-" + r.Replace(id)
}

// Origin is the first line of this device's checkpoints.
func (l *Log) Origin() string { return l.origin }

// hashOwner is the record whose append stored tree hash idx, and the
// hash's place in that record's hashes: hash (level L, index m) is stored
// when record (m+1)<<L - 1 completes its subtree.
func hashOwner(idx int64) (seq int64, level int) {
	level, m := tlog.SplitStoredHashIndex(idx)
	return (m+1)<<uint(level) - 1, level
}

// hashReader reads stored hashes from the records' rows.
func hashReader(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) tlog.HashReaderFunc {
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			seq, level := hashOwner(idx)
			var b []byte
			if err := q.QueryRowContext(ctx, `SELECT hashes FROM records WHERE seq = ?`, seq).Scan(&b); err != nil {
				return nil, fmt.Errorf("read hash %d: %w", idx, err)
			}
			if len(b) < (level+1)*tlog.HashSize {
				return nil, fmt.Errorf("read hash %d: record %d stores %d bytes", idx, seq, len(b))
			}
			copy(out[i][:], b[level*tlog.HashSize:])
		}
		return out, nil
	}
}

// Checkpoint is a signed statement of the tree's size and root.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   Hash
	Note   []byte // the signed note, as stored and shipped
}

func checkpointText(origin string, size int64, root Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpoint checks a signed checkpoint with the device's verifier key
// and returns its content.
func ParseCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return Checkpoint{}, fmt.Errorf("%w: malformed checkpoint", ErrBadSignature)
	}
	size, err1 := strconv.ParseInt(lines[1], 10, 64)
	raw, err2 := base64.StdEncoding.DecodeString(lines[2])
	if err1 != nil || err2 != nil || len(raw) != tlog.HashSize || size < 0 {
		return Checkpoint{}, fmt.Errorf("%w: malformed checkpoint", ErrBadSignature)
	}
	c := Checkpoint{Origin: lines[0], Size: size, Note: msg}
	copy(c.Root[:], raw)
	return c, nil
}

// Append adds a record to the log and signs the new tree, in one
// transaction: either all of it is on disk when Append returns, or none.
// It fills in r.Seq and r.At.
func (l *Log) Append(ctx context.Context, r *Record) error {
	return l.AppendBatch(ctx, []*Record{r})
}

// AppendBatch appends records in one transaction under one checkpoint, as
// for a recording's segments or an import; each record is still its own
// leaf, provable on its own.
func (l *Log) AppendBatch(ctx context.Context, records []*Record) error {
	if l.readOnly {
		return ErrReadOnly
	}
	for _, r := range records {
		// A record may name no case: a device's own log (a window's
		// sign-ins); such records chain among themselves as case "".
		if r.Kind == "" || r.Author == "" {
			return errors.New("append: a record needs a kind and an author")
		}
		if r.Body == nil {
			r.Body = json.RawMessage("{}")
		}
		if r.At.IsZero() {
			r.At = l.now()
		}
		r.At = r.At.UTC().Truncate(time.Millisecond)
		for _, m := range r.Media {
			if _, err := ParseDigest(m); err != nil {
				return fmt.Errorf("append: media %q: %w", m, err)
			}
		}
	}
	signer, err := l.deviceSigner()
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if l.opt.BeforeAppend != nil {
		for _, r := range records {
			if err := l.opt.BeforeAppend(ctx, r); err != nil {
				return err
			}
		}
	}
	type stored struct {
		base   int64
		hashes []tlog.Hash
	}
	var written []stored
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		written = written[:0]
		if err := l.checkClock(ctx, tx); err != nil {
			return err
		}
		var n int64
		if err := tx.StmtContext(ctx, l.stmt.next).QueryRowContext(ctx, records[0].Case).Scan(&n, &records[0].Prev); err != nil {
			return fmt.Errorf("append: next record: %w", err)
		}
		for _, r := range records[1:] {
			r.Prev = unknownPrev // looked up in the transaction, which sees the batch
		}
		reader := l.cachedReader(ctx, tx)
		pending := map[int64]tlog.Hash{} // this transaction's hashes, not yet committed
		withPending := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(indexes))
			for i, idx := range indexes {
				if h, ok := pending[idx]; ok {
					out[i] = h
					continue
				}
				h, err := reader([]int64{idx})
				if err != nil {
					return nil, err
				}
				out[i] = h[0]
			}
			return out, nil
		})
		for i, r := range records {
			var sign func(Hash) (string, error)
			if i == len(records)-1 {
				size := n + 1
				sign = func(root Hash) (string, error) {
					b, err := note.Sign(&note.Note{Text: checkpointText(l.origin, size, root)}, signer)
					return string(b), err
				}
			}
			hs, err := appendOne(ctx, tx, &l.stmt, withPending, n, r, sign, l.sealRecord)
			if err != nil {
				return err
			}
			base := tlog.StoredHashIndex(0, n)
			for j, h := range hs {
				pending[base+int64(j)] = h
			}
			written = append(written, stored{base, hs})
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, w := range written {
		l.remember(w.base, w.hashes)
	}
	return nil
}

// unknownPrev marks a record whose case link appendOne must look up.
const unknownPrev = -2

// overlay reads the hashes of the record being appended from memory and
// the rest from the log.
type overlay struct {
	base   int64
	hashes []tlog.Hash
	rest   tlog.HashReader
}

func (o overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		if idx >= o.base && idx < o.base+int64(len(o.hashes)) {
			out[i] = o.hashes[idx-o.base]
			continue
		}
		h, err := o.rest.ReadHashes([]int64{idx})
		if err != nil {
			return nil, err
		}
		out[i] = h[0]
	}
	return out, nil
}

// appendOne writes record n with its stored hashes; with sign, it also
// signs the tree of size n+1 into the same row. The hashes are over the
// record's bytes; the row stores what seal makes of them.
func appendOne(ctx context.Context, tx *sql.Tx, stmt *appendSQL, reader tlog.HashReader, n int64, r *Record, sign func(Hash) (string, error),
	seal func(int64, []byte) ([]byte, error)) ([]tlog.Hash, error) {
	r.Seq = n
	if r.Prev == unknownPrev {
		if err := tx.StmtContext(ctx, stmt.prev).QueryRowContext(ctx, r.Case).Scan(&r.Prev); err != nil {
			return nil, fmt.Errorf("append record %d: %w", n, err)
		}
	}
	data, err := r.encode()
	if err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	if r.Corrects != nil && (*r.Corrects < 0 || *r.Corrects >= n) {
		return nil, fmt.Errorf("append: corrects record %d, which does not exist", *r.Corrects)
	}
	hashes, err := leafHashes(n, data, reader)
	if err != nil {
		return nil, fmt.Errorf("append record %d: %w", n, err)
	}
	blob := make([]byte, 0, len(hashes)*tlog.HashSize)
	for _, h := range hashes {
		blob = append(blob, h[:]...)
	}
	var checkpoint *string
	if sign != nil {
		root, err := treeRoot(n+1, overlay{base: tlog.StoredHashIndex(0, n), hashes: hashes, rest: reader})
		if err != nil {
			return nil, fmt.Errorf("append record %d: %w", n, err)
		}
		c, err := sign(root)
		if err != nil {
			return nil, fmt.Errorf("sign checkpoint %d: %w", n+1, err)
		}
		checkpoint = &c
	}
	stored, err := seal(n, data)
	if err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	if _, err := tx.StmtContext(ctx, stmt.insert).ExecContext(ctx,
		n, r.Case, r.Kind, r.At.Format(time.RFC3339Nano), r.Author, r.Corrects, stored, blob, checkpoint); err != nil {
		return nil, fmt.Errorf("append record %d: %w", n, err)
	}
	for _, m := range r.Media {
		if _, err := tx.StmtContext(ctx, stmt.media).ExecContext(ctx, n, m); err != nil {
			return nil, fmt.Errorf("append record %d: %w", n, err)
		}
	}
	return hashes, nil
}

// Latest returns the newest checkpoint; Size 0 for an empty log.
func (l *Log) Latest(ctx context.Context) (Checkpoint, error) {
	var msg string
	err := l.db.QueryRowContext(ctx, `SELECT checkpoint FROM records WHERE checkpoint IS NOT NULL ORDER BY seq DESC LIMIT 1`).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{Origin: l.origin}, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("latest checkpoint: %w", err)
	}
	return ParseCheckpoint([]byte(msg), l.Verifier)
}

// Records returns a case's records in log order ("" for every case).
func (l *Log) Records(ctx context.Context, caseID string) ([]Record, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT seq, data FROM records WHERE ? = '' OR case_id = ? ORDER BY seq`, caseID, caseID)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
		if data, err = l.open(seq, data); err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LeafHashes returns the leaf hash of each record filed under caseID.
func (l *Log) LeafHashes(ctx context.Context, caseID string) (map[int64]Hash, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT seq, data FROM records WHERE case_id = ?`, caseID)
	if err != nil {
		return nil, fmt.Errorf("leaf hashes of %s: %w", caseID, err)
	}
	defer rows.Close()
	out := map[int64]Hash{}
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, fmt.Errorf("leaf hashes of %s: %w", caseID, err)
		}
		if data, err = l.open(seq, data); err != nil {
			return nil, fmt.Errorf("leaf hashes of %s: %w", caseID, err)
		}
		out[seq] = RecordHash(data)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("leaf hashes of %s: %w", caseID, err)
	}
	return out, nil
}

// Prove returns the proof that record seq is in the tree of the given size.
func (l *Log) Prove(ctx context.Context, seq, size int64) (Proof, error) {
	p, err := tlog.ProveRecord(size, seq, hashReader(ctx, l.db))
	if err != nil {
		return nil, fmt.Errorf("prove record %d in tree %d: %w", seq, size, err)
	}
	return proofOf(p), nil
}

// CountKind is how many records of a kind the log holds.
func (l *Log) CountKind(ctx context.Context, kind string) (int64, error) {
	var n int64
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE kind = ?`, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s records: %w", kind, err)
	}
	return n, nil
}

// CasesOfKind lists the Case of every record of a kind, newest first: for
// a kind each case has once, the cases.
func (l *Log) CasesOfKind(ctx context.Context, kind string) ([]string, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT case_id FROM records WHERE kind = ? ORDER BY seq DESC`, kind)
	if err != nil {
		return nil, fmt.Errorf("%s records: %w", kind, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s records: %w", kind, err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s records: %w", kind, err)
	}
	return out, nil
}

// OfKind returns every record of a kind in log order: for a kind each
// case has once (its opening), one record a case, read without reading
// the cases whole.
func (l *Log) OfKind(ctx context.Context, kind string) ([]Record, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT seq, data FROM records WHERE kind = ? ORDER BY seq`, kind)
	if err != nil {
		return nil, fmt.Errorf("%s records: %w", kind, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var seq int64
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, fmt.Errorf("%s records: %w", kind, err)
		}
		if data, err = l.open(seq, data); err != nil {
			return nil, fmt.Errorf("%s records: %w", kind, err)
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s record: %w", kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s records: %w", kind, err)
	}
	return out, nil
}

// RawRecord is a record's exact bytes, as a push carries them.
type RawRecord struct {
	Seq  int64
	Data []byte
}

// Since returns the records from seq on and the newest checkpoint, which
// covers them: what a push to the platform sends. A sealed log's records
// come opened, as the same bytes an unsealed log sends.
func (l *Log) Since(ctx context.Context, from int64) ([]RawRecord, Checkpoint, error) {
	cp, err := l.Latest(ctx)
	if err != nil {
		return nil, cp, fmt.Errorf("records since %d: %w", from, err)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT seq, data FROM records WHERE seq >= ? AND seq < ? ORDER BY seq`, from, cp.Size)
	if err != nil {
		return nil, cp, fmt.Errorf("records since %d: %w", from, err)
	}
	defer rows.Close()
	var out []RawRecord
	for rows.Next() {
		var r RawRecord
		if err := rows.Scan(&r.Seq, &r.Data); err != nil {
			return nil, cp, fmt.Errorf("records since %d: %w", from, err)
		}
		// A push carries the record's bytes: plaintext over TLS, as the
		// platform verifies and receipts them.
		if r.Data, err = l.open(r.Seq, r.Data); err != nil {
			return nil, cp, fmt.Errorf("records since %d: %w", from, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, cp, fmt.Errorf("records since %d: %w", from, err)
	}
	return out, cp, nil
}

// ErrBadReceipt is returned for a receipt the platform's key did not sign
// or that does not match this log.
var ErrBadReceipt = errors.New("receipt does not match this log or the platform's key")

// KeepReceipt checks a receipt against the platform's key and this log's
// own tree of the same size, and keeps it with the platform's receive time
// it signs (ParseReceipt): the log's clock may not fall behind that time
// afterwards. A receipt whose signature does not hold is ErrReceiptForged.
func (l *Log) KeepReceipt(ctx context.Context, msg, platformKey string) (int64, error) {
	rc, err := ParseReceipt(msg, platformKey)
	if err != nil {
		return 0, err
	}
	if rc.Origin != l.origin {
		return 0, fmt.Errorf("%w: origin", ErrBadReceipt)
	}
	size := rc.Size
	root, err := tlog.TreeHash(size, l.cachedReader(ctx, l.db))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBadReceipt, err)
	}
	if base64.StdEncoding.EncodeToString(root[:]) != rc.Root {
		return 0, fmt.Errorf("%w: the platform signed another tree of size %d", ErrBadReceipt, size)
	}
	var platformTime *string
	if !rc.Time.IsZero() {
		t := rc.Time.UTC().Format(time.RFC3339)
		platformTime = &t
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO receipts (size, root, note, received, platform_time) VALUES (?, ?, ?, ?, ?) ON CONFLICT (size) DO NOTHING`,
		size, rc.Root, msg, l.now().UTC().Format(time.RFC3339), platformTime); err != nil {
		return size, fmt.Errorf("keep receipt of size %d: %w", size, err)
	}
	return size, nil
}

// Receipted is the size of the log the platform has acknowledged.
func (l *Log) Receipted(ctx context.Context) (int64, error) {
	var n int64
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(size), 0) FROM receipts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("receipted size: %w", err)
	}
	return n, nil
}

// CheckpointAt returns the checkpoint stored with the largest tree of at
// most size records: a push sends records up to a size the device signed.
func (l *Log) CheckpointAt(ctx context.Context, size int64) (Checkpoint, error) {
	var msg string
	err := l.db.QueryRowContext(ctx, `SELECT checkpoint FROM records WHERE checkpoint IS NOT NULL AND seq < ? ORDER BY seq DESC LIMIT 1`, size).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{Origin: l.origin}, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint at %d: %w", size, err)
	}
	return ParseCheckpoint([]byte(msg), l.Verifier)
}
