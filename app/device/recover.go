package device

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// RecoverReport is what Recover found and wrote, kept beside the bundles
// as recover-report.json.
type RecoverReport struct {
	Device      string          `json:"device"`
	Verifier    string          `json:"verifier"`
	Fingerprint string          `json:"recovery_key"`
	Records     int64           `json:"records"`
	Checkpoints int             `json:"checkpoints"`
	Root        string          `json:"root"`
	Verified    bool            `json:"verified"`
	VerifyError string          `json:"verify_error,omitempty"`
	Cases       []RecoveredCase `json:"cases"`
	At          time.Time       `json:"at"`
}

// Failed are the cases whose bundle could not be written.
func (r RecoverReport) Failed() []RecoveredCase {
	var out []RecoveredCase
	for _, c := range r.Cases {
		if c.Error != "" {
			out = append(out, c)
		}
	}
	return out
}

// RecoveredCase is one case's bundle, or why it could not be written.
type RecoveredCase struct {
	Case   string `json:"case"`
	Bundle string `json:"bundle,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Recover opens a dead device's data folder with the city's recovery key
// (the private key file keyFile), verifies its log and writes each case's
// bundle into outDir (new, or empty), with recover-report.json. It never
// writes into dataDir: the databases are copied to outDir/.work first and
// removed at the end; the evidence is read in place. The token and the
// device key are never written out.
func Recover(ctx context.Context, dataDir, keyFile, outDir string) (rep RecoverReport, err error) {
	rep.At = time.Now().UTC()
	if err := emptyDir(outDir); err != nil {
		return rep, err
	}
	dk, fp, err := recoveryDK(ctx, dataDir, keyFile)
	rep.Fingerprint = fp
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	keys := seal.Static{DK: dk}
	work := filepath.Join(outDir, ".work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	defer os.RemoveAll(work)
	for _, s := range []string{"", "-wal"} {
		if err := copyFile(filepath.Join(dataDir, config.CasefileDB+s), filepath.Join(work, config.CasefileDB+s)); err != nil && (s == "" || !errors.Is(err, os.ErrNotExist)) {
			return rep, fmt.Errorf("recover: copy %s: %w", config.CasefileDB+s, err)
		}
	}
	l, err := casefile.OpenExisting(ctx, filepath.Join(work, config.CasefileDB), filepath.Join(dataDir, config.MediaDir), keys)
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	defer l.Close()
	rep.Device, rep.Verifier = l.DeviceID(), l.Verifier
	vr, verr := l.Verify(ctx, nil)
	rep.Records, rep.Checkpoints, rep.Root = vr.Records, vr.Checkpoints, vr.Root.String()
	rep.Verified = verr == nil
	if verr != nil {
		rep.VerifyError = verr.Error()
	}
	ids, err := l.CaseIDs(ctx)
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	recv, err := l.ReceivedCases(ctx)
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	for _, id := range recv {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	agencyName := agencyNames(ctx, dataDir, work)
	for _, id := range ids {
		rc := RecoveredCase{Case: id}
		agency := ""
		if c, err := l.Case(ctx, id); err == nil {
			agency = agencyName(c.Opening.Agency)
		}
		path := filepath.Join(outDir, safeName(id)+".zip")
		if err := bundle.WriteFile(ctx, l, id, agency, rep.At, path); err != nil {
			rc.Error = err.Error()
		} else {
			rc.Bundle = filepath.Base(path)
		}
		rep.Cases = append(rep.Cases, rc)
	}
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return rep, fmt.Errorf("recover: report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outDir, "recover-report.json"), out, 0o600); err != nil {
		return rep, fmt.Errorf("recover: report: %w", err)
	}
	return rep, nil
}

// agencyNames names agencies from a copy of the folder's public lists,
// where it has them; else by their codes.
func agencyNames(ctx context.Context, dataDir, work string) func(code string) string {
	byCode := func(code string) string { return code }
	dst := filepath.Join(work, config.CatalogDB)
	if copyFile(filepath.Join(dataDir, config.CatalogDB), dst) != nil {
		return byCode
	}
	copyFile(filepath.Join(dataDir, config.CatalogDB+"-wal"), dst+"-wal")
	cat, err := catalog.Open(ctx, dst)
	if err != nil {
		return byCode
	}
	ags, err := cat.Agencies(ctx)
	cat.Close()
	if err != nil {
		return byCode
	}
	return func(code string) string { return catalog.AgencyName(ags, code) }
}

// safeName is a case id as a file name.
func safeName(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c == '/' || c == '\\' || c == ':' || c < ' ' {
			b[i] = '_'
		}
	}
	return string(b)
}

// emptyDir makes dir, or checks that it is empty.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("recover: %s is not empty", dir)
	}
	return nil
}

// copyFile copies src to a new dst (0600).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}
