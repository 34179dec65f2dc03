package supervise

import (
	"context"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// A case names its officers in its opening and its stages; its time
// limits are counted kept or missed, the party's left out.
func TestAssessNamesOfficersAndLimits(t *testing.T) {
	f := newFixture(t)
	small := &review.Proposal{Fine: 3000, Text: "罚款3000元"}
	id := f.open(catalog.ActPenalty, "2026-01-05")
	f.stage(id, "register", "2026-01-05", "register_approval", false, nil)
	f.stage(id, "investigate", "2026-01-06", "inspection_record", true, nil)
	// A third officer joins at the notice.
	f.clock = day("2026-02-02")
	third := append(append([]casefile.Officer{}, two...), casefile.Officer{CertNo: " 990101000003 ", Name: "丙"})
	if _, err := f.l.AddStage(context.Background(), id, "990101000001", casefile.StageBody{Stage: "notify", Officers: third}); err != nil {
		t.Fatal(err)
	}
	f.stage(id, "defend", "2026-02-03", "", true, nil)
	f.stage(id, "decide", "2026-04-10", "penalty_decision", false, small) // after 90 days
	c, err := f.l.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	r := f.rules
	r.Now = day("2026-06-01")
	w := Assess("D1", c, r)
	want := []Person{{ID: "990101000001", Name: "甲"}, {ID: "990101000002", Name: "乙"}, {ID: "990101000003", Name: "丙"}}
	if len(w.Officers) != len(want) {
		t.Fatalf("officers %+v, want %+v", w.Officers, want)
	}
	for i := range want {
		if w.Officers[i] != want[i] {
			t.Errorf("officer %d: %+v, want %+v", i, w.Officers[i], want[i])
		}
	}
	if w.Late < 1 {
		t.Errorf("decided after 90 days: %d limits missed, want at least 1 (%+v)", w.Late, w)
	}
	if w.Score != Evaluate("D1", c, r).Score {
		t.Errorf("Assess's score %d is not Evaluate's", w.Score)
	}
}

func TestAppraise(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v.Add(10 * time.Hour)
	}
	jia, yi, bing := Person{ID: "A1", Name: "甲"}, Person{ID: "A2", Name: "乙"}, Person{ID: "B1", Name: "丙"}
	work := func(agency string, act catalog.Act, opened string, score int, pub string, onTime, late, opinions, passed, returned, avNeed, avHave int, who ...Person) Work {
		return Work{Evaluation: Evaluation{Agency: agency, Act: act, Opened: at(opened), Score: score, Publish: pub, Opinions: opinions,
			Passed: passed, Returned: returned, AVNeeded: avNeed, AVPresent: avHave}, Officers: who, OnTime: onTime, Late: late}
	}
	works := []Work{
		work("01", catalog.ActPenalty, "2026-01-10", 100, PubOnTime, 2, 0, 1, 1, 0, 3, 3, jia, yi),
		work("01", catalog.ActInspection, "2026-02-03", 60, PubNone, 0, 1, 0, 0, 0, 1, 0, jia),
		work("01", catalog.ActPenalty, "2026-03-15", 80, PubOverdue, 1, 1, 2, 1, 1, 2, 1, yi),
		work("02", catalog.ActCoercion, "2026-03-20", 90, PubExempt, 1, 0, 0, 0, 0, 0, 0, bing),
	}
	ratings := []Rating{
		{Staff: "A2", Name: "乙", Agency: "01", At: at("2026-02-01"), Level: hall.LevelSatisfied},
		{Staff: "A2", Name: "乙", Agency: "01", At: at("2026-02-02"), Level: hall.LevelDissatisfied},
		{Staff: "A2", Name: "乙", Agency: "01", At: at("2026-02-03"), Level: hall.LevelUnrated},
		{Staff: "S9", Name: "丁", Agency: "02", At: at("2026-03-01"), Level: hall.LevelVerySatisfied},
	}
	a := Appraise(works, ratings, at("2026-01-01").Add(-10*time.Hour), at("2026-04-01").Add(-10*time.Hour), at("2026-04-02"))

	type want struct {
		cases, penalty, inspection, coercion int
		stageRate, passRate, returnRate      float64
		avRate, pubRate, score, satisfied    float64
		ratings                              int
	}
	check := func(name string, f Figures, w want) {
		t.Helper()
		got := want{f.Cases, f.ByAct[catalog.ActPenalty], f.ByAct[catalog.ActInspection], f.ByAct[catalog.ActCoercion],
			f.StageRate(), f.PassRate(), f.ReturnRate(), f.AVRate(), f.PubRate(), f.MeanScore(), f.SatisfactionRate(), f.Ratings}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, w)
		}
	}
	rows := map[string]Figures{}
	for _, o := range a.Officers {
		rows["officer "+o.ID] = o.Figures
	}
	for _, g := range a.Agencies {
		rows["agency "+g.Agency] = g.Figures
	}
	for _, m := range a.Months {
		rows["month "+m.Month] = m.Figures
	}
	for _, c := range []struct {
		row  string
		want want
	}{
		// 甲: cases 1 and 2; limits 2 kept of 3; review 1/1; A/V in 1 case of 2;
		// one publication on time; scores 100 and 60.
		{"officer A1", want{2, 1, 1, 0, 66.7, 100, 0, 50, 100, 80, -1, 0}},
		// 乙: cases 1 and 3, and the window: 1 satisfied of 2 rated.
		{"officer A2", want{2, 2, 0, 0, 75, 66.7, 33.3, 50, 50, 90, 50, 2}},
		{"officer B1", want{1, 0, 0, 1, 100, -1, -1, -1, 100, 90, -1, 0}},
		{"officer S9", want{0, 0, 0, 0, -1, -1, -1, -1, -1, -1, 100, 1}},
		// An agency counts a case once, however many officers it names.
		{"agency 01", want{3, 2, 1, 0, 60, 66.7, 33.3, 33.3, 50, 80, 50, 2}},
		{"agency 02", want{1, 0, 0, 1, 100, -1, -1, -1, 100, 90, 100, 1}},
		{"month 2026-01", want{1, 1, 0, 0, 100, 100, 0, 100, 100, 100, -1, 0}},
		{"month 2026-02", want{1, 0, 1, 0, 0, -1, -1, 0, -1, 60, 50, 2}},
		{"month 2026-03", want{2, 1, 0, 1, 66.7, 50, 50, 0, 50, 85, 100, 1}},
	} {
		f, ok := rows[c.row]
		if !ok {
			t.Errorf("no row %s", c.row)
			continue
		}
		check(c.row, f, c.want)
	}
	check("total", a.Total, want{4, 2, 1, 1, 66.7, 66.7, 33.3, 33.3, 66.7, 82.5, 66.7, 3})
	if len(a.Months) != 3 || len(a.Officers) != 4 || len(a.Agencies) != 2 {
		t.Errorf("%d months, %d officers, %d agencies; want 3, 4, 2", len(a.Months), len(a.Officers), len(a.Agencies))
	}
	if a.Agencies[0].Officers != 2 || a.Agencies[1].Officers != 2 {
		t.Errorf("officers per agency: %+v", a.Agencies)
	}
	// Officers by agency, most cases first.
	if a.Officers[0].Agency != "01" || a.Officers[2].Agency != "02" {
		t.Errorf("officers' order: %+v", a.Officers)
	}
	// Nothing in the period: every list is [] and every month is there.
	empty := Appraise(nil, nil, a.From, a.To, a.Made)
	if empty.Officers == nil || empty.Agencies == nil || len(empty.Months) != 3 || empty.Total.MeanScore() != -1 {
		t.Errorf("empty appraisal: %+v", empty)
	}
}
