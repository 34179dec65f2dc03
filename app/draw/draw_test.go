package draw

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

func lists() ([]string, []catalog.Officer) {
	var targets []string
	for i := range 50 {
		targets = append(targets, fmt.Sprintf("青禾市第%d食品店", i))
	}
	var officers []catalog.Officer
	for i := range 8 {
		officers = append(officers, catalog.Officer{CertNo: fmt.Sprintf("9901010000%02d", i), Name: fmt.Sprintf("员%d", i), AgencyCode: "01", Status: catalog.CertValid})
	}
	officers = append(officers, catalog.Officer{CertNo: "990102000099", AgencyCode: "02", Status: catalog.CertValid},
		catalog.Officer{CertNo: "990101000098", AgencyCode: "01", Status: catalog.CertRevoked})
	return targets, officers
}

// The same seed and lists give the same draw; another seed another; a
// changed list shows in the fingerprint. Only the agency's certified
// officers are sent, two different ones a task, to different targets.
func TestDrawIsReproducible(t *testing.T) {
	targets, officers := lists()
	ins := Inspectors(officers, "01")
	if len(ins) != 8 {
		t.Fatalf("%d inspectors: another agency's or a revoked officer was kept", len(ins))
	}
	a, err := Run("R01001", "01", 20261127, 10, targets, ins)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run("R01001", "01", 20261127, 10, targets, ins)
	if !Same(a, b) {
		t.Fatal("the same seed drew differently")
	}
	c, _ := Run("R01001", "01", 20261128, 10, targets, ins)
	if Same(a, c) {
		t.Fatal("another seed drew the same")
	}
	seen := map[string]bool{}
	for _, task := range a.Tasks {
		if seen[task.Target] || task.Inspectors[0] == task.Inspectors[1] {
			t.Fatalf("task %+v", task)
		}
		seen[task.Target] = true
	}
	if ListsSHA(targets[1:], ins) == a.ListsSHA {
		t.Fatal("a changed target list has the same fingerprint")
	}
	if _, err := Run("R", "01", 1, 51, targets, ins); err != ErrCount {
		t.Fatalf("more than the list: %v", err)
	}
	if _, err := Run("R", "01", 1, 1, append(targets, targets[3]), ins); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("a target listed twice: %v", err)
	}
	if _, err := Run("R", "01", 1, 1, targets, ins[:1]); err != ErrInspectors {
		t.Fatalf("one inspector: %v", err)
	}
}

// Every target is drawn about as often as any other over many seeds.
func TestDrawIsFair(t *testing.T) {
	targets, officers := lists()
	ins := Inspectors(officers, "01")
	hits := map[string]int{}
	for seed := range uint64(2000) {
		d, _ := Run("R", "01", seed, 5, targets, ins)
		for _, task := range d.Tasks {
			hits[task.Target]++
		}
	}
	// 2000 draws × 5 of 50: 200 each expected.
	for tg, n := range hits {
		if n < 140 || n > 260 {
			t.Errorf("%s drawn %d times of an expected 200", tg, n)
		}
	}
}
