// Package demomode is the demo's wiring: the fictional city seeded into a
// data folder through the calls a real device's data goes through (its
// lists imported as a sync would keep them), and the reference platform
// run in the demo's process. Only the command's demo and seed modes use
// it; app/device and the sync client never know the demo city.
package demomode

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/assets"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// Counts says how much Seed wrote.
type Counts struct{ Officers, Fees, Guides, Items, Inspections, Decisions, Accounts int }

// Seed writes the demo city into the data folder dir, offline: its public
// lists, major-decision and A/V lists (as a sync would keep them), its
// people enrolled with keys made here (which no platform registered: the
// demo's own platform activates them instead, see Platform) unless they
// are enrolled already, and, in a folder with no case file yet, its cases
// and evidence, signed by their people.
func Seed(dir string, size demo.Size) (Counts, error) {
	n, err := SeedLists(dir, size)
	if err != nil {
		return n, err
	}
	ctx := context.Background()
	dev, err := device.Open(ctx, dir, device.Catalog|device.Accounts)
	if err != nil {
		return n, err
	}
	defer dev.Close()
	dev.Book.SetKDF(account.Quick) // the demo's PIN is printed in the README
	// The demo city's recovery key, whose private half ships with the demo
	// (assets/demo/recovery.key): `sanxiang recover` and `verify
	// --recovery-key` open the demo folder with it.
	if err := dev.Book.TrustRecoveryKey(ctx, demo.RecoveryPublic); err != nil {
		return n, err
	}
	ds, err := demo.Dataset(size)
	if err != nil {
		return n, fmt.Errorf("demo dataset: %w", err)
	}
	accounts := demo.Accounts(ds)
	for _, a := range accounts {
		if _, err := dev.Book.KeyOf(ctx, a.ID); !errors.Is(err, account.ErrUnknown) {
			continue // enrolled already (activated through the demo's platform)
		}
		if err := dev.Book.Enrol(ctx, a, demo.PIN); err != nil {
			return n, fmt.Errorf("enrol %s: %w", a.ID, err)
		}
	}
	n.Accounts = len(accounts)
	if !dev.HasLedger() {
		if err := dev.OpenLedger(ctx, ledgerName); err != nil {
			return n, err
		}
		if err := seedCases(ctx, dev, ds, accounts); err != nil {
			return n, err
		}
	}
	return n, nil
}

// ledgerName names the demo folder's record log.
const ledgerName = "QH-DEMO-01"

// seedCases writes the demo's case files through the officer desk's own
// calls, each record signed by its people: they are signed in for it
// (with the demo's PIN) and signed out after.
func seedCases(ctx context.Context, dev *device.Device, ds *catalog.Dataset, accounts []account.Account) error {
	for _, a := range accounts {
		if _, _, err := dev.Book.SignIn(ctx, a.ID, demo.PIN, "seed"); err != nil {
			return fmt.Errorf("sign in %s to seed the cases: %w", a.ID, err)
		}
		defer dev.Book.Log(ctx, a.ID, "signout", "seed")
	}
	if err := demo.Cases(ctx, dev.Log, ds, accounts, time.Now(), dev.Review); err != nil {
		return fmt.Errorf("seed the cases: %w", err)
	}
	av, err := AVRequired(dev)
	if err != nil {
		return err
	}
	if err := seedEvidence(ctx, dev.Log, av); err != nil {
		return fmt.Errorf("seed the evidence: %w", err)
	}
	return nil
}

// AVRequired is every audio/video list a demo case answers to: the
// folder's (the demo city's, as imported) and the nationwide baseline
// bundled with the build, which a device without city lists applies.
// The procedures' own A/V flags apply on top of either (Case.MissingAV).
func AVRequired(dev *device.Device) ([]casefile.AVRequirement, error) {
	city, err := dev.AVLists()
	if err != nil {
		return nil, fmt.Errorf("demo A/V lists: %w", err)
	}
	base, err := device.BaselineAV()
	if err != nil {
		return nil, err
	}
	return append(city, base...), nil
}

// SeedLists writes the demo city's public and city lists into dir (and
// the demo's settings into a folder that has none): what a device holds
// before its people are enrolled.
func SeedLists(dir string, size demo.Size) (Counts, error) {
	ds, err := demo.Dataset(size)
	if err != nil {
		return Counts{}, fmt.Errorf("demo dataset: %w", err)
	}
	ctx := context.Background()
	// A demo data folder gets a kiosk administrator PIN, so the demo kiosk
	// can be left from its screen; a configured folder keeps its own.
	if _, err := os.Stat(filepath.Join(dir, config.FileName)); errors.Is(err, os.ErrNotExist) {
		cfg := config.Default()
		if cfg.KioskAdminPINHash, err = account.Hash(demo.PIN); err != nil {
			return Counts{}, fmt.Errorf("hash the demo PIN: %w", err)
		}
		// The demo hall's name and emblem, as a city's hall sets its own.
		emblem, err := assets.Demo.ReadFile("demo/emblem.svg")
		if err != nil {
			return Counts{}, fmt.Errorf("demo emblem: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "emblem.svg"), emblem, 0o644); err != nil {
			return Counts{}, fmt.Errorf("demo emblem: %w", err)
		}
		cfg.HallName, cfg.HallEmblem = "青禾市政务服务中心", "emblem.svg"
		if err := config.Save(dir, cfg); err != nil {
			return Counts{}, err
		}
	}
	dev, err := device.Open(ctx, dir, device.Catalog|device.Accounts)
	if err != nil {
		return Counts{}, err
	}
	defer dev.Close()
	if err := dev.Catalog.Replace(ctx, ds, time.Now()); err != nil {
		return Counts{}, fmt.Errorf("seed the catalog: %w", err)
	}
	if err := ImportLists(dev); err != nil {
		return Counts{}, err
	}
	return Counts{len(ds.Officers), len(ds.Fees), len(ds.Guides), len(ds.Items), len(ds.Inspections), len(ds.Decisions), 0}, nil
}

// ImportLists gives the folder the demo city's major-decision and A/V
// lists, unless it holds lists already.
func ImportLists(dev *device.Device) error {
	pols, err := demo.Policies()
	if err != nil {
		return fmt.Errorf("demo major-decision lists: %w", err)
	}
	av, err := demo.AVList()
	if err != nil {
		return err
	}
	return dev.ImportCityLists(pols, av)
}

// seedEvidence records real evidence into the demo's first case through
// the capture code the officer desk uses: a few seconds of video from the
// synthetic camera with sound from the null audio backend (silence at the
// real rate), a few seconds of audio, and a photo from the camera. Every
// finished case then gets what av asks of its stages: a short video with
// sound for a stage recorded the whole way (全过程), a photo from the
// camera for the others.
func seedEvidence(ctx context.Context, l *casefile.Log, av []casefile.AVRequirement) error {
	ids, err := l.CaseIDs(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	id := ids[len(ids)-1] // the oldest: the first case of the demo
	c, err := l.Case(ctx, id)
	if err != nil {
		return err
	}
	author := c.Records[0].Author
	audio, err := capture.OpenAudio(true)
	if err != nil {
		return err
	}
	defer audio.Close()
	cam := &capture.Synthetic{}
	for _, cfg := range []capture.Config{
		{Log: l, Case: id, Author: author, Stage: "investigate", Audio: audio, Camera: cam},
		{Log: l, Case: id, Author: author, Stage: "notify", Audio: audio},
	} {
		r, err := capture.Start(ctx, cfg)
		if err != nil {
			return err
		}
		time.Sleep(3 * time.Second)
		if _, err := r.Stop(); err != nil {
			return err
		}
	}
	// The case that went the whole way has its on-site stages recorded.
	for _, cid := range ids {
		cc, err := l.Case(ctx, cid)
		if err != nil || cc.Opening.Party.Name != demo.CompleteCase {
			continue
		}
		for _, stage := range []string{"investigate", "notify", "defend", "serve"} {
			r, err := capture.Start(ctx, capture.Config{Log: l, Case: cid, Author: cc.Records[0].Author, Stage: stage, Audio: audio})
			if err != nil {
				return err
			}
			time.Sleep(time.Second)
			if _, err := r.Stop(); err != nil {
				return err
			}
		}
	}
	frames, err := cam.Start(ctx, capture.Format{Width: 640, Height: 480, FPS: 15})
	if err != nil {
		return err
	}
	f := <-frames
	cam.Close()
	for range frames {
	}
	if _, err = capture.Snapshot(ctx, l, id, author, "investigate", f.Image, cam.Name(), time.Now()); err != nil {
		return err
	}
	return seedFinishedAV(ctx, l, ids, av, audio)
}

// seedFinishedAV records, on every finished case, the audio-visual record
// each stage av asks for and the case lacks.
func seedFinishedAV(ctx context.Context, l *casefile.Log, ids []string, av []casefile.AVRequirement, audio *capture.Audio) error {
	for _, cid := range ids {
		c, err := l.Case(ctx, cid)
		if err != nil {
			return err
		}
		missing := c.MissingAV(av)
		if !c.Closed() || len(missing) == 0 {
			continue
		}
		_, full := c.AVStages(av)
		author := c.Records[0].Author
		for _, stage := range missing {
			if full[stage] {
				cam := &capture.Synthetic{}
				r, err := capture.Start(ctx, capture.Config{Log: l, Case: cid, Author: author, Stage: stage, Audio: audio, Camera: cam})
				if err != nil {
					return fmt.Errorf("record %s of %s: %w", stage, cid, err)
				}
				time.Sleep(time.Second)
				if _, err := r.Stop(); err != nil {
					return fmt.Errorf("record %s of %s: %w", stage, cid, err)
				}
				continue
			}
			if err := snapshot(ctx, l, cid, author, stage); err != nil {
				return err
			}
		}
	}
	return nil
}

// snapshot records a photo from the synthetic camera for stage of a case.
func snapshot(ctx context.Context, l *casefile.Log, caseID, author, stage string) error {
	cam := &capture.Synthetic{}
	frames, err := cam.Start(ctx, capture.Format{Width: 640, Height: 480, FPS: 15})
	if err != nil {
		return fmt.Errorf("photo of %s for %s: %w", stage, caseID, err)
	}
	f := <-frames
	cam.Close()
	for range frames {
	}
	if _, err := capture.Snapshot(ctx, l, caseID, author, stage, f.Image, cam.Name(), time.Now()); err != nil {
		return fmt.Errorf("photo of %s for %s: %w", stage, caseID, err)
	}
	return nil
}

// Platform runs the reference platform in this process on the configured
// loopback address, with the demo catalog, and enrols the demo data
// folder's device, so that the demo's sync works end to end. It returns
// how to stop it and the supervision dashboard's token for this run.
func Platform(ctx context.Context, dir string, cfg config.Config) (stop func(), adminToken string, err error) {
	u, err := url.Parse(cfg.PlatformURL)
	if err != nil {
		return nil, "", fmt.Errorf("platform_url: %w", err)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return nil, "", fmt.Errorf("platform_url %s is not on this machine", cfg.PlatformURL)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		return nil, "", err
	}
	// A token of this run for the supervision dashboard, shown to whoever
	// started the demo.
	token := make([]byte, 9)
	rand.Read(token)
	admin := base64.RawURLEncoding.EncodeToString(token)
	policy, stopWitnesses, err := startWitnesses(ctx, dir)
	if err != nil {
		ln.Close()
		return nil, "", err
	}
	s, err := server.Open(ctx, filepath.Join(dir, "platform.db"), server.Options{AdminToken: admin, Witnesses: &policy,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		stopWitnesses()
		ln.Close()
		return nil, "", fmt.Errorf("open the demo platform: %w", err)
	}
	// The witnesses close after the platform that asks them.
	closeAll := func() { s.Close(); stopWitnesses() }
	if err := demoload.Load(ctx, s); err != nil {
		closeAll()
		ln.Close()
		return nil, "", fmt.Errorf("load the demo platform: %w", err)
	}
	if err := demoload.Plans(ctx, s); err != nil {
		closeAll()
		ln.Close()
		return nil, "", fmt.Errorf("the demo platform's draws: %w", err)
	}
	if err := demoload.Hall(ctx, s); err != nil {
		closeAll()
		ln.Close()
		return nil, "", fmt.Errorf("the demo platform's hall: %w", err)
	}
	if err := demoload.Supervision(ctx, s); err != nil {
		closeAll()
		ln.Close()
		return nil, "", fmt.Errorf("the demo platform's supervision: %w", err)
	}
	// The dashboard is behind the console's login: a city administrator
	// "demo" whose password is this run's token.
	if err := s.AddAdmin(ctx, console.Admin{Login: "demo", Name: "演示 市司法局", Role: console.RoleCity}, admin, "demo"); err != nil && !errors.Is(err, console.ErrDuplicate) {
		closeAll()
		ln.Close()
		return nil, "", fmt.Errorf("demo administrator: %w", err)
	} else if err != nil {
		if err := s.Console().SetPassword(ctx, "demo", admin); err != nil {
			closeAll()
			ln.Close()
			return nil, "", fmt.Errorf("demo administrator: %w", err)
		}
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	stop = func() {
		srv.Close()
		closeAll()
	}
	if _, err := client.LoadIdentity(dir, nil); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, config.CasefileDB)); errors.Is(err, os.ErrNotExist) {
			// A new demo folder: its device enrolled, its people activated
			// through this platform, then its cases signed with their keys.
			if err := SeedOnline(ctx, s, dir, cfg.PlatformURL); err != nil {
				stop()
				return nil, "", err
			}
		} else if err := enrolDemo(ctx, s, dir, cfg.PlatformURL); err != nil {
			// The demo runs all the same; its sync says it is not enrolled.
			slog.Warn("demo", "err", err)
		}
	}
	return stop, admin, nil
}

// SeedOnline enrols a new demo folder's device with the demo's platform
// s, activates the demo's people on it as people activate (a one-time code
// each from the platform's people room, a key made here and registered
// there, sealed under the demo's PIN), and writes the demo's cases signed
// with those keys: the platform takes the demo's records as a real
// device's. The folder holds the demo's lists already (SeedLists).
func SeedOnline(ctx context.Context, s *server.Server, dir, platform string) error {
	dev, err := device.Open(ctx, dir, device.Catalog|device.Accounts)
	if err != nil {
		return err
	}
	defer dev.Close()
	dev.Book.SetKDF(account.Quick) // the demo's PIN is printed in the README
	if err := dev.OpenLedger(ctx, ledgerName); err != nil {
		return err
	}
	if err := enrolDevice(ctx, s, dir, platform, dev.Log.Verifier, dev.Keys()); err != nil {
		return err
	}
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		return fmt.Errorf("demo dataset: %w", err)
	}
	accounts := demo.Accounts(ds)
	for i, a := range accounts {
		if a.Role == account.RoleStaff {
			// Window staff activate on a window device, and the demo's one
			// folder is enrolled as an officer's: they sign nothing the
			// platform receives, so they are enrolled here only.
			if err := dev.Book.Enrol(ctx, a, demo.PIN); err != nil {
				return fmt.Errorf("enrol %s: %w", a.ID, err)
			}
			continue
		}
		code, _, err := s.People().NewActivationCode(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("activation code of %s: %w", a.ID, err)
		}
		if accounts[i], err = client.ActivatePerson(ctx, dev, code, demo.PIN); err != nil {
			return fmt.Errorf("activate %s on the demo device: %w", a.ID, err)
		}
	}
	return seedCases(ctx, dev, ds, accounts)
}

// enrolDemo enrols the demo folder's device with the in-process platform.
func enrolDemo(ctx context.Context, s *server.Server, dir, platform string) error {
	l, err := casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), nil)
	if err != nil {
		return err
	}
	verifier := l.Verifier
	l.Close()
	return enrolDevice(ctx, s, dir, platform, verifier, nil)
}

// enrolDevice enrols the device of dir, whose log's verifier key is
// verifier, with the platform s, and keeps its identity in dir.
func enrolDevice(ctx context.Context, s *server.Server, dir, platform, verifier string, keys seal.Keys) error {
	code, err := s.NewEnrolCode(ctx, "officer")
	if err != nil {
		return fmt.Errorf("enrol code: %w", err)
	}
	id, err := client.Enrol(ctx, platform, code, "demo", "officer", verifier)
	if err != nil {
		return fmt.Errorf("enrol the demo device: %w", err)
	}
	return client.SaveIdentity(dir, id, keys)
}
