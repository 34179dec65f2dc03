package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// Folder reads and writes a data folder's small sealed files (review
// queue, drawn tasks): each is one blob whose context is "file/"+name, so a
// file renamed over another does not open.
type Folder struct {
	Dir  string
	Keys seal.Keys
}

func fileContext(name string) []byte { return []byte("file/" + name) }

// ReadFile opens a sealed file. A plaintext file (from before sealing) is
// returned as it is, with ok=false, so the upgrade can seal it.
func (f Folder) ReadFile(name string) (data []byte, sealed bool, err error) {
	b, err := os.ReadFile(filepath.Join(f.Dir, name))
	if err != nil {
		return nil, false, err
	}
	if !seal.IsSealed(b) {
		return b, false, nil
	}
	p, err := seal.Open(f.Keys, b, fileContext(name))
	if err != nil {
		return nil, true, fmt.Errorf("read %s: %w", name, err)
	}
	return p, true, nil
}

// WriteFile seals data into name: a temporary file, fsync, rename.
func (f Folder) WriteFile(name string, data []byte) error {
	b, err := seal.Seal(f.Keys, data, fileContext(name))
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	path := filepath.Join(f.Dir, name)
	tmp := path + ".tmp"
	w, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = w.Write(b)
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// ReadJSON reads a sealed JSON file into v; a missing file leaves v alone
// and returns an error matching os.ErrNotExist.
func (f Folder) ReadJSON(name string, v any) error {
	b, _, err := f.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// WriteJSON seals v as JSON into name.
func (f Folder) WriteJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.WriteFile(name, b)
}

// Exists says whether name is there.
func (f Folder) Exists(name string) bool {
	_, err := os.Stat(filepath.Join(f.Dir, name))
	return !errors.Is(err, os.ErrNotExist)
}
