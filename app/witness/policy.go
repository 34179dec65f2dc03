// Package witness holds what the C2SP tlog-witness protocol needs on every
// side: a witness policy (which witnesses, how many must cosign), the check
// of a cosigned checkpoint against it (VerifyCosigned, which the platform
// and the future standalone verifier share), the add-checkpoint client the
// platform calls, and the witness server itself (Server) that an
// independent body runs as sanxiang-witness.
//
// The cosignature formats are filippo.io/torchwood's (c2sp.org/tlog-cosignature);
// torchwood's own witness sits in its internal/ folder and cannot be
// imported, and it stores its state with zombiezen's sqlite where this
// project uses modernc's through app/store, so the protocol's one endpoint is
// written here. The tree checks are app/ledger's (ProveTree, CheckTree):
// only the ledger speaks tlog. This package never reaches sync or the screens.
package witness

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// Witness is one witness a policy names.
type Witness struct {
	Name string // the key name, as its cosignature lines carry it
	Key  string // its verifier key (vkey), c2sp.org/signed-note form
	URL  string // where its add-checkpoint endpoint lives (base URL)
	v    note.Verifier
}

// Verifier is the witness's cosignature verifier.
func (w Witness) Verifier() note.Verifier { return w.v }

// Policy is which witnesses are asked and how many must cosign.
type Policy struct {
	Witnesses []Witness
	Quorum    int
}

// Errors of reading a policy and checking a cosigned note.
var (
	ErrPolicy     = errors.New("witness policy is malformed")
	ErrQuorum     = errors.New("too few witnesses of the policy cosigned the checkpoint")
	ErrCosigForm  = errors.New("a cosignature is malformed or was altered")
	ErrCosigFails = errors.New("a witness's cosignature does not verify")
)

// ParsePolicy reads a policy file: text lines, '#' starts a comment,
//
//	witness NAME VKEY URL
//	quorum N
//
// The vkey's name must be NAME and its key a tlog-cosignature key. A
// quorum above the number of witnesses, or missing, is an error: a
// policy nobody can satisfy hides a typo.
func ParsePolicy(data []byte) (Policy, error) {
	var p Policy
	quorum := -1
	names := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch {
		case f[0] == "witness" && len(f) == 4:
			v, err := NewVerifier(f[2])
			if err != nil {
				return Policy{}, fmt.Errorf("%w: line %d: %v", ErrPolicy, n, err)
			}
			if v.Name() != f[1] {
				return Policy{}, fmt.Errorf("%w: line %d: the key is named %q, not %q", ErrPolicy, n, v.Name(), f[1])
			}
			if names[f[1]] {
				return Policy{}, fmt.Errorf("%w: line %d: witness %s named twice", ErrPolicy, n, f[1])
			}
			names[f[1]] = true
			p.Witnesses = append(p.Witnesses, Witness{Name: f[1], Key: f[2], URL: strings.TrimSuffix(f[3], "/"), v: v})
		case f[0] == "quorum" && len(f) == 2:
			q, err := strconv.Atoi(f[1])
			if err != nil || q < 1 {
				return Policy{}, fmt.Errorf("%w: line %d: quorum %q", ErrPolicy, n, f[1])
			}
			quorum = q
		default:
			return Policy{}, fmt.Errorf("%w: line %d: %q", ErrPolicy, n, strings.TrimSpace(line))
		}
	}
	if err := sc.Err(); err != nil {
		return Policy{}, fmt.Errorf("read witness policy: %w", err)
	}
	if quorum < 0 {
		return Policy{}, fmt.Errorf("%w: no quorum line", ErrPolicy)
	}
	if quorum > len(p.Witnesses) {
		return Policy{}, fmt.Errorf("%w: quorum %d of %d witnesses", ErrPolicy, quorum, len(p.Witnesses))
	}
	p.Quorum = quorum
	return p, nil
}

// NewVerifier reads a witness's vkey: a tlog-cosignature (algorithm 4)
// Ed25519 key in c2sp.org/signed-note form. torchwood makes such keys
// (CosignatureVerifier.String) and signs with them, but reads none back
// from text, so the reading is here; the signed message is torchwood's
// cosignature/v1 form, and the checkpoint must parse as torchwood parses it.
func NewVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, fmt.Errorf("witness key %q: malformed", vkey)
	}
	name := parts[0]
	hash, err1 := strconv.ParseUint(parts[1], 16, 32)
	key, err2 := base64.StdEncoding.Strict().DecodeString(parts[2])
	if err1 != nil || err2 != nil || name == "" || strings.ContainsAny(name, " \t\n") || len(key) != 1+ed25519.PublicKeySize {
		return nil, fmt.Errorf("witness key %q: malformed", vkey)
	}
	if key[0] != algCosignatureV1 {
		return nil, fmt.Errorf("witness key %q: not a tlog-cosignature key (algorithm %d)", vkey, key[0])
	}
	sum := sha256.Sum256(append([]byte(name+"\n"), key...))
	if uint32(hash) != binary.BigEndian.Uint32(sum[:]) {
		return nil, fmt.Errorf("witness key %q: its hash does not match", vkey)
	}
	return &cosigVerifier{name: name, hash: uint32(hash), key: ed25519.PublicKey(key[1:])}, nil
}

// algCosignatureV1 is c2sp.org/tlog-cosignature's key algorithm byte.
const algCosignatureV1 = 4

// cosigVerifier checks tlog-cosignature/v1 signatures: timestamp || Ed25519
// over "cosignature/v1\ntime T\n" + checkpoint.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	c, err := torchwood.ParseCheckpoint(string(msg))
	if err != nil || c.String() != string(msg) {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	m := fmt.Appendf(nil, "cosignature/v1\ntime %d\n%s", t, msg)
	return ed25519.Verify(v.key, m, sig[8:])
}
