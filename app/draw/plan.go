package draw

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The second version of the draw (双随机 of plans made in the console):
// the seed is committed before the draw and revealed at it, both the
// targets and their inspectors are drawn from it, and inspectors are never
// drawn for a target they have a conflict with. Everything here is a pure
// function of published data, written so that an outsider can re-derive a
// draw with nothing but SHA-256 (see Rederive and the package tests):
//
//	key      = SHA-256("sanxiang/draw/v2" 0x00 seed 0x00 witness 0x00 lists_sha256)
//	block(i) = SHA-256(key ‖ uint64-big-endian(i)), i = 0, 1, 2, …
//	next()   = the first 8 bytes of the next block, big-endian
//	below(n) = next() mod n, drawing again while next() ≥ 2⁶⁴ − (2⁶⁴ mod n)
//	           (so every remainder is equally likely)
//
// Targets: a partial Fisher–Yates shuffle of the list's positions; for k
// from 0 to count−1, swap position k with k + below(len−k); the first
// count positions, in that order, are the drawn targets. Inspectors, for
// each drawn target in turn: the pool in list order without those
// excluded for that target (Excluded), then the same partial shuffle for
// two. The seed is 32 bytes; the commitment published before the draw is
// SHA-256("sanxiang/draw/commit" 0x00 seed).

// Version2 marks a draw made by this algorithm (version 1, a PCG over a
// seed chosen at draw time, is Run's).
const Version2 = 2

// Target is one entry of the target list (检查对象名录).
type Target struct {
	// ID is the entry's code: a unified social credit code, or the list's
	// own number; unique in the list.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Unit is the unit the target belongs to or is supervised by
	// (所属单位); an inspector of the same unit is not sent to it.
	Unit    string `json:"unit,omitempty"`
	Address string `json:"address,omitempty"`
}

// Inspector is one officer of the pool drawn from: certified, of the
// agency, chosen by its administrator for the plan.
type Inspector struct {
	CertNo string `json:"cert_no"`
	Name   string `json:"name"`
	Unit   string `json:"unit,omitempty"`
	// Person is the officer's ID in the platform's people (who receives
	// the task on their desk); not part of the fingerprint.
	Person string `json:"person,omitempty"`
}

// Conflict is a declared conflict of interest (回避): the inspector is
// never sent to the target. Its reason stays in the agency's register;
// the published lists carry only the pair.
type Conflict struct {
	CertNo string `json:"cert_no"`
	Target string `json:"target"` // Target.ID
}

// Lists is everything a draw draws from, as published with it.
type Lists struct {
	Targets    []Target    `json:"targets"`
	Inspectors []Inspector `json:"inspectors"`
	Conflicts  []Conflict  `json:"conflicts,omitempty"`
	// Last names who inspected each target last time (Target.ID →
	// certificate numbers): they are not sent again.
	Last map[string][]string `json:"last,omitempty"`
}

// Errors of a plan's lists.
var (
	ErrNoTargets = errors.New("draw: the target list is empty")
	ErrTargetID  = errors.New("draw: a target needs a code and a name")
	ErrPool      = errors.New("draw: the pool needs at least two certified officers")
	ErrPoolTwice = errors.New("draw: an officer is in the pool twice")
	// ErrNoPair: for a drawn target fewer than two inspectors remain once
	// conflicts, the same unit and last time's inspectors are left out.
	ErrNoPair = errors.New("draw: fewer than two inspectors without a conflict remain for a target")
	ErrSeed   = errors.New("draw: the seed is not 32 bytes of hex, or does not match its commitment")
)

// Check says whether the lists can be drawn from: codes and names
// present, no target or officer twice, a pool of two or more.
func (l Lists) Check() error {
	if len(l.Targets) == 0 {
		return ErrNoTargets
	}
	seen := map[string]bool{}
	for i, t := range l.Targets {
		if strings.TrimSpace(t.ID) == "" || strings.TrimSpace(t.Name) == "" {
			return fmt.Errorf("%w: row %d", ErrTargetID, i+1)
		}
		if seen[t.ID] {
			return fmt.Errorf("%w: %s", ErrDuplicate, t.ID)
		}
		seen[t.ID] = true
	}
	certs := map[string]bool{}
	for _, o := range l.Inspectors {
		if certs[o.CertNo] {
			return fmt.Errorf("%w: %s", ErrPoolTwice, o.CertNo)
		}
		certs[o.CertNo] = true
	}
	if len(l.Inspectors) < 2 {
		return ErrPool
	}
	return nil
}

// SHA fingerprints the lists as drawn from: each target's code, name and
// unit, each inspector's certificate number and unit, each conflict and
// each last-time pair, in order, with separators no value holds.
func (l Lists) SHA() string {
	h := sha256.New()
	for _, t := range l.Targets {
		fmt.Fprintf(h, "T\x00%s\x00%s\x00%s\n", t.ID, t.Name, t.Unit)
	}
	for _, o := range l.Inspectors {
		fmt.Fprintf(h, "I\x00%s\x00%s\n", o.CertNo, o.Unit)
	}
	for _, c := range l.Conflicts {
		fmt.Fprintf(h, "C\x00%s\x00%s\n", c.CertNo, c.Target)
	}
	keys := make([]string, 0, len(l.Last))
	for k := range l.Last {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		certs := slices.Clone(l.Last[k])
		slices.Sort(certs)
		fmt.Fprintf(h, "L\x00%s\x00%s\n", k, strings.Join(certs, ","))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Excluded says whether the inspector may not be sent to the target: a
// declared conflict, the same unit, or they inspected it last time.
func (l Lists) Excluded(o Inspector, t Target) bool {
	if o.Unit != "" && o.Unit == t.Unit {
		return true
	}
	if slices.Contains(l.Last[t.ID], o.CertNo) {
		return true
	}
	for _, c := range l.Conflicts {
		if c.CertNo == o.CertNo && c.Target == t.ID {
			return true
		}
	}
	return false
}

// NewSeed is 32 bytes from the system's random source, as hex.
func NewSeed() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Commit is the commitment to a seed published before the draw.
func Commit(seedHex string) (string, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != 32 {
		return "", ErrSeed
	}
	sum := sha256.Sum256(append([]byte("sanxiang/draw/commit\x00"), seed...))
	return hex.EncodeToString(sum[:]), nil
}

// Pick is one drawn target with its two inspectors.
type Pick struct {
	Target     Target      `json:"target"`
	Inspectors []Inspector `json:"inspectors"`
}

// stream is the draw's random numbers: SHA-256 of the key and a counter.
type stream struct {
	key [32]byte
	n   uint64
}

func (s *stream) next() uint64 {
	var b [40]byte
	copy(b[:], s.key[:])
	binary.BigEndian.PutUint64(b[32:], s.n)
	s.n++
	sum := sha256.Sum256(b[:])
	return binary.BigEndian.Uint64(sum[:8])
}

// below is uniform in [0, n), by rejection.
func (s *stream) below(n int) int {
	m := uint64(n)
	limit := -(-m % m) // 2⁶⁴ − (2⁶⁴ mod m), as 0 when m divides 2⁶⁴
	for {
		v := s.next()
		if limit == 0 || v < limit {
			return int(v % m)
		}
	}
}

// choose is a partial Fisher–Yates shuffle: k of n positions, in order.
func (s *stream) choose(n, k int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := range k {
		j := i + s.below(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx[:k]
}

// Draw2 draws count targets from the lists and two inspectors for each,
// from the revealed seed (hex) and the witness's value ("" for none).
func Draw2(l Lists, seedHex, witness string, count int) ([]Pick, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != 32 {
		return nil, ErrSeed
	}
	if err := l.Check(); err != nil {
		return nil, err
	}
	if count <= 0 || count > len(l.Targets) {
		return nil, ErrCount
	}
	var buf bytes.Buffer
	buf.WriteString("sanxiang/draw/v2\x00")
	buf.Write(seed)
	buf.WriteString("\x00" + witness + "\x00" + l.SHA())
	s := &stream{key: sha256.Sum256(buf.Bytes())}
	var out []Pick
	for _, i := range s.choose(len(l.Targets), count) {
		t := l.Targets[i]
		var pool []Inspector
		for _, o := range l.Inspectors {
			if !l.Excluded(o, t) {
				pool = append(pool, o)
			}
		}
		if len(pool) < 2 {
			return nil, fmt.Errorf("%w: %s %s", ErrNoPair, t.ID, t.Name)
		}
		two := s.choose(len(pool), 2)
		out = append(out, Pick{Target: t, Inspectors: []Inspector{pool[two[0]], pool[two[1]]}})
	}
	return out, nil
}

// Published is what a draw's public page offers for checking it: the
// lists, the commitment made with the plan, the seed revealed at the
// draw, the witness's value and what was drawn.
type Published struct {
	Version int    `json:"version"`
	Commit  string `json:"commit"`
	Seed    string `json:"seed"`
	Witness string `json:"witness,omitempty"`
	Count   int    `json:"count"`
	Lists   Lists  `json:"lists"`
	SHA     string `json:"lists_sha256"`
	Picks   []Pick `json:"picks"`
}

// Errors of a re-derivation.
var (
	ErrCommit  = errors.New("draw: the revealed seed does not match the commitment published before the draw")
	ErrLists   = errors.New("draw: the published lists do not match their published fingerprint")
	ErrDiffers = errors.New("draw: the published draw differs from the one its seed and lists give")
)

// Rederive checks a published draw as an outsider would: the seed matches
// the commitment, the lists their fingerprint, and the draw made again
// from them is the draw published (targets and inspectors, in order).
func Rederive(data []byte) error {
	var p Published
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("rederive: %w", err)
	}
	c, err := Commit(p.Seed)
	if err != nil {
		return err
	}
	if c != p.Commit {
		return ErrCommit
	}
	if p.Lists.SHA() != p.SHA {
		return ErrLists
	}
	again, err := Draw2(p.Lists, p.Seed, p.Witness, p.Count)
	if err != nil {
		return fmt.Errorf("rederive: %w", err)
	}
	if len(again) != len(p.Picks) {
		return ErrDiffers
	}
	for i, a := range again {
		b := p.Picks[i]
		if a.Target.ID != b.Target.ID || len(b.Inspectors) != 2 ||
			a.Inspectors[0].CertNo != b.Inspectors[0].CertNo || a.Inspectors[1].CertNo != b.Inspectors[1].CertNo {
			return fmt.Errorf("%w: task %d", ErrDiffers, i+1)
		}
	}
	return nil
}

// CountOf is how many targets a share (per cent, 1–100) of n comes to,
// rounded up, at least one.
func CountOf(n, percent int) int {
	if n <= 0 || percent <= 0 {
		return 0
	}
	c := (n*percent + 99) / 100
	return max(1, min(c, n))
}
