package device

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// Unlock says how a command-line tool opens a sealed folder: a person
// on it with their PIN, or the city's recovery key file.
type Unlock struct {
	Person, PIN string
	RecoveryKey string
	// Keystore is the machine's (nil: keystore.System).
	Keystore keystore.Store
}

// Given says whether anything was given to open with.
func (u Unlock) Given() bool { return u.Person != "" || u.RecoveryKey != "" }

// ErrSealedNeedsUnlock is a tool asked to read a sealed folder's content
// with nothing to open it.
var ErrSealedNeedsUnlock = errors.New("the data folder is sealed: give a person on it (--person, the PIN on standard input) or the city's recovery key (--recovery-key)")

// ToolKeys opens the vault of the folder at dir for a command-line tool:
// with a person's PIN (counted as a sign-in's, so guessing locks the
// account as on the desk) or with the city's recovery key (read from a
// copy of device.db: the folder is not written). The keys are the data
// key's, for this process only.
func ToolKeys(ctx context.Context, dir string, u Unlock) (seal.Keys, error) {
	if u.RecoveryKey != "" {
		dk, _, err := recoveryDK(ctx, dir, u.RecoveryKey)
		if err != nil {
			return nil, err
		}
		return seal.Static{DK: dk}, nil
	}
	if u.Person == "" {
		return nil, ErrSealedNeedsUnlock
	}
	book, err := account.Open(ctx, filepath.Join(dir, config.DeviceDB))
	if err != nil {
		return nil, err
	}
	defer book.Close()
	ks := u.Keystore
	if ks == nil {
		ks = keystore.System(dir)
	}
	v := vault.New(0)
	book.SetVault(v, ks)
	if err := book.Unlock(ctx, u.Person, u.PIN); err != nil {
		return nil, err
	}
	dk, err := v.DK()
	if err != nil {
		return nil, err
	}
	return seal.Static{DK: dk}, nil
}

// ReadPIN reads a PIN from the first line of r (a tool's standard input).
func ReadPIN(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the PIN: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// RecoveryKeysOf names the recovery keys the folder at dir is wrapped
// for (their fingerprints), for a tool that says what it needs; "-" for
// none.
func RecoveryKeysOf(ctx context.Context, dir string) string {
	book, err := account.Open(ctx, filepath.Join(dir, config.DeviceDB))
	if err != nil {
		return "-"
	}
	defer book.Close()
	info, err := book.Vault(ctx)
	if err != nil || len(info.Recovery) == 0 {
		return "-"
	}
	return strings.Join(info.Recovery, ", ")
}

// recoveryDK unwraps the folder's data key with the city's recovery key in
// keyFile, from a copy of device.db: the folder is not written.
func recoveryDK(ctx context.Context, dataDir, keyFile string) (dk []byte, fingerprint string, err error) {
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, "", fmt.Errorf("read the recovery key: %w", err)
	}
	key, err := vault.ParseRecoveryKey(kb)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", keyFile, err)
	}
	fingerprint = key.Public().Fingerprint()
	work, err := os.MkdirTemp("", "sanxiang-recover-*")
	if err != nil {
		return nil, fingerprint, err
	}
	defer os.RemoveAll(work)
	for _, s := range []string{"", "-wal"} {
		if err := copyFile(filepath.Join(dataDir, config.DeviceDB+s), filepath.Join(work, config.DeviceDB+s)); err != nil && (s == "" || !errors.Is(err, os.ErrNotExist)) {
			return nil, fingerprint, fmt.Errorf("copy %s: %w", config.DeviceDB+s, err)
		}
	}
	book, err := account.Open(ctx, filepath.Join(work, config.DeviceDB))
	if err != nil {
		return nil, fingerprint, err
	}
	defer book.Close()
	v := vault.New(0)
	book.SetVault(v, keystore.None{})
	if err := book.UnlockWithRecovery(ctx, key); err != nil {
		return nil, fingerprint, err
	}
	dk, err = v.DK()
	return dk, fingerprint, err
}
