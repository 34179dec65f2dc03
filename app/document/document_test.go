package document

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// The party of the test cases, every field known.
var testParty = casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司", IDNo: "91990102MA0000009K",
	Address: "青禾市明湖区政和路9号", Phone: "0571-86001234", Representative: "王建国"}

var testOfficers = []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}

// bareCase opens a penalty case and records nothing more.
func bareCase(t *testing.T) (*casefile.Log, string) {
	t.Helper()
	l := casefiletest.Open(t, "DOC1")
	id, err := l.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01",
		ItemID: "E1", ItemName: "对虚假广告的处罚", Party: testParty,
		Place: "明湖区政和路9号", Summary: "发布虚假广告", Officers: testOfficers})
	if err != nil {
		t.Fatal(err)
	}
	return l, id
}

// The review of the full case: who signs it and what they answer.
const (
	testReviewer     = "周法审"
	testVerdictNote  = "处罚幅度在裁量基准一般情节范围内。"
	testRegisterNote = "准予立案，交执法二队调查。"
	testApprover     = "钱副局长"
)

// testCase is a penalty case brought through its procedure to the
// decision: registered with the head's approval and opinion, investigated,
// notified and heard, then submitted to legal review and answered by a
// qualified reviewer's signed opinion, all through the real rules.
func testCase(t *testing.T) (*casefile.Log, string) {
	t.Helper()
	l, id := bareCase(t)
	ctx := context.Background()
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "register", Approver: testApprover, Note: testRegisterNote}); err != nil {
		t.Fatal(err)
	}
	casefiletest.WalkTo(t, l, id, "990101000001", testOfficers, "decide")
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	cls, err := review.Checklists()
	if err != nil {
		t.Fatal(err)
	}
	rev := &review.Service{Log: l, Policies: review.Policies{}, Checklists: cls, Calendar: cal,
		Reviewers: review.NewRegistry([]review.Reviewer{{ID: "R1", Name: testReviewer, Qualification: review.QualLegalProfessional, Agency: "01"}})}
	sub, err := rev.Submit(ctx, id, "990101000001", review.Submission{Proposal: review.Proposal{Fine: 200000, Text: "罚款人民币二十万元"},
		Facts: "当事人发布含有虚假内容的广告。", LegalBasis: "《中华人民共和国广告法》第五十五条", Discretion: "一般情节"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := l.Case(ctx, id)
	var points []review.PointResult
	for i, p := range rev.ChecklistOf(c).Points {
		st := review.Met
		if i == len(rev.ChecklistOf(c).Points)-1 {
			st = review.NA
		}
		points = append(points, review.PointResult{Key: p.Key, Status: st})
	}
	points[5].Note = testVerdictNote
	if _, err := rev.Opine(ctx, id, "R1", review.Opinion{Submission: sub.Seq, Points: points, Opinion: review.Agree, Reasons: "事实清楚，证据充分，程序合法。"}); err != nil {
		t.Fatal(err)
	}
	return l, id
}

func TestEveryActHasDocumentsAndTemplatesFill(t *testing.T) {
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) < 6 {
		t.Fatalf("%d templates", len(ts))
	}
	for _, act := range catalog.Acts {
		if len(For(ts, act)) == 0 {
			t.Errorf("no document for act %s", act)
		}
	}
	l, id := testCase(t)
	c, _ := l.Case(context.Background(), id)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	for _, tpl := range ts {
		inputs := map[string]string{}
		for _, f := range tpl.Fields {
			inputs[f.Key] = "输入" + f.Key
		}
		d, err := Fill(tpl, c, "青禾市市场监督管理局", inputs, now)
		if err != nil {
			t.Fatalf("%s: %v", tpl.ID, err)
		}
		if left := regexp.MustCompile(`\{[a-z_]+\}`).FindString(d.Text); left != "" {
			t.Errorf("%s: placeholder %s left in %q", tpl.ID, left, d.Text)
		}
		if !strings.Contains(d.Text, "青禾市某某广告有限公司") && !strings.Contains(d.Text, "输入") {
			t.Errorf("%s: neither case data nor input in %q", tpl.ID, d.Text)
		}
	}
	// An empty field with no default is refused, naming it.
	var notice Template
	for _, tpl := range ts {
		if tpl.ID == "prior_notice" {
			notice = tpl
		}
	}
	_, err = Fill(notice, c, "x", map[string]string{"facts": "f", "basis": "b"}, now)
	if !errors.Is(err, ErrMissingInput) || !strings.Contains(err.Error(), "拟作出的处罚") {
		t.Fatalf("missing input: %v", err)
	}
}

func TestCaseFilePDF(t *testing.T) {
	l, id := testCase(t)
	ctx := context.Background()
	ts, _ := Templates()
	c, _ := l.Case(ctx, id)
	d, err := Fill(ts[0], c, "青禾市市场监督管理局", map[string]string{"approver": "张科长"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(d)
	if _, err := l.AddDocument(ctx, id, "990101000001", body); err != nil {
		t.Fatal(err)
	}
	pdf, err := CaseFileFor(ctx, l, id, "青禾市市场监督管理局", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Fatal("not a PDF with an embedded TrueType font")
	}
	// cover, contents, the document, the record list
	if n := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page ")); n < 4 {
		t.Errorf("%d pages, want at least 4", n)
	}
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "casefile.pdf"), pdf, 0o644)
		exec.Command("pdftoppm", "-png", "-r", "80", filepath.Join(dir, "casefile.pdf"), filepath.Join(dir, "casefile")).Run()
	}
	one, err := PDF(d)
	if err != nil || !bytes.HasPrefix(one, []byte("%PDF-")) {
		t.Fatalf("single document: %v", err)
	}
}
