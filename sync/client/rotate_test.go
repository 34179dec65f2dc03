package client

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// switchable serves whichever handler it holds now (the platform before
// and after a restart at one address) and keeps the receipts it passed on.
type switchable struct {
	h        atomic.Pointer[http.Handler]
	receipts []string
}

func (sw *switchable) set(h http.Handler) { sw.h.Store(&h) }

func (sw *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != api.PathPush {
		(*sw.h.Load()).ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	(*sw.h.Load()).ServeHTTP(rec, r)
	var rc api.Receipt
	if json.Unmarshal(rec.Body.Bytes(), &rc) == nil && rc.Note != "" {
		sw.receipts = append(sw.receipts, rc.Note)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func quietPlatform(t *testing.T, db string) *server.Server {
	t.Helper()
	s, err := server.Open(context.Background(), db, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// After the platform rotates its key, a device that pinned the old one
// follows the rotation note the old key signed: the first receipt from the
// new key moves it, the new key is kept in sync.json, and the receipt
// signed by the old key before the rotation still verifies.
func TestDeviceFollowsSignedKeyRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "platform.db")
	sw := &switchable{}
	h := httptest.NewServer(sw)
	defer h.Close()
	s := quietPlatform(t, db)
	sw.set(apitest.Checked(t, s.Handler()))
	l := deviceLog(t, "DEV-ROT", 5)
	id := enrol(t, s, h, l)
	oldKey := id.PlatformKey
	devDir := t.TempDir()
	if err := SaveIdentity(devDir, id, nil); err != nil {
		t.Fatal(err)
	}
	c := NewOnDevice(id, devDir, nil)
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	if len(sw.receipts) != 1 {
		t.Fatalf("%d receipts", len(sw.receipts))
	}
	oldReceipt := sw.receipts[0]

	// The administrator rotates the key and restarts the platform with it.
	newKey, err := s.RotateKey(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = quietPlatform(t, db)
	defer s.Close()
	sw.set(apitest.Checked(t, s.Handler()))

	appendN(t, l, 3, "after rotation")
	res, err := c.Push(ctx, l)
	if err != nil {
		t.Fatalf("push after rotation: %v", err)
	}
	if res.Size != 8 || c.Identity().PlatformKey != newKey {
		t.Fatalf("push %+v; device follows %s, want %s", res, c.Identity().PlatformKey, newKey)
	}
	kept, err := LoadIdentity(devDir, nil)
	if err != nil || kept.PlatformKey != newKey {
		t.Fatalf("sync.json pins %q (%v), want the new key", kept.PlatformKey, err)
	}
	// The old receipt still verifies: against the key set the platform
	// publishes, and on the device against the key that signed it.
	var set api.KeySet
	resp, err := http.Get(h.URL + api.PathPubKey)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	var vs []note.Verifier
	for _, k := range set.Verifiers {
		v, err := note.NewVerifier(k)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if _, err := note.Open([]byte(oldReceipt), note.VerifierList(vs...)); err != nil {
		t.Fatalf("the receipt from before the rotation does not verify against the key set: %v", err)
	}
	if _, err := l.KeepReceipt(ctx, oldReceipt, oldKey); err != nil {
		t.Fatalf("the old receipt no longer verifies on the device: %v", err)
	}
	if _, err := l.KeepReceipt(ctx, oldReceipt, newKey); err == nil {
		t.Fatal("the old receipt verified under the new key")
	}
}

// A platform (or a man in the middle) that shows a new key with a rotation
// note the pinned key did not sign is refused with ErrRotationNotSigned
// (code rotation_not_signed): the device keeps its pinned key, keeps no
// receipt of the new key, and says why. Two forgeries: a note signed by the
// new key only, and one with a made-up signature under the pinned key's
// name and hash.
func TestDeviceRefusesForgedKeyRotation(t *testing.T) {
	ctx := context.Background()
	_, pinned, _ := note.GenerateKey(rand.Reader, "sanxiang-platform")
	forgedSecret, forged, _ := note.GenerateKey(rand.Reader, "sanxiang-platform")
	forger, _ := note.NewSigner(forgedSecret)
	text := server.RotationText(pinned, forged, time.Now())
	onlyNew, err := note.Sign(&note.Note{Text: text}, forger)
	if err != nil {
		t.Fatal(err)
	}
	// The pinned key's hash with 64 random bytes for a signature.
	hash, _ := hex.DecodeString(strings.SplitN(pinned, "+", 3)[1])
	fake := make([]byte, 4+64)
	binary.BigEndian.PutUint32(fake, binary.BigEndian.Uint32(hash))
	rand.Read(fake[4:])
	madeUp := string(onlyNew) + "— sanxiang-platform " + base64.StdEncoding.EncodeToString(fake) + "\n"

	for name, rotation := range map[string]string{"signed by the new key only": string(onlyNew), "a made-up signature of the pinned key": madeUp} {
		t.Run(name, func(t *testing.T) {
			h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				json.NewEncoder(w).Encode(api.KeySet{Verifier: forged, Verifiers: []string{pinned, forged}, Rotations: []string{rotation}})
			}))
			defer h.Close()
			id := Identity{Platform: h.URL, DeviceID: "D", Token: "t", PlatformKey: pinned}
			got, err := FollowRotation(ctx, id)
			if !errors.Is(err, ErrRotationNotSigned) || got.PlatformKey != pinned {
				t.Fatalf("FollowRotation: %v, pins %s", err, got.PlatformKey)
			}
			// Through a receipt the forged key signed, as a push meets it.
			receipt, _ := note.Sign(&note.Note{Text: "DEV\n1\nroot\n"}, forger)
			c := New(id)
			rotated := false
			c.Rotated = func(Identity) error { rotated = true; return nil }
			kept := 0
			err = c.keep(ctx, string(receipt), func(key string) error {
				v, _ := note.NewVerifier(key)
				if _, err := note.Open(receipt, note.VerifierList(v)); err != nil {
					return err
				}
				kept++
				return nil
			})
			if !errors.Is(err, ErrRotationNotSigned) || kept != 0 || rotated || c.Identity().PlatformKey != pinned {
				t.Fatalf("keep: %v; kept %d, rotated %v, pins %s", err, kept, rotated, c.Identity().PlatformKey)
			}
			if m := Why(ctx, err, h.URL); m.Key != "sync.why_rotation_not_signed" {
				t.Fatalf("says %+v", m)
			}
			if !strings.HasPrefix(err.Error(), "follow the platform's key rotation: "+CodeRotationNotSigned) {
				t.Fatalf("error %q does not carry its code", err)
			}
		})
	}
}
