package client

import (
	"context"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// ErrRotationNotSigned: the platform answers with a key the device never
// pinned, and no rotation note signed by the pinned key leads to it — a
// platform (or someone on the way) that is not the one the device
// enrolled with. The device keeps its pinned key and keeps nothing the
// new key signed. Its message for people is "sync.why_rotation_not_signed".
var ErrRotationNotSigned = errors.New("rotation_not_signed: the platform's new key is not signed by the key this device pinned")

// CodeRotationNotSigned is ErrRotationNotSigned's stable code.
const CodeRotationNotSigned = "rotation_not_signed"

// rotationHeader is the first line of a rotation note (server.RotationText).
const rotationHeader = "sanxiang-platform key rotation"

// FollowRotation moves id from the platform key it pinned to the
// platform's current key, along the rotation notes the platform publishes
// (GET api.PathPubKey): each names an old key and the next and must be
// signed by both, and the first must be signed by the pinned key. The
// returned identity pins the current key (id itself when the key has not
// changed); the caller keeps it (SaveIdentity). A key set whose current key
// the pinned key does not lead to is refused with ErrRotationNotSigned.
func FollowRotation(ctx context.Context, id Identity) (_ Identity, err error) {
	defer wrap(&err, "follow the platform's key rotation")
	var set api.KeySet
	resp, err := newResty(id.Platform, id.TLSPin).R().SetContext(ctx).ForceContentType("application/json").SetResult(&set).Get(api.PathPubKey)
	if err := fail(resp, err); err != nil {
		return id, err
	}
	if _, err := note.NewVerifier(set.Verifier); err != nil {
		return id, fmt.Errorf("the platform's key set names no key: %w", err)
	}
	next, err := FollowKeySet(id.PlatformKey, set)
	if err != nil {
		return id, err
	}
	id.PlatformKey = next
	return id, nil
}

// RecoveryNotes are the city's recovery keys the platform publishes in
// its key set, as notes signed by its receipt key (the device checks them
// against the key it pinned: account.Book.AddRecoveryKeys). A platform
// that publishes none gives an empty list, which drops the keys held.
func (c *Client) RecoveryNotes(ctx context.Context) (_ []string, err error) {
	defer wrap(&err, "read the city's recovery keys")
	var set api.KeySet
	resp, err := c.r.R().SetContext(ctx).ForceContentType("application/json").SetResult(&set).Get(api.PathPubKey)
	if err := fail(resp, err); err != nil {
		return nil, err
	}
	if set.Recovery == nil {
		set.Recovery = []string{}
	}
	return set.Recovery, nil
}

// FollowKeySet is the key a device that pinned pinned moves to in set:
// set's current key, reached from pinned by rotation notes each signed by
// the key before and the key after; ErrRotationNotSigned if there is no
// such chain.
func FollowKeySet(pinned string, set api.KeySet) (string, error) {
	cur := pinned
	for step := 0; cur != set.Verifier; step++ {
		if step > len(set.Rotations) {
			return pinned, fmt.Errorf("%w (a loop of rotations)", ErrRotationNotSigned)
		}
		next := ""
		for _, msg := range set.Rotations {
			if n, ok := rotationFrom(msg, cur); ok {
				next = n
				break
			}
		}
		if next == "" && len(set.Rotations) == 0 {
			// No rotation at all: not a platform that moved on from the
			// pinned key, but another one.
			return pinned, &TrustError{Code: ErrWrongPlatformKey.Code, Detail: fmt.Sprintf("the platform's key (fingerprint %s) is not the one enrolled with (fingerprint %s)", api.KeyFingerprint(set.Verifier), api.KeyFingerprint(pinned))}
		}
		if next == "" {
			return pinned, fmt.Errorf("%w: no rotation note signed by %s leads to %s", ErrRotationNotSigned, keyLabel(cur), keyLabel(set.Verifier))
		}
		cur = next
	}
	return cur, nil
}

// rotationFrom reads one rotation note: the key after old, if the note
// moves from old and both old and the new key signed it.
func rotationFrom(msg, old string) (string, bool) {
	v, err := note.NewVerifier(old)
	if err != nil {
		return "", false
	}
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		return "", false
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 3 || lines[0] != rotationHeader || lines[1] != "old "+old || !strings.HasPrefix(lines[2], "new ") {
		return "", false
	}
	next := strings.TrimPrefix(lines[2], "new ")
	nv, err := note.NewVerifier(next)
	if err != nil {
		return "", false
	}
	if _, err := note.Open([]byte(msg), note.VerifierList(nv)); err != nil {
		return "", false
	}
	return next, true
}

// keyLabel names a verifier by its name and hash (its key is long).
func keyLabel(verifier string) string {
	parts := strings.SplitN(verifier, "+", 3)
	if len(parts) == 3 {
		return parts[0] + "+" + parts[1]
	}
	return "?"
}

// signedByAnother says whether msg is a signed note none of whose
// signatures is by key: a receipt from a key the device has not pinned.
func signedByAnother(msg, key string) bool {
	v, err := note.NewVerifier(key)
	if err != nil {
		return false
	}
	_, err = note.Open([]byte(msg), note.VerifierList(v))
	var unknown *note.UnverifiedNoteError
	return errors.As(err, &unknown)
}

// keep runs keep (which checks a receipt against a platform key and keeps
// it) with the pinned key; when the receipt is signed by another key, the
// client follows the platform's key rotation (FollowRotation), keeps the
// new identity (Client.Rotated) and tries once more with the new key. A
// rotation the pinned key did not sign fails with ErrRotationNotSigned.
func (c *Client) keep(ctx context.Context, msg string, keep func(platformKey string) error) error {
	err := keep(c.id.PlatformKey)
	if err == nil || !signedByAnother(msg, c.id.PlatformKey) {
		return err
	}
	id, ferr := FollowRotation(ctx, c.id)
	if ferr != nil {
		return fmt.Errorf("%w (%v)", ferr, err)
	}
	if id.PlatformKey == c.id.PlatformKey {
		return err
	}
	if c.Rotated != nil {
		if err := c.Rotated(id); err != nil {
			return fmt.Errorf("keep the platform's new key: %w", err)
		}
	}
	c.id = id
	return keep(c.id.PlatformKey)
}

// NewOnDevice is New for the device whose data folder is dir: a key
// rotation it follows is kept in dir's sync.json, the token sealed under
// keys.
func NewOnDevice(id Identity, dir string, keys seal.Keys) *Client {
	c := New(id)
	c.Rotated = func(id Identity) error { return SaveIdentity(dir, id, keys) }
	return c
}

// Identity is the identity the client works as (with the platform key it
// follows now).
func (c *Client) Identity() Identity { return c.id }
