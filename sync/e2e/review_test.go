package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// reviewDevice is an enrolled device with a review service and its gate.
func reviewDevice(t *testing.T, s *server.Server, url, name string, reviewers review.Reviewers, people ...string) (*casefile.Log, *review.Service, *client.Client) {
	t.Helper()
	ctx := context.Background()
	l := openLog(t, name, people...)
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	pols, _ := demo.Policies()
	cls, _ := review.Checklists()
	svc := &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: reviewers, Signatures: true}
	l.SetGate(svc.Gate())
	code, err := s.NewEnrolCode(ctx, "officer")
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, url, code, name, "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	activateKeys(t, s, id, l)
	c := client.New(id)
	tokens.Store(c, id.Token)
	return l, svc, c
}

// reviewPlatform gives s the demo city's major-decision lists and one
// registered reviewer of agency 01, whom it returns.
func reviewPlatform(t *testing.T, s *server.Server) review.Reviewer {
	t.Helper()
	ctx := context.Background()
	pols, _ := demo.Policies()
	if err := s.SetPolicies(ctx, pols); err != nil {
		t.Fatal(err)
	}
	rv := review.Reviewer{ID: "990101000003", Name: "审核员", Qualification: review.QualLegalProfessional}
	if err := s.SetReviewer(ctx, "01", rv); err != nil {
		t.Fatal(err)
	}
	return rv
}

// submittedMajorCase opens a penalty case of agency 01 in l, walks it to
// its decision through the procedure, and submits a major decision (a fine of 200,000) for legal review.
func submittedMajorCase(t *testing.T, l *casefile.Log, svc *review.Service) (string, review.Proposal) {
	t.Helper()
	ctx := context.Background()
	caseID, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: "penalty", Agency: "01", ItemID: "E1",
		ItemName: "处罚", Party: casefile.Party{Kind: "org", Name: "某公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, caseID, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	prop := review.Proposal{Fine: 200000, Text: "罚款二十万元"}
	if _, err := svc.Submit(ctx, caseID, "990101000001", review.Submission{Proposal: prop, Facts: "无证经营", LegalBasis: "食品安全法"}); err != nil {
		t.Fatal(err)
	}
	return caseID, prop
}

// A legal reviewer on another device reviews an officer's major decision
// through the platform: the officer's device submits and syncs; the
// reviewer's device pulls the queue, signs an agreeing opinion into its own
// log and syncs; the officer's device takes the opinion into the case, and
// only then may the decision be taken, which the platform does not flag.
// An opinion signed by someone not in the platform's registry is not passed
// on: it is raised as an alert and the case stays in the queue.
func TestReviewAcrossDevices(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		s, h := platform(t, b)
		rv := reviewPlatform(t, s)
		pulled := review.Registry{} // the officer device's copy of the platform's registry
		la, sa, ca := reviewDevice(t, s, h.URL, "OFFICER-A", pulled, "990101000001", "990101000002")
		lb, sb, cb := reviewDevice(t, s, h.URL, "LEGAL-B", review.NewRegistry([]review.Reviewer{rv}), rv.ID)
		// A device that believes an impostor is a reviewer.
		impostor := review.Reviewer{ID: "X9", Name: "冒名", Qualification: review.QualLegalProfessional}
		lc, sc, cc := reviewDevice(t, s, h.URL, "ROGUE-C", review.NewRegistry([]review.Reviewer{impostor}), "990101000001")

		caseID, prop := submittedMajorCase(t, la, sa)
		decide := func() error {
			d, _ := json.Marshal(prop)
			_, err := la.AddStage(ctx, caseID, "990101000001", casefile.StageBody{Stage: "decide", Decision: d})
			return err
		}
		if err := decide(); err == nil {
			t.Fatal("a major decision was taken before its review")
		}
		if _, err := ca.Push(ctx, la); err != nil {
			t.Fatal(err)
		}

		// The reviewer's device.
		reviewer := signerOn(t, lb, rv.ID)
		remote, err := cb.PullReviewQueue(ctx, "01", reviewer)
		if err != nil || len(remote) != 1 || remote[0].Case != caseID || !remote[0].Masked {
			t.Fatalf("queue %+v %v", remote, err)
		}
		var pe *client.Error
		if _, err := ca.PullReviewQueue(ctx, "01", signerOn(t, la, "990101000001")); !errors.As(err, &pe) || pe.Problem.Code != "not_agency_reviewer" {
			t.Fatalf("an officer's device without a reviewer signed in was sent the queue: %v", err)
		}
		if _, err := cb.PullReviewQueue(ctx, "02", reviewer); !errors.As(err, &pe) || pe.Problem.Code != "not_agency_reviewer" {
			t.Fatalf("another agency's queue was sent to agency 01's reviewer: %v", err)
		}
		sb.Remote = func() []review.RemoteCase { return remote }
		q, err := sb.Queue(ctx, "01")
		if err != nil || len(q) != 1 || q[0].Device != "OFFICER-A" {
			t.Fatalf("local queue %+v %v", q, err)
		}
		opinion := func() review.Opinion {
			op := review.Opinion{Submission: q[0].Seq, Opinion: review.Agree}
			for _, p := range sb.ChecklistOf(q[0].Case).Points {
				op.Points = append(op.Points, review.PointResult{Key: p.Key, Status: review.Met})
			}
			return op
		}
		sc.Remote = func() []review.RemoteCase { return remote }
		qc, _ := sc.Queue(ctx, "01")
		if len(qc) != 1 {
			t.Fatalf("rogue queue %d", len(qc))
		}
		if _, err := sc.OpineRemote(ctx, qc[0], impostor.ID, opinion()); err != nil {
			t.Fatal(err)
		}
		_, err = cc.Push(ctx, lc)
		if !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Problem.Code != "unsigned_opinion" {
			t.Fatalf("the impostor's opinion: %v", err)
		}
		if alerts, _ := s.AlertList(ctx); len(alerts) != 3 || alerts[0].Device != "ROGUE-C" || alerts[0].Kind != "unsigned_opinion" {
			t.Fatalf("the impostor's opinion raised %+v", alerts)
		}
		if left, _ := cb.PullReviewQueue(ctx, "01", reviewer); len(left) != 1 {
			t.Fatal("an impostor's opinion took the case off the platform's queue")
		}
		if _, err := sb.OpineRemote(ctx, q[0], rv.ID, opinion()); err != nil {
			t.Fatal(err)
		}
		if q, _ := sb.Queue(ctx, "01"); len(q) != 0 {
			t.Fatal("an answered case stays in the reviewer's queue")
		}
		if _, err := cb.Push(ctx, lb); err != nil {
			t.Fatal(err)
		}
		if left, _ := cb.PullReviewQueue(ctx, "01", reviewer); len(left) != 0 {
			t.Fatal("the platform still lists an answered case")
		}

		// Back on the officer's device.
		if n, err := ca.TakeOpinions(ctx, sa); err == nil {
			t.Fatalf("an opinion was taken from a reviewer this device does not know (%d)", n)
		}
		list, err := ca.PullReviewers(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("reviewers %v %v", list, err)
		}
		for k, v := range review.NewRegistry(list) {
			pulled[k] = v
		}
		if n, err := ca.TakeOpinions(ctx, sa); err != nil || n != 1 {
			t.Fatalf("took %d opinions: %v", n, err)
		}
		if n, err := ca.TakeOpinions(ctx, sa); err != nil || n != 0 {
			t.Fatalf("took %d opinions again: %v", n, err)
		}
		c, _ := la.Case(ctx, caseID)
		if st := review.StateOf(c); !st.Passed() || st.Opinion.Origin == "" {
			t.Fatalf("case state %+v", st.Opinion)
		}
		if err := decide(); err != nil {
			t.Fatalf("the reviewed decision was refused: %v", err)
		}
		res, err := ca.Push(ctx, la)
		if err != nil || len(res.Flags) != 0 {
			t.Fatalf("push after review: %+v %v", res, err)
		}
		if alerts, _ := s.AlertList(ctx); len(alerts) != 3 { // the two refused queue requests and the impostor
			t.Fatalf("alerts %+v", alerts)
		}
	})
}
