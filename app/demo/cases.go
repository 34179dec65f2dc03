package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Policies are the demo agencies' major-decision lists and review settings.
func Policies() (review.Policies, error) {
	data, err := assets.Demo.ReadFile("demo/major.json")
	if err != nil {
		return nil, err
	}
	return review.ParsePolicies(data)
}

// AVList is the demo agencies' audio/video requirement list (音像记录事项清单).
func AVList() ([]casefile.AVRequirement, error) {
	data, err := assets.Demo.ReadFile("demo/av.json")
	if err != nil {
		return nil, err
	}
	var out []casefile.AVRequirement
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("demo A/V list: %w", err)
	}
	return out, nil
}

// demoCase is one case of the demo, told as days before today and the
// stages done on each.
type demoCase struct {
	agency    string
	act       catalog.Act
	procedure string // "" for the act's general procedure
	item      string // the enforcement item by name; "" takes the agency's first of act
	party     casefile.Party
	place     string
	summary   string
	daysAgo   int
	stages    []demoStage
	// publishDaysAgo, when set, publishes the decision then (before any
	// stage recorded later).
	publishDaysAgo int
}

// demoStage is a stage of a demo case, as the officer desk records it.
type demoStage struct {
	key     string
	daysAgo int
	note    string
	// docs are the documents made before the stage: template and the
	// officer's inputs.
	docs []demoDoc
	// after are the documents made once the stage is recorded: the
	// approval forms (审批表), which print the head who approved from the
	// stage's record, and the documents that print a date the stage set
	// (the 缴款通知书's time to pay, the 催告书's time to comply, the
	// 听证通知书's hearing day).
	after []demoDoc
	// dates are the date fields the stage sets, as days before today.
	dates map[string]int
	// decision is what a decision stage decides; reviewed sends it to
	// legal review first, where the agency's reviewer agrees (a major
	// decision cannot be recorded otherwise).
	decision *review.Proposal
	reviewed bool
	// retention is the archive's keeping period, on a final stage.
	retention string
	// exception records the stage before its prerequisites, with the
	// reason and the head who allowed it (the prerequisites missing are
	// filled in as the desk does).
	exception *casefile.Exception
}

type demoDoc struct {
	template string
	inputs   map[string]string
}

// Heads are the demo agencies' heads (负责人), who approve the stages
// that need approval: registration, measures, extensions.
var Heads = map[string]string{"01": "宋立新", "02": "韩志远", "03": "邓文涛", "04": "彭晓东", "05": "曹卫华", "06": "蒋国平"}

// CompleteCase is the party of the demo's case that went the whole way
// (decided, served and published): seed records its evidence.
const CompleteCase = "青禾市松川区顺达建材经营部"

// Cases writes the demo's case files through the same calls the officer
// desk makes, in the order each act's procedure asks: cases at different
// stages, one of them past its 90 days, and a finished case of every act
// (a penalty, a 当场处罚, a seizure extended once, an enforcement after its
// 催告, a licence whose time limit was extended, a levy, an inspection and
// a fee), major decisions passing legal review first. With rev, the first
// case is sent to legal review, so a reviewer's queue has work in it; the
// reviewed decisions need rev.
func Cases(ctx context.Context, l *casefile.Log, ds *catalog.Dataset, accounts []account.Account, today time.Time, rev *review.Service) error {
	officersOf := func(agency string) []casefile.Officer {
		var out []casefile.Officer
		for _, a := range accounts {
			if a.Agency == agency && a.Role == account.RoleOfficer {
				out = append(out, casefile.Officer{CertNo: a.ID, Name: a.Name})
			}
		}
		return out
	}
	reviewerOf := func(agency string) string {
		for _, a := range accounts {
			if a.Agency == agency && a.Role == account.RoleReviewer {
				return a.ID
			}
		}
		return ""
	}
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		return err
	}
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location())
	// A stage's time: its day, from half past eight, a quarter of an hour
	// after the one before.
	dayAt := func(daysAgo, i int) time.Time {
		return midnight.AddDate(0, 0, -daysAgo).Add(8*time.Hour + 30*time.Minute + time.Duration(i)*15*time.Minute)
	}
	for _, c := range demoCases() {
		var item catalog.EnforcementItem
		for _, it := range ds.Items {
			if it.AgencyCode == c.agency && it.Act == c.act && (c.item == "" || it.Name == c.item) {
				item = it
				break
			}
		}
		officers := officersOf(c.agency)
		if len(officers) < 2 || item.ID == "" {
			return fmt.Errorf("demo case of agency %s: no item or fewer than two officers", c.agency)
		}
		agency, author := agencyName(ds, c.agency), officers[0].CertNo
		at := dayAt(c.daysAgo, 0)
		l.SeedHistory(func() time.Time { return at })
		id, err := l.OpenCase(ctx, author, casefile.Opening{Act: c.act, Agency: c.agency, ItemID: item.ID, Procedure: c.procedure,
			ItemName: item.Name, Party: c.party, Place: c.place, Summary: c.summary, Officers: officers[:2]})
		if err != nil {
			return fmt.Errorf("demo case of %s: %w", c.party.Name, err)
		}
		cs, err := l.Case(ctx, id)
		if err != nil {
			return err
		}
		proc := cs.Procedure()
		published := c.publishDaysAgo == 0
		doPublish := func() error {
			published = true
			at = dayAt(c.publishDaysAgo, 30)
			if _, err := publish.Publish(ctx, l, cal, id, author, nil); err != nil {
				return fmt.Errorf("demo case %s: publish: %w", id, err)
			}
			return nil
		}
		for i, s := range c.stages {
			if !published && c.publishDaysAgo > s.daysAgo {
				if err := doPublish(); err != nil {
					return err
				}
			}
			st, ok := proc.Stage(s.key)
			if !ok {
				return fmt.Errorf("demo case %s: %w: %s (%s)", id, casefile.ErrBadStage, s.key, proc.ID)
			}
			at = dayAt(s.daysAgo, i+1)
			body := casefile.StageBody{Stage: s.key, Note: s.note, Officers: officers[:2], Retention: s.retention}
			if st.Approval {
				body.Approver = Heads[c.agency]
			}
			for f, d := range s.dates {
				if body.Dates == nil {
					body.Dates = map[string]string{}
				}
				body.Dates[f] = midnight.AddDate(0, 0, -d).Format(time.DateOnly)
			}
			if s.exception != nil {
				cs, err := l.Case(ctx, id)
				if err != nil {
					return err
				}
				e := *s.exception
				e.Missing = proc.Missing(cs, st)
				body.Exception = &e
			}
			if s.decision != nil {
				if body.Decision, err = json.Marshal(s.decision); err != nil {
					return fmt.Errorf("demo case %s decision: %w", id, err)
				}
			}
			if s.reviewed {
				basis := item.LegalBasis
				for _, d := range s.docs {
					if b := d.inputs["basis"]; b != "" {
						basis = b
					}
				}
				if err := passReview(ctx, rev, id, author, reviewerOf(c.agency), review.Submission{Proposal: *s.decision,
					Facts: c.summary, LegalBasis: basis}, at); err != nil {
					return err
				}
				l.SeedHistory(func() time.Time { return at })
				// The reviewer's signed opinion goes into the file as the
				// 法制审核意见书.
				if err := addDocument(ctx, l, id, "review_opinion", agency, author, nil, at); err != nil {
					return err
				}
			}
			for _, d := range s.docs {
				if err := addDocument(ctx, l, id, d.template, agency, author, d.inputs, at); err != nil {
					return err
				}
			}
			if _, err := l.AddStage(ctx, id, author, body); err != nil {
				return fmt.Errorf("demo case %s stage %s: %w", id, s.key, err)
			}
			at = at.Add(5 * time.Minute)
			for _, d := range s.after {
				if err := addDocument(ctx, l, id, d.template, agency, author, d.inputs, at); err != nil {
					return err
				}
			}
		}
		if !published {
			if err := doPublish(); err != nil {
				return err
			}
		}
	}
	if rev != nil {
		ids, err := l.CaseIDs(ctx)
		if err != nil {
			return err
		}
		first := ids[len(ids)-1] // newest first: the last is the first opened
		at := today.AddDate(0, 0, -2)
		l.SeedHistory(func() time.Time { return at })
		rev.Now = func() time.Time { return at }
		officers := officersOf("01")
		if _, err := rev.Submit(ctx, first, officers[0].CertNo, review.Submission{
			Proposal: review.Proposal{Fine: 150000, Kinds: []string{"hearing"}, Text: "没收过期食品原料，并处罚款人民币十五万元"},
			Facts:    "当事人在经营场所贮存超过保质期的食品原料用于加工，经现场检查和询问查实。", Evidence: []int64{},
			LegalBasis: "《中华人民共和国食品安全法》第一百二十四条", Discretion: "市场监管行政处罚裁量基准：一般情节"}); err != nil {
			return fmt.Errorf("demo review submission: %w", err)
		}
		rev.Now = nil
	}
	l.SeedHistory(nil)
	return nil
}

// ErrNoReviewService refuses to seed the demo's reviewed decisions
// without the review service that records their review.
var ErrNoReviewService = errors.New("demo: the reviewed decisions need the legal review service")

// passReview sends decision to legal review and records the agency
// reviewer's agreeing opinion, every point of the checklist met, just
// before at: how a major decision is cleared on the desk.
func passReview(ctx context.Context, rev *review.Service, caseID, author, reviewer string, sub review.Submission, at time.Time) error {
	if rev == nil || reviewer == "" {
		return fmt.Errorf("%w: case %s", ErrNoReviewService, caseID)
	}
	when := at.Add(-10 * time.Minute)
	rev.Log.SeedHistory(func() time.Time { return when })
	rev.Now = func() time.Time { return when }
	defer func() { rev.Now = nil }()
	sub.Evidence, sub.Discretion = []int64{}, "一般情节"
	r, err := rev.Submit(ctx, caseID, author, sub)
	if err != nil {
		return fmt.Errorf("demo case %s: submit for review: %w", caseID, err)
	}
	c, err := rev.Log.Case(ctx, caseID)
	if err != nil {
		return err
	}
	var points []review.PointResult
	for _, p := range rev.ChecklistOf(c).Points {
		points = append(points, review.PointResult{Key: p.Key, Status: review.Met})
	}
	when = at.Add(-5 * time.Minute)
	if _, err := rev.Opine(ctx, caseID, reviewer, review.Opinion{Submission: r.Seq, Points: points, Opinion: review.Agree,
		Reasons: "事实清楚，证据充分，程序合法，适用依据正确，同意。"}); err != nil {
		return fmt.Errorf("demo case %s: review opinion: %w", caseID, err)
	}
	return nil
}

func agencyName(ds *catalog.Dataset, code string) string {
	return catalog.AgencyName(ds.Agencies, code)
}

func addDocument(ctx context.Context, l *casefile.Log, caseID, template, agency, author string, inputs map[string]string, at time.Time) error {
	ts, err := document.Templates()
	if err != nil {
		return err
	}
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID != template {
			continue
		}
		d, err := document.Fill(t, c, agency, inputs, at)
		if err != nil {
			return fmt.Errorf("demo document %s: %w", template, err)
		}
		body, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("demo document %s: %w", template, err)
		}
		if _, err := l.AddDocument(ctx, caseID, author, body); err != nil {
			return fmt.Errorf("demo document %s of %s: %w", template, caseID, err)
		}
		return nil
	}
	return fmt.Errorf("demo document %s: no such template", template)
}
