package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/assets"
)

var two = []Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

func openCaseLog(t *testing.T, clock *time.Time) *Log {
	t.Helper()
	dir := t.TempDir()
	l, err := Open(context.Background(), filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "QH01", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	l.SetClock(func() time.Time { return *clock })
	return l
}

func penaltyOpening() Opening {
	return Opening{Act: act.Penalty, Agency: "01", ItemID: "E010009", ItemName: "对虚假广告的处罚",
		Party: Party{Kind: "person", Name: "王某", IDNo: "350102199001011234"}, Place: "明湖区政和路1号",
		Summary: "群众举报虚假广告", Officers: two}
}

func TestCaseLifecycleAndClocks(t *testing.T) {
	ctx := context.Background()
	cal, _ := calendar.Parse(assets.Calendar)
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	l := openCaseLog(t, &now)
	id, err := l.OpenCase(ctx, "990101000001", penaltyOpening())
	if err != nil {
		t.Fatal(err)
	}
	if id != "QH01-20260901-0001" {
		t.Fatalf("case id %q", id)
	}
	if _, err := l.OpenCase(ctx, "x", Opening{Act: act.Penalty}); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("incomplete opening: %v", err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "register", Approver: "李局长", Note: "同意立案"}); err != nil {
		t.Fatal(err)
	}
	// On-site stages need two officers with certificates.
	if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "investigate", Officers: two[:1]}); !errors.Is(err, ErrTwoOfficers) {
		t.Fatalf("one officer on site: %v", err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "investigate", Officers: []Officer{two[0], two[0]}}); !errors.Is(err, ErrTwoOfficers) {
		t.Fatalf("the same officer twice: %v", err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "fly"}); !errors.Is(err, ErrBadStage) {
		t.Fatalf("unknown stage: %v", err)
	}
	if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "investigate", Officers: two, Note: "现场检查"}); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 9, 29, 15, 0, 0, 0, time.Local) // a Tuesday before National Day
	if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "notify", Officers: two}); err != nil {
		t.Fatal(err)
	}
	c, err := l.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Current != "notify" || c.Opening.Party.Name != "王某" {
		t.Fatalf("case state %q %+v", c.Current, c.Opening.Party)
	}
	clocks := c.Clocks(cal, now)
	if len(clocks) != 2 {
		t.Fatalf("clocks %+v", clocks)
	}
	if clocks[0].Key != "decide_90" || clocks[0].Due.Format(time.DateOnly) != "2026-11-30" || clocks[0].Overdue {
		t.Errorf("90-day clock %+v", clocks[0])
	}
	// Five working days after 29 September, across the National Day week.
	if clocks[1].Key != "hearing_request_5" || clocks[1].Due.Format(time.DateOnly) != "2026-10-12" {
		t.Errorf("hearing request clock %+v", clocks[1])
	}
	// Past the 90 days without a decision: overdue.
	late := time.Date(2026, 12, 1, 9, 0, 0, 0, time.Local)
	if k := c.Clocks(cal, late)[0]; !k.Overdue {
		t.Errorf("on 1 December the 90-day clock is %+v", k)
	}
	// The party let the hearing request lapse: nobody is overdue for that.
	if k := c.Clocks(cal, late)[1]; !k.Lapsed || k.Overdue {
		t.Errorf("an unused hearing request on 1 December: %+v", k)
	}
	now = time.Date(2026, 10, 9, 9, 0, 0, 0, time.Local)
	if _, err := l.AddStage(ctx, id, "990101000002", StageBody{Stage: "defend", HearingOn: "2026-10-20"}); err != nil {
		t.Fatal(err)
	}
	c, _ = l.Case(ctx, id)
	clocks = c.Clocks(cal, now)
	if !clocks[1].Met || clocks[2].Key != "hearing_notice_7" || !clocks[2].Met {
		t.Errorf("clocks after the hearing request %+v", clocks)
	}
	if _, err := l.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

func TestMissingAudioVideo(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	l := openCaseLog(t, &now)
	id, _ := l.OpenCase(ctx, "a", penaltyOpening())
	l.AddStage(ctx, id, "a", StageBody{Stage: "register", Approver: "李局长"})
	l.AddStage(ctx, id, "a", StageBody{Stage: "investigate", Officers: two})
	req := []AVRequirement{{Agency: "01", Stages: []string{"investigate", "serve"}}}
	c, _ := l.Case(ctx, id)
	if got := c.MissingAV(req); len(got) != 1 || got[0] != "investigate" {
		t.Fatalf("missing A/V %v", got)
	}
	d, _, _ := l.Media().Put(strings.NewReader("video"))
	if _, err := l.AddNote(ctx, id, "a", "现场录像", d.String()); err != nil {
		t.Fatal(err)
	}
	c, _ = l.Case(ctx, id)
	if got := c.MissingAV(req); len(got) != 0 {
		t.Fatalf("after adding video: missing %v", got)
	}
	if got := c.MissingAV([]AVRequirement{{Agency: "02", Stages: []string{"register"}}}); len(got) != 0 {
		t.Fatalf("another agency's list applied: %v", got)
	}
	// A recording made before its stage was recorded counts for the stage
	// it names.
	v, _, _ := l.Media().Put(strings.NewReader("service video"))
	if _, err := l.AddMedia(ctx, id, "a", []byte(`{"kind":"video","stage":"serve"}`), []string{v.String()}); err != nil {
		t.Fatal(err)
	}
	l.AddStage(ctx, id, "a", StageBody{Stage: "notify", Officers: two})
	// The procedure itself asks for a record of statements and defence
	// (its "av" flag), whatever the agency's list says.
	l.AddStage(ctx, id, "a", StageBody{Stage: "defend"}, v.String())
	l.AddStage(ctx, id, "a", StageBody{Stage: "decide"})
	l.AddStage(ctx, id, "a", StageBody{Stage: "serve", Officers: two})
	c, _ = l.Case(ctx, id)
	if got := c.MissingAV(req); len(got) != 0 {
		t.Fatalf("a recording for the service: missing %v", got)
	}
	if got := c.MissingAV([]AVRequirement{{Agency: "01", Stages: []string{"notify"}}}); len(got) != 1 {
		t.Fatalf("a recording for another stage counted: %v", got)
	}
	// A photo is an audio-visual record (照相) for a listed stage, but not
	// a recording of the whole process.
	p, _, _ := l.Media().Put(strings.NewReader("photo of the notice"))
	if _, err := l.AddMedia(ctx, id, "a", []byte(`{"kind":"photo","stage":"notify"}`), []string{p.String()}); err != nil {
		t.Fatal(err)
	}
	c, _ = l.Case(ctx, id)
	if got := c.MissingAV([]AVRequirement{{Agency: "01", Stages: []string{"notify"}}}); len(got) != 0 {
		t.Fatalf("a photo of the notice not counted: %v", got)
	}
	whole := []AVRequirement{{Agency: "01", FullProcess: []string{"notify", "serve"}}}
	if got := c.MissingAV(whole); len(got) != 1 || got[0] != "notify" {
		t.Fatalf("whole-process stages: missing %v, want notify (a photo only; serve has its video)", got)
	}
}

func TestMaskID(t *testing.T) {
	if got := MaskID(Party{Kind: "person", IDNo: "350102199001011234"}); got != "350102********1234" {
		t.Errorf("person: %q", got)
	}
	if got := MaskID(Party{Kind: "org", IDNo: "91350100MA2XXXXX1K"}); got != "91350100MA2XXXXX1K" {
		t.Errorf("organisation: %q", got)
	}
}

func TestCorrectionsStayInTheirCase(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	l := openCaseLog(t, &now)
	a, _ := l.OpenCase(ctx, "x", penaltyOpening())
	b, _ := l.OpenCase(ctx, "x", penaltyOpening())
	note, _ := l.AddNote(ctx, a, "x", "当事人称姓名为王某")
	if _, err := l.AddCorrection(ctx, b, "x", note.Seq, Correction{Reason: "r", Text: "t"}); !errors.Is(err, ErrNotInCase) {
		t.Fatalf("correcting another case's record: %v", err)
	}
	if _, err := l.AddCorrection(ctx, a, "x", note.Seq, Correction{}); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("empty correction: %v", err)
	}
	r, err := l.AddCorrection(ctx, a, "x", note.Seq, Correction{Reason: "笔误", Text: "当事人称姓名为汪某"})
	if err != nil || r.Corrects == nil || *r.Corrects != note.Seq {
		t.Fatalf("correction %+v %v", r, err)
	}
	recs, _ := l.Records(ctx, a)
	if !strings.Contains(string(recs[1].Body), "王某") {
		t.Fatal("the corrected record changed")
	}
}

// A stage record meets the case's rules and the gate however it is
// appended: the ledger calls them before every append.
func TestStageRulesHoldOnEveryAppend(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	l := openCaseLog(t, &now)
	id, err := l.OpenCase(ctx, "x", penaltyOpening())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, "x", StageBody{Stage: "register", Approver: "李局长"}); err != nil {
		t.Fatal(err)
	}
	body := json.RawMessage(`{"stage":"investigate","note":"","officers":[{"cert_no":"990101000001","name":"甲"}]}`)
	if _, err := l.AddRecord(ctx, id, "x", KindStage, body, nil); !errors.Is(err, ErrTwoOfficers) {
		t.Fatalf("on-site stage with one officer through AddRecord: %v", err)
	}
	if err := l.Append(ctx, &Record{Case: id, Kind: KindStage, Author: "x", Body: json.RawMessage(`{"stage":"fly"}`)}); !errors.Is(err, ErrBadStage) {
		t.Fatalf("no such stage through Append: %v", err)
	}
	closed := errors.New("gate closed")
	l.SetGate(func(context.Context, *Case, StageBody) error { return closed })
	if _, err := l.AddStage(ctx, id, "x", StageBody{Stage: "investigate", Officers: two}); !errors.Is(err, closed) {
		t.Fatalf("gate: %v", err)
	}
	if _, err := l.AddStage(ctx, "nope", "x", StageBody{Stage: "investigate", Officers: two}); !errors.Is(err, ErrNoCase) {
		t.Fatalf("stage of no case: %v", err)
	}
	if c, _ := l.Case(ctx, id); len(c.Records) != 2 {
		t.Fatalf("%d records after refusals", len(c.Records))
	}
	if _, err := l.AddNote(ctx, id, "x", "a note passes the gate"); err != nil {
		t.Fatal(err)
	}
}
