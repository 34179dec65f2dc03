// Package review holds the legal review of major enforcement decisions
// (重大执法决定法制审核): what counts as major for each agency, the checklist
// templates, submissions, reviewers' signed opinions, coordination when the
// handling unit disagrees, the review time limits, and the gate that refuses
// a major decision without a passed review. Everything is a record in the
// case's log. Pure Go: the platform checks the same rule on arrival.
package review

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Record kinds of the review.
const (
	KindSubmit     = "review.submit"
	KindOpinion    = "review.opinion"
	KindCoordinate = "review.coordinate"
	// KindRemoteOpinion is an opinion signed here on another device's case.
	KindRemoteOpinion = "review.remote_opinion"
)

// Opinions a reviewer can give.
const (
	Agree    = "agree"    // 同意
	Disagree = "disagree" // 不同意
	Return   = "return"   // 退回补充材料
)

// Point statuses on the checklist.
const (
	Met    = "met"
	NotMet = "not_met"
	NA     = "na"
)

// Qualifications a reviewer may hold.
const (
	QualLegalProfessional = "legal_professional" // 国家统一法律职业资格
	QualDesignated        = "designated"         // 专职法制员, without the national qualification
)

// Rule is one entry of an agency's list of major decisions (目录清单). A
// rule matches when its act fits (if it names acts) and any one of its
// thresholds, kinds or impacts is met.
type Rule struct {
	ID         string        `json:"id"`
	Text       string        `json:"text"`
	Acts       []catalog.Act `json:"acts,omitempty"`
	FinePerson int64         `json:"fine_person,omitempty"` // yuan, for natural persons
	FineOrg    int64         `json:"fine_org,omitempty"`    // yuan, for organisations
	Confiscate int64         `json:"confiscate,omitempty"`  // yuan
	Kinds      []string      `json:"kinds,omitempty"`       // revoke_licence, order_closure, demolish, seize, hearing
	Impacts    []string      `json:"impacts,omitempty"`     // public_interest, major_impact, health
}

// Point is one item of a review checklist.
type Point struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// Checklist is a set of points a reviewer answers.
type Checklist struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Points []Point `json:"points"`
}

// Policy is an agency's review settings, synced from the platform.
type Policy struct {
	Agency      string  `json:"agency"`
	ReviewDays  int     `json:"review_days"` // working days a review may take
	Checklist   string  `json:"checklist"`   // seed10 or national8
	ExtraPoints []Point `json:"extra_points"`
	Rules       []Rule  `json:"rules"`
}

// Proposal is a proposed (or, in a decide stage, the actual) decision.
type Proposal struct {
	Act        catalog.Act `json:"act"`
	PartyKind  string      `json:"party_kind"` // person or org
	Fine       int64       `json:"fine"`       // yuan
	Confiscate int64       `json:"confiscate"` // yuan
	Kinds      []string    `json:"kinds,omitempty"`
	Impacts    []string    `json:"impacts,omitempty"`
	Text       string      `json:"text"` // the decision as it will be written
}

func has(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// Matches reports whether the rule makes the proposal major.
func (r Rule) Matches(p Proposal) bool {
	if len(r.Acts) > 0 {
		ok := false
		for _, a := range r.Acts {
			ok = ok || a == p.Act
		}
		if !ok {
			return false
		}
	}
	switch {
	case p.PartyKind == "org" && r.FineOrg > 0 && p.Fine >= r.FineOrg:
		return true
	case p.PartyKind != "org" && r.FinePerson > 0 && p.Fine >= r.FinePerson:
		return true
	case r.Confiscate > 0 && p.Confiscate >= r.Confiscate:
		return true
	}
	for _, k := range r.Kinds {
		if has(p.Kinds, k) {
			return true
		}
	}
	for _, i := range r.Impacts {
		if has(p.Impacts, i) {
			return true
		}
	}
	return false
}

// Major returns the rules of the policy that the proposal meets; none means
// the decision is not major.
func (pol Policy) Major(p Proposal) []Rule {
	var out []Rule
	for _, r := range pol.Rules {
		if r.Matches(p) {
			out = append(out, r)
		}
	}
	return out
}

// DefaultReviewDays is how many working days a review may take where the
// agency's list sets none.
const DefaultReviewDays = 5

// Days is how many working days the agency's reviews may take.
func (pol Policy) Days() int {
	if pol.ReviewDays > 0 {
		return pol.ReviewDays
	}
	return DefaultReviewDays
}

// Policies is every agency's policy, by agency code.
type Policies map[string]Policy

// ParsePolicies reads a list of policies (assets/demo/major.json's form).
func ParsePolicies(data []byte) (Policies, error) {
	var list []Policy
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("major decision lists: %w", err)
	}
	out := Policies{}
	for _, p := range list {
		if p.ReviewDays <= 0 {
			return nil, fmt.Errorf("major decision list of %s: review_days must be positive", p.Agency)
		}
		out[p.Agency] = p
	}
	return out, nil
}

// List is the policies in agency order, in the form ParsePolicies reads.
func (ps Policies) List() []Policy {
	out := make([]Policy, 0, len(ps))
	for _, p := range ps {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Policy) int { return strings.Compare(a.Agency, b.Agency) })
	return out
}

// Checklists returns the bundled checklist templates.
func Checklists() (map[string]Checklist, error) {
	var m map[string]Checklist
	if err := json.Unmarshal(assets.Checklists, &m); err != nil {
		return nil, fmt.Errorf("review checklists: %w", err)
	}
	for id, c := range m {
		c.ID = id
		m[id] = c
	}
	return m, nil
}

// ChecklistFor is the agency's checklist: its chosen template (the seed's
// ten points by default) plus its own extra points.
func (pol Policy) ChecklistFor(all map[string]Checklist) Checklist {
	base, ok := all[pol.Checklist]
	if !ok {
		base = all["seed10"]
	}
	c := Checklist{ID: base.ID, Title: base.Title, Points: append([]Point(nil), base.Points...)}
	if len(pol.ExtraPoints) > 0 {
		c.ID += "+" + pol.Agency
		c.Points = append(c.Points, pol.ExtraPoints...)
	}
	return c
}

// RuleTexts is the rules as one line, for screens and records.
func RuleTexts(rs []Rule) string {
	var t []string
	for _, r := range rs {
		t = append(t, r.Text)
	}
	return strings.Join(t, "；")
}
