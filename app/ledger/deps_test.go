package ledger

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sanxiang-desk/sanxiang/"

// The ledger knows no case and no screen; it is the one package that
// imports tlog, so that device and platform verify with the same code.
func TestLedgerStandsAlone(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"app/ledger").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, module) && p != module+"app/ledger" && p != module+"app/store" {
			t.Errorf("app/ledger depends on %s: it may use app/store and nothing else of this module", p)
		}
		if strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("app/ledger depends on %s", p)
		}
	}
	out, err = exec.Command("go", "list", "-e", "-f",
		`{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == module+"app/ledger" {
			continue
		}
		for _, imp := range f[1:] {
			if imp == "golang.org/x/mod/sumdb/tlog" {
				t.Errorf("%s imports tlog: only app/ledger may", f[0])
			}
		}
	}
}
