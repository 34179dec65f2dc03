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
	if err := l.Export(ctx, caseID, w, map[string][]byte{CaseFileName: pdf}); err != nil {
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
