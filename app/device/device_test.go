package device

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// A new folder has the bundled calendar and no city lists, and says so;
// lists imported (as the demo does) are kept, and a sync's copy wins.
func TestNewFolderHasNoCityLists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, dir, Catalog|Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Catalog == nil || d.Book == nil || d.Log == nil || d.Review == nil {
		t.Fatalf("not all opened: %+v", d)
	}
	if d.CityLists() {
		t.Fatal("a new folder claims its city's lists")
	}
	pols, err := d.Policies()
	if err != nil || len(pols) != 0 {
		t.Fatalf("policies before a sync: %v %v", pols, err)
	}
	// Before a sync only the nationwide baseline holds: every agency
	// records coercive enforcement in full, and no city's own line is there.
	av, err := d.AVLists()
	if err != nil || len(av) != 1 || av[0].Agency != "*" || !slices.Contains(av[0].FullProcess, "enforce") {
		t.Fatalf("A/V lists before a sync: %+v %v", av, err)
	}
	if cal, err := d.Calendar(); err != nil || cal == nil {
		t.Fatalf("bundled calendar: %v", err)
	}

	mine := review.Policies{"01": {Agency: "01"}}
	if err := d.ImportCityLists(mine, []casefile.AVRequirement{{Agency: "01"}}); err != nil {
		t.Fatal(err)
	}
	if !d.CityLists() {
		t.Fatal("imported lists not seen")
	}
	synced := []casefile.AVRequirement{{Agency: "02"}}
	if err := d.SaveAVLists(synced); err != nil {
		t.Fatal(err)
	}
	if err := d.ImportCityLists(mine, []casefile.AVRequirement{{Agency: "01"}}); err != nil {
		t.Fatal(err)
	}
	if av, err := d.AVLists(); err != nil || len(av) != 1 || av[0].Agency != "02" {
		t.Fatalf("an import replaced the platform's list: %+v %v", av, err)
	}
}

// A malformed side file is an error that names the file, not a default.
func TestBadSideFileNamesIt(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, config.AVFile), []byte("{"), 0o600)
	d := &Device{Dir: dir}
	if _, err := d.AVLists(); err == nil || !strings.Contains(err.Error(), config.AVFile) {
		t.Fatalf("got %v", err)
	}
}
