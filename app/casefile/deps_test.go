package casefile

import (
	"os/exec"
	"strings"
	"testing"
)

// The case file sits on the ledger and below the public lists and the
// screens: it shares the act kinds through app/act, not app/catalog.
func TestCaseFileImportsNoCatalog(t *testing.T) {
	const module = "github.com/sanxiang-desk/sanxiang/"
	out, err := exec.Command("go", "list", "-deps", module+"app/casefile").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == module+"app/catalog" || strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("app/casefile depends on %s", p)
		}
	}
}
