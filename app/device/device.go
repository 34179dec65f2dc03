// Package device opens a device's data folder: its settings, the public
// lists (catalog), the accounts enrolled on it, its ledger (the record log)
// with the legal review installed as its gate, and the side files the
// platform sends: the working-day calendar, the agencies' audio/video
// requirement lists and major-decision lists, their own versions of the
// procedures (installed on the case log), the reviewer registry and the
// review queue.
//
// Before the platform has sent them, the calendar is the bundled national
// one (assets/); the city's own lists have no stand-in: a device without
// them says so (CityLists) rather than apply another city's rules. The demo
// seeds its lists through ImportCityLists, as a sync would. This package
// never imports the demo or Fyne.
package device

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Part names what Open opens besides the settings.
type Part int

const (
	// Catalog is the public lists: every mode reads them.
	Catalog Part = 1 << iota
	// Accounts is the account book of people enrolled on the device.
	Accounts
	// Ledger is the record log with the legal review as its gate; it
	// implies Accounts (reviewers are accounts).
	Ledger
)

// Device is an open data folder. The fields Open did not open are nil.
type Device struct {
	Dir     string
	Config  config.Config
	Catalog *catalog.Catalog
	Book    *account.Book
	Log     *casefile.Log
	Review  *review.Service
	// Vault holds the folder's data key: case records, evidence, the
	// device key, the token and the side files with personal data are
	// sealed under it. Locked until a person signs in on an officer
	// device; opened at start on kiosks and windows.
	Vault *vault.Vault
}

// Keys is what seals this folder's data: the vault, or nil for a folder
// opened without accounts.
func (d *Device) Keys() seal.Keys {
	if d.Vault == nil {
		return nil
	}
	return d.Vault
}

// Files reads and writes the folder's sealed side files.
func (d *Device) Files() vault.Folder { return vault.Folder{Dir: d.Dir, Keys: d.Keys()} }

// Options are how a mode opens its folder.
type Options struct {
	// Kind is the kind of device the folder serves ("officer", "kiosk",
	// "window"), for a folder whose vault is made now; "" takes the kind
	// the platform enrolled it as (sync.json), else an officer's.
	Kind string
	// Keystore keeps the folder's machine secret; nil is the system's
	// (keystore.System). Tests give two keystore.Dir for two machines.
	Keystore keystore.Store
}

// ErrNeedsSealing is a folder kept before sealing at rest: SealFolder
// seals it (once, resumably) before it is opened.
var ErrNeedsSealing = errors.New("the data folder was kept before sealing at rest and must be sealed first")

// Open opens the data folder dir (which must exist) with the parts asked
// for. On an error nothing stays open.
func Open(ctx context.Context, dir string, parts Part) (*Device, error) {
	return OpenWith(ctx, dir, parts, Options{})
}

// OpenWith is Open with the mode's options. Opening the accounts opens
// the folder's vault: a new folder gets one (unlocked); a kiosk's or
// window's opens at once with its machine wrap; an officer's opens when a
// person signs in (or at once, until its first person is activated).
func OpenWith(ctx context.Context, dir string, parts Part, o Options) (*Device, error) {
	cfg, err := config.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("open data folder %s: %w", dir, err)
	}
	d := &Device{Dir: dir, Config: cfg}
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()
	if parts&Catalog != 0 {
		if d.Catalog, err = catalog.Open(ctx, d.path(config.CatalogDB)); err != nil {
			return nil, fmt.Errorf("open catalog: %w", err)
		}
	}
	if parts&(Accounts|Ledger) != 0 {
		if d.Book, err = account.Open(ctx, d.path(config.DeviceDB)); err != nil {
			return nil, fmt.Errorf("open accounts: %w", err)
		}
	}
	if d.Book != nil {
		d.Book.SetStanding(d.PersonStands)
		if err := d.openVault(ctx, o); err != nil {
			return nil, err
		}
	}
	if parts&Ledger != 0 {
		id, err := ID(dir)
		if err != nil {
			return nil, err
		}
		if err := d.OpenLedger(ctx, id); err != nil {
			return nil, err
		}
	}
	ok = true
	return d, nil
}

// openVault gives the account book the folder's vault and opens it where
// no person is needed.
func (d *Device) openVault(ctx context.Context, o Options) error {
	ks := o.Keystore
	if ks == nil {
		ks = keystore.System(d.Dir)
	}
	d.Vault = vault.New(0)
	d.Book.SetVault(d.Vault, ks)
	info, err := d.Book.Vault(ctx)
	if errors.Is(err, account.ErrNoVault) {
		need, err := NeedsSealing(d.Dir)
		if err != nil {
			return err
		}
		if need {
			return fmt.Errorf("open %s: %w", d.Dir, ErrNeedsSealing)
		}
		kind := o.Kind
		if kind == "" {
			kind = EnrolledKind(d.Dir)
		}
		if err := d.Book.CreateVault(ctx, kind); err != nil {
			return fmt.Errorf("open %s: %w", d.Dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", d.Dir, err)
	}
	if info.Kind != "officer" || slices.Contains(info.Machine, "bootstrap") || slices.Contains(info.Machine, "upgrade") {
		if err := d.Book.OpenDesk(ctx); err != nil {
			return fmt.Errorf("open %s: %w", d.Dir, err)
		}
	}
	return nil
}

// EnrolledKind is the kind of device the platform enrolled the folder as
// (sync.json's plaintext "kind"); an officer's before enrolment, or for an
// identity kept before the kind was.
func EnrolledKind(dir string) string {
	var id struct {
		Kind string `json:"kind"`
	}
	if err := ReadJSON(filepath.Join(dir, config.IdentityFile), &id); err != nil || id.Kind == "" {
		return "officer"
	}
	return id.Kind
}

// Standing says whether the person with certificate (or staff) number id
// may act at now, by the public list of officers as this device last
// pulled it: a revoked, suspended or expired certificate may not, as soon
// as the device has heard of it. A person the list does not hold (window
// staff) stands; a list that cannot be read refuses.
func (d *Device) Standing(ctx context.Context, id string, now time.Time) error {
	if d.Catalog == nil {
		return nil
	}
	it, err := d.Catalog.Get(ctx, catalog.KindOfficer, id)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("certificate of %s: %w", id, err)
	}
	o, ok := it.(*catalog.Officer)
	if !ok {
		return fmt.Errorf("certificate of %s: not an officer's entry", id)
	}
	if err := o.InForce(now); err != nil {
		return fmt.Errorf("%w: %s: %w", account.ErrCertificate, id, err)
	}
	return nil
}

// PersonStands says whether a person may sign in and sign at now: their
// certificate in force (Standing), and neither the person deactivated nor
// their key revoked by the platform, as this device last heard.
func (d *Device) PersonStands(ctx context.Context, a account.Account, now time.Time) error {
	if err := d.Standing(ctx, a.ID, now); err != nil {
		return err
	}
	var r account.Roster
	if err := ReadJSON(d.path(config.PeopleFile), &r); err != nil {
		return fmt.Errorf("standing of %s: %w", a.ID, err)
	}
	if err := r.Check(a); err != nil {
		return fmt.Errorf("%w: %s: %w", account.ErrCertificate, a.ID, err)
	}
	return nil
}

// SavePeople keeps what the platform said of the people's standing, and
// which photo each person shows in the catalog (their bytes come with the
// next photo pull).
func (d *Device) SavePeople(r account.Roster) error {
	if d.Catalog != nil {
		photos := map[string]string{}
		for _, p := range r.People {
			photos[p.ID] = p.Photo
		}
		if err := d.Catalog.SetPortraits(context.Background(), photos); err != nil {
			return fmt.Errorf("save people: %w", err)
		}
	}
	return SaveJSON(d.Dir, config.PeopleFile, r)
}

// sign is the case file's signer: it signs a record with the keys of the
// people signed in (its author) and of those who confirmed for it (a
// second officer on site), each checked to stand now. An author enrolled
// here with a key must be signed in; one who is not enrolled here (an
// opinion signed on another device, taken in with its own signature) adds
// none; another officer named on site must have confirmed.
func (d *Device) sign(ctx context.Context, r *casefile.Record, others []string) error {
	for i, id := range append([]string{r.Author}, others...) {
		a, ok := d.Book.Keys.Take(id)
		if !ok {
			if i == 0 {
				pub, err := d.Book.KeyOf(ctx, id)
				if errors.Is(err, account.ErrUnknown) || (err == nil && pub == "") {
					continue
				}
				if err != nil {
					return fmt.Errorf("sign a %s record: %w", r.Kind, err)
				}
			}
			return fmt.Errorf("%w: %s", casefile.ErrNotSigned, id)
		}
		if err := d.Book.Stands(ctx, a); err != nil {
			return fmt.Errorf("sign a %s record as %s: %w", r.Kind, id, err)
		}
		if err := r.AddSig(d.Log.Origin(), a); err != nil {
			return fmt.Errorf("sign a %s record as %s: %w", r.Kind, id, err)
		}
	}
	return nil
}

// officersStand is the gate's second half: every officer an on-site record
// names must hold a certificate in force when it is recorded.
func (d *Device) officersStand(next casefile.Gate, now func() time.Time) casefile.Gate {
	return func(ctx context.Context, c *casefile.Case, s casefile.StageBody) error {
		if err := next(ctx, c, s); err != nil {
			return err
		}
		for _, o := range s.Officers {
			if err := d.Standing(ctx, o.CertNo, now()); err != nil {
				return fmt.Errorf("stage %s of %s: officer %s: %w", s.Stage, c.ID, o.CertNo, err)
			}
		}
		return nil
	}
}

// OpenLedger opens the record log (a new one names the device name) and
// installs the legal review's gate on it. The account book must be open.
func (d *Device) OpenLedger(ctx context.Context, name string) error {
	if d.Book == nil {
		return errors.New("open ledger: the account book is not open")
	}
	l, err := casefile.Open(ctx, d.path(config.CasefileDB), d.path(config.MediaDir), name, d.Keys())
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	rev, err := d.newReview(l)
	if err != nil {
		l.Close()
		return err
	}
	procs, err := d.Procedures()
	if err != nil {
		l.Close()
		return err
	}
	set, err := casefile.WithAgencies(procs)
	if err != nil {
		l.Close()
		return fmt.Errorf("open ledger: %s: %w", ProceduresFile, err)
	}
	l.SetProcedures(set)
	d.Log, d.Review = l, rev
	l.SetSigner(d.sign)
	l.SetArchiveDir(d.ArchiveDir())
	return nil
}

// ProceduresFile holds the agencies' own versions of the procedures as
// the platform last sent them (a list of casefile.Procedure).
const ProceduresFile = "procedures.json"

// Procedures are the agencies' own versions of the procedures the
// platform last sent; none before the first sync brings them (every
// agency on the national defaults bundled with the build).
func (d *Device) Procedures() ([]casefile.Procedure, error) {
	data, err := os.ReadFile(d.path(ProceduresFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ProceduresFile, err)
	}
	list, err := casefile.ParseProcedures(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ProceduresFile, err)
	}
	return list, nil
}

// SaveProcedures keeps the agencies' versions of the procedures the
// platform sent and installs them on the open case log, from the next
// record on: a case opened before keeps, in its opening record, the
// version it was opened under. A list that does not make a set with the
// national defaults is refused and the one held stays.
func (d *Device) SaveProcedures(list []casefile.Procedure) error {
	set, err := casefile.WithAgencies(list)
	if err != nil {
		return fmt.Errorf("save %s: %w", ProceduresFile, err)
	}
	if list == nil {
		list = []casefile.Procedure{}
	}
	if err := SaveJSON(d.Dir, ProceduresFile, list); err != nil {
		return err
	}
	if d.Log != nil {
		d.Log.SetProcedures(set)
	}
	return nil
}

// ArchiveDir is where closed cases are archived: the folder the settings
// name (a relative one inside the data folder), else the data folder's
// "archive".
func (d *Device) ArchiveDir() string {
	switch dir := d.Config.ArchiveDir; {
	case dir == "":
		return d.path(config.ArchiveDir)
	case filepath.IsAbs(dir):
		return dir
	default:
		return d.path(dir)
	}
}

// HasLedger says whether the folder holds a record log already.
func (d *Device) HasLedger() bool {
	_, err := os.Stat(d.path(config.CasefileDB))
	return err == nil
}

// Close closes what Open opened.
func (d *Device) Close() error {
	var errs []error
	if d.Log != nil {
		errs = append(errs, d.Log.Close())
	}
	if d.Book != nil {
		errs = append(errs, d.Book.Close())
	}
	if d.Catalog != nil {
		errs = append(errs, d.Catalog.Close())
	}
	return errors.Join(errs...)
}

func (d *Device) path(name string) string { return filepath.Join(d.Dir, name) }

// newReview sets up the legal review on a log and installs its gate, so
// that no code path appends a major decision without a passed review.
func (d *Device) newReview(l *casefile.Log) (*review.Service, error) {
	cal, err := d.Calendar()
	if err != nil {
		return nil, err
	}
	pols, err := d.Policies()
	if err != nil {
		return nil, err
	}
	cls, err := review.Checklists()
	if err != nil {
		return nil, fmt.Errorf("review checklists: %w", err)
	}
	s := &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal,
		Reviewers: review.AnyOf{review.BookReviewers{Book: d.Book}, fileRegistry(d.path(config.ReviewersFile))},
		Remote:    d.reviewQueue, Signatures: true}
	l.SetGate(d.officersStand(s.Gate(), l.Now))
	l.SetHandoverGate(s.HandoverGate())
	return s, nil
}

// reviewQueue is other devices' cases waiting for review, as last pulled.
func (d *Device) reviewQueue() []review.RemoteCase {
	var out []review.RemoteCase
	if err := d.ReadSealedJSON(config.ReviewQueueFile, &out); err != nil {
		slog.Error("read the review queue", "err", err)
	}
	return out
}

// KeepOpened puts a case of the review queue, as the reviewer opened it
// (unmasked), in place of the masked one the queue holds.
func (d *Device) KeepOpened(rc review.RemoteCase) error {
	q := d.reviewQueue()
	for i := range q {
		if q[i].Device == rc.Device && q[i].Case == rc.Case {
			q[i] = rc
			return d.SaveReviewQueue(q)
		}
	}
	return fmt.Errorf("keep %s/%s opened: not in the review queue", rc.Device, rc.Case)
}

// ReviewAgencies are the agencies whose review queue this device fetches:
// those of the reviewer accounts enrolled on it (none on most devices).
func (d *Device) ReviewAgencies(ctx context.Context) ([]string, error) {
	list, err := d.Book.List(ctx, account.RoleReviewer)
	if err != nil {
		return nil, fmt.Errorf("list reviewers: %w", err)
	}
	var out []string
	for _, a := range list {
		if !slices.Contains(out, a.Agency) {
			out = append(out, a.Agency)
		}
	}
	return out, nil
}

// Policies are the major-decision lists the platform last sent; none
// before the first sync brings them (see CityLists).
func (d *Device) Policies() (review.Policies, error) {
	data, err := os.ReadFile(d.path(config.PoliciesFile))
	if errors.Is(err, os.ErrNotExist) {
		return review.Policies{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config.PoliciesFile, err)
	}
	pols, err := review.ParsePolicies(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.PoliciesFile, err)
	}
	return pols, nil
}

// AVLists are the audio/video requirement lists the platform last sent;
// before the first sync brings them, the nationwide baseline bundled in
// assets (never a city's, see CityLists).
func (d *Device) AVLists() ([]casefile.AVRequirement, error) {
	data, err := os.ReadFile(d.path(config.AVFile))
	if errors.Is(err, os.ErrNotExist) {
		return BaselineAV()
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config.AVFile, err)
	}
	var av []casefile.AVRequirement
	if err := json.Unmarshal(data, &av); err != nil {
		return nil, fmt.Errorf("%s: %w", config.AVFile, err)
	}
	return av, nil
}

// BaselineAV is the nationwide audio/video baseline bundled with the build.
func BaselineAV() ([]casefile.AVRequirement, error) {
	var av []casefile.AVRequirement
	if err := json.Unmarshal(assets.AVBaseline, &av); err != nil {
		return nil, fmt.Errorf("bundled A/V baseline: %w", err)
	}
	return av, nil
}

// CityLists says whether the device holds its city's major-decision and
// audio/video lists. Until it does, no decision counts as major, only the
// nationwide A/V baseline applies, and the officer desk says so.
func (d *Device) CityLists() bool {
	for _, f := range []string{config.PoliciesFile, config.AVFile} {
		if _, err := os.Stat(d.path(f)); err != nil {
			return false
		}
	}
	return true
}

// Calendar is the working-day calendar the platform last sent, or the
// bundled national one on a device that has not synced.
func (d *Device) Calendar() (*calendar.Calendar, error) { return ReadCalendar(d.Dir) }

// ReadCalendar is the calendar of the data folder dir, as Device.Calendar;
// with dir "" the bundled one.
func ReadCalendar(dir string) (*calendar.Calendar, error) {
	if dir == "" {
		return bundledCalendar()
	}
	data, err := os.ReadFile(filepath.Join(dir, config.CalendarFile))
	if errors.Is(err, os.ErrNotExist) {
		return bundledCalendar()
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config.CalendarFile, err)
	}
	cal, err := calendar.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.CalendarFile, err)
	}
	return cal, nil
}

func bundledCalendar() (*calendar.Calendar, error) {
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		return nil, fmt.Errorf("bundled calendar: %w", err)
	}
	return cal, nil
}

// SavePolicies keeps the major-decision lists the platform sent.
func (d *Device) SavePolicies(p review.Policies) error {
	return SaveJSON(d.Dir, config.PoliciesFile, p.List())
}

// SaveAVLists keeps the audio/video requirement lists the platform sent.
func (d *Device) SaveAVLists(av []casefile.AVRequirement) error {
	return SaveJSON(d.Dir, config.AVFile, av)
}

// SaveCalendar keeps the working-day calendar the platform sent (checked).
func (d *Device) SaveCalendar(cal []byte) error {
	return SaveJSON(d.Dir, config.CalendarFile, json.RawMessage(cal))
}

// SaveDeadlines keeps the agencies' own publication deadlines the
// platform sent.
func (d *Device) SaveDeadlines(ds publish.Deadlines) error {
	return SaveJSON(d.Dir, config.DeadlinesFile, ds)
}

// Deadlines are the agencies' own publication deadlines as the platform
// last sent them; none (every agency on the national defaults) until it
// has.
func (d *Device) Deadlines() (publish.Deadlines, error) {
	data, err := os.ReadFile(d.path(config.DeadlinesFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config.DeadlinesFile, err)
	}
	var ds publish.Deadlines
	if err := json.Unmarshal(data, &ds); err != nil {
		return nil, fmt.Errorf("%s: %w", config.DeadlinesFile, err)
	}
	return ds, nil
}

// SaveReviewers keeps the platform's reviewer registry.
func (d *Device) SaveReviewers(list []review.Reviewer) error {
	return SaveJSON(d.Dir, config.ReviewersFile, list)
}

// SaveReviewQueue keeps other devices' cases waiting for review.
// They carry parties' data, so the file is sealed.
func (d *Device) SaveReviewQueue(q []review.RemoteCase) error {
	return d.SaveSealedJSON(config.ReviewQueueFile, q)
}

// SaveSealedJSON keeps v as JSON under name, sealed under the folder's
// data key: for side files that carry personal data (the review queue,
// drawn tasks). A folder opened without accounts has no vault and keeps
// it as SaveJSON does.
func (d *Device) SaveSealedJSON(name string, v any) error {
	if d.Vault == nil {
		return SaveJSON(d.Dir, name, v)
	}
	return d.Files().WriteJSON(name, v)
}

// ReadSealedJSON reads a file SaveSealedJSON wrote (or a plaintext one
// kept before sealing); a missing file leaves v as it is. While the vault
// is locked it is seal.ErrLocked.
func (d *Device) ReadSealedJSON(name string, v any) error {
	if d.Vault == nil {
		return ReadJSON(d.path(name), v)
	}
	err := d.Files().ReadJSON(name, v)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// ImportCityLists keeps a city's major-decision and audio/video lists
// brought by other means than a sync (the demo's, or a city's files
// carried to an offline device). A list the device holds already is kept:
// what the platform sent wins.
func (d *Device) ImportCityLists(p review.Policies, av []casefile.AVRequirement) error {
	if _, err := os.Stat(d.path(config.PoliciesFile)); errors.Is(err, os.ErrNotExist) {
		if err := d.SavePolicies(p); err != nil {
			return err
		}
	}
	if _, err := os.Stat(d.path(config.AVFile)); errors.Is(err, os.ErrNotExist) {
		if err := d.SaveAVLists(av); err != nil {
			return err
		}
	}
	return nil
}

// SaveJSON keeps v as JSON in the data folder dir under name, replacing
// the file whole (written beside it, then renamed over it).
func SaveJSON(dir, name string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	tmp := filepath.Join(dir, name+".new")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	return nil
}

// ReadJSON reads a file SaveJSON wrote; a missing file leaves v as it is.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// fileRegistry is the platform's reviewer registry as last pulled, read
// when a reviewer is looked up (rarely), so a sync can replace it while
// the desk runs.
type fileRegistry string

func (f fileRegistry) Reviewer(id string) (review.Reviewer, bool) {
	var list []review.Reviewer
	if err := ReadJSON(string(f), &list); err != nil {
		slog.Error("read the reviewer registry", "err", err)
		return review.Reviewer{}, false
	}
	return review.NewRegistry(list).Reviewer(id)
}
