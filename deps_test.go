package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/sanxiang-desk/sanxiang"

// pkg is what `go list -json` says of one of our packages.
type pkg struct {
	ImportPath   string
	Dir          string
	Imports      []string // production imports only
	TestImports  []string
	XTestImports []string
	Deps         []string // every package it depends on, transitively, production only
}

func (p pkg) rel() string { return strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/") }

// listPackages reads every package of the module once.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var all []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		all = append(all, p)
	}
	if len(all) < 20 {
		t.Fatalf("go list found only %d packages", len(all))
	}
	return all
}

// under reports whether rel is the folder dir or inside it.
func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

func ours(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	if r, ok := strings.CutPrefix(imp, module+"/"); ok {
		return r, true
	}
	return "", false
}

// The layers of docs/ARCHITECTURE.md, enforced. Each rule names the packages
// it holds for and what they may not reach.
func TestLayers(t *testing.T) {
	all := listPackages(t)
	byRel := map[string]pkg{}
	for _, p := range all {
		byRel[p.rel()] = p
	}
	for _, want := range []string{"app/ledger", "app/casefile", "app/device", "sync/client", "sync/server"} {
		if _, ok := byRel[want]; !ok {
			t.Errorf("package %s is missing: the layers below name it", want)
		}
	}

	// core: everything but the screens, the shell and the root may not pull in Fyne (and so cgo's GL).
	screen := func(rel string) bool {
		return rel == "" || under(rel, "kiosk") || under(rel, "officer") || under(rel, "app/shell")
	}
	for _, p := range all {
		rel := p.rel()
		if screen(rel) {
			continue
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "fyne.io/") {
				t.Errorf("%s is core but depends on %s", rel, d)
				break
			}
		}
	}

	// Only the ledger speaks tlog: one verifier for device and platform.
	for _, p := range all {
		if p.rel() == "app/ledger" {
			continue
		}
		for _, imps := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, i := range imps {
				if i == "golang.org/x/mod/sumdb/tlog" {
					t.Errorf("%s imports tlog: only app/ledger may", p.rel())
				}
			}
		}
	}

	// The ledger knows no cases: of our packages it may reach only storage.
	if p, ok := byRel["app/ledger"]; ok {
		for _, d := range p.Deps {
			if rel, ok := ours(d); ok && rel != "app/store" && !under(rel, "app/store") {
				t.Errorf("app/ledger depends on %s: the log must know nothing above storage", rel)
			}
		}
	}
	// Cases sit on the ledger, not on the public lists.
	if p, ok := byRel["app/casefile"]; ok {
		for _, d := range p.Deps {
			if rel, ok := ours(d); ok && (rel == "app/catalog" || rel == "app/review" || rel == "app/device") {
				t.Errorf("app/casefile depends on %s", rel)
			}
		}
	}

	// The demo city is data, loaded through the normal import: no production
	// package of the device or the platform reaches app/demo. The root and
	// internal/demomode (which seed the demo), app/demo itself, the platform's
	// demo loader and its command may.
	demoOK := func(rel string) bool {
		return rel == "" || under(rel, "app/demo") || rel == "internal/demomode" ||
			strings.HasSuffix(rel, "/demoload") || rel == "sync/cmd/sanxiang-platform" ||
			strings.HasSuffix(rel, "test") // test helpers (servertest, casefiletest) never ship
	}
	for _, p := range all {
		rel := p.rel()
		if demoOK(rel) {
			continue
		}
		for _, d := range p.Deps {
			if dr, ok := ours(d); ok && under(dr, "app/demo") {
				t.Errorf("%s depends on app/demo: production code may not fall back to the demo city", rel)
			}
		}
	}

	// Downward only: the domain never reaches the screens, sync or the root;
	// the device never reaches the platform; the platform never the device's
	// screens or client.
	forbid := []struct{ from, to, why string }{
		{"app", "kiosk", "the domain may not reach the screens"},
		{"app", "officer", "the domain may not reach the screens"},
		{"app", "sync", "the domain sits below sync"},
		{"sync", "kiosk", "sync may not reach the screens"},
		{"sync", "officer", "sync may not reach the screens"},
		{"sync/server", "sync/client", "the platform does not use the device's client"},
		{"sync/server", "app/device", "the platform does not open device folders"},
		{"sync/client", "sync/server", "the client speaks HTTP to the platform, never its code"},
		{"kiosk", "officer", "one mode's screens do not reach another's"},
		{"officer", "kiosk", "one mode's screens do not reach another's"},
	}
	for _, p := range all {
		rel := p.rel()
		for _, d := range p.Deps {
			dr, ok := ours(d)
			if !ok {
				continue
			}
			for _, f := range forbid {
				if rel != "" && under(rel, f.from) && under(dr, f.to) {
					t.Errorf("%s depends on %s: %s", rel, dr, f.why)
				}
			}
		}
	}

	// No package sits at the roots of app/ or sync/: each is a noun below them.
	for _, p := range all {
		if rel := p.rel(); rel == "app" || rel == "sync" {
			t.Errorf("package at the root of %s/", rel)
		}
	}

	// The standalone verifier needs nothing but the bundle, the policy and
	// the roots: of ours it reaches the checks and their words, never the
	// case files, the printer (and its fonts), sync or the platform.
	for _, rel := range []string{"app/bundlecheck", "sync/cmd/sanxiang-verify"} {
		p, ok := byRel[rel]
		if !ok {
			t.Errorf("package %s is missing", rel)
			continue
		}
		for _, d := range p.Deps {
			r, ok := ours(d)
			if !ok {
				continue
			}
			switch {
			case r == "app/bundlecheck", r == "app/ledger", r == "app/witness", r == "app/timestamp", under(r, "app/store"), r == "assets", r == "sync/server/words":
			default:
				t.Errorf("%s depends on %s: the verifier reaches only the checks it runs and its words", rel, r)
			}
		}
	}

	// The root package is wiring only: it stays small.
	if root, ok := byRel[""]; ok {
		lines := countLines(t, root.Dir)
		if lines > rootBudget {
			t.Errorf("the root package has %d lines of non-test Go; the budget for wiring is %d", lines, rootBudget)
		}
	}
}

// rootBudget is how many lines of non-test Go the root package may hold:
// flags, modes and wiring, not logic. (1000 since sealing at rest: the
// --person and --recovery-key flags of the tools and the recover command
// are wiring over app/device.)
const rootBudget = 1000

func countLines(t *testing.T, dir string) int {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{range .GoFiles}}{{.}} {{end}}", dir).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", dir, err)
	}
	files := strings.Fields(string(out))
	sort.Strings(files)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		n += strings.Count(string(data), "\n")
	}
	return n
}
