package mediaimport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// Imported is what a media record made by an import says beyond the
// recording: the original file's name, size and modification time, and
// where the recording time came from.
type Imported struct {
	Source     string    `json:"source"` // the original's file name
	Size       int64     `json:"size"`
	Modified   time.Time `json:"modified"`
	Container  string    `json:"container"`
	TimeSource string    `json:"time_source"` // TimeMvhd, TimeIDIT, …, TimeModified
}

// Body is an imported file's media record body: casefile's Recording,
// which every reader of case files reads, with the import beside it.
type Body struct {
	casefile.Recording
	Import *Imported `json:"import,omitempty"`
}

// BodyOf reads a media record's body with its import, if it has one.
func BodyOf(r casefile.Record) (Body, bool) {
	var b Body
	if r.Kind != casefile.KindMedia || json.Unmarshal(r.Body, &b) != nil {
		return b, false
	}
	return b, true
}

// Target is the case files are imported into.
type Target struct {
	Log                 *casefile.Log
	Case, Author, Stage string
	// Loc is the zone of the times cameras write without one; default
	// time.Local.
	Loc *time.Location
	// Photo imports a photo file (a folder import meets them beside the
	// videos); nil leaves photos out.
	Photo func(ctx context.Context, path string) (*casefile.Record, error)
	// OnFile is told of each file of a folder import before it is read:
	// the i-th of n.
	OnFile func(i, n int, path string)
}

// Item is one file of an import: what it held and the record made, or
// why it was refused.
type Item struct {
	Path   string
	Kind   string // video, audio or photo
	Probe  Probe
	Record *casefile.Record
	Err    error
}

// Name is the file's name.
func (it Item) Name() string { return filepath.Base(it.Path) }

// File imports one video or audio file: its bytes are read (never
// written), checked, hashed into the log's media store as they are and
// recorded in the case with the time the container gives.
func (t Target) File(ctx context.Context, path string) Item {
	it := Item{Path: path}
	it.Record, it.Probe, it.Err = t.file(ctx, path)
	it.Kind = it.Probe.Kind
	return it
}

func (t Target) file(ctx context.Context, path string) (*casefile.Record, Probe, error) {
	name := filepath.Base(path)
	fail := func(err error) error { return fmt.Errorf("import %s: %w", name, err) }
	loc := t.Loc
	if loc == nil {
		loc = time.Local
	}
	c, err := t.Log.Case(ctx, t.Case)
	if err != nil {
		return nil, Probe{}, fail(err)
	}
	f, err := os.Open(path) // read-only: the camera's file is never touched
	if err != nil {
		return nil, Probe{}, fail(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, Probe{}, fail(err)
	}
	if !st.Mode().IsRegular() {
		return nil, Probe{}, fail(ErrNotFile)
	}
	p, err := Sniff(f, st.Size(), loc)
	if err != nil {
		return nil, p, fail(err)
	}
	if p.Recorded.IsZero() {
		p.Recorded, p.TimeSource = st.ModTime(), TimeModified
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, p, fail(err)
	}
	d, n, err := t.Log.Media().Put(f)
	if err != nil {
		return nil, p, fail(err)
	}
	if n != st.Size() {
		return nil, p, fail(fmt.Errorf("%w: %d bytes read of %d", ErrChanged, n, st.Size()))
	}
	for _, r := range c.Records {
		if rec, ok := casefile.RecordingOf(r); ok {
			for _, mf := range rec.Files {
				if mf.SHA256 == d.String() {
					return nil, p, fail(fmt.Errorf("%w (record %d)", ErrDuplicate, c.Number(r.Ref())))
				}
			}
		}
	}
	b := Body{Recording: casefile.Recording{Session: session(p.Recorded), Segment: 1, Kind: p.Kind, Device: p.Device, Stage: t.Stage,
		Start: p.Recorded, End: p.Recorded.Add(p.Duration), DurationMS: p.Duration.Milliseconds(),
		Files: []casefile.MediaFile{{Role: p.Kind, SHA256: d.String(), Size: n, Format: p.Format, Name: name}}},
		Import: &Imported{Source: name, Size: n, Modified: st.ModTime(), Container: p.Container, TimeSource: p.TimeSource}}
	body, err := json.Marshal(b)
	if err != nil {
		return nil, p, fail(err)
	}
	rec, err := t.Log.AddMedia(ctx, t.Case, t.Author, body, []string{d.String()})
	if err != nil {
		return nil, p, fail(err)
	}
	return rec, p, nil
}

func session(at time.Time) string {
	b := make([]byte, 3)
	rand.Read(b)
	return "import-" + at.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// Summary is what a folder import did.
type Summary struct {
	Dir      string
	Imported []Item
	Refused  []Item // each with its error; Code says why
	// Ignored counts the files left alone: hidden files, and what is no
	// video, audio or photo (a camera's logs and thumbnails). Hidden and
	// system folders are not entered.
	Ignored int
}

// hidden says whether a name is a hidden or system file or folder, as a
// camera's or a computer's file system leaves them on a card.
func hidden(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "$") || strings.HasPrefix(name, "~") {
		return true
	}
	switch strings.ToUpper(name) {
	case "SYSTEM VOLUME INFORMATION", "LOST.DIR", "__MACOSX", "RECYCLER", "THUMBS.DB", "DESKTOP.INI":
		return true
	}
	return false
}

// Folder imports every video, audio (and, with Photo, photo) file under
// dir, as a camera mounted on the computer lays them out (DCIM/100MEDIA,
// RECORD/2026…), in name order. A file refused does not stop the others.
func (t Target) Folder(ctx context.Context, dir string) (Summary, error) {
	s := Summary{Dir: dir}
	var files []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			s.Refused = append(s.Refused, Item{Path: path, Err: fmt.Errorf("import %s: %w", filepath.Base(path), err)})
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if path != dir && hidden(e.Name()) {
			if e.IsDir() {
				return fs.SkipDir
			}
			s.Ignored++
			return nil
		}
		if e.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if !e.Type().IsRegular() || (Extensions[ext] == "" && !(t.Photo != nil && PhotoExtensions[ext])) {
			s.Ignored++
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("import folder %s: %w", dir, err)
	}
	for i, path := range files {
		if t.OnFile != nil {
			t.OnFile(i+1, len(files), path)
		}
		if err := ctx.Err(); err != nil {
			return s, fmt.Errorf("import folder %s: %w", dir, err)
		}
		var it Item
		if PhotoExtensions[strings.ToLower(filepath.Ext(path))] {
			it = Item{Path: path, Kind: casefile.MediaPhoto}
			it.Record, it.Err = t.Photo(ctx, path)
		} else {
			it = t.File(ctx, path)
		}
		if it.Err != nil {
			s.Refused = append(s.Refused, it)
		} else {
			s.Imported = append(s.Imported, it)
		}
	}
	return s, nil
}

// Last is the record of the last file imported (nil for none).
func (s Summary) Last() *casefile.Record {
	if len(s.Imported) == 0 {
		return nil
	}
	return s.Imported[len(s.Imported)-1].Record
}
