package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// options are the flags every command takes.
type options struct {
	data     string
	lang     string
	large    bool
	windowed bool

	fullscreenDisplay bool
	windowNo          string

	key, media  string
	caseID, out string
	code, kind  string
	checkpoints fileList
	// person and recoveryKey open a sealed folder for a tool (the PIN is
	// read from standard input).
	person, recoveryKey string
	args                []string // what follows the options, for commands that take it
}

// stdin is where tools read a PIN (tests set it).
var stdin io.Reader = os.Stdin

// unlockFlags registers --person and --recovery-key.
func (o *options) unlockFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.person, "person", "", shell.L("cli.flag.person"))
	fs.StringVar(&o.recoveryKey, "recovery-key", "", shell.L("cli.flag.recovery_key"))
}

// keys open the sealed folder dir as --person or --recovery-key say; nil
// when neither is given.
func (o *options) keys(ctx context.Context, dir string) (seal.Keys, error) {
	u := device.Unlock{Person: o.person, RecoveryKey: o.recoveryKey}
	if !u.Given() {
		return nil, nil
	}
	if u.Person != "" {
		pin, err := device.ReadPIN(stdin)
		if err != nil {
			return nil, err
		}
		u.PIN = pin
	}
	return device.ToolKeys(ctx, dir, u)
}

// sealedError says what a tool needs to read the sealed folder dir.
func sealedError(ctx context.Context, dir string) error {
	return plainError(shell.L("cli.sealed", map[string]any{"Keys": device.RecoveryKeysOf(ctx, dir)}))
}

// fileList is a flag that may be given more than once.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// common registers the shared flags. They may stand before or after the
// command, so the current values are the defaults: defining a flag sets its
// variable to the default, which must not undo what was parsed already.
func (o *options) common(fs *flag.FlagSet) {
	fs.StringVar(&o.data, "data", o.data, shell.L("cli.flag.data"))
	fs.StringVar(&o.lang, "lang", o.lang, shell.L("cli.flag.lang"))
}

// preLang finds --lang before the flags are parsed, so that help and errors
// come out in the language asked for.
func preLang(args []string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, "lang="); ok {
			return v
		}
		if a == "lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// plainError is an error whose text is already the whole message for the
// person, in their language.
type plainError string

func (e plainError) Error() string { return string(e) }

// userError says what went wrong in the person's language, with the cause
// after it for whoever reads the log.
func userError(err error) string {
	var plain plainError
	switch {
	case errors.As(err, &plain):
		return string(plain)
	case errors.Is(err, store.ErrDamaged):
		return shell.L("error.db_damaged") + "\n" + err.Error()
	case errors.Is(err, store.ErrTooNew):
		return shell.L("error.db_too_new") + "\n" + err.Error()
	}
	return shell.L("error.generic") + "\n" + err.Error()
}

// dataDir is --data, or the per-user folder; sub is a folder under it.
func (o *options) dataDir(sub string) (string, error) {
	dir := o.data
	if dir == "" {
		d, err := config.DataDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(d, sub)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("make the data folder: %w", err)
	}
	return dir, nil
}

// open opens the data folder with the parts asked for and applies the
// language: --lang wins, then config.json, then the OS.
// kind is the mode's device kind ("" for a tool): a folder kept before
// sealing at rest is sealed first, once.
func (o *options) open(kind string, parts device.Part) (*device.Device, error) {
	dir, err := o.dataDir("")
	if err != nil {
		return nil, err
	}
	if err := sealFirst(dir, kind); err != nil {
		return nil, err
	}
	dev, err := device.OpenWith(context.Background(), dir, parts, device.Options{Kind: kind})
	if err != nil {
		return nil, err
	}
	if err := o.applyLang(dev.Config.Lang); err != nil {
		dev.Close()
		return nil, err
	}
	return dev, nil
}

// sealFirst seals a folder kept before sealing at rest, once, saying so.
func sealFirst(dir, kind string) error {
	return device.SealIfNeeded(context.Background(), dir, device.SealOptions{Kind: kind}, func() {
		fmt.Fprintln(os.Stderr, shell.L("cli.sealing", map[string]any{"Dir": dir}))
	})
}

// applyLang applies --lang, or else the folder's choice.
func (o *options) applyLang(folder string) error {
	choice := o.lang
	if choice == "" {
		choice = folder
	}
	_, err := shell.SetLanguage(choice)
	return err
}
