package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// enrolledDevice opens a new device of kind (a window, a kiosk or an
// officer's) named name,
// as `sanxiang enrol` leaves one: its folder, accounts and log, enrolled
// with a code of that kind.
func enrolledDevice(t *testing.T, s *server.Server, url, name, kind string) (*device.Device, client.Identity) {
	t.Helper()
	ctx := context.Background()
	dev, err := device.OpenWith(ctx, t.TempDir(), device.Catalog|device.Accounts, device.Options{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	if err := dev.OpenLedger(ctx, name); err != nil {
		t.Fatal(err)
	}
	dev.Book.SetKDF(account.Quick)
	dev.Config.PlatformURL = url
	code, err := s.NewEnrolCode(ctx, kind)
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, url, code, name, "", dev.Log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if id.Kind != kind {
		t.Fatalf("enrolled as %q, the code was for %q", id.Kind, kind)
	}
	if err := client.SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	return dev, id
}

// pushErr is the push step's error of a sync round.
func pushErr(t *testing.T, res client.Result) error {
	t.Helper()
	for _, f := range res.Failed {
		if f.Step == "push" {
			return f
		}
	}
	t.Fatalf("the push was taken: %s", res)
	return nil
}

// Window sign-ins go to the platform as signed logs (issue 16: kiosks and
// windows push their own logs). A staff member activated on a window
// device through the platform signs in at window 3 and out again; the
// window's sync round pushes both records, which name no case, and the
// platform holds them with signatures that verify under the key it
// registered to her on that device, and lists who served at which window.
// Then what the platform refuses from a window, each with its code and an
// alert: a case record (wrong_kind), a sign-in signed with a key the
// platform never registered to the staff member (unknown_key), and one by
// a person whose role is not window staff (not_hall_staff).
func TestWindowSignInsArePushedSigned(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		const staff, pin = "990102000104", "258147"
		dev, id := enrolledDevice(t, s, h.URL, "WINDOW-1", api.DeviceWindow)
		code := person(t, s, api.Person{ID: staff, Name: "窗口员", Agency: "02", Role: api.RoleStaff})
		me, err := client.ActivatePerson(ctx, dev, code, pin)
		if err != nil {
			t.Fatal(err)
		}
		hl := client.NewHallLog(dev)
		if _, _, err := dev.Book.SignIn(ctx, staff, pin, "3"); err != nil {
			t.Fatal(err)
		}
		if err := hl.Window(ctx, hall.KindWindowSignIn, "3", staff); err != nil {
			t.Fatal(err)
		}
		if err := hl.Window(ctx, hall.KindWindowSignOut, "3", staff); err != nil {
			t.Fatal(err)
		}
		if err := dev.Book.Log(ctx, staff, "signout", "3"); err != nil {
			t.Fatal(err)
		}
		// Signed out, her key is gone: nothing more is signed as her.
		if err := hl.Window(ctx, hall.KindWindowSignIn, "4", staff); !errors.Is(err, casefile.ErrNotSigned) {
			t.Fatalf("a sign-in after signing out: %v", err)
		}
		res, err := client.Round(ctx, dev, nil)
		if err != nil {
			t.Fatalf("round: %s: %v", res, err)
		}
		held, err := s.LogRecords(ctx, id.DeviceID)
		if err != nil || len(held) != 2 {
			t.Fatalf("the platform holds %d records (%v)", len(held), err)
		}
		for i, data := range held {
			var r ledger.Record
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			want := []string{hall.KindWindowSignIn, hall.KindWindowSignOut}[i]
			g, ok := r.SigBy(staff)
			if r.Kind != want || r.Case != "" || !ok || g.Key != me.PubKey || ledger.VerifySigs("sanxiang/device/"+id.DeviceID, &r) != nil {
				t.Fatalf("record %d: %+v", i, r)
			}
		}
		log, err := s.HallLog(ctx, "")
		if err != nil || len(log) != 2 || log[0].Window != "3" || log[0].Person != staff || !log[0].Signed ||
			log[0].Kind != hall.KindWindowSignIn || log[1].Kind != hall.KindWindowSignOut || log[1].Device != id.DeviceID {
			t.Fatalf("hall log %+v (%v)", log, err)
		}
		if alerts, _ := s.AlertList(ctx); len(alerts) != 0 {
			t.Fatalf("alerts after the window's push: %+v", alerts)
		}

		// A case record from the window: refused, nothing taken.
		if _, _, err := dev.Book.SignIn(ctx, staff, pin, "3"); err != nil {
			t.Fatal(err)
		}
		if err := dev.Log.Append(ctx, &casefile.Record{Case: id.DeviceID + "-20260101-0001", Kind: casefile.KindOpen, Author: staff,
			Body: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
		res, _ = client.Round(ctx, dev, nil)
		refused(t, s, pushErr(t, res), "wrong_kind", id.DeviceID)
		if held, _ := s.LogRecords(ctx, id.DeviceID); len(held) != 2 {
			t.Fatalf("the platform took the case record: %d records", len(held))
		}

		// A sign-in signed with a key the platform never registered to her.
		dev2, id2 := enrolledDevice(t, s, h.URL, "WINDOW-2", api.DeviceWindow)
		_, fake, _ := ed25519.GenerateKey(rand.Reader)
		dev2.Log.SetSigner(func(_ context.Context, r *casefile.Record, _ []string) error {
			return r.AddSig(dev2.Log.Origin(), ledger.KeySigner{ID: r.Author, Key: fake})
		})
		if _, err := hall.AppendWindow(ctx, dev2.Log, hall.KindWindowSignIn, "5", staff); err != nil {
			t.Fatal(err)
		}
		res, _ = client.Round(ctx, dev2, nil)
		refused(t, s, pushErr(t, res), "unknown_key", id2.DeviceID)

		// Someone activated as window staff, then made an officer: their
		// sign-in is not a window's.
		dev3, id3 := enrolledDevice(t, s, h.URL, "WINDOW-3", api.DeviceWindow)
		const other = "990102000105"
		if _, err := client.ActivatePerson(ctx, dev3, person(t, s, api.Person{ID: other, Name: "调岗员", Agency: "02", Role: api.RoleStaff}), pin); err != nil {
			t.Fatal(err)
		}
		if err := s.People().Put(ctx, api.Person{ID: other, Name: "调岗员", Agency: "02", Role: api.RoleOfficer, Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := dev3.Book.SignIn(ctx, other, pin, "6"); err != nil {
			t.Fatal(err)
		}
		if _, err := hall.AppendWindow(ctx, dev3.Log, hall.KindWindowSignIn, "6", other); err != nil {
			t.Fatal(err)
		}
		res, _ = client.Round(ctx, dev3, nil)
		refused(t, s, pushErr(t, res), "not_hall_staff", id3.DeviceID)
		if log, _ := s.HallLog(ctx, ""); len(log) != 2 {
			t.Fatalf("refused records in the hall log: %+v", log)
		}
	})
}

// A paused window points citizens to the nearest window open now: the
// platform tells which windows serve from their own signed hall logs. Two
// windows' staff sign in (windows 3 and 7); the platform lists both with
// the staff's names; a pause closes a window and a resume opens it again,
// a sign-out closes it for good; a window device asks through real HTTP.
func TestOpenWindowsFromSignedHallLogs(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		type desk struct {
			dev    *device.Device
			id     client.Identity
			hl     *client.HallLog
			window string
			staff  string
		}
		var desks []desk
		for i, w := range []string{"3", "7"} {
			staff := fmt.Sprintf("99010200021%d", i)
			dev, id := enrolledDevice(t, s, h.URL, "WINDOW-"+w, api.DeviceWindow)
			code := person(t, s, api.Person{ID: staff, Name: []string{"周敏", "吴磊"}[i], Agency: "02", Role: api.RoleStaff})
			if _, err := client.ActivatePerson(ctx, dev, code, "258147"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := dev.Book.SignIn(ctx, staff, "258147", w); err != nil {
				t.Fatal(err)
			}
			desks = append(desks, desk{dev, id, client.NewHallLog(dev), w, staff})
		}
		event := func(d desk, kind string) {
			t.Helper()
			if err := d.hl.Window(ctx, kind, d.window, d.staff); err != nil {
				t.Fatal(err)
			}
			if res, err := client.Round(ctx, d.dev, nil); err != nil {
				t.Fatalf("round: %s: %v", res, err)
			}
		}
		open := func() string {
			t.Helper()
			list, err := client.New(desks[0].id).OpenWindows(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range list {
				out = append(out, o.Window+":"+o.Name)
			}
			return strings.Join(out, " ")
		}
		if got := open(); got != "" {
			t.Fatalf("open before anyone signed in: %q", got)
		}
		event(desks[0], hall.KindWindowSignIn)
		event(desks[1], hall.KindWindowSignIn)
		if got := open(); got != "3:周敏 7:吴磊" {
			t.Fatalf("open: %q", got)
		}
		event(desks[1], hall.KindWindowPause)
		if got := open(); got != "3:周敏" {
			t.Fatalf("open with window 7 paused: %q", got)
		}
		event(desks[1], hall.KindWindowResume)
		event(desks[0], hall.KindWindowSignOut)
		if got := open(); got != "7:吴磊" {
			t.Fatalf("open after window 3 signed out: %q", got)
		}
	})
}
