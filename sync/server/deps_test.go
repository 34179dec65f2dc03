package server

import (
	"os/exec"
	"strings"
	"testing"
)

// The platform's packages import neither Fyne nor the demo city: only the
// demo loader (sync/server/demoload) reads app/demo, and a real city's
// platform never holds the fictional city's lists unless it runs it.
func TestPlatformImportsNoDemoNorFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/sanxiang-desk/sanxiang/"
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		pkg, deps := f[0], f[1:]
		for _, d := range deps {
			if strings.HasPrefix(d, "fyne.io/") {
				t.Errorf("%s depends on %s", pkg, d)
			}
			if d == mod+"app/demo" && pkg != mod+"sync/server/demoload" {
				t.Errorf("%s depends on app/demo; only sync/server/demoload may", pkg)
			}
		}
	}
}
