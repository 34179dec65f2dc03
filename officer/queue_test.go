package officer

import (
	"context"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// A legal reviewer on their own desk, against the real platform: the
// queue a sync brings is masked (the party's name down to the surname, no
// identity number), the desk says so and offers to open the case; opening
// it brings it whole and the platform records who opened it, where; the
// opinion is then signed with the reviewer's PIN off the UI's goroutine.
func TestReviewerOpensMaskedCaseOnTheDesk(t *testing.T) {
	ctx := context.Background()
	d, dev, s, h := keyedDesk(t)
	d.SetReviewOpener(func(ctx context.Context, agency, device, caseID string) error {
		return client.OpenForReview(ctx, dev, agency, device, caseID)
	})
	reviewers, err := s.People().List(ctx, "01", api.RoleReviewer)
	if err != nil || len(reviewers) == 0 {
		t.Fatalf("reviewers of 01: %v %v", reviewers, err)
	}
	rv := reviewers[0]

	// An officer's device elsewhere submits a major decision on a person.
	const officer = "990101000001"
	field := casefiletest.Open(t, "FIELD-A")
	keys := casefiletest.SignAs(t, field, officer)
	enrol, _ := s.NewEnrolCode(ctx, api.DeviceOfficer)
	fid, err := client.Enrol(ctx, h.URL, enrol, "FIELD-A", api.DeviceOfficer, field.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	fc := client.New(fid)
	code, _, _ := s.People().NewActivationCode(ctx, officer)
	if _, err := fc.Activate(ctx, code, keys[officer]); err != nil {
		t.Fatal(err)
	}
	pols, _ := demo.Policies()
	cls, _ := review.Checklists()
	cal, _ := dev.Calendar()
	fs := &review.Service{Log: field, Policies: pols, Checklists: cls, Calendar: cal}
	caseID, err := field.OpenCase(ctx, officer, casefile.Opening{Act: "penalty", Agency: "01", ItemID: "E1", ItemName: "处罚",
		Party:    casefile.Party{Kind: "person", Name: "张建国", IDNo: "33010619780312451X"},
		Officers: []casefile.Officer{{CertNo: officer}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Submit(ctx, caseID, officer, review.Submission{Proposal: review.Proposal{Fine: 200000, Text: "罚款二十万元"},
		Facts: "张建国无证经营", LegalBasis: "食品安全法"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fc.Push(ctx, field); err != nil {
		t.Fatal(err)
	}

	// The reviewer activates on this desk, signs in, syncs.
	code, _, _ = s.People().NewActivationCode(ctx, rv.ID)
	activate(d, code, demo.PIN, demo.PIN)
	signIn(d, rv.ID, demo.PIN)
	if d.Me == nil {
		t.Fatalf("reviewer not signed in: %q", d.Message.Text)
	}
	if _, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatal(err)
	}
	q := d.Queue
	q.ShowList()
	if len(q.Items()) != 1 || !q.Items()[0].Masked {
		t.Fatalf("queue %+v", q.Items())
	}
	q.ShowReview(q.Items()[0])
	if q.Form.Open == nil || !hasText(q.root, "脱敏") || hasText(q.root, "张建国") || !hasText(q.root, "张**") {
		t.Fatal("the masked case is not shown masked, with its note and the way to open it")
	}
	q.Form.Open()
	if q.Form.Open != nil || hasText(q.root, "脱敏") || !hasText(q.root, "张建国") {
		t.Fatalf("after opening: %q", q.Form.Message.Text)
	}
	if open, _ := s.Openings(ctx, "FIELD-A", caseID); len(open) != 1 || open[0].Reviewer != rv.ID || open[0].Device != "DESK-K" {
		t.Fatalf("openings %+v", open)
	}
	f := q.Form
	answerAll(f, 0)
	f.Opinion.SetSelected("同意")
	f.PIN.SetText(demo.PIN)
	f.Sign()
	if q.Form != nil {
		t.Fatalf("signing: %q", f.Message.Text)
	}
	if len(q.Items()) != 0 {
		t.Fatalf("the answered case stays queued: %d", len(q.Items()))
	}
}
