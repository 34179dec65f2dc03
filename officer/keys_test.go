package officer

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// keyedDesk is a desk on a device folder opened as in production, enrolled
// with a real platform on loopback that holds the demo city's people;
// nobody is enrolled on the device yet.
func keyedDesk(t *testing.T) (*Desk, *device.Device, *server.Server, *httptest.Server) {
	t.Helper()
	shelltest.NewApp(t, shell.Theme{})
	ctx := context.Background()
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	t.Cleanup(h.Close)
	d, dev := keyedDeskOn(t, s, h, "DESK-K")
	return d, dev, s, h
}

// keyedDeskOn is a desk on a new device named name, enrolled with the
// platform s serves at h.
func keyedDeskOn(t *testing.T, s *server.Server, h *httptest.Server, name string) (*Desk, *device.Device) {
	t.Helper()
	ctx := context.Background()
	dev, err := device.Open(ctx, t.TempDir(), device.Catalog|device.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	dev.Book.SetKDF(account.Quick)
	if err := dev.OpenLedger(ctx, name); err != nil {
		t.Fatal(err)
	}
	ds, _ := demo.Dataset(demo.Standard)
	if err := dev.Catalog.Replace(ctx, ds, time.Now()); err != nil {
		t.Fatal(err)
	}
	dev.Config.PlatformURL = h.URL
	code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, h.URL, code, name, api.DeviceOfficer, dev.Log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	d := New(dev.Catalog, dev.Book, config.Default(), w)
	d.background = func(f func()) { f() }
	d.SetActivate(client.Activator{Dev: dev})
	cal, _ := dev.Calendar()
	av, _ := dev.AVLists()
	d.SetCaseFile(dev.Log, cal, av)
	d.SetReview(dev.Review)
	w.SetContent(d.Content())
	return d, dev
}

// deskPair is two desks on devices DESK-K and DESK-L, enrolled with one
// platform (keyedDesk's), with the person first activated (PIN 147258)
// and signed in on the first desk and second (PIN 258369) on the other,
// each in a window of a desk's size.
func deskPair(t *testing.T, first, second string) (dA *Desk, devA *device.Device, dB *Desk, devB *device.Device, s *server.Server) {
	t.Helper()
	ctx := context.Background()
	dA, devA, s, h := keyedDesk(t)
	dB, devB = keyedDeskOn(t, s, h, "DESK-L")
	for _, p := range []struct {
		d       *Desk
		id, pin string
	}{{dA, first, "147258"}, {dB, second, "258369"}} {
		code, _, err := s.People().NewActivationCode(ctx, p.id)
		if err != nil {
			t.Fatal(err)
		}
		activate(p.d, code, p.pin, p.pin)
		signIn(p.d, p.id, p.pin)
		if p.d.Me == nil || p.d.Me.ID != p.id {
			t.Fatalf("%s not signed in: %q", p.id, p.d.Message.Text)
		}
		p.d.win.Resize(fyne.NewSize(1280, 800))
	}
	return dA, devA, dB, devB, s
}

// activate goes through the desk's activation form.
func activate(d *Desk, code, pin, again string) {
	if d.Code == nil || !d.DoActivate.Visible() {
		test.Tap(d.ActivateOpen)
	}
	for _, e := range []*widget.Entry{d.Code, d.NewPIN, d.NewPIN2} {
		e.SetText("")
	}
	test.Type(d.Code, code)
	test.Type(d.NewPIN, pin)
	test.Type(d.NewPIN2, again)
	test.Tap(d.DoActivate)
}

// consent fills the activation form's consent: someone already on the
// desk opens its sealed data for the next activation.
func consent(d *Desk, id, pin string) {
	d.ConsentID.SetText("")
	d.ConsentPIN.SetText("")
	test.Type(d.ConsentID, id)
	test.Type(d.ConsentPIN, pin)
}

func signIn(d *Desk, id, pin string) {
	if d.Me != nil {
		test.Tap(d.SignOut)
	}
	d.ID.SetText("")
	test.Type(d.ID, id)
	test.Type(d.PIN, pin)
	test.Tap(d.SignIn)
}

// A person's way through keys on the officer desk, against the real
// platform: activation with a code through the screen (each mistake
// explained), a sign-in that says it is busy while the key is unsealed,
// an on-site stage the second officer confirms with their own PIN (a wrong
// one refused, nothing recorded), both signatures taken by the platform;
// then offline, a sign-in that works with the platform stopped, and one
// refused because the platform revoked the key (heard at the last sync).
func TestActivateConfirmAndRevokeOnTheDesk(t *testing.T) {
	ctx := context.Background()
	d, dev, s, h := keyedDesk(t)
	const first, second = "990101000001", "990101000002"
	code1, _, err := s.People().NewActivationCode(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	code2, _, err := s.People().NewActivationCode(ctx, second)
	if err != nil {
		t.Fatal(err)
	}

	// Not activated yet: the sign-in form offers activation.
	if !d.ActivateOpen.Visible() {
		t.Fatal("no activation on the sign-in form")
	}
	for _, tc := range []struct{ code, pin, again, want string }{
		{"", "147258", "147258", "请输入管理员发放的激活码"},
		{code1, "123456", "123456", "连续数字"},
		{code1, "147258", "147259", "两次输入的PIN不一致"},
		{"ABCD-EFGH-JKLM-NPQR", "147258", "147258", "激活码无效、已使用或已过期"},
	} {
		activate(d, tc.code, tc.pin, tc.again)
		if !strings.Contains(d.Message.Text, tc.want) || d.Busy.Running() {
			t.Fatalf("activation %q/%q/%q: %q, want %q", tc.code, tc.pin, tc.again, d.Message.Text, tc.want)
		}
	}
	activate(d, code1, "147258", "147258")
	if d.ID == nil || d.ID.Text != first || !strings.Contains(d.Message.Text, "已在本机激活") {
		t.Fatalf("after activation: %q", d.Message.Text)
	}
	// From now on the desk's data opens only with a person: a further
	// activation takes the first officer's consent.
	test.Tap(d.ActivateOpen)
	consent(d, first, "147258")
	activate(d, code1, "147258", "147258") // a code works once
	if !strings.Contains(d.Message.Text, "激活码无效、已使用或已过期") {
		t.Fatalf("a used code: %q", d.Message.Text)
	}
	consent(d, first, "147258")
	activate(d, code2, "258369", "258369")
	if !strings.Contains(d.Message.Text, "已在本机激活") {
		t.Fatalf("second officer's activation: %q", d.Message.Text)
	}

	// Sign-in runs off the UI's goroutine, and the form says so meanwhile.
	ui := uiQueue(d)
	d.ID.SetText(first)
	test.Type(d.PIN, "147258")
	hold := make(chan struct{})
	d.background = func(f func()) { go func() { <-hold; f() }() }
	test.Tap(d.SignIn)
	if !d.Busy.Running() || !d.SignIn.Disabled() || !d.PIN.Disabled() || !strings.Contains(d.Busy.Label.Text, "正在验证PIN") {
		t.Fatalf("no busy state: running %v, %q", d.Busy.Running(), d.Busy.Label.Text)
	}
	close(hold)
	ui.until(t, func() bool { return d.Me != nil })
	if d.Me.ID != first || !dev.Book.Keys.Has(first) {
		t.Fatalf("signed in as %+v", d.Me)
	}
	d.background, d.post = func(f func()) { f() }, func(f func()) { f() }

	// An on-site inspection naming the second officer: they confirm.
	item, err := dev.Catalog.Search(ctx, catalog.Query{Kind: catalog.KindItem, Agency: "01", Act: catalog.ActInspection, Limit: 1})
	if err != nil || len(item) == 0 {
		t.Fatalf("no inspection item: %v", err)
	}
	id, err := dev.Log.OpenCase(ctx, first, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: item[0].Key(),
		ItemName: item[0].Title(), Party: casefile.Party{Kind: "org", Name: "青禾市某某食品有限公司"},
		Officers: []casefile.Officer{{CertNo: first}, {CertNo: second}}})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Cases
	c.ShowCase(id)
	test.Tap(findButton(t, c, "记录办理环节"))
	if c.Form.Stage.Selected != shell.L("stage.inspect") {
		t.Fatalf("stage offered: %q", c.Form.Stage.Selected)
	}
	pickOfficer(t, c.Form.Officer2, second)
	test.Type(c.Form.Note, "现场检查，两名执法人员在场")
	c.Form.Submit()
	if c.Confirm == nil || !strings.Contains(c.Confirm.Officer.Name+c.Confirm.Officer.CertNo, second) {
		t.Fatalf("no confirmation asked of %s: %q", second, c.Form.Message.Text)
	}
	test.Type(c.Confirm.PIN, "147258") // the first officer's PIN is not the second's
	test.Tap(c.Confirm.OK)
	if !strings.Contains(c.Confirm.Message.Text, "不正确") || c.Open.Current != "" {
		t.Fatalf("a wrong PIN: %q, stage %q", c.Confirm.Message.Text, c.Open.Current)
	}
	test.Type(c.Confirm.PIN, "258369")
	test.Tap(c.Confirm.OK)
	if c.Open.Current != "inspect" {
		t.Fatalf("stage not recorded: %q", c.Form.Message.Text)
	}
	recs, err := dev.Log.Records(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if last.Kind != casefile.KindStage || len(last.Sigs) != 2 || last.Sigs[0].Person != first || last.Sigs[1].Person != second {
		t.Fatalf("stage record signatures: %+v", last.Sigs)
	}
	if dev.Book.Keys.Has(second) {
		t.Fatal("the second officer's confirmation outlived its record")
	}
	// Without a confirmation the device refuses the record, in words.
	if _, err := dev.Log.AddStage(ctx, id, first, casefile.StageBody{Stage: "inspect", Note: "再次检查",
		Officers: []casefile.Officer{{CertNo: first}, {CertNo: second}}}); caseError(err) != shell.L("case.err_not_signed") {
		t.Fatalf("an unconfirmed on-site record: %v", err)
	}

	// The platform takes the records with both signatures, and the sync
	// brings back people's standing.
	if res, err := client.Round(ctx, dev, nil); err != nil || len(res.Failed) > 0 {
		t.Fatalf("sync: %v %v", err, res.Failed)
	}
	// The platform revokes the first officer's key; a sync hears of it.
	keys, err := s.People().Keys(ctx, first)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys of %s: %+v %v", first, keys, err)
	}
	if err := s.People().RevokeKey(ctx, keys[0].Key, "laptop lost"); err != nil {
		t.Fatal(err)
	}
	if res, err := client.Round(ctx, dev, nil); err != nil || len(res.Failed) > 0 {
		t.Fatalf("sync: %v %v", err, res.Failed)
	}

	// Offline from here.
	h.Close()
	signIn(d, second, "258369")
	if d.Me == nil || d.Me.ID != second {
		t.Fatalf("offline sign-in: %q", d.Message.Text)
	}
	signIn(d, first, "147258")
	if d.Me != nil || !strings.Contains(d.Message.Text, "吊销") {
		t.Fatalf("a revoked key: signed in %v, %q", d.Me, d.Message.Text)
	}
	// Activation needs the platform: said so.
	code3, _, err := s.People().NewActivationCode(ctx, "990101000003")
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(d.ActivateOpen)
	consent(d, second, "258369")
	activate(d, code3, "369258", "369258")
	if !strings.Contains(d.Message.Text, "无法连接平台") {
		t.Fatalf("activation offline: %q", d.Message.Text)
	}
}

// On an officer's desk whose data is sealed and where nobody is signed
// in, a second person's activation needs someone already activated there
// to consent with their PIN: without it the form says so, a wrong PIN is
// refused as at sign-in, and with it the person is activated, holds a
// wrap of the data key at once, and the desk's data is locked again.
func TestActivationOnASealedDeskNeedsConsent(t *testing.T) {
	ctx := context.Background()
	d, dev, s, _ := keyedDesk(t)
	const first, second = "990101000001", "990101000002"
	code, _, err := s.People().NewActivationCode(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	activate(d, code, "147258", "147258") // the first: the new folder opens by machine
	signIn(d, first, "147258")
	test.Tap(d.SignOut)
	if dev.Vault.Unlocked() {
		t.Fatal("the desk's data stays open with nobody signed in")
	}

	code2, _, err := s.People().NewActivationCode(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(d.ActivateOpen)
	if d.ConsentID == nil || d.ConsentPIN == nil {
		t.Fatal("the activation form of a sealed desk asks for no consent")
	}
	activate(d, code2, "258369", "258369")
	if !strings.Contains(d.Message.Text, "同意本次激活") {
		t.Fatalf("without a consent: %q", d.Message.Text)
	}
	consent(d, first, "999999")
	activate(d, code2, "258369", "258369")
	if !strings.Contains(d.Message.Text, "不正确") || dev.Vault.Unlocked() {
		t.Fatalf("a wrong consent PIN: %q (unlocked %v)", d.Message.Text, dev.Vault.Unlocked())
	}
	consent(d, first, "147258")
	activate(d, code2, "258369", "258369")
	if !strings.Contains(d.Message.Text, second) {
		t.Fatalf("with a consent: %q", d.Message.Text)
	}
	if dev.Vault.Unlocked() {
		t.Error("the desk's data stays open after a consented activation")
	}
	info, err := dev.Book.Vault(ctx)
	if err != nil || !slices.Contains(info.Persons, second) {
		t.Fatalf("the new person holds no wrap: %+v %v", info, err)
	}
	signIn(d, second, "258369")
	if d.Me == nil || d.Me.ID != second || !dev.Vault.Unlocked() {
		t.Fatalf("the new person signs in: %q", d.Message.Text)
	}
}
