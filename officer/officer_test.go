package officer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

func newTestDesk(t *testing.T) *Desk {
	t.Helper()
	shelltest.NewApp(t, shell.Theme{})
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	ds, _ := demo.Dataset(demo.Standard)
	if err := cat.Replace(ctx, ds, time.Now()); err != nil {
		t.Fatal(err)
	}
	book, err := account.Open(ctx, filepath.Join(dir, "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { book.Close() })
	book.SetKDF(account.Quick)
	for _, a := range demo.Accounts(ds) {
		if err := book.Enrol(ctx, a, demo.PIN); err != nil {
			t.Fatal(err)
		}
	}
	w := test.NewTempWindow(t, nil)
	d := New(cat, book, config.Default(), w)
	d.background = func(f func()) { f() } // fyne.Do runs in place in the test driver
	w.SetContent(d.Content())
	return d
}

func TestOfficerSignsInOfflineAndSeesCertificate(t *testing.T) {
	d := newTestDesk(t)
	test.Type(d.ID, "990101000001")
	test.Type(d.PIN, "999999")
	test.Tap(d.SignIn)
	// The field is 执法证号, and so is the error (not the hall's 工号).
	if d.Me != nil || !strings.Contains(d.Message.Text, "执法证号或密码不正确") || strings.Contains(d.Message.Text, "工号") {
		t.Fatalf("wrong PIN: %v %q", d.Me, d.Message.Text)
	}
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.Me == nil || d.Me.Role != account.RoleOfficer {
		t.Fatalf("sign-in: %q", d.Message.Text)
	}
	if d.Cert == nil || d.Cert.CertNo != "990101000001" {
		t.Fatalf("certificate not found: %v", d.Cert)
	}
	// Shown to citizens: large text, the number and status among it.
	if v := d.CertValues["field.cert_no"]; v == nil || v.Text != "990101000001" || v.TextSize < 24 || d.CertValues["field.cert_status"].Text != "有效" {
		t.Fatalf("certificate page: %+v", d.CertValues)
	}
	if len(d.items) == 0 {
		t.Fatal("no enforcement items for the officer's agency")
	}
	for _, it := range d.items {
		if it.Agency() != d.Me.Agency {
			t.Errorf("item %s of agency %s listed for agency %s", it.Key(), it.Agency(), d.Me.Agency)
		}
	}
	test.Tap(d.SignOut)
	if d.Me != nil || d.ID == nil {
		t.Fatal("sign-out did not return to the form")
	}
}

func TestWindowStaffCannotUseTheOfficerDesk(t *testing.T) {
	d := newTestDesk(t)
	test.Type(d.ID, "990101000004") // the demo's window staff of agency 01
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.Me != nil || !strings.Contains(d.Message.Text, "窗口工作人员") {
		t.Fatalf("staff signed in to the officer desk: %v %q", d.Me, d.Message.Text)
	}
}

// A device without its city's lists says so above every tab, in the
// desk's language, until a sync brings them.
func TestDeskSaysItHasNoCityLists(t *testing.T) {
	d := newTestDesk(t)
	d.SetCityLists(false)
	test.Type(d.ID, "990101000001")
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.CityNotice == nil || !d.CityNotice.Visible() || !strings.Contains(d.CityNotice.Text, "尚未收到本市") {
		t.Fatalf("no notice: %+v", d.CityNotice)
	}
	d.SetCityLists(true)
	if d.CityNotice.Visible() {
		t.Fatal("the notice stays after the lists came")
	}
}

// The desk on a folder opened as in production (app/device): an officer
// whose certificate the list says is revoked is refused with the right PIN
// and told why; one whose certificate ends within 30 days signs in and is
// warned.
func TestRevokedOfficerIsRefusedAndExpiryWarned(t *testing.T) {
	shelltest.NewApp(t, shell.Theme{})
	ctx := context.Background()
	dev, err := device.Open(ctx, t.TempDir(), device.Catalog|device.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	dev.Book.SetKDF(account.Quick)
	ds, _ := demo.Dataset(demo.Standard)
	for _, a := range demo.Accounts(ds) { // enrolled while in force
		if err := dev.Book.Enrol(ctx, a, demo.PIN); err != nil {
			t.Fatal(err)
		}
	}
	soon := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	for i := range ds.Officers {
		switch ds.Officers[i].CertNo {
		case "990101000001":
			ds.Officers[i].Status = catalog.CertRevoked
		case "990101000002":
			ds.Officers[i].ValidUntil = soon
		}
	}
	if err := dev.Catalog.Replace(ctx, ds, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	d := New(dev.Catalog, dev.Book, config.Default(), w)
	d.background = func(f func()) { f() }
	w.SetContent(d.Content())

	test.Type(d.ID, "990101000001")
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.Me != nil || !strings.Contains(d.Message.Text, "注销") {
		t.Fatalf("revoked certificate: signed in %v, message %q", d.Me, d.Message.Text)
	}

	d.ID.SetText("")
	test.Type(d.ID, "990101000002")
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.Me == nil {
		t.Fatalf("certificate in force refused: %q", d.Message.Text)
	}
	if d.CertNotice.Hidden || !strings.Contains(d.CertNotice.Text, soon) || !strings.Contains(d.CertNotice.Text, "10 天") {
		t.Fatalf("expiry warning: hidden %v, %q", d.CertNotice.Hidden, d.CertNotice.Text)
	}
}
