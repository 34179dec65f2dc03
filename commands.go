package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/kiosk"
	"github.com/sanxiang-desk/sanxiang/officer"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// Set at build time with -ldflags "-X main.version=… -X main.build=…".
var (
	version = "0.1.0"
	build   = "dev"
)

// options are the flags every command takes.
type options struct {
	data     string
	lang     string
	large    bool
	windowed bool

	fullscreenDisplay bool

	key, media  string
	caseID, out string
	code, kind  string
	checkpoints fileList
	args        []string // what follows the options, for commands that take it
}

// fileList is a flag that may be given more than once.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// common registers the shared flags. They may stand before or after the
// command, so the current values are the defaults: defining a flag sets its
// variable to the default, which must not undo what was parsed already.
func (o *options) common(fs *flag.FlagSet) {
	fs.StringVar(&o.data, "data", o.data, shell.L("cli.flag.data"))
	fs.StringVar(&o.lang, "lang", o.lang, shell.L("cli.flag.lang"))
}

type command struct {
	name      string
	help      string
	flags     func(*flag.FlagSet, *options)
	run       func(*options, io.Writer) error
	takesArgs bool
}

func commands() []command {
	return []command{
		{"kiosk", "cli.cmd.kiosk", func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.windowed, "windowed", false, shell.L("cli.flag.windowed"))
		}, runKiosk, false},
		{"window", "cli.cmd.window", func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.fullscreenDisplay, "fullscreen-display", false, shell.L("cli.flag.fullscreen_display"))
		}, runWindow, false},
		{"officer", "cli.cmd.officer", nil, runOfficer, false},
		{"demo", "cli.cmd.demo", nil, runDemo, false},
		{"seed", "cli.cmd.seed", func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.large, "large", false, shell.L("cli.flag.large"))
		}, runSeed, false},
		{"verify", "cli.cmd.verify", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.key, "key", "", shell.L("cli.flag.key"))
			fs.StringVar(&o.media, "media", "", shell.L("cli.flag.media"))
			fs.Var(&o.checkpoints, "checkpoint", shell.L("cli.flag.checkpoint"))
		}, runVerify, true},
		{"export", "cli.cmd.export", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.caseID, "case", "", shell.L("cli.flag.case"))
			fs.StringVar(&o.out, "out", "", shell.L("cli.flag.out"))
		}, runExport, false},
		{"workdays", "cli.cmd.workdays", nil, runWorkdays, true},
		{"enrol", "cli.cmd.enrol", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.code, "code", "", shell.L("cli.flag.code"))
			fs.StringVar(&o.kind, "kind", "officer", shell.L("cli.flag.kind"))
		}, runEnrol, false},
		{"sync", "cli.cmd.sync", nil, runSync, false},
		{"admin-pin", "cli.cmd.admin_pin", nil, runAdminPIN, false},
		{"redact", "cli.cmd.redact", nil, runRedact, true},
		{"version", "cli.cmd.version", nil, func(_ *options, out io.Writer) error {
			fmt.Fprintf(out, "sanxiang %s (%s)\n", version, build)
			return nil
		}, false},
	}
}

// preLang finds --lang before the flags are parsed, so that help and errors
// come out in the language asked for.
func preLang(args []string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, "lang="); ok {
			return v
		}
		if a == "lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func run(args []string, stdout, stderr io.Writer) int {
	if _, err := shell.SetLanguage(preLang(args)); err != nil {
		shell.SetLanguage("")
		fmt.Fprintln(stderr, shell.L("cli.bad_lang", map[string]any{"Lang": preLang(args)}))
		return 2
	}
	o := new(options)
	root := flag.NewFlagSet("sanxiang", flag.ContinueOnError)
	root.SetOutput(stderr)
	o.common(root)
	cmds := commands()
	root.Usage = func() { usage(stderr, root, cmds) }
	if err := root.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if root.NArg() == 0 {
		usage(stderr, root, cmds)
		return 2
	}
	name := root.Arg(0)
	for _, c := range cmds {
		if c.name != name {
			continue
		}
		fs := flag.NewFlagSet("sanxiang "+name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		o.common(fs)
		if c.flags != nil {
			c.flags(fs, o)
		}
		fs.Usage = func() {
			fmt.Fprintf(stderr, "%s\n\n%s: sanxiang %s [%s]\n", shell.L(c.help), shell.L("cli.usage"), name, shell.L("cli.options"))
			fs.PrintDefaults()
		}
		if err := fs.Parse(root.Args()[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() > 0 && !c.takesArgs {
			fmt.Fprintln(stderr, shell.L("cli.extra_args", map[string]any{"Args": strings.Join(fs.Args(), " ")}))
			return 2
		}
		o.args = fs.Args()
		if err := c.run(o, stdout); err != nil {
			fmt.Fprintln(stderr, userError(err))
			return 1
		}
		return 0
	}
	fmt.Fprintln(stderr, shell.L("cli.unknown_command", map[string]any{"Name": name}))
	usage(stderr, root, cmds)
	return 2
}

func usage(w io.Writer, root *flag.FlagSet, cmds []command) {
	fmt.Fprintf(w, "%s\n\n%s: sanxiang [%s] <%s> [%s]\n\n%s:\n", shell.L("cli.about"), shell.L("cli.usage"),
		shell.L("cli.options"), shell.L("cli.command"), shell.L("cli.options"), shell.L("cli.commands"))
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, shell.L(c.help))
	}
	fmt.Fprintf(w, "\n%s:\n", shell.L("cli.options"))
	root.PrintDefaults()
	fmt.Fprintf(w, "\n%s\n", shell.L("cli.more_help"))
}

// plainError is an error whose text is already the whole message for the
// person, in their language.
type plainError string

func (e plainError) Error() string { return string(e) }

// userError says what went wrong in the person's language, with the cause
// after it for whoever reads the log.
func userError(err error) string {
	var plain plainError
	switch {
	case errors.As(err, &plain):
		return string(plain)
	case errors.Is(err, store.ErrDamaged):
		return shell.L("error.db_damaged") + "\n" + err.Error()
	case errors.Is(err, store.ErrTooNew):
		return shell.L("error.db_too_new") + "\n" + err.Error()
	}
	return shell.L("error.generic") + "\n" + err.Error()
}

// dataDir is --data, or the per-user folder; sub is a folder under it.
func (o *options) dataDir(sub string) (string, error) {
	dir := o.data
	if dir == "" {
		d, err := config.DataDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(d, sub)
	}
	return dir, os.MkdirAll(dir, 0o700)
}

// settings loads config.json from dir and applies the language: --lang
// wins, then the file, then the OS.
func (o *options) settings(dir string) (config.Config, error) {
	cfg, err := config.Load(dir)
	if err != nil {
		return cfg, err
	}
	choice := o.lang
	if choice == "" {
		choice = cfg.Lang
	}
	_, err = shell.SetLanguage(choice)
	return cfg, err
}

func runSeed(o *options, out io.Writer) error {
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	size := demo.Standard
	if o.large {
		size = demo.Large
	}
	n, err := seed(dir, size)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.seeded", map[string]any{"Dir": dir, "Officers": n.Officers, "Fees": n.Fees,
		"Guides": n.Guides, "Items": n.Items, "Inspections": n.Inspections, "Decisions": n.Decisions, "Accounts": n.Accounts, "PIN": demo.PIN}))
	return nil
}

type seedCounts struct{ Officers, Fees, Guides, Items, Inspections, Decisions, Accounts int }

func seed(dir string, size demo.Size) (seedCounts, error) {
	ds, err := demo.Dataset(size)
	if err != nil {
		return seedCounts{}, err
	}
	ctx := context.Background()
	cat, err := catalog.Open(ctx, filepath.Join(dir, config.CatalogDB))
	if err != nil {
		return seedCounts{}, err
	}
	defer cat.Close()
	if err := cat.Replace(ctx, ds, time.Now()); err != nil {
		return seedCounts{}, err
	}
	book, err := account.Open(ctx, filepath.Join(dir, config.DeviceDB))
	if err != nil {
		return seedCounts{}, err
	}
	defer book.Close()
	// A demo data folder gets a kiosk administrator PIN, so the demo kiosk
	// can be left from its screen; a configured folder keeps its own.
	if _, err := os.Stat(filepath.Join(dir, config.FileName)); errors.Is(err, os.ErrNotExist) {
		cfg := config.Default()
		if cfg.KioskAdminPINHash, err = account.Hash(demo.PIN); err != nil {
			return seedCounts{}, err
		}
		if err := config.Save(dir, cfg); err != nil {
			return seedCounts{}, err
		}
	}
	accounts := demo.Accounts(ds)
	for _, a := range accounts {
		if err := book.Enrol(ctx, a, demo.PIN); err != nil {
			return seedCounts{}, err
		}
	}
	// The demo's case files, through the officer desk's own calls. A data
	// folder that has a case file keeps it: records are never rewritten.
	if _, err := os.Stat(filepath.Join(dir, config.CasefileDB)); errors.Is(err, os.ErrNotExist) {
		l, err := casefile.Open(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), "QH-DEMO-01")
		if err != nil {
			return seedCounts{}, err
		}
		defer l.Close()
		rev, err := reviewService(dir, l, book)
		if err != nil {
			return seedCounts{}, err
		}
		if err := demo.Cases(ctx, l, ds, accounts, time.Now(), rev); err != nil {
			return seedCounts{}, err
		}
		if err := seedEvidence(ctx, l); err != nil {
			return seedCounts{}, err
		}
	}
	return seedCounts{len(ds.Officers), len(ds.Fees), len(ds.Guides), len(ds.Items), len(ds.Inspections), len(ds.Decisions), len(accounts)}, nil
}

// cameras are the system's cameras; the synthetic test pattern is offered
// only in the demo (and where SANXIANG_TEST_CAMERA is set), so that no
// officer records a test pattern into a real case.
func cameras() []capture.Camera {
	cams := capture.Webcams()
	if os.Getenv("SANXIANG_TEST_CAMERA") != "" {
		cams = append(cams, &capture.Synthetic{})
	}
	return cams
}

// seedEvidence records real evidence into the demo's first case through
// the capture code the officer desk uses: a few seconds of video from the
// synthetic camera with sound from the null audio backend (silence at the
// real rate), a few seconds of audio, and a photo from the camera.
func seedEvidence(ctx context.Context, l *casefile.Log) error {
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
	_, err = capture.Snapshot(ctx, l, id, author, "investigate", f.Image, cam.Name(), time.Now())
	return err
}

func openCatalog(dir string) (*catalog.Catalog, error) {
	return catalog.Open(context.Background(), filepath.Join(dir, config.CatalogDB))
}

// openFolder opens the data folder's settings and catalog, which every
// mode reads.
func (o *options) openFolder() (string, config.Config, *catalog.Catalog, error) {
	dir, err := o.dataDir("")
	if err != nil {
		return "", config.Config{}, nil, err
	}
	cfg, err := o.settings(dir)
	if err != nil {
		return "", cfg, nil, err
	}
	cat, err := openCatalog(dir)
	return dir, cfg, cat, err
}

func runKiosk(o *options, _ io.Writer) error {
	_, cfg, cat, err := o.openFolder()
	if err != nil {
		return err
	}
	defer cat.Close()
	a := shell.NewApp(shell.Theme{Large: true})
	k, err := kiosk.New(cat, cfg)
	if err != nil {
		return err
	}
	// Building the search indexes leaves garbage the size of the catalog;
	// hand it back now rather than keep it resident for the kiosk's life.
	debug.FreeOSMemory()
	w := a.NewWindow(shell.L("app.kiosk_title"))
	w.SetContent(k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	w.SetPadded(false)
	k.Attach(w)
	w.SetFullScreen(!o.windowed)
	a.Driver().SetDisableScreenBlanking(true)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go k.RunIdleTimer(ctx)
	pl := newLists(cfg, cat)
	k.SetPull(pl.now)
	go pl.every(ctx, func(n int, _ string, _ error) {
		if n > 0 {
			k.Refresh()
		}
	})
	w.ShowAndRun()
	return nil
}

// runAdminPIN reads a new kiosk administrator PIN from standard input and
// keeps its hash in config.json.
func runAdminPIN(o *options, out io.Writer) error {
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	cfg, err := o.settings(dir)
	if err != nil {
		return err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read the PIN from standard input: %w", err)
	}
	pin := strings.TrimSpace(line)
	if err := account.CheckPIN(pin); err != nil {
		return plainError(shell.L("cli.weak_pin"))
	}
	if cfg.KioskAdminPINHash, err = account.Hash(pin); err != nil {
		return err
	}
	if err := config.Save(dir, cfg); err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.admin_pin_set", map[string]any{"File": filepath.Join(dir, config.FileName)}))
	return nil
}

// desk is what the window and officer modes open in the data folder.
type desk struct {
	dir  string
	cfg  config.Config
	cat  *catalog.Catalog
	book *account.Book
}

func (d *desk) Close() {
	d.cat.Close()
	d.book.Close()
}

// openDesk opens the data folder's settings, catalog and account book.
func (o *options) openDesk() (*desk, error) {
	dir, cfg, cat, err := o.openFolder()
	if err != nil {
		return nil, err
	}
	book, err := account.Open(context.Background(), filepath.Join(dir, config.DeviceDB))
	if err != nil {
		cat.Close()
		return nil, err
	}
	return &desk{dir: dir, cfg: cfg, cat: cat, book: book}, nil
}

func runWindow(o *options, _ io.Writer) error {
	dk, err := o.openDesk()
	if err != nil {
		return err
	}
	defer dk.Close()
	cat, book, cfg := dk.cat, dk.book, dk.cfg
	a := shell.NewApp(shell.Theme{}) // before any widget exists
	desk, err := kiosk.NewWindowDesk(cat, book, cfg)
	if err != nil {
		return err
	}
	console := a.NewWindow(shell.L("app.window_title"))
	console.SetContent(desk.Console())
	console.Resize(fyne.NewSize(900, 640))
	console.SetMaster()
	// The citizen-facing display: a second window, drawn large. Fyne 2.7
	// cannot choose a monitor; staff drag it to the second screen, or
	// --fullscreen-display makes it fill the screen it opens on.
	display := a.NewWindow(shell.L("app.window_display_title"))
	display.SetContent(desk.Display.Content())
	display.Resize(fyne.NewSize(1280, 800))
	display.SetFullScreen(o.fullscreenDisplay)
	display.SetCloseIntercept(func() {}) // only signing out clears it; closing the console quits
	display.Show()
	a.Driver().SetDisableScreenBlanking(true)
	pl := newLists(cfg, cat)
	desk.SetPull(pl.now)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go pl.every(ctx, func(n int, msg string, err error) {
		if !desk.UpdateNow.Disabled() { // else a pull asked for is under way and will say
			desk.ShowPull(msg, err)
		}
		if n > 0 {
			desk.Refresh() // staff scrolling a list keep their place otherwise
		}
	})
	console.ShowAndRun()
	return nil
}

func runOfficer(o *options, _ io.Writer) error {
	dk, err := o.openDesk()
	if err != nil {
		return err
	}
	defer dk.Close()
	dir, cat, book, cfg := dk.dir, dk.cat, dk.book, dk.cfg
	l, err := casefile.Open(context.Background(), filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), deviceID())
	if err != nil {
		return err
	}
	defer l.Close()
	cal, err := deviceCalendar(dir)
	if err != nil {
		return err
	}
	av, err := avLists(dir)
	if err != nil {
		return err
	}
	rev, err := reviewService(dir, l, book)
	if err != nil {
		return err
	}
	// A recording a crash cut short is repaired and recorded before
	// anything else happens.
	recovered, rerr := capture.Recover(context.Background(), l)
	a := shell.NewApp(shell.Theme{})
	w := a.NewWindow(shell.L("app.officer_title"))
	desk := officer.New(cat, book, cfg, w)
	desk.SetCaseFile(l, cal, av)
	desk.SetCapture(&officer.Capture{
		OpenAudio: func() (*capture.Audio, error) { return capture.OpenAudio(os.Getenv("SANXIANG_AUDIO") == "null") },
		Cameras:   cameras(),
	})
	if len(recovered) > 0 || rerr != nil {
		msg := shell.L("media.recovered_notice", map[string]any{"N": len(recovered)})
		if rerr != nil {
			msg = shell.L("media.recover_failed", map[string]any{"Error": rerr.Error()})
		}
		go func() {
			time.Sleep(time.Second) // once the window is up
			fyne.Do(func() { dialog.ShowInformation(shell.L("record.media"), msg, w) })
		}()
	}
	desk.SetReview(rev)
	agencies, err := reviewAgencies(book)
	if err != nil {
		return err
	}
	desk.SetSync(func(progress func(sent, total int64)) (string, error) {
		msg, err := syncOnce(dir, cfg, cat, l, rev, agencies, progress)
		// What arrived is used even when another step failed.
		av, aerr := avLists(dir)
		cal, cerr := deviceCalendar(dir)
		fyne.Do(func() {
			if aerr == nil {
				desk.SetAVList(av)
			}
			if cerr == nil {
				desk.SetCalendar(cal)
			}
		})
		return msg, err
	})
	w.SetContent(desk.Content())
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go desk.RunLockTimer(ctx)
	if _, err := client.LoadIdentity(dir); err == nil {
		// An enrolled device sends by itself; one not enrolled has
		// nowhere to send to (its 同步 button still pulls the lists).
		go desk.RunAutoSync(ctx, time.Duration(cfg.OfficerSyncMinutes)*time.Minute)
	}
	w.Resize(fyne.NewSize(1000, 700))
	w.ShowAndRun()
	return nil
}

// demoModes are the modes the demo opens, each in its own process as on
// real devices, so each has its own theme and window set.
var demoModes = [][]string{{"kiosk", "--windowed"}, {"window"}, {"officer"}}

// runDemo seeds a demo data folder on first use and opens every mode's
// window on it, then waits until all are closed.
func runDemo(o *options, out io.Writer) error {
	dir, err := o.dataDir("demo")
	if err != nil {
		return err
	}
	cfg, err := o.settings(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, config.CatalogDB)); errors.Is(err, os.ErrNotExist) {
		if _, err := seed(dir, demo.Standard); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, shell.L("cli.demo_data", map[string]any{"Dir": dir}))
	ctx0 := context.Background()
	if stopPlatform, err := demoPlatform(ctx0, dir, cfg, out); err != nil {
		fmt.Fprintln(out, shell.L("cli.demo_no_platform", map[string]any{"Error": err.Error()}))
	} else {
		defer stopPlatform()
		fmt.Fprintln(out, shell.L("cli.demo_platform", map[string]any{"URL": cfg.PlatformURL}))
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, len(demoModes))
	for i, mode := range demoModes {
		args := append([]string{"--data", dir, "--lang", shell.Language()}, mode...)
		cmd := exec.CommandContext(ctx, self, args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "SANXIANG_TEST_CAMERA=1") // the demo's camera is the test pattern
		if err := cmd.Start(); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Wait(); err != nil && ctx.Err() == nil {
				errs[i] = fmt.Errorf("%s: %w", mode[0], err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runVerify checks a case file database: every record, the tree, every
// checkpoint and media file, and checkpoints seen before (--checkpoint).
// It exits 1 naming the first bad record.
func runVerify(o *options, out io.Writer) error {
	if len(o.args) != 1 {
		return plainError(shell.L("cli.verify_usage"))
	}
	path := o.args[0]
	if isZip(path) {
		return verifyBundle(o, path, out)
	}
	media := o.media
	if media == "" {
		media = filepath.Join(filepath.Dir(path), config.MediaDir)
	}
	ctx := context.Background()
	l, err := casefile.OpenExisting(ctx, path, media)
	if err != nil {
		return err
	}
	defer l.Close()
	key := o.key
	if key == "" {
		key = l.Verifier
		fmt.Fprintln(out, shell.L("cli.verify_own_key", map[string]any{"Key": key}))
	}
	var seen []casefile.Checkpoint
	for _, f := range o.checkpoints {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		seen = append(seen, casefile.Checkpoint{Note: b})
	}
	rep, err := l.VerifyWithKey(ctx, key, seen)
	if err != nil {
		return plainError(shell.L("cli.verify_failed", map[string]any{"Error": err.Error()}))
	}
	fmt.Fprintln(out, shell.L("cli.verify_ok", map[string]any{"Records": rep.Records, "Checkpoints": rep.Checkpoints,
		"Media": rep.Media, "Root": rep.Root.String()}))
	return nil
}

func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PK\x03\x04"
}

// verifyBundle checks an exported case bundle with nothing but the bundle
// and the device's public key.
func verifyBundle(o *options, path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	key := o.key
	if key == "" {
		_, m, _ := casefile.VerifyBundle(f, st.Size(), "")
		key = m.Verifier
		fmt.Fprintln(out, shell.L("cli.verify_bundle_own_key", map[string]any{"Key": key}))
	}
	rep, m, err := casefile.VerifyBundle(f, st.Size(), key)
	if err != nil {
		return plainError(shell.L("cli.verify_failed", map[string]any{"Error": err.Error()}))
	}
	fmt.Fprintln(out, shell.L("cli.verify_bundle_ok", map[string]any{"Case": rep.Case, "Records": rep.Records,
		"Media": rep.Media, "Size": rep.TreeSize, "Root": rep.Root.String()}))
	if len(m.Extra) > 0 {
		fmt.Fprintln(out, shell.L("cli.verify_extra", map[string]any{"Files": strings.Join(m.Extra, ", ")}))
	}
	return nil
}

// runExport writes one case as a bundle a court or auditor can verify.
func runExport(o *options, out io.Writer) error {
	if o.caseID == "" || o.out == "" {
		return plainError(shell.L("cli.export_usage"))
	}
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	ctx := context.Background()
	l, err := casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir))
	if err != nil {
		return err
	}
	defer l.Close()
	cat, err := openCatalog(dir)
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := exportBundle(ctx, l, cat, o.caseID, o.out); err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.exported", map[string]any{"Case": o.caseID, "File": o.out, "Key": l.Verifier}))
	return nil
}

// exportBundle writes the bundle, with the printable case file, next to its
// final name and renames it, so a half-written file never carries the name.
func exportBundle(ctx context.Context, l *casefile.Log, cat *catalog.Catalog, caseID, path string) error {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return err
	}
	pdf, err := document.CaseFileFor(ctx, l, caseID, agencyName(cat, c.Opening.Agency), time.Now())
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := l.Export(ctx, caseID, tmp, map[string][]byte{"casefile.pdf": pdf}); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// deviceID names this device in its record log until the platform enrols
// it: the host name, which a new data folder's log keeps for good.
func deviceID() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "device"
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '+' || r == '/' {
			return '-'
		}
		return r
	}, h)
}

// agencyName is an agency's full name from the catalog, or its code.
func agencyName(cat *catalog.Catalog, code string) string {
	ags, err := cat.Agencies(context.Background())
	if err == nil {
		for _, a := range ags {
			if a.Code == code {
				return a.Name
			}
		}
	}
	return code
}

// runRedact prints the redacted text of a decision (a UTF-8 text file, or
// - for standard input), for staff who check a text by hand.
func runRedact(o *options, out io.Writer) error {
	if len(o.args) != 1 {
		return plainError(shell.L("cli.redact_usage"))
	}
	var data []byte
	var err error
	if o.args[0] == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(o.args[0])
	}
	if err != nil {
		return plainError(shell.L("cli.redact_read", map[string]any{"File": o.args[0], "Error": err.Error()}))
	}
	if !utf8.Valid(data) {
		return plainError(shell.L("cli.redact_not_utf8", map[string]any{"File": o.args[0]}))
	}
	_, err = io.WriteString(out, redact.Text(strings.TrimPrefix(string(data), "\ufeff")))
	return err
}

// runWorkdays counts working days for staff who check a deadline by hand:
// "add DATE N" and "between A B". The start day is not counted.
func runWorkdays(o *options, out io.Writer) error {
	cal, err := calendar.Parse(assets.Calendar)
	if dir, derr := o.dataDir(""); derr == nil {
		cal, err = deviceCalendar(dir) // the platform's, once synced
	}
	if err != nil {
		return err
	}
	date := func(s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			return t, plainError(shell.L("cli.workdays_bad_date", map[string]any{"Date": s}))
		}
		return t, nil
	}
	warn := func(ts ...time.Time) {
		for _, t := range ts {
			if !cal.Known(t) {
				fmt.Fprintln(out, shell.L("cli.workdays_unknown_year", map[string]any{"Year": t.Year()}))
				return
			}
		}
	}
	a := o.args
	switch {
	case len(a) == 3 && a[0] == "add":
		from, err := date(a[1])
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(a[2])
		if err != nil || n < 0 {
			return plainError(shell.L("cli.workdays_usage"))
		}
		to := cal.AddWorkdays(from, n)
		fmt.Fprintln(out, to.Format(time.DateOnly))
		warn(from, to)
	case len(a) == 3 && a[0] == "between":
		from, err := date(a[1])
		if err != nil {
			return err
		}
		to, err := date(a[2])
		if err != nil {
			return err
		}
		fmt.Fprintln(out, cal.WorkdaysBetween(from, to))
		warn(from, to)
	default:
		return plainError(shell.L("cli.workdays_usage"))
	}
	return nil
}

// reviewService sets up the legal review on a log and installs its gate,
// so that no code path appends a major decision without a passed review.
func reviewService(dir string, l *casefile.Log, book *account.Book) (*review.Service, error) {
	cal, err := deviceCalendar(dir)
	if err != nil {
		return nil, err
	}
	pols, err := localPolicies(dir)
	if err != nil {
		return nil, err
	}
	cls, err := review.Checklists()
	if err != nil {
		return nil, err
	}
	s := &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal,
		Reviewers: review.AnyOf{review.BookReviewers{Book: book}, fileRegistry(filepath.Join(dir, config.ReviewersFile))},
		Remote: func() []review.RemoteCase {
			var out []review.RemoteCase
			readJSON(filepath.Join(dir, config.ReviewQueueFile), &out)
			return out
		}}
	l.SetGate(s.Gate())
	return s, nil
}

// reviewAgencies are the agencies whose review queue this device fetches:
// those of the reviewer accounts enrolled on it (none on most devices).
func reviewAgencies(book *account.Book) ([]string, error) {
	list, err := book.List(context.Background(), account.RoleReviewer)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range list {
		if !slices.Contains(out, a.Agency) {
			out = append(out, a.Agency)
		}
	}
	return out, nil
}

// localPolicies reads the major-decision lists the platform last sent, or
// the demo city's before the first sync.
func localPolicies(dir string) (review.Policies, error) {
	data, err := os.ReadFile(filepath.Join(dir, config.PoliciesFile))
	if errors.Is(err, os.ErrNotExist) {
		return demo.Policies()
	}
	if err != nil {
		return nil, err
	}
	pols, err := review.ParsePolicies(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.PoliciesFile, err)
	}
	return pols, nil
}

// saveJSON keeps what the platform sent in the data folder, replacing the
// file whole.
func saveJSON(dir, name string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, name+".new")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

// readJSON reads a file saveJSON wrote; a missing file leaves v as it is.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// deviceCalendar is the working-day calendar the platform last sent, or
// the bundled one on a device that has not synced.
func deviceCalendar(dir string) (*calendar.Calendar, error) {
	data, err := os.ReadFile(filepath.Join(dir, config.CalendarFile))
	if errors.Is(err, os.ErrNotExist) {
		return calendar.Parse(assets.Calendar)
	}
	if err != nil {
		return nil, err
	}
	cal, err := calendar.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.CalendarFile, err)
	}
	return cal, nil
}

// avLists are the audio/video requirement lists the platform last sent,
// or the bundled ones on a device that has not synced.
func avLists(dir string) ([]casefile.AVRequirement, error) {
	var av []casefile.AVRequirement
	if err := readJSON(filepath.Join(dir, config.AVFile), &av); err != nil {
		return nil, fmt.Errorf("%s: %w", config.AVFile, err)
	}
	if len(av) > 0 {
		return av, nil
	}
	return demo.AVList()
}

// fileRegistry is the platform's reviewer registry as last pulled, read
// when a reviewer is looked up (rarely), so a sync can replace it while
// the desk runs.
type fileRegistry string

func (f fileRegistry) Reviewer(id string) (review.Reviewer, bool) {
	var list []review.Reviewer
	if readJSON(string(f), &list) != nil {
		return review.Reviewer{}, false
	}
	return review.NewRegistry(list).Reviewer(id)
}

// runEnrol registers this device with the platform named in config.json,
// using a one-time code an administrator gave, and keeps the identity.
func runEnrol(o *options, out io.Writer) error {
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	cfg, err := o.settings(dir)
	if err != nil {
		return err
	}
	if o.code == "" {
		return plainError(shell.L("cli.enrol_usage"))
	}
	ctx := context.Background()
	l, err := casefile.Open(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), deviceID())
	if err != nil {
		return err
	}
	defer l.Close()
	id, err := client.Enrol(ctx, cfg.PlatformURL, strings.TrimSpace(o.code), deviceID(), o.kind, l.Verifier)
	if err != nil {
		return plainError(shell.L("cli.enrol_failed", map[string]any{"Error": syncWhy(ctx, err, cfg.PlatformURL)}))
	}
	if err := client.SaveIdentity(dir, id); err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.enrolled", map[string]any{"ID": id.DeviceID, "Platform": cfg.PlatformURL}))
	return nil
}

// runSync pulls the public lists and, on an enrolled device, pushes the
// record log, once.
func runSync(o *options, out io.Writer) error {
	dir, cfg, cat, err := o.openFolder()
	if err != nil {
		return err
	}
	defer cat.Close()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), deviceID())
	if err != nil {
		return err
	}
	defer l.Close()
	book, err := account.Open(context.Background(), filepath.Join(dir, config.DeviceDB))
	if err != nil {
		return err
	}
	defer book.Close()
	rev, err := reviewService(dir, l, book)
	if err != nil {
		return err
	}
	agencies, err := reviewAgencies(book)
	if err != nil {
		return err
	}
	msg, err := syncOnce(dir, cfg, cat, l, rev, agencies, nil)
	if msg != "" {
		fmt.Fprintln(out, msg)
	}
	if err != nil {
		return plainError(shell.L("cli.sync_failed", map[string]any{"Error": err.Error()}))
	}
	return nil
}

// lists pulls the public lists for a kiosk or a service window, on a
// schedule and when someone asks, one pull at a time.
type lists struct {
	turn chan struct{} // holds one token: whose turn it is to pull
	cfg  config.Config
	cat  *catalog.Catalog
}

func newLists(cfg config.Config, cat *catalog.Catalog) *lists {
	return &lists{turn: make(chan struct{}, 1), cfg: cfg, cat: cat}
}

// pull pulls once, within two minutes (waiting for a pull under way
// included), and says how many changes arrived, in the person's words.
func (p *lists) pull(ctx context.Context) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	why := func(err error) error {
		fyne.LogError("catalog sync", err)
		return stepFailed(ctx, "catalog", err, p.cfg.PlatformURL)
	}
	select {
	case p.turn <- struct{}{}:
		defer func() { <-p.turn }()
	case <-ctx.Done():
		return 0, "", why(ctx.Err())
	}
	// Pages are kept as they come: a pull that fails after some has
	// changed the lists all the same, and says how many.
	n, err := client.PullPublic(ctx, p.cfg.PlatformURL, p.cat)
	if err != nil {
		return n, "", why(err)
	}
	return n, shell.L("cli.pulled", map[string]any{"N": n}), nil
}

// now is pull for a button.
func (p *lists) now() (int, string, error) { return p.pull(context.Background()) }

// every pulls now and then every five minutes, telling done on the UI
// goroutine how many changes arrived and what to say. With no network the
// local copy stays and the next pull tries again.
func (p *lists) every(ctx context.Context, done func(n int, msg string, err error)) {
	for {
		n, msg, err := p.pull(ctx)
		if ctx.Err() != nil {
			return
		}
		fyne.Do(func() { done(n, msg, err) })
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Minute):
		}
	}
}

// syncOnce pulls the public lists and, on an enrolled device, pushes the
// record log and its evidence and pulls what concerns the device; it says
// what happened in the officer's words. Each step is tried even when an
// earlier one failed, unless it needs that one: a platform that cannot
// send its calendar still takes the officer's records and evidence. The
// error, if any, names each step that failed and why, in the same words.
func syncOnce(dir string, cfg config.Config, cat *catalog.Catalog, l *casefile.Log, rev *review.Service, reviewAgencies []string, progress func(sent, total int64)) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var done []string
	var failed []error
	offline := false // once the platform cannot be worked with, the rest is not tried
	platform := cfg.PlatformURL
	ok := func(step string, err error) bool {
		if err != nil {
			fyne.LogError("sync: "+step, err)
			failed = append(failed, stepFailed(ctx, step, err, platform))
			offline = offline || platformDown(ctx, err)
		}
		return err == nil
	}
	result := func() (string, error) { return strings.Join(done, "\n"), errors.Join(failed...) }

	if n, err := client.PullPublic(ctx, cfg.PlatformURL, cat); ok("catalog", err) {
		done = append(done, shell.L("cli.pulled", map[string]any{"N": n}))
	}
	id, err := client.LoadIdentity(dir)
	if errors.Is(err, os.ErrNotExist) {
		done = append(done, shell.L("cli.not_enrolled"))
		return result()
	}
	if !ok("identity", err) {
		return result()
	}
	if id.Platform != platform {
		// The lists came from config.json's platform; the records go to
		// the one the device enrolled with.
		platform, offline = id.Platform, false
	}
	if offline {
		return result()
	}
	c := client.New(id)
	pushed := false
	steps := []func(){
		func() {
			res, err := c.Push(ctx, l)
			if pushed = ok("push", err); pushed {
				done = append(done, shell.L("cli.pushed", map[string]any{"N": res.Pushed, "Size": res.Size}))
				for _, f := range res.Flags {
					done = append(done, shell.L("cli.flagged", map[string]any{"Flag": f}))
				}
			}
		},
		func() {
			if pols, err := c.PullPolicies(ctx); ok("policies", err) && len(pols) > 0 && ok("policies", saveJSON(dir, config.PoliciesFile, pols.List())) {
				done = append(done, shell.L("cli.policies_pulled", map[string]any{"N": len(pols)}))
			}
		},
		func() {
			if cal, err := c.PullCalendar(ctx); ok("calendar", err) {
				ok("calendar", saveJSON(dir, config.CalendarFile, json.RawMessage(cal)))
			}
		},
		func() {
			if av, err := c.PullAVLists(ctx); ok("av", err) && len(av) > 0 {
				ok("av", saveJSON(dir, config.AVFile, av))
			}
		},
		// Legal review across devices: the registry first, since taking an
		// opinion checks its reviewer against it.
		func() {
			if reviewers, err := c.PullReviewers(ctx); ok("reviewers", err) && ok("reviewers", saveJSON(dir, config.ReviewersFile, reviewers)) {
				if took, err := c.TakeOpinions(ctx, rev); ok("opinions", err) && took > 0 {
					done = append(done, shell.L("cli.opinions_taken", map[string]any{"N": took}))
				}
			}
		},
		func() {
			if len(reviewAgencies) == 0 {
				return
			}
			var queue []review.RemoteCase
			for _, a := range reviewAgencies {
				q, err := c.PullReviewQueue(ctx, a)
				if !ok("queue", err) {
					return
				}
				queue = append(queue, q...)
			}
			if ok("queue", saveJSON(dir, config.ReviewQueueFile, queue)) {
				done = append(done, shell.L("cli.queue_pulled", map[string]any{"N": len(queue)}))
			}
		},
		// Evidence goes up only behind the records that name it.
		func() {
			if !pushed {
				return
			}
			var report func(client.Upload)
			if progress != nil {
				report = func(u client.Upload) { progress(u.Sent, u.Total) }
			}
			files, err := c.PushMedia(ctx, l, report)
			if files > 0 || err == nil {
				done = append(done, shell.L("cli.media_pushed", map[string]any{"N": files}))
			}
			ok("media", err)
		},
	}
	for _, step := range steps {
		if offline {
			break
		}
		step()
	}
	return result()
}

// stepFailed names a step of a sync or pull that failed, and why, in the
// person's words.
func stepFailed(ctx context.Context, step string, err error, platform string) error {
	return plainError(shell.L("sync.step_failed", map[string]any{"Step": shell.L("sync.step." + step), "Why": syncWhy(ctx, err, platform)}))
}

// syncWhy says in the person's words why a step of a sync failed; ctx is
// the sync's (or pull's) own, whose end is told from a slow platform.
func syncWhy(ctx context.Context, err error, platform string) string {
	var refused *client.Error
	switch {
	case ctx.Err() != nil:
		return shell.L("sync.why_timeout")
	case errors.Is(err, client.ErrUnauthorized):
		return shell.L("sync.why_unauthorized")
	case errors.Is(err, client.ErrFork):
		return shell.L("sync.why_fork")
	case errors.Is(err, client.ErrCorrupt):
		return shell.L("sync.why_corrupt")
	case errors.Is(err, context.DeadlineExceeded):
		return shell.L("sync.why_slow", map[string]any{"URL": platform})
	case errors.Is(err, client.ErrUnreachable):
		return shell.L("sync.why_unreachable", map[string]any{"URL": platform})
	case errors.As(err, &refused) && refused.Status >= 500:
		// The platform's own trouble: its detail is for its administrator.
		return shell.L("sync.why_platform_error", map[string]any{"Status": refused.Status})
	case errors.As(err, &refused):
		return strings.TrimSpace(shell.L("sync.why_refused", map[string]any{"Status": refused.Status, "Message": refused.Problem.Message, "Detail": refused.Problem.Detail}))
	}
	return err.Error()
}

// platformDown says whether err means the platform cannot be worked with
// now, so the rest of a sync is not tried: no answer, the device's token
// refused, or a gateway saying the platform is down.
func platformDown(ctx context.Context, err error) bool {
	var refused *client.Error
	return ctx.Err() != nil || errors.Is(err, client.ErrUnreachable) || errors.Is(err, client.ErrUnauthorized) ||
		errors.As(err, &refused) && (refused.Status == 502 || refused.Status == 503 || refused.Status == 504)
}

// demoPlatform runs the reference platform in this process on the
// configured loopback address, with the demo catalog, and enrols the demo
// data folder's device, so that the demo's sync works end to end.
func demoPlatform(ctx context.Context, dir string, cfg config.Config, out io.Writer) (func(), error) {
	u, err := url.Parse(cfg.PlatformURL)
	if err != nil {
		return nil, err
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return nil, fmt.Errorf("platform_url %s is not on this machine", cfg.PlatformURL)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	// A token of this run for the supervision dashboard, shown to whoever
	// started the demo.
	token := make([]byte, 9)
	rand.Read(token)
	admin := base64.RawURLEncoding.EncodeToString(token)
	s, err := server.Open(ctx, filepath.Join(dir, "platform.db"), server.Options{AdminToken: admin, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		ln.Close()
		return nil, err
	}
	if err := demoload.Load(ctx, s); err != nil {
		s.Close()
		ln.Close()
		return nil, err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintln(out, shell.L("cli.demo_supervision", map[string]any{"URL": strings.TrimRight(cfg.PlatformURL, "/") + "/admin/supervision", "Token": admin}))
	stop := func() {
		srv.Close()
		s.Close()
	}
	if _, err := client.LoadIdentity(dir); errors.Is(err, os.ErrNotExist) {
		l, err := casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir))
		if err != nil {
			return stop, nil
		}
		verifier := l.Verifier
		l.Close()
		code, err := s.NewEnrolCode(ctx, "officer")
		if err == nil {
			var id client.Identity
			if id, err = client.Enrol(ctx, cfg.PlatformURL, code, "demo", "officer", verifier); err == nil {
				client.SaveIdentity(dir, id)
			}
		}
	}
	return stop, nil
}
