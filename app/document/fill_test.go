package document

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// Every document a national procedure names for a stage ("a|b" for
// either) is a bundled template, for the act of the procedure.
func TestEveryProcedureDocumentIsBundled(t *testing.T) {
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Template{}
	for _, tpl := range ts {
		if _, dup := byID[tpl.ID]; dup {
			t.Errorf("template %s bundled twice", tpl.ID)
		}
		byID[tpl.ID] = tpl
	}
	n := 0
	for _, a := range catalog.Acts {
		for _, p := range casefile.National().Variants("", a) {
			for _, st := range p.Stages {
				for _, alts := range st.Documents {
					for _, id := range strings.Split(alts, "|") {
						n++
						tpl, ok := byID[id]
						if !ok {
							t.Errorf("%s stage %s names document %q: no such template", p.ID, st.Key, id)
							continue
						}
						if len(For([]Template{tpl}, p.Act)) == 0 {
							t.Errorf("%s stage %s: template %s is not for act %s (%v)", p.ID, st.Key, id, p.Act, tpl.Acts)
						}
					}
				}
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d documents named by the national procedures", n)
	}
}

// pdfText is the text of a PDF as pdftotext reads it in the order it was
// drawn (-raw), with all white space taken out; "" when pdftotext is not
// installed and not required.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("SANXIANG_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
		}
		t.Skip("pdftotext is not installed")
	}
	f := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

var unfilled = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// Every template fills from a case brought to its decision with a signed
// review, leaving no {placeholder} anywhere on the form, and prints a PDF
// whose text holds the party's address, phone and legal representative
// wherever the template shows them, and the officers' certificate numbers.
func TestEveryTemplateFillsFromTheCase(t *testing.T) {
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	l, id := testCase(t)
	c, err := l.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tpl := range ts {
		t.Run(tpl.ID, func(t *testing.T) {
			d, err := Fill(tpl, c, "青禾市市场监督管理局", filledInputs(tpl), now)
			if err != nil {
				t.Fatal(err)
			}
			all := []string{d.Text, d.Body, strings.Join(d.Signs, "\n")}
			for _, row := range d.Rows {
				for _, cl := range row {
					all = append(all, cl.Label, cl.Value, cl.Sign)
				}
			}
			if left := unfilled.FindString(strings.Join(all, "\n")); left != "" {
				t.Fatalf("placeholder %s left in %q", left, d.Text)
			}
			if strings.Contains(d.Text, Blank) {
				t.Errorf("a blank left in a filled document: %q", d.Text)
			}
			pdf, err := PDF(d)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			shows := func(ph string) bool {
				if strings.Contains(tpl.Body, ph) {
					return true
				}
				for _, row := range tpl.Rows {
					for _, cl := range row {
						if strings.Contains(cl.Value, ph) {
							return true
						}
					}
				}
				return false
			}
			for ph, want := range map[string]string{"{party}": testParty.Name, "{party_id}": testParty.IDNo,
				"{party_address}": testParty.Address, "{party_phone}": testParty.Phone, "{party_rep}": testParty.Representative,
				"{officers}": "990101000002"} {
				if shows(ph) && !strings.Contains(text, want) {
					t.Errorf("%s shows %s but its PDF lacks %q:\n%s", tpl.ID, ph, want, text)
				}
			}
			if strings.Contains(text, "{") {
				t.Errorf("a brace in the PDF: %s", text)
			}
			if tpl.List != nil && tpl.List.Source != "review" {
				for _, want := range []string{"宣传单页", "A4彩印", "1500张", "广告灯箱", "LED60×90厘米"} {
					if !strings.Contains(text, want) {
						t.Errorf("the item list lacks %q: %s", want, text)
					}
				}
			}
		})
	}
}

// 立案审批表 prints what the register record says: blank boxes for the
// head's hand while the case is not registered, then the approver, the
// opinion and the date recorded — not a fixed "同意立案".
func TestRegisterApprovalPrintsTheRecordedApproval(t *testing.T) {
	tpl, err := TemplateByID("register_approval")
	if err != nil {
		t.Fatal(err)
	}
	l, id := bareCase(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c, _ := l.Case(ctx, id)
	d, err := Fill(tpl, c, "青禾市市场监督管理局", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	approval := d.Rows[len(d.Rows)-2]
	if approval[0].Label != "审批意见" || approval[0].Value != "" || approval[0].Sign != "审批人（签名）："+blankName+"　　　"+blankDate {
		t.Fatalf("before registration the approval is %+v", approval[0])
	}
	pdf, _ := PDF(d)
	if text := pdfText(t, pdf); strings.Contains(text, "同意立案") || !strings.Contains(text, "审批人（签名）：年月日") {
		t.Fatalf("an approval printed before it was given: %s", text)
	}

	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "register", Approver: testApprover, Note: testRegisterNote}); err != nil {
		t.Fatal(err)
	}
	c, _ = l.Case(ctx, id)
	d, err = Fill(tpl, c, "青禾市市场监督管理局", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	day := c.Done["register"].At.In(now.Location()).Format("2006年1月2日")
	approval = d.Rows[len(d.Rows)-2]
	if approval[0].Value != testRegisterNote || !strings.Contains(approval[0].Sign, testApprover) || !strings.Contains(approval[0].Sign, day) {
		t.Fatalf("after registration the approval is %+v", approval[0])
	}
	text := pdfText(t, mustPDF(t, d))
	for _, want := range []string{testRegisterNote, "审批人（签名）：" + testApprover + day, testParty.Representative, testParty.Phone} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q: %s", want, text)
		}
	}
	if strings.Contains(text, "同意立案") {
		t.Errorf("the PDF says 同意立案 where the record says %q", testRegisterNote)
	}
}

func mustPDF(t *testing.T, d Doc) []byte {
	t.Helper()
	pdf, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// 法制审核意见书 prints the signed opinion: each point of the checklist with
// the reviewer's answer and note, the verdict and reasons, the reviewer's
// name and qualification; a case without an opinion is refused.
func TestReviewOpinionPrintsTheChecklist(t *testing.T) {
	tpl, err := TemplateByID("review_opinion")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	bl, bid := bareCase(t)
	bc, _ := bl.Case(ctx, bid)
	if _, err := Fill(tpl, bc, "青禾市市场监督管理局", nil, now); !errors.Is(err, ErrNoOpinion) {
		t.Fatalf("a case without an opinion: %v", err)
	}

	l, id := testCase(t)
	c, _ := l.Case(ctx, id)
	d, err := Fill(tpl, c, "青禾市市场监督管理局", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	op := review.StateOf(c).Opinion
	if d.Grid == nil || len(d.Grid.Rows) != len(op.Points) || len(op.Points) < 8 {
		t.Fatalf("the checklist printed as %+v for %d points", d.Grid, len(op.Points))
	}
	text := pdfText(t, mustPDF(t, d))
	status := map[string]string{review.Met: "符合", review.NotMet: "不符合", review.NA: "不适用"}
	for i, p := range op.Points {
		if p.Text == "" {
			t.Fatalf("point %s has no text", p.Key)
		}
		// In drawing order: the number, the point, the answer, the note.
		want := strings.Join(strings.Fields(p.Text), "") + status[p.Status] + p.Note
		if !strings.Contains(text, want) {
			t.Errorf("point %d %q is not printed with its answer %q: %s", i+1, p.Text, want, text)
		}
	}
	for _, want := range []string{"审核意见：同意", "事实清楚，证据充分，程序合法。", testReviewer + "（国家统一法律职业资格）",
		"罚款人民币二十万元", "《中华人民共和国广告法》第五十五条", "十项审核内容"} {
		if !strings.Contains(text, want) {
			t.Errorf("the opinion's PDF lacks %q: %s", want, text)
		}
	}
}

// The coercion and licensing approvals print their stage's record the same
// way: the head's opinion and name once approved, blanks before.
func TestApprovalsPrintTheirRecords(t *testing.T) {
	for _, tc := range []struct {
		act      catalog.Act
		template string
		before   []string // stages walked first
		stage    string
	}{
		{catalog.ActCoercion, "coercion_approval", nil, "approve"},
		{catalog.ActLicensing, "extension_approval", []string{"accept"}, "extend"},
	} {
		t.Run(tc.template, func(t *testing.T) {
			tpl, err := TemplateByID(tc.template)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			l := casefiletest.Open(t, "DOC2")
			id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: tc.act, Agency: "01", ItemID: "E1", ItemName: "事项",
				Party: testParty, Place: "明湖区政和路9号", Officers: testOfficers})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.before {
				if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: s}); err != nil {
					t.Fatal(err)
				}
			}
			inputs := filledInputs(tpl)
			now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			c, _ := l.Case(ctx, id)
			d, err := Fill(tpl, c, "青禾市市场监督管理局", inputs, now)
			if err != nil {
				t.Fatal(err)
			}
			last := d.Rows[len(d.Rows)-1][0]
			if last.Label == "备　　注" {
				last = d.Rows[len(d.Rows)-2][0]
			}
			if last.Value != "" || strings.Trim(last.Sign, "　年月日") != "审批人（签名）：" {
				t.Fatalf("before approval: %+v", last)
			}
			note := "同意延长，理由充分。"
			if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: tc.stage, Approver: "孙局长", Note: note,
				Officers: testOfficers}); err != nil {
				t.Fatal(err)
			}
			c, _ = l.Case(ctx, id)
			d, err = Fill(tpl, c, "青禾市市场监督管理局", inputs, now)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, mustPDF(t, d))
			day := c.Done[tc.stage].At.In(now.Location()).Format("2006年1月2日")
			for _, want := range []string{note, "审批人（签名）：孙局长" + day} {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF lacks %q: %s", want, text)
				}
			}
		})
	}
}

// A date a stage's record set is the default of the field that prints it:
// the 催告书's time to comply from the remind record; the 强制执行决定书
// names the day of the reminder from the same record.
func TestDatesComeFromTheirRecords(t *testing.T) {
	ctx := context.Background()
	l := casefiletest.Open(t, "DOC3")
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActCoercion, Procedure: "coercion.execute", Agency: "01",
		ItemID: "E1", ItemName: "强制执行", Party: testParty, Place: "明湖区政和路9号", Officers: testOfficers})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	reminder, _ := TemplateByID("reminder")
	c, _ := l.Case(ctx, id)
	if d := Draft(reminder, c, "青禾市市场监督管理局", nil, now); d.Inputs["comply_by"] != "" {
		t.Fatalf("a time to comply before the reminder is recorded: %q", d.Inputs["comply_by"])
	}
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "remind", Officers: testOfficers,
		Dates: map[string]string{"comply_by": "2026-12-20"}}); err != nil {
		t.Fatal(err)
	}
	c, _ = l.Case(ctx, id)
	d := Draft(reminder, c, "青禾市市场监督管理局", nil, now)
	if d.Inputs["comply_by"] != "2026年12月20日" || !strings.Contains(d.Body, "于2026年12月20日前履行完毕") {
		t.Fatalf("the reminder's time to comply: %q in %q", d.Inputs["comply_by"], d.Body)
	}
	enf, _ := TemplateByID("enforcement_decision")
	day := c.Done["remind"].At.In(now.Location()).Format("2006年1月2日")
	if d := Draft(enf, c, "青禾市市场监督管理局", nil, now); d.Inputs["reminded_on"] != day {
		t.Fatalf("the enforcement decision's day of the reminder: %q, want %q", d.Inputs["reminded_on"], day)
	}
}
