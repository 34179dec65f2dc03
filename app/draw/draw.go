// Package draw makes the "double random" draw (双随机) of an inspection:
// inspection targets drawn at random from the target list and two
// inspectors for each drawn at random from the agency's certified
// officers. The draw is a pure function of its seed and its lists, so
// anyone holding the published seed and lists can run it again and must get
// the same tasks. It never imports Fyne.
package draw

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

// Task is one drawn target with its inspectors.
type Task struct {
	Target     string   `json:"target"`
	Inspectors []string `json:"inspectors"` // certificate numbers
	Names      []string `json:"names"`
	Result     string   `json:"result,omitempty"` // filled in after the inspection
}

// Team is the task's inspectors as published: 姓名（执法证号）、….
func (t Task) Team() string {
	var out []string
	for i, cert := range t.Inspectors {
		name := ""
		if i < len(t.Names) {
			name = t.Names[i]
		}
		out = append(out, name+"（"+cert+"）")
	}
	return strings.Join(out, "、")
}

// Draw is one recorded draw.
type Draw struct {
	Item     string `json:"item"` // the random-inspection item (随机抽查事项)
	Agency   string `json:"agency"`
	Seed     uint64 `json:"seed"`
	Count    int    `json:"count"`
	ListsSHA string `json:"lists_sha256"` // of the targets and inspectors drawn from
	Tasks    []Task `json:"tasks"`
}

// Errors of a draw's inputs.
var (
	ErrCount      = errors.New("draw: more targets asked for than the list holds, or none")
	ErrInspectors = errors.New("draw: fewer than two certified officers of the agency to draw from")
	// ErrDuplicate is a target listed twice: it would have twice the
	// chance, and could be drawn twice.
	ErrDuplicate = errors.New("draw: a target is listed twice")
)

// Inspectors are the officers a draw may send: the agency's, with a valid
// certificate, in certificate order (the order is part of the draw).
func Inspectors(officers []catalog.Officer, agency string) []catalog.Officer {
	var out []catalog.Officer
	for _, o := range officers {
		if o.AgencyCode == agency && o.Status == catalog.CertValid {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b catalog.Officer) int { return strings.Compare(a.CertNo, b.CertNo) })
	return out
}

// ListsSHA fingerprints what a draw draws from, so a re-run can show it
// used the same lists.
func ListsSHA(targets []string, inspectors []catalog.Officer) string {
	h := sha256.New()
	for _, t := range targets {
		h.Write([]byte("T\x00" + t + "\n"))
	}
	for _, o := range inspectors {
		h.Write([]byte("I\x00" + o.CertNo + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Run draws count targets from targets, and two different inspectors for
// each from inspectors, with the seed (PCG). Targets are drawn without
// replacement; the inspectors of each task are drawn afresh, so the work
// spreads at random.
func Run(item, agency string, seed uint64, count int, targets []string, inspectors []catalog.Officer) (Draw, error) {
	if count <= 0 || count > len(targets) {
		return Draw{}, ErrCount
	}
	if len(inspectors) < 2 {
		return Draw{}, ErrInspectors
	}
	seen := make(map[string]bool, len(targets))
	for _, t := range targets {
		if seen[t] {
			return Draw{}, fmt.Errorf("%w: %s", ErrDuplicate, t)
		}
		seen[t] = true
	}
	r := rand.New(rand.NewPCG(seed, 0x73616e7869616e67)) // "sanxiang"
	order := r.Perm(len(targets))[:count]
	d := Draw{Item: item, Agency: agency, Seed: seed, Count: count, ListsSHA: ListsSHA(targets, inspectors)}
	for _, i := range order {
		pick := r.Perm(len(inspectors))[:2]
		a, b := inspectors[pick[0]], inspectors[pick[1]]
		d.Tasks = append(d.Tasks, Task{Target: targets[i], Inspectors: []string{a.CertNo, b.CertNo}, Names: []string{a.Name, b.Name}})
	}
	return d, nil
}

// Same says whether two draws drew the same tasks from the same lists.
func Same(a, b Draw) bool {
	if a.Seed != b.Seed || a.ListsSHA != b.ListsSHA || len(a.Tasks) != len(b.Tasks) {
		return false
	}
	for i := range a.Tasks {
		if a.Tasks[i].Target != b.Tasks[i].Target || !slices.Equal(a.Tasks[i].Inspectors, b.Tasks[i].Inspectors) {
			return false
		}
	}
	return true
}
