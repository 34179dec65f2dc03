package keystore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The Secret Service API (freedesktop.org), as GNOME Keyring and KWallet
// offer it on the session bus.
const (
	ssName       = "org.freedesktop.secrets"
	ssPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService    = "org.freedesktop.Secret.Service"
	ssCollection = "org.freedesktop.Secret.Collection"
	ssItem       = "org.freedesktop.Secret.Item"
	ssPrompt     = "org.freedesktop.Secret.Prompt"
	ssSession    = "org.freedesktop.Secret.Session"
	application  = "sanxiang"
)

// callTimeout bounds a D-Bus call; promptTimeout bounds the desktop's
// unlock dialog, when a keyring is locked.
const (
	callTimeout   = 10 * time.Second
	promptTimeout = 2 * time.Minute
)

// SecretService keeps M as an item of the default collection of the
// Secret Service on the session bus, found by the attributes
// {application: sanxiang, folder: <folder id>}. A copied disk image does
// not carry the user's keyring (which their login password opens).
type SecretService struct {
	// Address is the bus; empty is the session bus of the environment
	// (never started for us: no dbus-launch).
	Address string
}

// Kind implements Store.
func (SecretService) Kind() string { return "secret-service" }

// secret is the Secret Service's (oayays) struct.
type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// ssConn is one conversation with the service: a connection and a plain
// session (the bus is local to the user; the secret is 32 random bytes).
type ssConn struct {
	conn    *dbus.Conn
	session dbus.ObjectPath
}

// connect reaches the bus, and the service on it.
func (s SecretService) connect(ctx context.Context) (*ssConn, error) {
	var conn *dbus.Conn
	var err error
	if s.Address != "" {
		conn, err = dbus.Dial(s.Address)
	} else {
		conn, err = dbus.SessionBusPrivateNoAutoStartup()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: session bus: %v", ErrUnavailable, err)
	}
	if err = conn.Auth(nil); err == nil {
		err = conn.Hello()
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: session bus: %v", ErrUnavailable, err)
	}
	c := &ssConn{conn: conn}
	var out dbus.Variant
	if err := c.call(ctx, ssPath, ssService+".OpenSession", "plain", dbus.MakeVariant("")).Store(&out, &c.session); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: secret service: %v", ErrUnavailable, err)
	}
	return c, nil
}

func (c *ssConn) call(ctx context.Context, path dbus.ObjectPath, method string, args ...any) *dbus.Call {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return c.conn.Object(ssName, path).CallWithContext(ctx, method, 0, args...)
}

func (c *ssConn) close() {
	c.call(context.Background(), c.session, ssSession+".Close")
	c.conn.Close()
}

// prompt runs a prompt the service asked for (the desktop's unlock
// dialog) and waits for it: a dismissed prompt is ErrUnavailable.
func (c *ssConn) prompt(ctx context.Context, p dbus.ObjectPath) (dbus.Variant, error) {
	if p == "/" || p == "" {
		return dbus.Variant{}, nil
	}
	if err := c.conn.AddMatchSignal(dbus.WithMatchObjectPath(p), dbus.WithMatchInterface(ssPrompt), dbus.WithMatchMember("Completed")); err != nil {
		return dbus.Variant{}, fmt.Errorf("keystore: secret service prompt: %w", err)
	}
	ch := make(chan *dbus.Signal, 4)
	c.conn.Signal(ch)
	defer c.conn.RemoveSignal(ch)
	if err := c.call(ctx, p, ssPrompt+".Prompt", "").Err; err != nil {
		return dbus.Variant{}, fmt.Errorf("%w: secret service prompt: %v", ErrUnavailable, err)
	}
	timer := time.NewTimer(promptTimeout)
	defer timer.Stop()
	for {
		select {
		case sig := <-ch:
			if sig.Path != p || sig.Name != ssPrompt+".Completed" || len(sig.Body) < 2 {
				continue
			}
			if dismissed, _ := sig.Body[0].(bool); dismissed {
				return dbus.Variant{}, fmt.Errorf("%w: the keyring was not unlocked", ErrUnavailable)
			}
			v, _ := sig.Body[1].(dbus.Variant)
			return v, nil
		case <-timer.C:
			c.call(ctx, p, ssPrompt+".Dismiss")
			return dbus.Variant{}, fmt.Errorf("%w: the keyring was not unlocked in %s", ErrUnavailable, promptTimeout)
		case <-ctx.Done():
			return dbus.Variant{}, ctx.Err()
		}
	}
}

// unlock unlocks objects (items or a collection), with the desktop's
// prompt if the service asks for one.
func (c *ssConn) unlock(ctx context.Context, objs []dbus.ObjectPath) error {
	var done []dbus.ObjectPath
	var p dbus.ObjectPath
	if err := c.call(ctx, ssPath, ssService+".Unlock", objs).Store(&done, &p); err != nil {
		return fmt.Errorf("%w: secret service unlock: %v", ErrUnavailable, err)
	}
	_, err := c.prompt(ctx, p)
	return err
}

func attributes(folderID string) map[string]string {
	return map[string]string{"application": application, "folder": folderID}
}

// Get implements Store.
func (s SecretService) Get(folderID string) ([]byte, error) {
	ctx := context.Background()
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.close()
	var unlocked, locked []dbus.ObjectPath
	if err := c.call(ctx, ssPath, ssService+".SearchItems", attributes(folderID)).Store(&unlocked, &locked); err != nil {
		return nil, fmt.Errorf("keystore: secret service search: %w", err)
	}
	if len(unlocked) == 0 && len(locked) == 0 {
		return nil, ErrNotFound
	}
	item := dbus.ObjectPath("")
	if len(unlocked) > 0 {
		item = unlocked[0]
	} else {
		if err := c.unlock(ctx, locked[:1]); err != nil {
			return nil, err
		}
		item = locked[0]
	}
	var sec secret
	if err := c.call(ctx, item, ssItem+".GetSecret", c.session).Store(&sec); err != nil {
		return nil, fmt.Errorf("keystore: secret service get: %w", err)
	}
	return sec.Value, nil
}

// Put implements Store: an item in the default collection, replacing one
// with the same attributes.
func (s SecretService) Put(folderID string, m []byte) error {
	if folderID == "" {
		return errors.New("keystore: secret service: no folder id")
	}
	ctx := context.Background()
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	coll, err := c.defaultCollection(ctx)
	if err != nil {
		return err
	}
	lockedV, err := c.conn.Object(ssName, coll).GetProperty(ssCollection + ".Locked")
	if err != nil {
		return fmt.Errorf("keystore: secret service: %w", err)
	}
	if l, _ := lockedV.Value().(bool); l {
		if err := c.unlock(ctx, []dbus.ObjectPath{coll}); err != nil {
			return err
		}
	}
	props := map[string]dbus.Variant{
		ssItem + ".Label":      dbus.MakeVariant("Sanxiang Desk data folder " + folderID),
		ssItem + ".Attributes": dbus.MakeVariant(attributes(folderID)),
	}
	sec := secret{Session: c.session, Value: m, ContentType: "application/octet-stream"}
	var item, p dbus.ObjectPath
	if err := c.call(ctx, coll, ssCollection+".CreateItem", props, sec, true).Store(&item, &p); err != nil {
		return fmt.Errorf("keystore: secret service create item: %w", err)
	}
	if _, err := c.prompt(ctx, p); err != nil {
		return err
	}
	return nil
}

// defaultCollection is the collection the "default" alias names.
func (c *ssConn) defaultCollection(ctx context.Context) (dbus.ObjectPath, error) {
	var coll dbus.ObjectPath
	if err := c.call(ctx, ssPath, ssService+".ReadAlias", "default").Store(&coll); err != nil {
		return "", fmt.Errorf("%w: secret service: %v", ErrUnavailable, err)
	}
	if coll == "/" || coll == "" {
		return "", fmt.Errorf("%w: the secret service has no default keyring", ErrUnavailable)
	}
	return coll, nil
}

// available says whether the service answers on this bus with a default
// collection to keep items in.
func (s SecretService) available() bool {
	ctx := context.Background()
	c, err := s.connect(ctx)
	if err != nil {
		return false
	}
	defer c.close()
	_, err = c.defaultCollection(ctx)
	return err == nil
}

// probed remembers, per session bus address, whether the Secret Service
// was there, so that System stays cheap after its first call.
var probed sync.Map // address → bool

// system is the Secret Service where the session bus offers one, None
// otherwise (no desktop session: CI, a service account, a container).
func system(string) Store {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" && os.Getenv("XDG_RUNTIME_DIR") == "" {
		return None{}
	}
	key := addr + "\x00" + os.Getenv("XDG_RUNTIME_DIR")
	if ok, seen := probed.Load(key); seen {
		if ok.(bool) {
			return SecretService{}
		}
		return None{}
	}
	ok := SecretService{}.available()
	probed.Store(key, ok)
	if ok {
		return SecretService{}
	}
	return None{}
}
