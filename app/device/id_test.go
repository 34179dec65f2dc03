package device_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

var randomID = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{10}$`)

func openDevice(t *testing.T, dir string) *device.Device {
	t.Helper()
	d, err := device.Open(context.Background(), dir, device.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Two new devices set up on machines of the same host name (here, this
// machine twice) get IDs of their own, neither of them the host name, and
// both enrol with the real platform on loopback under those IDs, each
// named by the host name for people. (With the host name as ID, the
// second was refused as a duplicate.)
func TestNewDevicesOnOneHostGetTheirOwnIDs(t *testing.T) {
	ctx := context.Background()
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	t.Cleanup(h.Close)

	var ids []string
	for range 2 {
		d := openDevice(t, t.TempDir())
		defer d.Close()
		id := d.Log.DeviceID()
		if !randomID.MatchString(id) || id == device.Name() {
			t.Fatalf("a new device's ID is %q (host name %q)", id, device.Name())
		}
		if kept, err := device.ID(d.Dir); err != nil || kept != id {
			t.Fatalf("the folder keeps %q (%v), the log says %q", kept, err, id)
		}
		code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
		if err != nil {
			t.Fatal(err)
		}
		got, err := client.Enrol(ctx, h.URL, code, device.Name(), "", d.Log.Verifier)
		if err != nil {
			t.Fatalf("enrol %s: %v", id, err)
		}
		if got.DeviceID != id {
			t.Fatalf("the platform enrolled %q as %q", id, got.DeviceID)
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		t.Fatalf("two new devices share ID %s", ids[0])
	}
}

// A restart keeps the ID: the folder opened again, and its case numbers,
// name the device as before.
func TestDeviceIDSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	d := openDevice(t, dir)
	id := d.Log.DeviceID()
	d.Close()
	d = openDevice(t, dir)
	defer d.Close()
	if d.Log.DeviceID() != id {
		t.Fatalf("after a restart the device is %q, before %q", d.Log.DeviceID(), id)
	}
	data, err := os.ReadFile(filepath.Join(dir, device.IDFile))
	if err != nil || string(data) != id+"\n" {
		t.Fatalf("%s holds %q (%v)", device.IDFile, data, err)
	}
}

// A device set up before IDs were random (its log made with its host
// name) keeps that ID: its log and the platform know it by it.
func TestUpgradedDeviceKeepsItsHostnameID(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const old = "office-laptop"
	l, err := casefile.Open(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), old, nil)
	if err != nil {
		t.Fatal(err)
	}
	verifier := l.Verifier
	l.Close()
	// Kept before sealing at rest too: opened only once sealed.
	if _, err := device.Open(ctx, dir, device.Ledger); !errors.Is(err, device.ErrNeedsSealing) {
		t.Fatalf("a folder kept before sealing opened: %v", err)
	}
	if err := device.SealFolder(ctx, dir, device.SealOptions{}); err != nil {
		t.Fatal(err)
	}
	d := openDevice(t, dir)
	defer d.Close()
	if d.Log.DeviceID() != old || d.Log.Verifier != verifier {
		t.Fatalf("the upgraded device is %q", d.Log.DeviceID())
	}
	if id, err := device.ID(dir); err != nil || id != old {
		t.Fatalf("ID of the upgraded folder: %q %v", id, err)
	}
}

// Programs started at once on a new folder agree on one ID.
func TestFirstRunsAtOnceAgree(t *testing.T) {
	dir := t.TempDir()
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := device.ID(dir)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("first runs made %v", ids)
		}
	}
}

// A kept ID file that holds no ID is an error that names it, not a new ID.
func TestBadIDFileNamesIt(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, device.IDFile), []byte(" \n"), 0o600)
	if _, err := device.ID(dir); err == nil || !regexp.MustCompile(device.IDFile).MatchString(err.Error()) {
		t.Fatalf("got %v", err)
	}
}
