package demoload

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// loaded is a platform in a temporary folder with the demo city loaded.
func loaded(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// The demo city loaded through the import is the dataset app/demo makes:
// the same agencies (with duties and powers) and officers in the public
// lists, every officer a person, and the registry of legal reviewers the
// demo's accounts name plus one more for each agency but the last.
func TestLoadImportsTheDemoCity(t *testing.T) {
	ctx := context.Background()
	s := loaded(t)
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		t.Fatal(err)
	}
	ags, err := s.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ags, ds.Agencies) {
		t.Errorf("agencies:\n%+v\nwant\n%+v", ags, ds.Agencies)
	}
	if ags[0].Duties == "" || ags[0].Powers == "" {
		t.Errorf("agency without duties or powers: %+v", ags[0])
	}
	for _, o := range ds.Officers {
		m, err := s.Item(ctx, catalog.KindOfficer, o.ID)
		if err != nil {
			t.Fatalf("officer %s: %v", o.ID, err)
		}
		data, _ := json.Marshal(m)
		var got catalog.Officer
		json.Unmarshal(data, &got)
		// The demo's portraits are the platform's (Portraits), not the
		// dataset's: a few officers have one, the others none.
		if slices.Contains(PortraitPeople, o.ID) != (got.Photo != "") {
			t.Errorf("officer %s: photo %q, want one: %v", o.ID, got.Photo, slices.Contains(PortraitPeople, o.ID))
		}
		got.Photo = ""
		if got != o {
			t.Fatalf("officer %s is %+v, want %+v", o.ID, got, o)
		}
	}
	all, err := s.People().List(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(ds.Officers) {
		t.Errorf("%d people, want %d", len(all), len(ds.Officers))
	}
	var want []string
	for _, a := range demo.Accounts(ds) {
		if a.Role == account.RoleReviewer {
			want = append(want, a.ID)
		}
	}
	taken := map[string]int{}
	for _, o := range ds.Officers {
		if o.Status == catalog.CertValid && o.AgencyCode != ds.Agencies[len(ds.Agencies)-1].Code {
			if taken[o.AgencyCode]++; taken[o.AgencyCode] == 5 {
				want = append(want, o.CertNo)
			}
		}
	}
	revs, err := s.Reviewers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range revs {
		got = append(got, r.ID)
		if r.Qualification != "legal_professional" {
			t.Errorf("reviewer %s: qualification %q", r.ID, r.Qualification)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reviewers %v, want %v", got, want)
	}
	staff, _ := s.People().List(ctx, "", api.RoleStaff)
	if len(staff) != len(ds.Agencies) {
		t.Errorf("%d window staff, want one per agency", len(staff))
	}
	// The demo city's recovery key, signed by this platform's key.
	set, err := s.KeySet(ctx)
	if err != nil || len(set.Recovery) != 1 {
		t.Fatalf("recovery notes: %q %v", set.Recovery, err)
	}
	if p, err := vault.OpenRecoveryNote(set.Recovery[0], s.PlatformKey()); err != nil || p.String() != demo.RecoveryPublic {
		t.Errorf("the demo recovery note: %v %v", p, err)
	}
}

// The demo's draws: one drawn whose three tasks all go to the demo officer
// and a colleague, one planned for tomorrow showing only its commitment;
// made once, however often the demo platform starts.
func TestDemoPlansReachTheDemoOfficer(t *testing.T) {
	ctx := context.Background()
	s := loaded(t)
	for range 2 {
		if err := Plans(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	plans, err := s.Plans(ctx, "")
	if err != nil || len(plans) != 2 {
		t.Fatalf("%d plans (%v)", len(plans), err)
	}
	planned, drawn := plans[0], plans[1]
	if planned.Status != server.DrawPlanned || planned.Seed != "" || planned.Commit == "" || planned.Plan.DrawAt == "" {
		t.Fatalf("the plan for tomorrow: %+v", planned)
	}
	tasks, err := s.TasksFor(ctx, demoInspectors[0])
	if err != nil || drawn.Status != server.DrawDrawn || len(drawn.Tasks) != 3 || len(tasks) != 3 {
		t.Fatalf("the drawn plan: %s with %d tasks, %d for %s (%v)", drawn.Status, len(drawn.Tasks), len(tasks), demoInspectors[0], err)
	}
}
