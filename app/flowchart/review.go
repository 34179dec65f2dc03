package flowchart

import (
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/review"
)

// ReviewID is the chart ID of the legal review's flow.
const ReviewID = "review"

// Review charts the legal review of major enforcement decisions
// (重大执法决定法制审核流程图) as app/review runs it: a proposed decision is
// checked against the agency's list of major decisions (pol.Rules); a major
// one is submitted with its materials (review.submit), the reviewer
// answers every point of the agency's checklist within its working days
// and gives an opinion (review.opinion): agree leads to the decision,
// return sends it back for more material, disagree to coordination
// (review.coordinate) before any decision. agency is the agency's name,
// "" for the rules every agency starts from.
func Review(pol review.Policy, checklists map[string]review.Checklist, agency string, w Words) (*Chart, error) {
	c := &Chart{ID: ReviewID, Title: w("flow.review.title", nil)}
	if agency != "" {
		c.Subtitle = agency + "  "
	}
	c.Subtitle += w("flow.review.basis", nil)
	major := &Node{ID: "major", Shape: Choice, Title: w("flow.review.major", nil)}
	if len(pol.Rules) == 0 {
		major.Lines = []string{w("flow.review.by_list", nil)}
	}
	for _, r := range pol.Rules {
		major.Lines = append(major.Lines, r.Text)
	}
	cl := pol.ChecklistFor(checklists)
	check := &Node{ID: "check", Title: w("flow.review.check", nil), Review: true,
		Badges: []string{w("flow.review.checklist", map[string]any{"Title": cl.Title, "N": len(cl.Points)})}}
	for i, p := range cl.Points {
		check.Lines = append(check.Lines, fmt.Sprintf("%d. %s", i+1, p.Text))
	}
	material := w("review.facts", nil) + "、" + w("review.evidence", nil) + "、" + w("review.legal_basis", nil) + "、" +
		w("review.discretion", nil) + "、" + w("review.decision_text", nil)
	c.Nodes = []*Node{
		{ID: "propose", Title: w("flow.review.propose", nil)},
		major,
		{ID: "submit", Title: w("review.submit", nil), Badges: []string{w("flow.review.submitter", nil)}, Lines: []string{material}},
		check,
		{ID: "opinion", Shape: Choice, Title: w("review.opinion", nil), Lines: []string{w("flow.review.signed", nil)}},
		{ID: "coordinate", Title: w("review.coordinate", nil), Optional: true,
			Lines: []string{w("review.method.collective", nil) + w("flow.or", nil) + w("review.method.head", nil)}},
		{ID: "decide", Shape: End, Title: w("stage.decide", nil), Lines: []string{w("flow.review.same", nil)}},
	}
	c.Edges = []*Edge{
		{From: "propose", To: "major"},
		{From: "major", To: "submit", Label: w("flow.yes", nil)},
		{From: "major", To: "decide", Label: w("flow.no", nil)},
		{From: "submit", To: "check"},
		{From: "check", To: "opinion"},
		{From: "opinion", To: "decide", Label: w("review.opinion.agree", nil)},
		{From: "opinion", To: "coordinate", Label: w("review.opinion.disagree", nil), Dashed: true},
		{From: "coordinate", To: "decide", Dashed: true},
		{From: "opinion", To: "submit", Label: w("review.opinion.return", nil), Back: true},
	}
	days := pol.Days()
	c.Clocks = []*Clock{{Mark: "1", From: "submit", To: "opinion", Length: w("flow.workdays", map[string]any{"N": days}),
		Text: w("flow.review.days", map[string]any{"N": days})}}
	c.Legend = []string{w("flow.review.gate", nil)}
	if err := c.layout(); err != nil {
		return nil, fmt.Errorf("chart the legal review: %w", err)
	}
	return c, nil
}
