package demo

import (
	"reflect"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

func TestStandardSetIsRichAndDeterministic(t *testing.T) {
	a, err := Dataset(Standard)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Dataset(Standard)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs made different data")
	}
	for name, c := range map[string][2]int{
		"agencies":    {len(a.Agencies), 5},
		"officers":    {len(a.Officers), 200},
		"fees":        {len(a.Fees), 25}, // the fees the six agencies really charge (issue 17)
		"guides":      {len(a.Guides), 30},
		"items":       {len(a.Items), 50},
		"inspections": {len(a.Inspections), 10},
		"decisions":   {len(a.Decisions), 20},
	} {
		if c[0] < c[1] {
			t.Errorf("%s: %d, want at least %d", name, c[0], c[1])
		}
	}
	acts := map[catalog.Act]int{}
	for _, it := range a.Items {
		acts[it.Act]++
	}
	for _, act := range catalog.Acts {
		if acts[act] == 0 {
			t.Errorf("no enforcement item of act %s", act)
		}
	}
	ids := map[string]bool{}
	for _, o := range a.Officers {
		if ids[o.CertNo] {
			t.Errorf("certificate %s twice", o.CertNo)
		}
		ids[o.CertNo] = true
		if o.Name == "" || o.Gender == "" || o.Unit == "" || o.Staffing == "" || o.Region == "" || o.Issuer == "" {
			t.Errorf("officer with an empty field: %+v", o)
		}
	}
	for _, g := range a.Guides {
		for _, f := range g.Fields() {
			if f.Value == "" {
				t.Errorf("guide %s: empty %s", g.ID, f.Label)
			}
		}
	}
	for _, f := range a.Fees {
		if f.Approver == "" || f.DocumentNo == "" || f.Standard == "" || f.ComplaintPhone == "" {
			t.Errorf("fee with an empty field: %+v", f)
		}
	}
}

func TestLargeSetSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("large set")
	}
	d, err := Dataset(Large)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Officers) != 100_000 || len(d.Fees) != 10_000 || len(d.Guides) != 10_000 {
		t.Fatalf("large: %d officers, %d fees, %d guides", len(d.Officers), len(d.Fees), len(d.Guides))
	}
	ids := map[string]bool{}
	for _, g := range d.Guides {
		if ids[g.ID] {
			t.Fatalf("guide id %s twice", g.ID)
		}
		ids[g.ID] = true
	}
}
