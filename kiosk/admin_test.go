package kiosk

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// A kiosk administrator's way through keys, against the real platform on
// loopback: until one has activated, the configured PIN guards the kiosk;
// an officer's code is refused on a kiosk; the administrator activates
// with their code from the admin dialog; from then on the dialog asks for
// their number and PIN (a wrong PIN refused, the configured PIN no longer
// enough), leaving fullscreen and quitting are each recorded as a
// kiosk.admin record signed with their key, the key is put away after
// each, and the kiosk's round pushes both records to the platform.
func TestKioskAdministratorActivatesAndSignsOut(t *testing.T) {
	shelltest.NewApp(t, Theme(config.Default()))
	ctx := context.Background()
	s, h := demoPlatform(t)
	dev, err := device.OpenWith(ctx, t.TempDir(), device.Catalog|device.Accounts, device.Options{Kind: api.DeviceKiosk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	dev.Book.SetKDF(account.Quick)
	if err := dev.OpenLedger(ctx, "KIOSK-K"); err != nil {
		t.Fatal(err)
	}
	dev.Config.PlatformURL = h.URL
	code, err := s.NewEnrolCode(ctx, api.DeviceKiosk)
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, h.URL, code, "KIOSK-K", "", dev.Log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}

	cfg := config.Default()
	cfg.KioskAdminPINHash, _ = account.Hash("135792")
	k, err := New(demoCatalog(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(true)
	k.Attach(w)
	k.SetAdmins(dev.Book, client.Activator{Dev: dev}, client.NewHallLog(dev))
	a := k.AdminGate()
	a.background, a.post = func(f func()) { f() }, func(f func()) { f() }
	quit := 0
	k.quit = func() { quit++ }

	// Nobody activated: the configured PIN's pad, as before.
	k.AskAdmin()
	if a.ID != nil || !a.ActivateOpen.Visible() {
		t.Fatal("the kiosk asks for an administrator's number before one activated")
	}
	a.dialog.Hide()

	// An officer's code is refused here; a kiosk administrator's is taken.
	k.AskAdmin()
	test.Tap(a.ActivateOpen)
	activate := func(code string) {
		a.Code.SetText(code)
		a.NewPIN.SetText("258147")
		a.NewPIN2.SetText("258147")
		test.Tap(a.DoActivate)
	}
	officerCode, _, err := s.People().NewActivationCode(ctx, "990101000001")
	if err != nil {
		t.Fatal(err)
	}
	activate(officerCode)
	if !strings.Contains(a.ActivateMessage.Text, "自助终端管理员在自助终端激活") {
		t.Fatalf("an officer on a kiosk: %q", a.ActivateMessage.Text)
	}
	const admin = "990101900001"
	if err := s.People().Put(ctx, api.Person{ID: admin, Name: "管理员甲", Agency: "01", Role: api.RoleKioskAdmin, Active: true}); err != nil {
		t.Fatal(err)
	}
	adminCode, _, err := s.People().NewActivationCode(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	shelltest.Shot(t, w, "kiosk-admin-activate")
	activate(adminCode)
	if a.ID == nil || a.ID.Text != admin || !strings.Contains(a.Message.Text, "已在本机激活") {
		t.Fatalf("after activation: id %v, message %q / %q", a.ID, a.Message.Text, a.ActivateMessage.Text)
	}
	pub, err := dev.Book.KeyOf(ctx, admin)
	if err != nil || pub == "" {
		t.Fatalf("no key for the administrator: %v", err)
	}

	// The configured PIN no longer opens the kiosk; a wrong PIN is refused.
	a.PIN.SetText("135792")
	k.SubmitAdminPIN()
	if a.Signed != nil || !strings.Contains(a.Message.Text, "不正确") {
		t.Fatalf("the configured PIN: signed %v, %q", a.Signed, a.Message.Text)
	}
	a.PIN.SetText("000001")
	k.SubmitAdminPIN()
	if a.Signed != nil || !strings.Contains(a.Message.Text, "不正确") {
		t.Fatalf("a wrong PIN: signed %v, %q", a.Signed, a.Message.Text)
	}
	a.PIN.SetText("258147")
	shelltest.Shot(t, w, "kiosk-admin-signin")
	k.SubmitAdminPIN()
	if a.Signed == nil || a.Signed.ID != admin || a.Actions == nil || !dev.Book.Keys.Has(admin) {
		t.Fatalf("the right PIN: %q", a.Message.Text)
	}
	shelltest.Shot(t, w, "kiosk-admin-actions")
	k.AdminDo(hall.ActionLeaveFullscreen)
	if w.FullScreen() || a.Signed != nil || dev.Book.Keys.Has(admin) {
		t.Fatalf("after leaving fullscreen: full %v, signed %v, key held %v", w.FullScreen(), a.Signed, dev.Book.Keys.Has(admin))
	}

	// Quitting, the same way; then the round pushes both records.
	k.AskAdmin()
	a.ID.SetText(admin)
	a.PIN.SetText("258147")
	k.SubmitAdminPIN()
	k.AdminDo(hall.ActionQuit)
	if quit != 1 || dev.Book.Keys.Has(admin) {
		t.Fatalf("quit %d, key held %v", quit, dev.Book.Keys.Has(admin))
	}
	if res, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatalf("round: %s: %v", res, err)
	}
	held, err := s.LogRecords(ctx, id.DeviceID)
	if err != nil || len(held) != 2 {
		t.Fatalf("the platform holds %d records (%v)", len(held), err)
	}
	for i, want := range []string{hall.ActionLeaveFullscreen, hall.ActionQuit} {
		var r ledger.Record
		var b hall.KioskBody
		if json.Unmarshal(held[i], &r) != nil || json.Unmarshal(r.Body, &b) != nil {
			t.Fatalf("record %d unreadable", i)
		}
		g, ok := r.SigBy(admin)
		if r.Kind != hall.KindKioskAdmin || r.Case != "" || b.Action != want || !ok || g.Key != pub ||
			ledger.VerifySigs("sanxiang/device/"+id.DeviceID, &r) != nil {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
	// The one alert is the officer's code tried on a kiosk.
	if alerts, _ := s.AlertList(ctx); len(alerts) != 1 || alerts[0].Kind != "activation_wrong_device" {
		t.Fatalf("alerts: %+v", alerts)
	}
}
