package server_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// openapiSchemas are the platform document's component schemas.
func openapiSchemas(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	return doc["components"].(map[string]any)["schemas"].(map[string]any)
}

// postOrGet calls url and decodes the answer into out; it returns the
// answer as a plain JSON value too, for the OpenAPI check.
func postOrGet(t *testing.T, method, url, body string, want int, out any) any {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	var raw any
	json.Unmarshal(b, &raw)
	return raw
}

// A city recovery key the administrator adds is published as a note the
// platform's receipt key signs: in the key set (GET PathPubKey) and in the
// answer to an enrolment, as the OpenAPI document describes them. A device
// checks it against the key it pinned; a removed key is no longer listed.
func TestRecoveryKeyPublishedAndSignedInKeySet(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := b.Serve(t, server.Options{})
		set, err := s.KeySet(ctx)
		if err != nil || len(set.Recovery) != 0 {
			t.Fatalf("a new platform's key set: %+v %v", set, err)
		}
		city, _ := vault.NewRecoveryKey(vault.RecoverySM2)
		msg, err := s.AddRecoveryKey(ctx, city.Public().String())
		if err != nil {
			t.Fatal(err)
		}
		got, err := vault.OpenRecoveryNote(msg, s.PlatformKey())
		if err != nil || got.String() != city.Public().String() {
			t.Fatalf("the note: %v %v\n%s", got, err, msg)
		}
		// Another platform's key (a man in the middle) does not verify it.
		_, other, _ := note.GenerateKey(rand.Reader, "sanxiang-platform")
		if _, err := vault.OpenRecoveryNote(msg, other); !errors.Is(err, vault.ErrRecoveryNoteSigner) {
			t.Fatalf("under another platform key: %v", err)
		}
		// Adding it again changes nothing; a second key comes after it.
		if again, err := s.AddRecoveryKey(ctx, city.Public().String()); err != nil || again != msg {
			t.Fatalf("added twice: %v", err)
		}
		x, _ := vault.NewRecoveryKey(vault.RecoveryX25519)
		msg2, err := s.AddRecoveryKey(ctx, x.Public().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRecoveryKey(ctx, "sm2:AAAA"); !errors.Is(err, vault.ErrRecoveryKey) {
			t.Fatalf("a bad key: %v", err)
		}

		schemas := openapiSchemas(t)
		var ks api.KeySet
		raw := postOrGet(t, "GET", h.URL+api.PathPubKey, "", http.StatusOK, &ks)
		conforms(t, schemas, map[string]any{"$ref": "#/components/schemas/KeySet"}, raw, "key set")
		if !slices.Equal(ks.Recovery, []string{msg, msg2}) {
			t.Fatalf("key set's recovery notes:\n%q", ks.Recovery)
		}
		for _, n := range ks.Recovery {
			if _, err := vault.OpenRecoveryNote(n, ks.Verifier); err != nil {
				t.Fatalf("a published note does not verify under the set's key: %v", err)
			}
		}

		code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
		if err != nil {
			t.Fatal(err)
		}
		_, vkey, _ := note.GenerateKey(rand.Reader, "sanxiang-REC1")
		req, _ := json.Marshal(api.EnrolRequest{Code: code, Name: "执法终端", Verifier: vkey})
		var er api.EnrolResponse
		raw = postOrGet(t, "POST", h.URL+api.PathEnrol, string(req), http.StatusCreated, &er)
		conforms(t, schemas, map[string]any{"$ref": "#/components/schemas/EnrolResponse"}, raw, "enrolment")
		if !slices.Equal(er.Recovery, []string{msg, msg2}) {
			t.Fatalf("enrolment's recovery notes:\n%q", er.Recovery)
		}
		if got, err := vault.OpenRecoveryNote(er.Recovery[0], er.PlatformKey); err != nil || got.Fingerprint() != city.Public().Fingerprint() {
			t.Fatalf("enrolment's note: %v %v", got, err)
		}

		// Removed (by fingerprint) it is no longer listed; removing it again
		// says there is no such key; added again it is published anew.
		if err := s.RemoveRecoveryKey(ctx, city.Public().Fingerprint()); err != nil {
			t.Fatal(err)
		}
		if notes, err := s.RecoveryNotes(ctx); err != nil || !slices.Equal(notes, []string{msg2}) {
			t.Fatalf("after removal: %q %v", notes, err)
		}
		if err := s.RemoveRecoveryKey(ctx, city.Public().String()); !errors.Is(err, server.ErrNoRecoveryKey) {
			t.Fatalf("removed twice: %v", err)
		}
		if _, err := s.AddRecoveryKey(ctx, city.Public().String()); err != nil {
			t.Fatal(err)
		}
		if notes, _ := s.RecoveryNotes(ctx); len(notes) != 2 {
			t.Fatalf("added again: %q", notes)
		}
	})
}

// A rotation of the receipt key signs every recovery note again, in the
// same transaction: the same text, verified by the old key (devices that
// have not followed yet) and by the new one (devices that have).
func TestRotationResignsRecoveryNotes(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s := b.Open(t, server.Options{})
		city, _ := vault.NewRecoveryKey(vault.RecoverySM2)
		before, err := s.AddRecoveryKey(ctx, city.Public().String())
		if err != nil {
			t.Fatal(err)
		}
		gone, _ := vault.NewRecoveryKey(vault.RecoveryX25519)
		if _, err := s.AddRecoveryKey(ctx, gone.Public().String()); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveRecoveryKey(ctx, gone.Public().String()); err != nil {
			t.Fatal(err)
		}
		// The removed key stays out of the set after the rotation.
		old := s.PlatformKey()
		next, err := s.RotateKey(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		set, err := s.KeySet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Recovery) != 1 || set.Recovery[0] == before {
			t.Fatalf("after rotation the notes are %q", set.Recovery)
		}
		for _, k := range []string{old, next} {
			got, err := vault.OpenRecoveryNote(set.Recovery[0], k)
			if err != nil || got.String() != city.Public().String() {
				t.Fatalf("the re-signed note under %s: %v %v", k, got, err)
			}
		}
		text := func(msg string) string { return msg[:strings.Index(msg, "\n\n")] }
		if text(set.Recovery[0]) != text(before) {
			t.Fatalf("the note's text changed:\n%s\n%s", before, set.Recovery[0])
		}
	})
}
