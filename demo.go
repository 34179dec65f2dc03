package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/internal/demomode"
)

// The demo and seed modes; what they do is in internal/demomode.

func runSeed(o *options, out io.Writer) error {
	dir, err := o.dataDir("")
	if err != nil {
		return err
	}
	size := demo.Standard
	if o.large {
		size = demo.Large
	}
	n, err := demomode.Seed(dir, size)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, shell.L("cli.seeded", map[string]any{"Dir": dir, "Officers": n.Officers, "Fees": n.Fees,
		"Guides": n.Guides, "Items": n.Items, "Inspections": n.Inspections, "Decisions": n.Decisions, "Accounts": n.Accounts, "PIN": demo.PIN}))
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
	if _, err := os.Stat(filepath.Join(dir, config.CatalogDB)); errors.Is(err, os.ErrNotExist) {
		if _, err := demomode.SeedLists(dir, demo.Standard); err != nil {
			return err // the people and cases come through the platform
		}
	}
	// Sealed once here, not by each of the three modes at once.
	if err := sealFirst(dir, ""); err != nil {
		return err
	}
	ctx0 := context.Background()
	dev, err := device.Open(ctx0, dir, 0)
	if err != nil {
		return err
	}
	if err := o.applyLang(dev.Config.Lang); err != nil {
		return err
	}
	// A demo folder seeded before the lists were seeded gets them now.
	if err := demomode.ImportLists(dev); err != nil {
		return err
	}
	cfg := dev.Config
	fmt.Fprintln(out, shell.L("cli.demo_data", map[string]any{"Dir": dir}))
	if stopPlatform, admin, err := demomode.Platform(ctx0, dir, cfg); err != nil {
		fmt.Fprintln(out, shell.L("cli.demo_no_platform", map[string]any{"Error": err.Error()}))
		if !dev.HasLedger() { // a new folder: its people and cases, offline
			if _, err := demomode.Seed(dir, demo.Standard); err != nil {
				return err
			}
		}
	} else {
		defer stopPlatform()
		fmt.Fprintln(out, shell.L("cli.demo_supervision", map[string]any{"URL": strings.TrimRight(cfg.PlatformURL, "/") + "/admin/supervision", "Token": admin}))
		fmt.Fprintln(out, shell.L("cli.demo_platform", map[string]any{"URL": cfg.PlatformURL})+"\n"+shell.L("cli.demo_witnesses", map[string]any{"File": filepath.Join(dir, demomode.WitnessPolicyFile)}))
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program: %w", err)
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
			return fmt.Errorf("start %s: %w", mode[0], err)
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
