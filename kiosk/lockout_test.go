package kiosk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// The configured administrator PIN's lockout survives a restart: five
// wrong PINs lock it; a new kiosk on the same data folder five minutes on
// is still locked, says so as the dialog opens with ten minutes left, and
// refuses the right PIN; once the lock has run out the right PIN opens the
// actions. Wrong PINs short of the lock count across a restart too.
func TestKioskLockoutSurvivesRestart(t *testing.T) {
	shelltest.NewApp(t, Theme(config.Default()))
	cat := demoCatalog(t)
	dir := t.TempDir()
	cfg := config.Default()
	cfg.KioskAdminPINHash, _ = account.Hash("135792")
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)

	// start is the kiosk program started at now on the data folder.
	start := func(now time.Time) (*Kiosk, fyne.Window) {
		t.Helper()
		k, err := New(cat, cfg)
		if err != nil {
			t.Fatal(err)
		}
		k.SetClock(func() time.Time { return now })
		if err := k.KeepLockout(dir); err != nil {
			t.Fatal(err)
		}
		w := test.NewTempWindow(t, k.Content())
		w.Resize(fyne.NewSize(1280, 800))
		k.Attach(w)
		k.quit = func() {}
		return k, w
	}
	try := func(k *Kiosk, pin string) {
		k.AdminPIN().SetText(pin)
		k.SubmitAdminPIN()
	}

	k, _ := start(t0)
	k.AskAdmin()
	for range account.MaxFailures {
		try(k, "000000")
	}
	if a := k.AdminGate(); !strings.Contains(a.Message.Text, "已锁定至") || !a.lockedUntil.Equal(t0.Add(account.LockFor)) {
		t.Fatalf("after %d wrong PINs: %q", account.MaxFailures, a.Message.Text)
	}

	k, w := start(t0.Add(5 * time.Minute))
	k.AskAdmin()
	a := k.AdminGate()
	want := "已锁定至" + t0.Add(account.LockFor).Format("15:04") + "（还需约10分钟）"
	if !strings.Contains(a.Message.Text, want) {
		t.Fatalf("after a restart the dialog says %q, want %q", a.Message.Text, want)
	}
	shelltest.Shot(t, w, "kiosk_admin_locked_after_restart")
	try(k, "135792")
	if a.Actions != nil || !strings.Contains(a.Message.Text, want) {
		t.Fatalf("the right PIN while locked: %q", a.Message.Text)
	}

	k, _ = start(t0.Add(account.LockFor + time.Second))
	k.AskAdmin()
	a = k.AdminGate()
	if a.Message.Text != "" {
		t.Fatalf("after the lock ran out the dialog says %q", a.Message.Text)
	}
	try(k, "135792")
	if a.Actions == nil {
		t.Fatalf("the right PIN after the lock: %q", a.Message.Text)
	}
	a.Actions.Hide()

	// Four wrong, a restart, one more: locked.
	for range account.MaxFailures - 1 {
		try(k, "000000")
	}
	k, _ = start(t0.Add(account.LockFor + time.Minute))
	k.AskAdmin()
	try(k, "000000")
	if a := k.AdminGate(); !strings.Contains(a.Message.Text, "已锁定至") {
		t.Fatalf("the fifth wrong PIN across a restart: %q", a.Message.Text)
	}
}

// A lock file that cannot be read locks, and a lock reaching further than
// LockFor from now (the clock set back) is cut to LockFor.
func TestKioskLockoutFileReadSafely(t *testing.T) {
	shelltest.NewApp(t, Theme(config.Default()))
	cat := demoCatalog(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	for name, content := range map[string]string{
		"unreadable": "{not json",
		"far ahead":  `{"failures": 0, "locked_until": "2030-01-01T00:00:00Z"}`,
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, LockoutFile), []byte(content), 0o600)
		k, err := New(cat, config.Default())
		if err != nil {
			t.Fatal(err)
		}
		k.SetClock(func() time.Time { return now })
		if err := k.KeepLockout(dir); err != nil {
			t.Fatal(err)
		}
		if got := k.AdminGate().lockedUntil; !got.Equal(now.Add(account.LockFor)) {
			t.Errorf("%s: locked until %v", name, got)
		}
	}
}
