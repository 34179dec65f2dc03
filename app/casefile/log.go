// Package casefile is the case domain on top of the device's log
// (app/ledger): cases and their records, each act's stages, the statutory
// clocks, and the gates a stage must pass (two officers on site, the legal
// review of a major decision). The ledger keeps and proves the records; this
// package says what they mean and which may be written, through the hook
// the ledger calls before every append.
//
// The platform reads cases with this same code, so this package stays pure
// Go: no cgo, no Fyne.
package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// The log's own nouns, named here as well so that the packages above
// need only the case file; new code may use app/ledger directly.
type (
	Record     = ledger.Record
	RawRecord  = ledger.RawRecord
	Checkpoint = ledger.Checkpoint
	Digest     = ledger.Digest
	MediaStore = ledger.MediaStore
	Report     = ledger.Report
	Manifest   = ledger.Manifest
)

// ParseDigest reads a hex SHA-256 (ledger.ParseDigest).
func ParseDigest(s string) (Digest, error) { return ledger.ParseDigest(s) }

// HashFile is the SHA-256 of a file and its size (ledger.HashFile).
func HashFile(path string) (Digest, int64, error) { return ledger.HashFile(path) }

// ParseCheckpoint checks a signed checkpoint (ledger.ParseCheckpoint).
func ParseCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	return ledger.ParseCheckpoint(msg, verifierKey)
}

// VerifyBundle checks a case bundle with the device's verifier key
// (ledger.VerifyBundle).
func VerifyBundle(r io.ReaderAt, size int64, verifierKey string) (ledger.BundleReport, Manifest, error) {
	return ledger.VerifyBundle(r, size, verifierKey)
}

// ErrNotCaseFile is returned by OpenExisting for a file that holds no log.
var ErrNotCaseFile = errors.New("not a case file database")

// Log is a device's case file: its ledger, read and written as cases.
// The ledger's methods (Append, Records, Since, Verify…) are the log's.
type Log struct {
	*ledger.Log
	gate         Gate
	signer       Signer
	handoverGate HandoverGate
	procs        atomic.Pointer[Set] // a sync round may replace it while the desk writes
	archiveDir   string
	// dataDir is the folder of the database: an archive folder inside it
	// holds sealed bundles when the log is sealed.
	dataDir string
}

// SetProcedures installs the procedures in force (the agencies' versions
// a platform sent); until then the national defaults apply.
func (l *Log) SetProcedures(s *Set) { l.procs.Store(s) }

// Procedures is the set of procedures in force on this log.
func (l *Log) Procedures() *Set {
	if s := l.procs.Load(); s != nil {
		return s
	}
	return National()
}

// Open opens (creating if needed) the case file at path, with its media
// folder, and makes the device key on first use. deviceID names the device
// in the checkpoints' origin line and in its case numbers.
//
// keys seal the records and evidence at rest (the device's vault); nil
// keeps them in plaintext, which only tests and the upgrade's reading of an
// old folder do.
func Open(ctx context.Context, path, mediaDir, deviceID string, keys seal.Keys) (*Log, error) {
	l := &Log{dataDir: filepath.Dir(path)}
	lg, err := ledger.Open(ctx, path, mediaDir, deviceID, ledger.Options{BeforeAppend: l.beforeAppend, Keys: keys})
	if err != nil {
		return nil, fmt.Errorf("open case file: %w", err)
	}
	l.Log = lg
	return l, nil
}

// OpenExisting opens a case file that must already exist, as a verifier
// does: it never creates a file or a key.
// keys may be nil: then only the log's origin and verifier can be read.
func OpenExisting(ctx context.Context, path, mediaDir string, keys seal.Keys) (*Log, error) {
	lg, err := ledger.OpenExisting(ctx, path, mediaDir, keys)
	if errors.Is(err, ledger.ErrNotLog) {
		return nil, fmt.Errorf("open case file: %w: %s", ErrNotCaseFile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("open case file: %w", err)
	}
	return &Log{Log: lg, dataDir: filepath.Dir(path)}, nil
}

// Export writes one case as a bundle (ledger.Log.Export); a case with no
// signed record is ErrNoCase.
func (l *Log) Export(ctx context.Context, caseID string, w io.Writer, extra map[string][]byte) error {
	err := l.Log.Export(ctx, caseID, w, extra)
	if errors.Is(err, ledger.ErrNoRecords) {
		return fmt.Errorf("%w: %s", ErrNoCase, caseID)
	}
	return err
}

// beforeAppend is the case file's rule on every record the ledger is about
// to append: a stage record must name a stage of its case's act, an on-site
// one two officers, and it must pass the gate (the legal review); then the
// signer signs it as its author and, on site, as every officer it names.
func (l *Log) beforeAppend(ctx context.Context, r *Record) error {
	if err := l.checkArchive(ctx, r); err != nil {
		return err
	}
	if err := l.checkHandover(ctx, r); err != nil {
		return err
	}
	others, err := l.checkStage(ctx, r)
	if err != nil {
		return err
	}
	if l.signer != nil {
		return l.signer(ctx, r, others)
	}
	return nil
}

// checkStage applies the stage rules and returns who else must sign.
func (l *Log) checkStage(ctx context.Context, r *Record) ([]string, error) {
	if r.Kind != KindStage {
		return nil, nil
	}
	var s StageBody
	if err := json.Unmarshal(r.Body, &s); err != nil {
		return nil, fmt.Errorf("stage record of %s: %w", r.Case, err)
	}
	c, err := l.Case(ctx, r.Case)
	if err != nil {
		return nil, err
	}
	p, err := l.Procedures().For(c.Opening)
	if err != nil {
		return nil, fmt.Errorf("stage record of %s: %w", r.Case, err)
	}
	if err := p.CheckStage(c, s, l.Now()); err != nil {
		return nil, err
	}
	st, _ := p.Stage(s.Stage)
	var others []string
	if st.OnSite {
		if err := checkOfficers(s.Officers); err != nil {
			return nil, err
		}
		for _, o := range s.Officers {
			if id := strings.TrimSpace(o.CertNo); id != r.Author && !slices.Contains(others, id) {
				others = append(others, id)
			}
		}
	}
	if l.gate != nil {
		if err := l.gate(ctx, c, s); err != nil {
			return nil, err
		}
	}
	return others, nil
}
