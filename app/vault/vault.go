// Package vault holds a data folder's data key (DK) and its wraps: one for
// every person allowed on the desk (under a key only their PIN opens), one
// for each of the city's recovery keys, and machine wraps for kiosks,
// windows and the moments a folder has no person yet. It implements
// seal.Keys: while locked, nothing sealed opens and nothing new is sealed.
package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

var (
	// ErrOtherMachine is a folder whose keystore secret is not on this
	// machine (or this user's keyring): a copied disk image. It is not a
	// wrong PIN and never counts toward the lockout.
	ErrOtherMachine = errors.New("vault: this data folder is bound to another machine or user")
	// ErrNoDataKey is a person who may sign in but holds no wrap of the
	// data key yet: someone already on this desk must sign in once.
	ErrNoDataKey = errors.New("vault: no data key for this person yet")
)

// Vault holds the data key while unlocked.
type Vault struct {
	mu    sync.RWMutex
	suite seal.Suite
	dk    []byte
	keys  map[seal.Suite]*seal.Key
}

// New is a locked vault that seals new data with suite s (zero: SM4-GCM).
func New(s seal.Suite) *Vault {
	if s == 0 {
		s = seal.SM4GCM
	}
	return &Vault{suite: s}
}

// NewDK makes a fresh 32-byte data key.
func NewDK() ([]byte, error) {
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		return nil, fmt.Errorf("vault: new data key: %w", err)
	}
	return dk, nil
}

// Unlock makes dk the vault's key (a copy is kept).
func (v *Vault) Unlock(dk []byte) error {
	k, err := seal.NewKey(dk, v.suite)
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.zero()
	v.dk = append([]byte(nil), dk...)
	v.keys = map[seal.Suite]*seal.Key{v.suite: k}
	return nil
}

// zero forgets the key (the caller holds mu).
func (v *Vault) zero() {
	for i := range v.dk {
		v.dk[i] = 0
	}
	v.dk, v.keys = nil, nil
}

// Lock forgets the data key.
func (v *Vault) Lock() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.zero()
}

// Unlocked says whether the data key is held.
func (v *Vault) Unlocked() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.dk != nil
}

// DK is a copy of the data key (to wrap it for another holder).
func (v *Vault) DK() ([]byte, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.dk == nil {
		return nil, seal.ErrLocked
	}
	return append([]byte(nil), v.dk...), nil
}

// ID is the held key's id.
func (v *Vault) ID() (seal.KeyID, error) {
	k, err := v.Current()
	if err != nil {
		return seal.KeyID{}, err
	}
	return k.ID, nil
}

// Current implements seal.Keys.
func (v *Vault) Current() (*seal.Key, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.dk == nil {
		return nil, seal.ErrLocked
	}
	return v.keys[v.suite], nil
}

// Lookup implements seal.Keys.
func (v *Vault) Lookup(id seal.KeyID, s seal.Suite) (*seal.Key, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dk == nil {
		return nil, seal.ErrLocked
	}
	k := v.keys[s]
	if k == nil {
		var err error
		if k, err = seal.NewKey(v.dk, s); err != nil {
			return nil, err
		}
		v.keys[s] = k
	}
	if k.ID != id {
		return nil, fmt.Errorf("%w: %s", seal.ErrUnknownKey, id)
	}
	return k, nil
}
