package device

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// SealOptions are how SealFolder runs.
type SealOptions struct {
	// Kind and Keystore are as in Options.
	Kind     string
	Keystore keystore.Store
	// Hook, if set, is called at every point an interruption may fall
	// ("vault", "records:N", "copied", "verified", "swap1"…"swap3",
	// "scrubbed", "segment:NAME", "media:N", "files", "archive", "done").
	// Tests stop the upgrade there.
	Hook func(point string)
	// Progress, if set, hears each step's name as it starts.
	Progress func(step string)
}

// Files that may hold personal data in plaintext in a folder kept before
// sealing, besides the databases and the media.
var sealedSideFiles = []string{config.ReviewQueueFile, "tasks.json"}

// NeedsSealing says whether the folder at dir holds data kept before
// sealing at rest (or a sealing that was interrupted): SealFolder must run
// before it is opened.
func NeedsSealing(dir string) (bool, error) {
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(dir, config.DeviceDB)); err == nil {
		book, err := account.Open(ctx, filepath.Join(dir, config.DeviceDB))
		if err != nil {
			return false, fmt.Errorf("needs sealing: %w", err)
		}
		info, verr := book.Vault(ctx)
		upgrading, uerr := book.Upgrading(ctx)
		book.Close()
		switch {
		case verr == nil && uerr == nil:
			return upgrading, nil
		case !errors.Is(verr, account.ErrNoVault):
			return false, fmt.Errorf("needs sealing: %w", errors.Join(verr, uerr))
		}
		_ = info
	}
	return hasPlainData(dir)
}

// hasPlainData says whether a folder without a vault holds anything to
// seal: a record log, evidence, a token, a side file with parties' data.
func hasPlainData(dir string) (bool, error) {
	for _, name := range append([]string{config.CasefileDB, config.CasefileDB + ".sealing", config.CasefileDB + ".plain"}, sealedSideFiles...) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true, nil
		}
	}
	var id map[string]any
	if err := ReadJSON(filepath.Join(dir, config.IdentityFile), &id); err != nil {
		return false, fmt.Errorf("needs sealing: %w", err)
	}
	if _, ok := id["token"]; ok {
		return true, nil
	}
	media := false
	err := filepath.WalkDir(filepath.Join(dir, config.MediaDir), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return filepath.SkipAll
		}
		if err == nil && d.Type().IsRegular() {
			media = true
			return filepath.SkipAll
		}
		return err
	})
	return media, err
}

// SealFolder seals a data folder kept before sealing at rest, once, on the
// first start of this version, without loss; an interrupted run resumes
// where it stopped. Each step reads its state from the files present:
//
//  0. vault: device.db gets its vault, with a wrap of the new data key
//     for every person with a key, and a machine wrap that lets the
//     upgrade resume without a PIN (dropped at the end on an officer's
//     folder);
//  1. the record log is copied sealed into casefile.db.sealing (a new
//     file that never held plaintext), checked row by row, swapped in by
//     renames (its WAL first), and the old file and WAL are overwritten
//     with zeros and removed;
//  2. recording segments, 3. evidence files, 5. archived bundles inside
//     the folder are each sealed into a new file, checked against their
//     SHA-256 where the name gives one, and the plaintext is zeroed and
//     removed;
//  4. the token in sync.json and the side files with parties' data are
//     written sealed, the plaintext zeroed first.
func SealFolder(ctx context.Context, dir string, o SealOptions) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("seal the data folder %s: %w", dir, err)
		}
	}()
	hook := func(p string) {
		if o.Hook != nil {
			o.Hook(p)
		}
	}
	step := func(s string) {
		if o.Progress != nil {
			o.Progress(s)
		}
	}
	ks := o.Keystore
	if ks == nil {
		ks = keystore.System(dir)
	}
	kind := o.Kind
	if kind == "" {
		kind = EnrolledKind(dir)
	}

	if need, err := NeedsSealing(dir); err != nil || !need {
		return err
	}
	step("vault")
	book, err := account.Open(ctx, filepath.Join(dir, config.DeviceDB))
	if err != nil {
		return err
	}
	defer book.Close()
	v := vault.New(0)
	book.SetVault(v, ks)
	if err := book.BeginUpgrade(ctx, kind); err != nil {
		return err
	}
	if !v.Unlocked() {
		if err := book.OpenDesk(ctx); err != nil {
			return err
		}
	}
	dk, err := v.DK()
	if err != nil {
		return err
	}
	keys := seal.Static{DK: dk}
	hook("vault")

	step("records")
	if err := sealLog(ctx, dir, keys, hook); err != nil {
		return err
	}

	step("media")
	if err := sealMedia(dir, keys, hook); err != nil {
		return err
	}

	step("files")
	if err := sealSideFiles(dir, keys); err != nil {
		return err
	}
	hook("files")

	step("archive")
	if err := sealTree(filepath.Join(dir, config.ArchiveDir), keys, func(name string) bool { return strings.HasSuffix(name, ".zip") }, nil); err != nil {
		return err
	}
	hook("archive")

	if err := book.FinishUpgrade(ctx); err != nil {
		return err
	}
	hook("done")
	return nil
}

// sealLog seals casefile.db (step 1).
func sealLog(ctx context.Context, dir string, keys seal.Keys, hook func(string)) error {
	db := filepath.Join(dir, config.CasefileDB)
	sealing, plain := db+".sealing", db+".plain"
	media := filepath.Join(dir, config.MediaDir)
	if !exists(plain) {
		if !exists(db) {
			return nil
		}
		l, err := casefile.OpenExisting(ctx, db, media, nil)
		if errors.Is(err, casefile.ErrNotCaseFile) {
			// An empty log (no device key yet): nothing in it to keep.
			return seal.Scrub(db)
		}
		if err != nil {
			return err
		}
		sealed := l.IsSealed()
		l.Close()
		if sealed {
			return nil
		}
		if err := ledger.SealCopy(ctx, db, sealing, keys, func(p string) error { hook(p); return nil }); err != nil {
			if errors.Is(err, ledger.ErrCopyDiffers) {
				os.Remove(sealing)
				os.Remove(sealing + "-wal")
				os.Remove(sealing + "-shm")
			}
			return err
		}
		// The old WAL moves aside first, so the sealed file can never be
		// opened beside it.
		for _, s := range []string{"-wal", "-shm"} {
			if err := renameIfExists(db+s, plain+s); err != nil {
				return err
			}
		}
		hook("swap1")
		if err := os.Rename(db, plain); err != nil {
			return err
		}
		hook("swap2")
	}
	if !exists(db) {
		if err := os.Rename(sealing, db); err != nil {
			return err
		}
		if err := seal.SyncDir(dir); err != nil {
			return err
		}
	}
	hook("swap3")
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		if exists(plain + s) {
			if err := seal.Scrub(plain + s); err != nil {
				return err
			}
		}
	}
	for _, s := range []string{"-wal", "-shm"} {
		os.Remove(sealing + s)
	}
	hook("scrubbed")
	return nil
}

// sealMedia seals the evidence and the recording segments (steps 2, 3).
func sealMedia(dir string, keys seal.Keys, hook func(string)) error {
	media := filepath.Join(dir, config.MediaDir)
	rec := filepath.Join(media, "recording")
	segment := func(name string) bool {
		return !strings.HasSuffix(name, ".json") && !strings.Contains(name, ".sealing")
	}
	if err := sealTree(rec, keys, segment, func(path string) { hook("segment:" + filepath.Base(path)) }); err != nil {
		return err
	}
	n := 0
	evidence := func(name string) bool {
		if strings.HasPrefix(name, "incoming-") || strings.HasPrefix(name, ".") {
			return false
		}
		_, err := hex.DecodeString(name)
		return err == nil && len(name) == 64
	}
	ents, err := os.ReadDir(media)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		switch {
		case e.IsDir() && len(e.Name()) == 2:
			err := sealTree(filepath.Join(media, e.Name()), keys, evidence, func(string) { n++; hook(fmt.Sprintf("media:%d", n)) })
			if err != nil {
				return err
			}
		case !e.IsDir() && strings.HasPrefix(e.Name(), "incoming-"):
			// A copy Put never finished: not evidence of anything.
			if err := seal.Scrub(filepath.Join(media, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// sealTree seals, in place, every plaintext file directly in dir whose
// name pick accepts: a sealed copy beside it, checked against the SHA-256
// its name gives (evidence), then the plaintext zeroed and removed and the
// copy renamed into its place. A copy left by an interrupted run is
// discarded and made again.
func sealTree(dir string, keys seal.Keys, pick func(name string) bool, done func(path string)) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		// A sealed copy whose plaintext is gone: the run stopped between
		// the scrub and the rename. The copy is checked and whole (SealFile
		// synced it before the scrub), so it takes the name.
		if name, ok := strings.CutSuffix(e.Name(), ".sealing"); ok && pick(name) && !exists(filepath.Join(dir, name)) {
			if err := os.Rename(filepath.Join(dir, e.Name()), filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	if ents, err = os.ReadDir(dir); err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() || !pick(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		sealed, err := seal.Sealed(path, nil)
		if err != nil {
			return err
		}
		if sealed {
			continue
		}
		tmp := path + ".sealing"
		os.Remove(tmp)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		sum, _, err := seal.SealFile(tmp, f, keys)
		f.Close()
		if err != nil {
			return err
		}
		want, herr := hex.DecodeString(e.Name())
		if herr == nil && len(want) == sha256.Size && string(want) != string(sum[:]) {
			// The file was altered before sealing: its sealed copy is kept
			// under altered/, out of the store, so the log's check reports
			// the evidence as missing rather than read other bytes.
			alt := filepath.Join(filepath.Dir(dir), "altered")
			if err := os.MkdirAll(alt, 0o700); err != nil {
				return err
			}
			if err := os.Rename(tmp, filepath.Join(alt, e.Name())); err != nil {
				return err
			}
			if err := seal.Scrub(path); err != nil {
				return err
			}
		} else {
			if err := seal.Scrub(path); err != nil {
				return err
			}
			if err := os.Rename(tmp, path); err != nil {
				return err
			}
		}
		if err := seal.SyncDir(dir); err != nil {
			return err
		}
		if done != nil {
			done(path)
		}
	}
	return nil
}

// sealSideFiles seals the token in sync.json and the side files that
// carry parties' data (step 4).
func sealSideFiles(dir string, keys seal.Keys) error {
	f := vault.Folder{Dir: dir, Keys: keys}
	for _, name := range sealedSideFiles {
		path := filepath.Join(dir, name)
		if !exists(path) {
			continue
		}
		data, sealed, err := f.ReadFile(name)
		if err != nil || sealed {
			if err != nil {
				return err
			}
			continue
		}
		b, err := seal.Seal(keys, data, []byte("file/"+name))
		if err != nil {
			return err
		}
		if err := replaceScrubbed(path, b); err != nil {
			return err
		}
	}
	path := filepath.Join(dir, config.IdentityFile)
	if exists(path+".new") && !exists(path) {
		if err := os.Rename(path+".new", path); err != nil {
			return err
		}
	}
	var id map[string]json.RawMessage
	if err := ReadJSON(path, &id); err != nil {
		return err
	}
	raw, ok := id["token"]
	if !ok {
		return nil
	}
	var tok string
	if err := json.Unmarshal(raw, &tok); err != nil {
		return fmt.Errorf("%s: token: %w", config.IdentityFile, err)
	}
	b, err := seal.Seal(keys, []byte(tok), []byte("token"))
	if err != nil {
		return err
	}
	delete(id, "token")
	if id["token_sealed"], err = json.Marshal(b); err != nil {
		return err
	}
	out, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return err
	}
	return replaceScrubbed(path, out)
}

// replaceScrubbed writes data beside path, zeroes and removes the old
// file, and renames the new one into its place.
func replaceScrubbed(path string, data []byte) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := seal.Scrub(path); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return seal.SyncDir(filepath.Dir(path))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func renameIfExists(from, to string) error {
	if err := os.Rename(from, to); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// SealIfNeeded seals the folder at dir when it was kept before sealing at
// rest (or its sealing was interrupted), telling told first: what a mode
// runs before it opens its folder.
func SealIfNeeded(ctx context.Context, dir string, o SealOptions, told func()) error {
	need, err := NeedsSealing(dir)
	if err != nil || !need {
		return err
	}
	if told != nil {
		told()
	}
	return SealFolder(ctx, dir, o)
}
