package draw

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func planLists(nt, ni int) Lists {
	var l Lists
	for i := range nt {
		l.Targets = append(l.Targets, Target{ID: fmt.Sprintf("91350100M%09d", i), Name: fmt.Sprintf("青禾市第%d食品店", i), Unit: []string{"", "城东所", "城西所"}[i%3]})
	}
	for i := range ni {
		l.Inspectors = append(l.Inspectors, Inspector{CertNo: fmt.Sprintf("9901010000%02d", i), Name: fmt.Sprintf("员%d", i), Unit: []string{"城东所", "城西所", "稽查队"}[i%3]})
	}
	return l
}

func seedOf(i int) string { return fmt.Sprintf("%064x", i+1) }

// Over many seeds every target is drawn about as often as every other, and
// every inspector as often as the others who may go to the same targets;
// a conflict, the same unit or last time's inspector is never drawn.
func TestDrawIsFairAndNeverSendsAConflict(t *testing.T) {
	l := planLists(30, 9)
	l.Conflicts = []Conflict{{CertNo: l.Inspectors[0].CertNo, Target: l.Targets[0].ID}, {CertNo: l.Inspectors[3].CertNo, Target: l.Targets[4].ID}}
	l.Last = map[string][]string{l.Targets[2].ID: {l.Inspectors[2].CertNo, l.Inspectors[5].CertNo}}
	const seeds, count = 6000, 5
	targets := map[string]int{}
	inspectors := map[string]int{}
	for i := range seeds {
		picks, err := Draw2(l, seedOf(i), "", count)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, p := range picks {
			if seen[p.Target.ID] {
				t.Fatalf("seed %d drew %s twice", i, p.Target.ID)
			}
			seen[p.Target.ID] = true
			targets[p.Target.ID]++
			if p.Inspectors[0].CertNo == p.Inspectors[1].CertNo {
				t.Fatalf("seed %d sent one inspector twice to %s", i, p.Target.ID)
			}
			for _, o := range p.Inspectors {
				if l.Excluded(o, p.Target) {
					t.Fatalf("seed %d sent %s (%s) to %s (%s), which they are excluded from", i, o.CertNo, o.Unit, p.Target.ID, p.Target.Unit)
				}
				// Inspectors are compared on the targets of no unit, with no
				// conflict and no last time, where all nine may go.
				if p.Target.Unit == "" && p.Target.ID != l.Targets[0].ID && p.Target.ID != l.Targets[2].ID {
					inspectors[o.CertNo]++
				}
			}
		}
	}
	// Each target: expected seeds*count/30 = 1000; 5 standard deviations.
	want := float64(seeds*count) / float64(len(l.Targets))
	sd := math.Sqrt(want * (1 - float64(count)/float64(len(l.Targets))))
	for _, tg := range l.Targets {
		if got := float64(targets[tg.ID]); math.Abs(got-want) > 5*sd {
			t.Errorf("target %s drawn %v times, want %.0f ± %.0f", tg.ID, got, want, 5*sd)
		}
	}
	total := 0
	for _, n := range inspectors {
		total += n
	}
	wantI := float64(total) / float64(len(l.Inspectors))
	for _, o := range l.Inspectors {
		if got := float64(inspectors[o.CertNo]); math.Abs(got-wantI) > 0.06*wantI {
			t.Errorf("inspector %s drawn %v times, want %.0f ± 6%%", o.CertNo, got, wantI)
		}
	}
}

// The seed, the witness and the lists each change the draw; the same
// three draw the same; the commitment is the seed's and no other's.
func TestDrawFollowsFromSeedWitnessAndLists(t *testing.T) {
	l := planLists(40, 6)
	a, err := Draw2(l, seedOf(1), "", 8)
	if err != nil {
		t.Fatal(err)
	}
	same, _ := Draw2(l, seedOf(1), "", 8)
	if fmt.Sprint(a) != fmt.Sprint(same) {
		t.Fatal("the same seed and lists drew differently")
	}
	other, _ := Draw2(l, seedOf(2), "", 8)
	witnessed, _ := Draw2(l, seedOf(1), "37 12 05", 8)
	l2 := l
	l2.Targets = append(append([]Target(nil), l.Targets...), Target{ID: "X", Name: "新增一户"})
	changed, _ := Draw2(l2, seedOf(1), "", 8)
	for name, d := range map[string][]Pick{"another seed": other, "a witness": witnessed, "another list": changed} {
		if fmt.Sprint(d) == fmt.Sprint(a) {
			t.Errorf("%s drew the same", name)
		}
	}
	c1, _ := Commit(seedOf(1))
	c2, _ := Commit(seedOf(2))
	if c1 == c2 || len(c1) != 64 {
		t.Fatalf("commitments %s %s", c1, c2)
	}
	if _, err := Commit("abc"); !errors.Is(err, ErrSeed) {
		t.Fatalf("short seed: %v", err)
	}
	if _, err := Draw2(l, seedOf(1), "", 41); !errors.Is(err, ErrCount) {
		t.Fatalf("41 of 40: %v", err)
	}
}

// Bad lists are refused with their own errors, and a target nobody may
// inspect stops the draw rather than send someone excluded.
func TestDrawRefusesBadLists(t *testing.T) {
	for _, c := range []struct {
		name   string
		nt, ni int          // targets and inspectors
		spoil  func(*Lists) // what is wrong with the lists
		want   error
	}{
		{"twice", 3, 2, func(l *Lists) { l.Targets[1].ID = l.Targets[0].ID }, ErrDuplicate},
		{"pool twice", 3, 2, func(l *Lists) { l.Inspectors[1].CertNo = l.Inspectors[0].CertNo }, ErrPoolTwice},
		{"pool of one", 3, 1, func(*Lists) {}, ErrPool},
		{"one eligible", 1, 2, func(l *Lists) { l.Targets[0].Unit = l.Inspectors[0].Unit }, ErrNoPair},
		{"no name", 2, 2, func(l *Lists) { l.Targets[0].Name = " " }, ErrTargetID},
	} {
		l := planLists(c.nt, c.ni)
		c.spoil(&l)
		if _, err := Draw2(l, seedOf(0), "", 1); !errors.Is(err, c.want) {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if CountOf(30, 10) != 3 || CountOf(31, 10) != 4 || CountOf(5, 1) != 1 || CountOf(5, 100) != 5 {
		t.Fatal("CountOf")
	}
}
