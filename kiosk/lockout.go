package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// LockoutFile is where a kiosk keeps the configured administrator PIN's
// lockout, in its data folder: wrong PINs counted and the lock's end
// survive a restart (pulling the plug does not buy five more guesses).
const LockoutFile = "kiosk_lockout.json"

// lockout is what LockoutFile holds.
type lockout struct {
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// KeepLockout keeps the configured PIN's lockout in LockoutFile of the
// data folder dir: it takes up the lockout the file holds now, and saves
// it on each wrong PIN and each success. A lock longer than account.LockFor from now (the clock
// was set back, or the file edited) is cut to LockFor; a file that cannot
// be read locks for LockFor, as the safe reading of a lock it cannot see.
func (k *Kiosk) KeepLockout(dir string) error {
	a := &k.admin
	path := filepath.Join(dir, LockoutFile)
	a.lockPath = path
	var l lockout
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("kiosk lockout: %w", err)
	}
	now := k.now()
	if err := json.Unmarshal(data, &l); err != nil {
		shell.LogError("kiosk lockout: "+LockoutFile+" unreadable, locked for now", err)
		l = lockout{LockedUntil: now.Add(account.LockFor)}
	}
	if l.LockedUntil.After(now.Add(account.LockFor)) {
		l.LockedUntil = now.Add(account.LockFor)
	}
	a.failures, a.lockedUntil = max(l.Failures, 0), l.LockedUntil
	return nil
}

// saveLockout writes the lockout as it stands, replacing the file whole.
func (a *adminGate) saveLockout() {
	if a.lockPath == "" {
		return
	}
	data, err := json.Marshal(lockout{Failures: a.failures, LockedUntil: a.lockedUntil.UTC()})
	if err == nil {
		tmp := a.lockPath + ".new"
		if err = os.WriteFile(tmp, data, 0o600); err == nil {
			err = os.Rename(tmp, a.lockPath)
		}
	}
	shell.LogError("kiosk lockout: save", err)
}

// lockedText says the configured PIN is locked, until when and for how
// many minutes more.
func lockedText(until, now time.Time) string {
	return shell.L("admin.locked", map[string]any{"Time": until.Local().Format("15:04"),
		"Minutes": int(math.Ceil(until.Sub(now).Minutes()))})
}
