// Package keystore keeps a data folder's machine secret M in the operating
// system's keystore, so that a disk image copied to another machine (or
// opened by another user) is not enough to open the folder with a PIN:
// Windows DPAPI (user scope), the Secret Service on Linux desktops, nothing
// elsewhere (None, which the folder records and the desk says).
package keystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

var (
	// ErrNotFound is a folder id this keystore holds no secret for.
	ErrNotFound = errors.New("keystore: no secret for this folder here")
	// ErrUnavailable is a keystore that cannot be reached (no desktop
	// session, no Secret Service).
	ErrUnavailable = errors.New("keystore: unavailable: sign in to the desktop session, or use the recovery key")
)

// Store keeps one 32-byte secret per data folder.
type Store interface {
	// Kind names the binding as the folder records it: "dpapi",
	// "secret-service", "dir" (tests) or "none".
	Kind() string
	Get(folderID string) ([]byte, error)
	Put(folderID string, m []byte) error
}

// None binds nothing: M is 32 zero bytes.
type None struct{}

// Kind implements Store.
func (None) Kind() string { return "none" }

// Get implements Store.
func (None) Get(string) ([]byte, error) { return make([]byte, 32), nil }

// Put implements Store; it keeps nothing.
func (None) Put(string, []byte) error { return nil }

// Dir is a keystore in a directory outside the data folder, for tests: two
// Dirs stand for two machines.
type Dir string

// Kind implements Store.
func (Dir) Kind() string { return "dir" }

// Get implements Store.
func (d Dir) Get(id string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(string(d), id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	return b, nil
}

// Put implements Store.
func (d Dir) Put(id string, m []byte) error {
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return fmt.Errorf("keystore: %w", err)
	}
	return os.WriteFile(filepath.Join(string(d), id), m, 0o600)
}

// System is the keystore of this machine for the folder at dataDir:
// DPAPI on Windows, the Secret Service where a session bus offers it,
// None otherwise.
func System(dataDir string) Store { return system(dataDir) }
