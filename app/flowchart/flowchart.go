// Package flowchart draws enforcement flowcharts (执法流程图) from the same
// procedure data the officer desk enforces (casefile.Procedure: stages,
// prerequisites, documents, audio-visual needs, approvals, clocks) and the
// legal review of major decisions from the review rules (app/review), so a
// changed procedure changes its chart. A chart is laid out in layers
// (longest-path ranks) and rendered as SVG or as a PDF page; the same data
// gives the same bytes. It holds no words of its own: every text comes
// through the caller's Words (the device's shell.L, the platform's words),
// and it must never depend on Fyne or cgo: the platform draws with it.
package flowchart

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/document"
)

// Words translates a key, filling {{.X}} from data; a key it lacks comes
// back unchanged.
type Words func(key string, data map[string]any) string

// Shape is how a node is drawn.
type Shape int

const (
	// Step is a stage: a rounded box.
	Step Shape = iota
	// Choice is a question the flow branches on: a box with pointed sides.
	Choice
	// End is where the flow ends (the decision, the closing): a pill.
	End
)

// Node is one box of the chart.
type Node struct {
	ID    string
	Shape Shape
	Title string
	// Badges are short marks under the title: 负责人批准, 音像记录, 可选.
	Badges []string
	// Lines are what the stage needs, one per line: its documents.
	Lines []string
	// Optional nodes are drawn dashed; Review nodes (the legal review of
	// a major decision) tinted.
	Optional, Review bool

	// Laid out: the box's top left corner and size.
	X, Y, W, H float64
	title      []string // Title wrapped to the box
	badges     []string
	lines      []string
	rank       int
	order      float64
	dummy      bool
}

// Edge is one arrow of the chart.
type Edge struct {
	From, To string
	Label    string
	// Dashed arrows lead to an optional or review-only branch.
	Dashed bool
	// Back arrows go up the chart (a review returned for more material):
	// they are drawn round the left side and do not count for the ranks.
	Back bool

	// Points is the laid-out polyline, from the source's edge to the target's.
	Points []Point
}

// Point is a point of the drawing, in its units (CSS pixels at scale 1).
type Point struct{ X, Y float64 }

// Clock is a time limit: its mark sits on the box it runs from (filled)
// and the box that meets it (hollow), its length and rule in the legend
// below, so no line crosses the boxes.
type Clock struct {
	Mark     string // "1", "2", …
	From, To string // node IDs; To may equal From
	Length   string // "90日", "5个工作日"
	Text     string // the rule in words, with its legal basis
	Party    bool   // a limit on the party, not the agency

	AtFrom, AtTo Point // laid out: the marks' centres
}

// Chart is a flowchart, built and laid out.
type Chart struct {
	ID       string // what it charts: the procedure ID, or "review"
	Title    string
	Subtitle string
	Nodes    []*Node
	Edges    []*Edge
	Clocks   []*Clock
	// Legend is the words beside the marks: what dashed boxes mean, etc.
	Legend []string

	W, H   float64
	header float64
	legend []string // wrapped legend lines, clocks first
	left   float64  // x of the lane back edges run in
}

// ErrCycle refuses a procedure whose stages require each other in a circle:
// no order of the stages could meet them, and no chart can rank them.
var ErrCycle = errors.New("flowchart: the stages' prerequisites form a cycle")

// node finds a node by ID.
func (c *Chart) node(id string) *Node {
	for _, n := range c.Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// word is w's text for key, or fallback where w has none.
func word(w Words, key, fallback string, data map[string]any) string {
	if v := w(key, data); v != key && v != "" {
		return v
	}
	return fallback
}

// Procedure charts p: a box per stage, arrows from what each requires (an
// "a|b" entry as two arrows marked "or"), optional stages dashed, the
// review-only stage (法制审核) as the branch a major decision takes before
// the decision, approvals and audio-visual needs marked, documents listed,
// and each clock as a bracket from the stage it runs from to the stage
// that meets it. agency is the name of the agency whose version p is, ""
// for the national default.
func Procedure(p casefile.Procedure, agency string, w Words) (*Chart, error) {
	c := &Chart{ID: p.ID, Title: word(w, "procedure."+p.ID, p.Title, nil)}
	if p.Title != "" && p.Agency != "" {
		c.Title = p.Title // an agency names its own version
	}
	sub := []string{}
	if p.Basis != "" {
		sub = append(sub, p.Basis)
	}
	if agency != "" {
		sub = append(sub, w("flow.agency_version", map[string]any{"Agency": agency, "Version": max(p.Version, 1)}))
	} else {
		sub = append(sub, w("flow.national", nil))
	}
	c.Subtitle = strings.Join(sub, "  ")
	titles, err := templateTitles()
	if err != nil {
		return nil, err
	}
	decision := p.DecisionStage()
	for _, s := range p.Stages {
		n := &Node{ID: s.Key, Title: word(w, "stage."+s.Key, s.Key, nil), Optional: s.Optional, Review: s.ReviewOnly}
		if s.Decision || s.Final {
			n.Shape = End
		}
		if s.ReviewOnly {
			n.Badges = append(n.Badges, w("flow.badge.major", nil))
		}
		if s.Optional {
			n.Badges = append(n.Badges, w("flow.badge.optional", nil))
		}
		if s.Approval {
			n.Badges = append(n.Badges, w("flow.badge.approval", nil))
		}
		if s.OnSite {
			n.Badges = append(n.Badges, w("flow.badge.on_site", nil))
		}
		switch s.AV {
		case "full":
			n.Badges = append(n.Badges, w("flow.badge.av_full", nil))
		case "any":
			n.Badges = append(n.Badges, w("flow.badge.av", nil))
		}
		for _, d := range s.Documents {
			var alts []string
			for _, id := range strings.Split(d, "|") {
				alts = append(alts, "《"+word(titles, id, id, nil)+"》")
			}
			n.Lines = append(n.Lines, strings.Join(alts, w("flow.or", nil)))
		}
		c.Nodes = append(c.Nodes, n)
	}
	for _, s := range p.Stages {
		reqs := reduced(p, s)
		for _, r := range reqs {
			alts := strings.Split(r, "|")
			for _, a := range alts {
				e := &Edge{From: a, To: s.Key, Dashed: s.Optional || s.ReviewOnly}
				if len(alts) > 1 {
					e.Label = w("flow.or", nil)
				}
				if s.ReviewOnly {
					e.Label = w("flow.edge.major", nil)
				}
				c.Edges = append(c.Edges, e)
			}
		}
		// A review-only stage is the branch a major decision takes: it
		// leads to the decision, which may not be made before it passes.
		if s.ReviewOnly && decision != "" && decision != s.Key {
			c.Edges = append(c.Edges, &Edge{From: s.Key, To: decision, Dashed: true, Label: w("flow.edge.passed", nil)})
		}
	}
	for i, k := range p.Clocks {
		ck := &Clock{Mark: fmt.Sprint(i + 1), From: k.From, To: k.From, Party: k.Party, Length: clockLength(k, w)}
		if k.Until != "" {
			ck.To = strings.Split(k.Until, "|")[0]
		}
		// The rule's words cite the law's own numbers: they are shown
		// only for a clock as the national procedure has it. A clock an
		// agency changed is described from its data alone.
		clock := "flow.clock"
		if k.Until == "" {
			clock = "flow.clock_from"
		}
		ck.Text = w(clock, map[string]any{"From": stageName(p, ck.From, w), "Until": untilNames(p, k.Until, w),
			"What": word(w, "clock.short."+k.Key, k.Key, nil)})
		if national(p.ID, k) {
			ck.Text = word(w, "clock."+k.Key, ck.Text, nil)
		}
		if k.Extend != "" {
			ext := k.ExtendDays
			key := "flow.extend_days"
			if k.ExtendWorkdays > 0 {
				ext, key = k.ExtendWorkdays, "flow.extend_workdays"
			}
			if ext > 0 {
				ck.Length += w(key, map[string]any{"N": ext})
			}
		}
		c.Clocks = append(c.Clocks, ck)
	}
	c.Legend = []string{w("flow.legend.optional", nil), w("flow.legend.review", nil)}
	if err := c.layout(); err != nil {
		return nil, fmt.Errorf("chart procedure %s: %w", p.ID, err)
	}
	return c, nil
}

// national says whether k is a clock of the national procedure id, as it
// is there.
func national(id string, k casefile.ClockRule) bool {
	p, ok := casefile.National().Get("", id)
	return ok && slices.ContainsFunc(p.Clocks, func(n casefile.ClockRule) bool { return reflect.DeepEqual(n, k) })
}

func stageName(p casefile.Procedure, key string, w Words) string {
	return word(w, "stage."+key, key, nil)
}

// untilNames words the stages that meet a clock ("a|b": either).
func untilNames(p casefile.Procedure, until string, w Words) string {
	var names []string
	for _, k := range strings.Split(until, "|") {
		if k != "" {
			names = append(names, stageName(p, k, w))
		}
	}
	return strings.Join(names, w("flow.or", nil))
}

// reduced is what s requires, less the entries another requirement of s
// already implies (decide needs notify, but defend needs notify first): a
// chart shows the order, not every rule twice.
func reduced(p casefile.Procedure, s casefile.Stage) []string {
	var out []string
	for i, r := range s.Requires {
		implied := false
		for j, o := range s.Requires {
			if i == j || strings.Contains(r, "|") {
				continue
			}
			for _, a := range strings.Split(o, "|") {
				if a != r && reaches(p, a, r, map[string]bool{}) {
					implied = true
				}
			}
		}
		if !implied {
			out = append(out, r)
		}
	}
	return out
}

// reaches says whether stage from requires target, directly or through
// other stages.
func reaches(p casefile.Procedure, from, target string, seen map[string]bool) bool {
	if seen[from] {
		return false
	}
	seen[from] = true
	s, ok := p.Stage(from)
	if !ok {
		return false
	}
	for _, r := range s.Requires {
		for _, a := range strings.Split(r, "|") {
			if a == target || reaches(p, a, target, seen) {
				return true
			}
		}
	}
	return false
}

// clockLength words how long a clock runs: days, working days or hours,
// or relative to a date the stage's record set.
func clockLength(k casefile.ClockRule, w Words) string {
	switch {
	case k.Date != "" && k.Days < 0:
		return w("flow.before_date", map[string]any{"N": -k.Days})
	case k.Date != "" && k.Days == 0 && k.Workdays == 0 && k.Hours == 0:
		return w("flow.by_date", nil)
	case k.Workdays > 0:
		return w("flow.workdays", map[string]any{"N": k.Workdays})
	case k.Hours > 0:
		return w("flow.hours", map[string]any{"N": k.Hours})
	default:
		return w("flow.days", map[string]any{"N": k.Days})
	}
}

// templateTitles words a document template's ID as its title: documents
// are printed in Chinese whatever the reader's language.
func templateTitles() (Words, error) {
	ts, err := document.Templates()
	if err != nil {
		return nil, fmt.Errorf("chart documents: %w", err)
	}
	m := map[string]string{}
	for _, t := range ts {
		m[t.ID] = t.Title
	}
	return func(key string, _ map[string]any) string {
		if v, ok := m[key]; ok {
			return v
		}
		return key
	}, nil
}
