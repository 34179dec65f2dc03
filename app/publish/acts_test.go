package publish

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"encoding/json"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
)

// actCase is a decision of each act the way an officer reaches it: the
// case opened, every stage of its procedure up to the deciding one done
// (on-site stages by two officers, each record signed), the act's
// decision document filled from its real template, and the deciding stage
// recorded on the day decided.
type actCase struct {
	act     catalog.Act
	inputs  map[string]string
	keep    string // a public part of the decision that must stay
	decided string
	due     string
}

var actCases = []actCase{
	// 7 working days across Spring Festival (Feb 15–23 off, Sat Feb 14 and
	// Sat Feb 28 worked).
	{catalog.ActLicensing, map[string]string{"matter": "食品经营许可（新办）", "basis": "《中华人民共和国食品安全法》第三十五条"},
		"准予行政许可", "2026-02-13", "2026-03-02"},
	// 7 working days across National Day (Oct 1–7 off, Sat Oct 10 worked).
	{catalog.ActPenalty, map[string]string{"facts": "当事人销售过期食品。", "basis": "《中华人民共和国食品安全法》第三十四条",
		"decision": "罚款人民币五千元"}, "罚款人民币五千元", "2026-09-30", "2026-10-15"},
	// 20 working days across National Day: Oct 8, 9, Sat 10, then four
	// weeks of five from Oct 12 to Oct 30 (18), Nov 2 and Nov 3.
	{catalog.ActCoercion, map[string]string{"facts": "当事人在无证加工场所生产食品。", "basis": "《中华人民共和国食品安全法》第一百一十条",
		"things": "食品加工设备3台"}, "食品加工设备3台", "2026-09-30", "2026-11-03"},
	// 20 working days across Spring Festival: Sat Feb 14, Feb 24–27, Sat
	// Feb 28 (6), Mar 2–13 (16), Mar 16–19 (20).
	{catalog.ActLevy, map[string]string{"matter": "城市道路占用费", "basis": "《城市道路管理条例》第三十七条",
		"amount": "人民币三千六百元"}, "人民币三千六百元", "2026-02-13", "2026-03-19"},
	// 20 working days across Mid-Autumn (Sep 25–27) and National Day:
	// Sep 28–30 (3), Oct 8, 9, Sat 10 (6), Oct 12–23 (16), Oct 26–29 (20).
	{catalog.ActInspection, map[string]string{"findings": "经营场所未公示食品经营许可证。", "basis": "《中华人民共和国食品安全法》第一百二十六条",
		"handling": "责令当事人立即改正。"}, "责令当事人立即改正", "2026-09-24", "2026-10-29"},
	// 20 working days across May Day (May 1–5 off, Sat May 9 worked).
	{catalog.ActFee, map[string]string{"matter": "不动产登记费", "basis": "每件80元（发改价格规〔2016〕2559号）",
		"amount": "人民币80元"}, "人民币80元", "2026-04-28", "2026-05-28"},
}

const (
	off1, off2 = "990101000001", "990101000002"
	partyName  = "赵文静"
	partyID    = "330104199202150022"
)

// decideAct takes a case of tc.act through its procedure to its decision.
func decideAct(t *testing.T, tc actCase) (*casefile.Log, string) {
	t.Helper()
	ctx := context.Background()
	l := casefiletest.Open(t, "PA")
	casefiletest.SignAs(t, l, off1, off2)
	officers := []casefile.Officer{{CertNo: off1, Name: "陈立"}, {CertNo: off2, Name: "周宁"}}
	id, err := l.OpenCase(ctx, off1, casefile.Opening{Act: tc.act, Agency: "01", ItemID: "E1", ItemName: string(tc.act),
		Party: casefile.Party{Kind: "person", Name: partyName, IDNo: partyID, Address: "青禾市松林路8号"},
		Place: "青禾市松林路8号", Officers: officers})
	if err != nil {
		t.Fatal(err)
	}
	stage := DecisionStage[tc.act]
	if p, _ := casefile.National().Get("", string(tc.act)); p.DecisionStage() != stage {
		t.Fatalf("%s: publication counts from %q, its procedure decides at %q", tc.act, stage, p.DecisionStage())
	}
	if c, _ := l.Case(ctx, id); c.Procedure().ID != string(tc.act) {
		t.Fatalf("%s: the case follows %s", tc.act, c.Procedure().ID)
	}
	casefiletest.WalkTo(t, l, id, off1, officers, stage)
	tpl, err := document.TemplateByID(DecisionTemplate[tc.act])
	if err != nil || len(document.For([]document.Template{tpl}, tc.act)) == 0 {
		t.Fatalf("%s: no decision template %q for the act (%v)", tc.act, DecisionTemplate[tc.act], err)
	}
	c, _ := l.Case(ctx, id)
	doc, err := document.Fill(tpl, c, "青禾市市场监督管理局", tc.inputs, day(tc.decided))
	if err != nil {
		t.Fatalf("%s: %v", tc.act, err)
	}
	body, _ := json.Marshal(doc)
	l.SeedHistory(func() time.Time { return day(tc.decided) })
	if _, err := l.AddDocument(ctx, id, off1, body); err != nil {
		t.Fatal(err)
	}
	// Not decided before its deciding stage.
	if c, _ := l.Case(ctx, id); StateOf(c, cal(t)).Decided {
		t.Fatalf("%s: decided before its %s stage", tc.act, stage)
	}
	if _, err := l.AddStage(ctx, id, off1, casefile.StageBody{Stage: stage}); err != nil {
		t.Fatal(err)
	}
	return l, id
}

// Every act's decision is published from its real procedure, the party's
// name and number masked, by its deadline counted over a holiday: 7
// working days for licensing and penalty, 20 for coercion, levy,
// inspection and fees.
func TestEveryActIsPublishedByItsDeadline(t *testing.T) {
	ctx := context.Background()
	for _, tc := range actCases {
		l, id := decideAct(t, tc)
		c, _ := l.Case(ctx, id)
		st := StateOf(c, cal(t))
		want := 20
		if tc.act == catalog.ActPenalty || tc.act == catalog.ActLicensing {
			want = 7
		}
		if !st.Decided || st.Days != want || st.Due.Format(time.DateOnly) != tc.due || st.Approximate {
			t.Errorf("%s decided %s: decided %v, %d days, due %s, want %d days, due %s", tc.act, tc.decided, st.Decided, st.Days,
				st.Due.Format(time.DateOnly), want, tc.due)
		}
		if st.Late(day(tc.due)) || !st.Late(day(tc.due).AddDate(0, 0, 1)) {
			t.Errorf("%s: late on its due day %s, or not the day after", tc.act, tc.due)
		}
		// Published on its last day: on time.
		l.SeedHistory(func() time.Time { return day(tc.due) })
		if _, err := Publish(ctx, l, cal(t), id, off1, nil); err != nil {
			t.Fatalf("%s: %v", tc.act, err)
		}
		c, _ = l.Case(ctx, id)
		st = StateOf(c, cal(t))
		p := st.Published
		if p == nil || st.Pending() || st.Late(day("2030-01-01")) || p.DocNo == "" || !strings.Contains(p.Original, p.DocNo) ||
			p.DecidedOn != tc.decided {
			t.Fatalf("%s: state %+v", tc.act, st)
		}
		if strings.Contains(p.Redacted, partyName) || strings.Contains(p.Redacted, partyID[6:]) || strings.Contains(p.Party, partyName) ||
			!strings.Contains(p.Redacted, tc.keep) || !strings.Contains(p.Redacted, "青禾市市场监督管理局") {
			t.Errorf("%s: published as %q:\n%s", tc.act, p.Party, p.Redacted)
		}
	}
}

// An agency's own deadline, set on the platform, moves the due date; other
// agencies and acts keep the national one.
func TestAgencyDeadlineMovesTheDueDate(t *testing.T) {
	ctx := context.Background()
	coercion, penalty := actCases[2], actCases[1]
	ds := Deadlines{{Agency: "01", Act: catalog.ActCoercion, Days: 10}, {Agency: "02", Act: catalog.ActPenalty, Days: 3},
		{Agency: "01", Act: catalog.ActPenalty, Days: 5}}
	if err := ds.Check(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    actCase
		ds   Deadlines
		days int
		due  string
	}{
		{coercion, nil, 20, coercion.due},
		// 10 working days from Sep 30: Oct 8, 9, Sat 10, Oct 12–16, 19, 20.
		{coercion, ds, 10, "2026-10-20"},
		// 5 from Sep 30: Oct 8, 9, Sat 10, 12, 13.
		{penalty, ds, 5, "2026-10-13"},
		// Another agency's rows do not count.
		{penalty, ds[1:2], 7, penalty.due},
	} {
		l, id := decideAct(t, tc.c)
		c, _ := l.Case(ctx, id)
		st := StateWith(c, cal(t), tc.ds)
		if st.Days != tc.days || st.Due.Format(time.DateOnly) != tc.due {
			t.Errorf("%s with %v: %d days due %s, want %d due %s", tc.c.act, tc.ds, st.Days, st.Due.Format(time.DateOnly), tc.days, tc.due)
		}
	}
}

func TestDeadlinesCheck(t *testing.T) {
	for _, ds := range []Deadlines{
		{{Agency: "", Act: catalog.ActFee, Days: 5}},
		{{Agency: "01", Act: "tax", Days: 5}},
		{{Agency: "01", Act: catalog.ActFee, Days: 0}},
		{{Agency: "01", Act: catalog.ActFee, Days: MaxDays + 1}},
		{{Agency: "01", Act: catalog.ActFee, Days: 5}, {Agency: "01", Act: catalog.ActFee, Days: 6}},
	} {
		if err := ds.Check(); !errors.Is(err, ErrBadDeadline) {
			t.Errorf("%v: %v", ds, err)
		}
	}
	if d := (Deadlines)(nil).Days("01", catalog.ActInspection); d != 20 {
		t.Errorf("no table: %d days", d)
	}
}

// A case is published from its own procedure's decision: the general
// procedures decide where the act's table says, and the other procedures
// of an act (当场处罚, 强制执行) at their own decision stage, carried by
// that stage's own document rather than the general one's.
func TestDecisionFollowsTheCaseProcedure(t *testing.T) {
	for _, a := range catalog.Acts {
		for _, p := range casefile.National().Variants("", a) {
			c := &casefile.Case{Opening: casefile.Opening{Act: a, Procedure: p.ID}, Done: map[string]casefile.Record{}}
			stage, templates := Decision(c)
			st, ok := p.Stage(stage)
			if !ok || !st.Decision || len(templates) == 0 || !strings.Contains(st.Documents[0], templates[0]) {
				t.Errorf("%s: publishes from %s %v, its decision stage is %s %v", p.ID, stage, templates, p.DecisionStage(), st.Documents)
			}
			if p.ID == string(a) && (stage != DecisionStage[a] || templates[0] != DecisionTemplate[a]) {
				t.Errorf("%s: %s %v, the act's table says %s %s", a, stage, templates, DecisionStage[a], DecisionTemplate[a])
			}
			if p.ID == "coercion.execute" && templates[0] == DecisionTemplate[a] {
				t.Errorf("an enforcement decision is published as a %s", templates[0])
			}
		}
	}
}
