// Package bundle builds the case bundle a court or an auditor verifies: the
// case's records, proofs and evidence from the ledger, with the printable
// case file beside them. The officer desk's export and the export command
// both build it here.
package bundle

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/document"
)

// CaseFileName is the printable case file's name inside a bundle.
const CaseFileName = "casefile.pdf"

// Write writes the bundle of one case to w, with its case file printed for
// the agency named agency as of at.
func Write(ctx context.Context, l *casefile.Log, caseID, agency string, at time.Time, w io.Writer) error {
	pdf, err := document.CaseFileFor(ctx, l, caseID, agency, at)
	if err != nil {
		return fmt.Errorf("print case file of %s: %w", caseID, err)
	}
	extra, err := WitnessFiles(ctx, l, caseID)
	if err != nil {
		return err
	}
	extra[CaseFileName] = pdf
	if err := l.Export(ctx, caseID, w, extra); err != nil {
		return fmt.Errorf("export case %s: %w", caseID, err)
	}
	return nil
}

// WriteFile writes the bundle next to path and renames it there, so a
// half-written file never carries the name.
func WriteFile(ctx context.Context, l *casefile.Log, caseID, agency string, at time.Time, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return fmt.Errorf("export case %s: %w", caseID, err)
	}
	defer os.Remove(tmp.Name())
	if err := Write(ctx, l, caseID, agency, at, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export case %s: %w", caseID, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export case %s: %w", caseID, err)
	}
	return nil
}

// Names of the witness files in a bundle (issue 25).
const (
	// WitnessCheckpoint is the newest cosigned checkpoint covering the
	// case's records: the device's signed note with one tlog-cosignature
	// line a witness.
	WitnessCheckpoint = "witness/checkpoint"
	// WitnessProof is the consistency proof, one base64 hash a line, from
	// the witnessed tree to the tree of the bundle's checkpoint, whose
	// inclusion proofs the records carry (empty when they are one).
	WitnessProof = "witness/consistency"
)

// WitnessFiles are the witness files of a case's bundle: none when no
// cosigned checkpoint the device keeps covers every record of the case
// (the case's last record came after it; the next sync brings one).
func WitnessFiles(ctx context.Context, l *casefile.Log, caseID string) (map[string][]byte, error) {
	out := map[string][]byte{}
	size, note, _, err := l.Cosigned(ctx)
	if err != nil || size == 0 {
		return out, err
	}
	recs, err := l.Log.Records(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("witness files of %s: %w", caseID, err)
	}
	for _, r := range recs {
		if r.Seq >= size {
			return out, nil
		}
	}
	latest, err := l.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("witness files of %s: %w", caseID, err)
	}
	proof, err := l.ProveTree(ctx, latest.Size, size)
	if err != nil {
		return nil, fmt.Errorf("witness files of %s: %w", caseID, err)
	}
	var b strings.Builder
	for _, h := range proof {
		b.WriteString(h.String() + "\n")
	}
	out[WitnessCheckpoint] = note
	out[WitnessProof] = []byte(b.String())
	return out, nil
}
