package keystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// DPAPIFile is the blob's name in the data folder.
const DPAPIFile = "keystore.dpapi"

// DPAPI keeps M in the data folder, encrypted by Windows DPAPI in user
// scope: only this Windows user on this machine (with their logon secret)
// opens it, so a copied disk image is not enough. LOCAL_MACHINE scope is
// not used: it opens offline from the SYSTEM hive of the same image. The
// folder id is the entropy, so a blob copied to another folder does not
// open there.
type DPAPI struct{ Dir string }

// Kind implements Store.
func (DPAPI) Kind() string { return "dpapi" }

func (d DPAPI) path() string { return filepath.Join(d.Dir, DPAPIFile) }

// blob points a DataBlob at b (nil for an empty b).
func blob(b []byte) *windows.DataBlob {
	if len(b) == 0 {
		return &windows.DataBlob{}
	}
	return &windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

// take copies out and frees what DPAPI allocated.
func take(out *windows.DataBlob) []byte {
	if out.Data == nil {
		return nil
	}
	b := append([]byte(nil), unsafe.Slice(out.Data, out.Size)...)
	clear(unsafe.Slice(out.Data, out.Size))
	windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return b
}

// Put implements Store: the blob is written beside the data, through a
// temporary file and a rename.
func (d DPAPI) Put(folderID string, m []byte) error {
	if folderID == "" {
		return errors.New("keystore: dpapi: no folder id")
	}
	name, err := windows.UTF16PtrFromString("Sanxiang Desk")
	if err != nil {
		return fmt.Errorf("keystore: dpapi: %w", err)
	}
	entropy := []byte(folderID)
	var out windows.DataBlob
	if err := windows.CryptProtectData(blob(m), name, blob(entropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return fmt.Errorf("keystore: dpapi protect: %w", err)
	}
	sealed := take(&out)
	tmp := d.path() + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("keystore: dpapi: %w", err)
	}
	_, err = f.Write(sealed)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, d.path())
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keystore: dpapi: %w", err)
	}
	return nil
}

// Get implements Store. A blob another user or machine made is
// ErrNotFound: this keystore holds no secret for the folder.
func (d DPAPI) Get(folderID string) ([]byte, error) {
	sealed, err := os.ReadFile(d.path())
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: dpapi: %w", err)
	}
	if len(sealed) == 0 {
		return nil, fmt.Errorf("%w: %s is empty", ErrNotFound, DPAPIFile)
	}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(blob(sealed), nil, blob([]byte(folderID)), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("%w: dpapi: %v", ErrNotFound, err)
	}
	return take(&out), nil
}

// system is DPAPI in user scope.
func system(dataDir string) Store { return DPAPI{Dir: dataDir} }
