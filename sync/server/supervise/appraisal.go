package supervise

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/hall"
)

// 评议考核 (appraisal): the supervision figures per officer and per agency
// over a period, month by month. An officer is the person the case's
// records name by certificate number: the officers of its opening and of
// its stages (on-site records name two). Each officer named on a case is
// credited with the whole case: two officers who inspected together both
// did the inspection. An agency counts each case once.

// Person is an officer as a case's records name them.
type Person struct {
	ID   string `json:"id"` // certificate number
	Name string `json:"name"`
}

// Work is one case file evaluated, with who worked on it and the agency's
// time limits it kept and missed.
type Work struct {
	Evaluation
	Officers []Person `json:"officers"`
	OnTime   int      `json:"on_time"` // time limits kept
	Late     int      `json:"late"`    // time limits missed or overdue
}

// Assess evaluates one case file (Evaluate) and names its officers.
func Assess(device string, c *casefile.Case, r Rules) Work {
	w := Work{Evaluation: Evaluate(device, c, r), Officers: []Person{}}
	if r.Procedures != nil {
		attached := *c
		c = r.Procedures.Attach(&attached)
	}
	for _, k := range c.Clocks(r.Cal, r.Now) {
		switch {
		case k.Party:
		case k.Met:
			w.OnTime++
		case k.Missed || k.Overdue:
			w.Late++
		}
	}
	named := func(os []casefile.Officer) {
		for _, o := range os {
			id := strings.TrimSpace(o.CertNo)
			if id == "" || slices.ContainsFunc(w.Officers, func(p Person) bool { return p.ID == id }) {
				continue
			}
			w.Officers = append(w.Officers, Person{ID: id, Name: strings.TrimSpace(o.Name)})
		}
	}
	named(c.Opening.Officers)
	for _, rec := range c.Records {
		if rec.Kind != casefile.KindStage {
			continue
		}
		var b casefile.StageBody
		if json.Unmarshal(rec.Body, &b) == nil {
			named(b.Officers)
		}
	}
	return w
}

// Rating is one citizen's rating of a person who served at a window
// (好差评), as appraisal counts it.
type Rating struct {
	Staff  string    `json:"staff"` // the person's number
	Name   string    `json:"name"`
	Agency string    `json:"agency"`
	At     time.Time `json:"at"`
	Level  string    `json:"level"` // hall.Level…
}

// Figures are one officer's, agency's or month's appraisal figures.
type Figures struct {
	Cases int `json:"cases"`
	// ByAct counts the cases by act, every act present.
	ByAct map[catalog.Act]int `json:"by_act"`
	// The agency's time limits (stages on time) kept and missed.
	StagesOnTime int `json:"stages_on_time"`
	StagesLate   int `json:"stages_late"`
	// Legal review opinions: all, agreed, sent back.
	Opinions int `json:"opinions"`
	Passed   int `json:"passed"`
	Returned int `json:"returned"`
	// Cases with stages that need audio/video, and those of them that
	// have it at every such stage.
	AVCases    int `json:"av_cases"`
	AVComplete int `json:"av_complete"`
	// Decisions published (or exempted) on time, and late or overdue.
	PubOnTime int `json:"pub_on_time"`
	PubLate   int `json:"pub_late"`
	// The case-file scores (案卷评查) summed over Cases.
	ScoreSum int `json:"score_sum"`
	// Ratings at the windows: rated (an unrated visit is not counted) and
	// satisfied (非常满意、满意、基本满意).
	Ratings   int `json:"ratings"`
	Satisfied int `json:"satisfied"`
}

func newFigures() Figures {
	f := Figures{ByAct: map[catalog.Act]int{}}
	for _, a := range catalog.Acts {
		f.ByAct[a] = 0
	}
	return f
}

func (f *Figures) addWork(w Work) {
	f.Cases++
	f.ByAct[w.Act]++
	f.StagesOnTime += w.OnTime
	f.StagesLate += w.Late
	f.Opinions += w.Opinions
	f.Passed += w.Passed
	f.Returned += w.Returned
	if w.AVNeeded > 0 {
		f.AVCases++
		if w.AVPresent >= w.AVNeeded {
			f.AVComplete++
		}
	}
	switch w.Publish {
	case PubOnTime, PubExempt:
		f.PubOnTime++
	case PubLate, PubOverdue:
		f.PubLate++
	}
	f.ScoreSum += w.Score
}

func (f *Figures) addRating(r Rating) {
	if r.Level == hall.LevelUnrated || r.Level == "" {
		return
	}
	f.Ratings++
	if hall.Satisfied(r.Level) {
		f.Satisfied++
	}
}

// StageRate is the share of time limits kept, in percent (-1: none).
func (f Figures) StageRate() float64 { return ratio(f.StagesOnTime, f.StagesOnTime+f.StagesLate) }

// PassRate is the share of review opinions that agreed (-1: none).
func (f Figures) PassRate() float64 { return ratio(f.Passed, f.Opinions) }

// ReturnRate is the share of review opinions that sent it back.
func (f Figures) ReturnRate() float64 { return ratio(f.Returned, f.Opinions) }

// AVRate is the share of cases needing audio/video that have it.
func (f Figures) AVRate() float64 { return ratio(f.AVComplete, f.AVCases) }

// PubRate is the share of decisions due for publication published on time.
func (f Figures) PubRate() float64 { return ratio(f.PubOnTime, f.PubOnTime+f.PubLate) }

// MeanScore is the mean case-file score (-1: no cases).
func (f Figures) MeanScore() float64 { return ratio(f.ScoreSum, f.Cases*100) }

// SatisfactionRate is the share of ratings satisfied (-1: none).
func (f Figures) SatisfactionRate() float64 { return ratio(f.Satisfied, f.Ratings) }

// OfficerRow is one officer's figures.
type OfficerRow struct {
	Person
	Agency  string  `json:"agency"`
	Figures Figures `json:"figures"`
}

// AgencyRow is one agency's figures; Officers counts the officers with a
// row in the period.
type AgencyRow struct {
	Agency   string  `json:"agency"`
	Officers int     `json:"officers"`
	Figures  Figures `json:"figures"`
}

// MonthRow is one month's figures ("2026-03").
type MonthRow struct {
	Month   string  `json:"month"`
	Figures Figures `json:"figures"`
}

// Appraisal is the 评议考核 of the cases opened and ratings given in
// [From, To).
type Appraisal struct {
	From     time.Time    `json:"from"`
	To       time.Time    `json:"to"`
	Made     time.Time    `json:"made"`
	Total    Figures      `json:"total"`
	Officers []OfficerRow `json:"officers"` // by agency, then most cases first
	Agencies []AgencyRow  `json:"agencies"` // by code
	Months   []MonthRow   `json:"months"`   // every month of the period
}

// Appraise sums cases and ratings up per officer, agency and month (of
// opening, of rating). Every month of the period has a row.
func Appraise(work []Work, ratings []Rating, from, to, made time.Time) Appraisal {
	a := Appraisal{From: from, To: to, Made: made, Total: newFigures(), Officers: []OfficerRow{}, Agencies: []AgencyRow{}, Months: []MonthRow{}}
	officers := map[string]*OfficerRow{}
	agencies := map[string]*AgencyRow{}
	months := map[string]*MonthRow{}
	officer := func(p Person, agency string) *OfficerRow {
		o := officers[p.ID]
		if o == nil {
			o = &OfficerRow{Person: p, Agency: agency, Figures: newFigures()}
			officers[p.ID] = o
		}
		if o.Name == "" {
			o.Name = p.Name
		}
		return o
	}
	agencyOf := func(code string) *AgencyRow {
		r := agencies[code]
		if r == nil {
			r = &AgencyRow{Agency: code, Figures: newFigures()}
			agencies[code] = r
		}
		return r
	}
	loc := from.Location()
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc); m.Before(to); m = m.AddDate(0, 1, 0) {
		months[m.Format("2006-01")] = &MonthRow{Month: m.Format("2006-01"), Figures: newFigures()}
	}
	month := func(t time.Time) *MonthRow {
		k := t.In(loc).Format("2006-01")
		m := months[k]
		if m == nil { // outside the period: counted in a row of its own
			m = &MonthRow{Month: k, Figures: newFigures()}
			months[k] = m
		}
		return m
	}
	for _, w := range work {
		a.Total.addWork(w)
		agencyOf(w.Agency).Figures.addWork(w)
		month(w.Opened).Figures.addWork(w)
		for _, p := range w.Officers {
			officer(p, w.Agency).Figures.addWork(w)
		}
	}
	for _, r := range ratings {
		a.Total.addRating(r)
		agencyOf(r.Agency).Figures.addRating(r)
		month(r.At).Figures.addRating(r)
		officer(Person{ID: r.Staff, Name: r.Name}, r.Agency).Figures.addRating(r)
	}
	for _, o := range officers {
		a.Officers = append(a.Officers, *o)
		agencyOf(o.Agency).Officers++
	}
	slices.SortFunc(a.Officers, func(x, y OfficerRow) int {
		return cmp.Or(cmp.Compare(x.Agency, y.Agency), cmp.Compare(y.Figures.Cases, x.Figures.Cases), cmp.Compare(x.ID, y.ID))
	})
	for _, r := range agencies {
		a.Agencies = append(a.Agencies, *r)
	}
	slices.SortFunc(a.Agencies, func(x, y AgencyRow) int { return cmp.Compare(x.Agency, y.Agency) })
	for _, m := range months {
		a.Months = append(a.Months, *m)
	}
	slices.SortFunc(a.Months, func(x, y MonthRow) int { return cmp.Compare(x.Month, y.Month) })
	return a
}
