package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// runAdminPIN reads a new kiosk administrator PIN from standard input and
// keeps its hash in config.json.
func runAdminPIN(o *options, out io.Writer) error {
	dev, err := o.open("", 0)
	if err != nil {
		return err
	}
	cfg := dev.Config
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read the PIN from standard input: %w", err)
	}
	pin := strings.TrimSpace(line)
	if err := account.CheckPIN(pin); err != nil {
		return plainError(shell.L("cli.weak_pin"))
	}
	if cfg.KioskAdminPINHash, err = account.Hash(pin); err != nil {
		return fmt.Errorf("hash the PIN: %w", err)
	}
	if err := config.Save(dev.Dir, cfg); err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.admin_pin_set", map[string]any{"File": filepath.Join(dev.Dir, config.FileName)}))
	return nil
}

// runVerify checks a case file database: every record, the tree, every
// checkpoint and media file, and checkpoints seen before (--checkpoint).
// It exits 1 naming the first bad record.
func runVerify(o *options, out io.Writer) error {
	if len(o.args) != 1 {
		return plainError(shell.L("cli.verify_usage"))
	}
	path := o.args[0]
	if isZip(path) {
		return verifyBundle(o, path, out)
	}
	media := o.media
	if media == "" {
		media = filepath.Join(filepath.Dir(path), config.MediaDir)
	}
	ctx := context.Background()
	keys, err := o.keys(ctx, filepath.Dir(path))
	if err != nil {
		return err
	}
	l, err := casefile.OpenExisting(ctx, path, media, keys)
	if err != nil {
		return err
	}
	defer l.Close()
	if l.IsSealed() && keys == nil {
		return sealedError(ctx, filepath.Dir(path))
	}
	key := o.key
	if key == "" {
		key = l.Verifier
		fmt.Fprintln(out, shell.L("cli.verify_own_key", map[string]any{"Key": key}))
	}
	var seen []casefile.Checkpoint
	for _, f := range o.checkpoints {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read checkpoint: %w", err)
		}
		seen = append(seen, casefile.Checkpoint{Note: b})
	}
	rep, err := l.VerifyWithKey(ctx, key, seen)
	if err != nil {
		return plainError(shell.L("cli.verify_failed", map[string]any{"Error": shell.ErrorText(err)}))
	}
	fmt.Fprintln(out, shell.L("cli.verify_ok", map[string]any{"Records": rep.Records, "Checkpoints": rep.Checkpoints,
		"Media": rep.Media, "Root": rep.Root.String()}))
	return nil
}

func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PK\x03\x04"
}

// verifyBundle checks an exported case bundle with nothing but the bundle
// and the device's public key.
func verifyBundle(o *options, path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open bundle: %w", err)
	}
	key := o.key
	if key == "" {
		// The bundle's own key, to name; a bundle too broken to name one
		// fails the check below.
		_, m, _ := casefile.VerifyBundle(f, st.Size(), "")
		key = m.Verifier
		fmt.Fprintln(out, shell.L("cli.verify_bundle_own_key", map[string]any{"Key": key}))
	}
	rep, m, err := casefile.VerifyBundle(f, st.Size(), key)
	if err != nil {
		return plainError(shell.L("cli.verify_failed", map[string]any{"Error": shell.ErrorText(err)}))
	}
	fmt.Fprintln(out, shell.L("cli.verify_bundle_ok", map[string]any{"Case": rep.Case, "Records": rep.Records,
		"Media": rep.Media, "Size": rep.TreeSize, "Root": rep.Root.String()}))
	if len(m.Extra) > 0 {
		fmt.Fprintln(out, shell.L("cli.verify_extra", map[string]any{"Files": strings.Join(m.Extra, ", ")}))
	}
	return nil
}

// runExport writes one case as a bundle a court or auditor can verify,
// printed for the case's agency.
func runExport(o *options, out io.Writer) error {
	if o.caseID == "" || o.out == "" {
		return plainError(shell.L("cli.export_usage"))
	}
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	ctx := context.Background()
	keys, err := o.keys(ctx, dir)
	if err != nil {
		return err
	}
	l, err := casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), keys)
	if err != nil {
		return err
	}
	defer l.Close()
	if l.IsSealed() && keys == nil {
		return sealedError(ctx, dir)
	}
	dev, err := device.Open(ctx, dir, device.Catalog)
	if err != nil {
		return err
	}
	defer dev.Close()
	c, err := l.Case(ctx, o.caseID)
	if err != nil {
		return fmt.Errorf("export case %s: %w", o.caseID, err)
	}
	agency, err := dev.Catalog.AgencyName(ctx, c.Opening.Agency)
	if err != nil {
		return err
	}
	if err := bundle.WriteFile(ctx, l, o.caseID, agency, time.Now(), o.out); err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.exported", map[string]any{"Case": o.caseID, "File": o.out, "Key": l.Verifier}))
	return nil
}

// runRedact prints the redacted text of a decision (a UTF-8 text file, or
// - for standard input), for staff who check a text by hand.
func runRedact(o *options, out io.Writer) error {
	if len(o.args) != 1 {
		return plainError(shell.L("cli.redact_usage"))
	}
	var data []byte
	var err error
	if o.args[0] == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(o.args[0])
	}
	if err != nil {
		return plainError(shell.L("cli.redact_read", map[string]any{"File": o.args[0], "Error": err.Error()}))
	}
	if !utf8.Valid(data) {
		return plainError(shell.L("cli.redact_not_utf8", map[string]any{"File": o.args[0]}))
	}
	_, err = io.WriteString(out, redact.Text(strings.TrimPrefix(string(data), "\ufeff")))
	return err
}

// runWorkdays counts working days for staff who check a deadline by hand:
// "add DATE N" and "between A B". The start day is not counted. The
// calendar is the platform's once synced, else the bundled one.
func runWorkdays(o *options, out io.Writer) error {
	dir, err := o.dataDir("")
	if err != nil {
		dir = "" // no data folder: the bundled calendar
	}
	cal, err := device.ReadCalendar(dir)
	if err != nil {
		return err
	}
	date := func(s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			return t, plainError(shell.L("cli.workdays_bad_date", map[string]any{"Date": s}))
		}
		return t, nil
	}
	warn := func(ts ...time.Time) {
		for _, t := range ts {
			if !cal.Known(t) {
				fmt.Fprintln(out, shell.L("cli.workdays_unknown_year", map[string]any{"Year": t.Year()}))
				return
			}
		}
	}
	a := o.args
	switch {
	case len(a) == 3 && a[0] == "add":
		from, err := date(a[1])
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(a[2])
		if err != nil || n < 0 {
			return plainError(shell.L("cli.workdays_usage"))
		}
		to := cal.AddWorkdays(from, n)
		fmt.Fprintln(out, to.Format(time.DateOnly))
		warn(from, to)
	case len(a) == 3 && a[0] == "between":
		from, err := date(a[1])
		if err != nil {
			return err
		}
		to, err := date(a[2])
		if err != nil {
			return err
		}
		fmt.Fprintln(out, cal.WorkdaysBetween(from, to))
		warn(from, to)
	default:
		return plainError(shell.L("cli.workdays_usage"))
	}
	return nil
}

// runEnrol registers this device with the platform named in config.json,
// using a one-time code an administrator gave, and keeps the identity.
func runEnrol(o *options, out io.Writer) error {
	if o.code == "" {
		return plainError(shell.L("cli.enrol_usage"))
	}
	// The vault opens with the folder (a new one's by machine, until its
	// first person): the token is kept sealed.
	dev, err := o.open(o.kind, device.Ledger)
	if err != nil {
		return err
	}
	defer dev.Close()
	ctx := context.Background()
	l := dev.Log
	platform := dev.Config.PlatformURL
	id, err := client.Enrol(ctx, platform, strings.TrimSpace(o.code), device.Name(), o.kind, l.Verifier)
	if err != nil {
		return plainError(shell.L("cli.enrol_failed", map[string]any{"Error": shell.T(client.Why(ctx, err, platform))}))
	}
	if err := client.SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		return fmt.Errorf("keep the identity: %w", err)
	}
	fmt.Fprintln(out, shell.L("cli.enrolled", map[string]any{"ID": id.DeviceID, "Platform": platform}))
	return nil
}

// runSync pulls the public lists and, on an enrolled device, pushes the
// record log, once.
func runSync(o *options, out io.Writer) error {
	dev, err := o.open("", device.Catalog|device.Ledger)
	if err != nil {
		return err
	}
	defer dev.Close()
	if o.person != "" {
		// An officer's sealed desk syncs as a person on it.
		pin, err := device.ReadPIN(stdin)
		if err != nil {
			return err
		}
		if err := dev.Book.Unlock(context.Background(), o.person, pin); err != nil {
			return err
		}
	}
	res, err := client.Round(context.Background(), dev, nil)
	for _, m := range res.Done {
		fmt.Fprintln(out, shell.T(m))
	}
	if err != nil {
		return plainError(shell.L("cli.sync_failed", map[string]any{"Error": shell.ErrorText(err)}))
	}
	return nil
}

// runRecover opens a dead device's data folder with the city's recovery
// key, verifies its log and writes each case's bundle.
func runRecover(o *options, out io.Writer) error {
	if o.recoveryKey == "" || o.out == "" {
		return plainError(shell.L("cli.recover_usage"))
	}
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	rep, err := device.Recover(context.Background(), dir, o.recoveryKey, o.out)
	if err != nil {
		return err
	}
	for _, c := range rep.Failed() {
		fmt.Fprintln(out, shell.L("cli.recover_case_failed", map[string]any{"Case": c.Case, "Error": c.Error}))
	}
	fmt.Fprintln(out, shell.L("cli.recovered", map[string]any{"Device": rep.Device, "Records": rep.Records, "Root": rep.Root,
		"Verified": rep.Verified, "Cases": len(rep.Cases) - len(rep.Failed()), "Out": o.out}))
	return nil
}
