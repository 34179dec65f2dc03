package witness

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// VerifyCosigned checks a cosigned checkpoint against a policy: every
// signature line by a witness the policy names must verify (one that does
// not is ErrCosigFails: altered, or not that witness's), each signature's
// base64 must be canonical (ErrCosigForm: the note package reads the unused
// bits of a last character leniently, and a changed byte is still a change),
// and at least the policy's quorum of its witnesses must have cosigned
// (ErrQuorum). It returns the names of the witnesses that did, sorted.
// Other signature lines — the device's — are the caller's to check with the
// device's key.
func VerifyCosigned(msg []byte, p Policy) (witnessed []string, err error) {
	vs := make([]note.Verifier, 0, len(p.Witnesses))
	for _, w := range p.Witnesses {
		if w.v == nil {
			return nil, fmt.Errorf("%w: witness %s has no key", ErrPolicy, w.Name)
		}
		vs = append(vs, w.v)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	var invalid *note.InvalidSignatureError
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &invalid):
		return nil, fmt.Errorf("%w: %v", ErrCosigFails, err)
	case errors.As(err, &unverified):
		return nil, fmt.Errorf("%w: none of %d (quorum %d)", ErrQuorum, len(p.Witnesses), p.Quorum)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrCosigForm, err)
	}
	if _, err := torchwood.ParseCheckpoint(n.Text); err != nil {
		return nil, fmt.Errorf("%w: not a checkpoint: %v", ErrCosigForm, err)
	}
	for _, s := range append(append([]note.Signature{}, n.Sigs...), n.UnverifiedSigs...) {
		if _, err := base64.StdEncoding.Strict().DecodeString(s.Base64); err != nil {
			return nil, fmt.Errorf("%w: signature by %s is not canonical base64", ErrCosigForm, s.Name)
		}
	}
	seen := map[string]bool{}
	for _, s := range n.Sigs {
		if !seen[s.Name] {
			seen[s.Name] = true
			witnessed = append(witnessed, s.Name)
		}
	}
	sort.Strings(witnessed)
	if len(witnessed) < p.Quorum {
		return witnessed, fmt.Errorf("%w: %d of %d", ErrQuorum, len(witnessed), p.Quorum)
	}
	return witnessed, nil
}

// CosignedAt is the earliest time a witness of the policy says it cosigned
// the note (tlog-cosignature timestamps): when the checkpoint was first
// witnessed. The note's signatures are checked as VerifyCosigned does.
func CosignedAt(msg []byte, p Policy) (time.Time, error) {
	if _, err := VerifyCosigned(msg, p); err != nil && !errors.Is(err, ErrQuorum) {
		return time.Time{}, err
	}
	vs := make([]note.Verifier, 0, len(p.Witnesses))
	for _, w := range p.Witnesses {
		vs = append(vs, w.v)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return time.Time{}, fmt.Errorf("cosigned at: %w", err)
	}
	var first int64
	for _, s := range n.Sigs {
		t, err := torchwood.CosignatureTimestamp(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %v", ErrCosigForm, err)
		}
		if first == 0 || t < first {
			first = t
		}
	}
	return time.Unix(first, 0).UTC(), nil
}

// ClaimedTime is the latest time a witness line of a cosigned note says it
// cosigned, read without checking whose lines they are (the device has no
// policy): for display only — "last witnessed at" on the desk — never for
// a check, which is VerifyCosigned's. The note's own signature is checked
// with logKey. False when no line carries a time.
func ClaimedTime(msg []byte, logKey string) (time.Time, bool) {
	v, err := note.NewVerifier(logKey)
	if err != nil {
		return time.Time{}, false
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return time.Time{}, false
	}
	var last int64
	for _, s := range n.UnverifiedSigs {
		if t, err := torchwood.CosignatureTimestamp(s); err == nil && t > last {
			last = t
		}
	}
	if last == 0 {
		return time.Time{}, false
	}
	return time.Unix(last, 0), true
}
