// Command sanxiang is the desk application of the three enforcement systems
// (行政执法三项制度): the hall kiosk, the service window, and the officer's
// case desk, in one binary. See README.md.
//
// This package is wiring only: flags (flags.go), the screen modes
// (modes.go), the command-line tools (tools.go) and the demo (demo.go).
// What a mode does lives in app/device (the data folder), sync/client (a
// sync round) and the screen packages.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// Set at build time with -ldflags "-X main.version=… -X main.build=…".
var (
	version = "0.1.0"
	build   = "dev"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
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
			fs.StringVar(&o.windowNo, "window-no", "", shell.L("cli.flag.window_no"))
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
			o.unlockFlags(fs)
		}, runVerify, true},
		{"export", "cli.cmd.export", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.caseID, "case", "", shell.L("cli.flag.case"))
			fs.StringVar(&o.out, "out", "", shell.L("cli.flag.out"))
			o.unlockFlags(fs)
		}, runExport, false},
		{"recover", "cli.cmd.recover", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.recoveryKey, "key", "", shell.L("cli.flag.recovery_key"))
			fs.StringVar(&o.out, "out", "", shell.L("cli.flag.recover_out"))
		}, runRecover, false},
		{"workdays", "cli.cmd.workdays", nil, runWorkdays, true},
		{"enrol", "cli.cmd.enrol", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.code, "code", "", shell.L("cli.flag.code"))
			fs.StringVar(&o.kind, "kind", "officer", shell.L("cli.flag.kind"))
		}, runEnrol, false},
		{"sync", "cli.cmd.sync", func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.person, "person", "", shell.L("cli.flag.person"))
		}, runSync, false},
		{"admin-pin", "cli.cmd.admin_pin", nil, runAdminPIN, false},
		{"redact", "cli.cmd.redact", nil, runRedact, true},
		{"version", "cli.cmd.version", nil, func(_ *options, out io.Writer) error {
			fmt.Fprintf(out, "sanxiang %s (%s)\n", version, build)
			return nil
		}, false},
	}
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
