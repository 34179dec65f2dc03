package keystore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// keyring starts a private session bus and a GNOME Keyring on it, with its
// own home (a login keyring unlocked by a test password), and stops both
// when the test ends. It skips the test when either program is missing.
func keyring(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("no %s here (apt-get install dbus gnome-keyring to run this for real)", p)
		}
	}
	home := t.TempDir()
	run := filepath.Join(home, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	// A bus of our own, without service activation: the session
	// configuration would let the first call start a second keyring
	// daemon (not unlocked, no default keyring) racing ours for the name.
	conf := filepath.Join(home, "bus.conf")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+home+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	bus := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	bus.Env = append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+run)
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() { bus.Process.Kill(); bus.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon address: %v", err)
	}
	addr := strings.TrimSpace(line)

	gk := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	gk.Env = append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+run,
		"XDG_DATA_HOME="+filepath.Join(home, "data"), "DBUS_SESSION_BUS_ADDRESS="+addr)
	gk.Stdin = strings.NewReader("test password")
	if err := gk.Start(); err != nil {
		t.Fatalf("gnome-keyring-daemon: %v", err)
	}
	t.Cleanup(func() { gk.Process.Kill(); gk.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for !(SecretService{Address: addr}).available() {
		if time.Now().After(deadline) {
			t.Fatal("gnome-keyring-daemon did not offer a default keyring")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return addr
}

func TestSecretServiceRoundTrip(t *testing.T) {
	addr := keyring(t)
	s := SecretService{Address: addr}
	if _, err := s.Get("f1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before Put: %v", err)
	}
	m := make([]byte, 32)
	rand.Read(m)
	if err := s.Put("f1", m); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("f1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, m) {
		t.Fatalf("read %x, put %x", got, m)
	}
	if _, err := s.Get("f2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another folder: %v", err)
	}
	// Put again replaces the item.
	m2 := make([]byte, 32)
	rand.Read(m2)
	if err := s.Put("f1", m2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("f1"); err != nil || !bytes.Equal(got, m2) {
		t.Fatalf("after a second Put: %x %v", got, err)
	}

	// Another user's keyring (another machine) does not hold it.
	other := SecretService{Address: keyring(t)}
	if _, err := other.Get("f1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another keyring: %v", err)
	}

	// System finds the service on the session bus, and says None where
	// there is no bus.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	if k := System(t.TempDir()).Kind(); k != "secret-service" {
		t.Fatalf("System with a keyring on the bus: %s", k)
	}
	if got, err := System(t.TempDir()).Get("f1"); err != nil || !bytes.Equal(got, m2) {
		t.Fatalf("System's Get: %x %v", got, err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "nobus"))
	if k := System(t.TempDir()).Kind(); k != "none" {
		t.Fatalf("System without a bus: %s", k)
	}
	if _, err := (SecretService{Address: "unix:path=/nonexistent/bus"}).Get("f1"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("no bus: %v", err)
	}
}

// A locked keyring whose unlock prompt is dismissed (here: no prompter, as
// on a headless session) is ErrUnavailable, not ErrNotFound: the folder is
// not on another machine, the keyring is shut.
func TestSecretServiceLockedKeyringIsUnavailable(t *testing.T) {
	addr := keyring(t)
	s := SecretService{Address: addr}
	if err := s.Put("f1", make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := s.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := c.defaultCollection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var p dbus.ObjectPath
	if err := c.call(ctx, ssPath, ssService+".Lock", []dbus.ObjectPath{coll}).Store(&locked, &p); err != nil || len(locked) != 1 {
		t.Fatalf("lock: %v %v", locked, err)
	}
	c.close()
	if _, err := s.Get("f1"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get from a locked keyring: %v", err)
	}
	if err := s.Put("f2", make([]byte, 32)); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Put into a locked keyring: %v", err)
	}
}
