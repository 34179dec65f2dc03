package officer

import (
	"context"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// The officer's submission without evidence records is refused in words;
// the reviewer, given one without (as another device may send), is warned.
// Signing an incomplete opinion marks each gap where it is, before any PIN
// is checked, and keeps the PIN typed; an empty PIN is asked for, not
// called wrong; a wrong PIN is said to be the PIN and cleared; a complete
// opinion with the right PIN is signed.
func TestReviewerFormMarksWhatIsMissingAndKeepsThePIN(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	l, rev := reviewLog(t, d, "RF")
	officerID, reviewerID := "990101000001", "990101000003"
	deskAs(t, d, l, rev, officerID)
	id, err := l.OpenCase(ctx, officerID, casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司"},
		Officers: []casefile.Officer{{CertNo: officerID, Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Cases
	c.ShowCase(id)
	test := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Fatalf(format, args...)
		}
	}
	c.ShowSubmitForm()
	sf := c.submitForm
	sf.Proposal.Fine.SetText("200000")
	sf.Proposal.Text.SetText("罚款人民币二十万元")
	sf.Facts.SetText("发布虚假广告。")
	sf.LegalBasis.SetText("《中华人民共和国广告法》第五十五条")
	sf.Submit()
	test(strings.Contains(sf.Message.Text, "证据的记录编号"), "a submission without evidence: %q", sf.Message.Text)
	if st := review.StateOf(c.Open); st.Submission != nil {
		t.Fatal("submitted without evidence")
	}
	sf.dialog.Hide()
	// As another device's desk might have sent it: no evidence listed.
	if _, err := rev.Submit(ctx, id, officerID, review.Submission{Proposal: review.Proposal{Fine: 200000, Text: "罚款人民币二十万元"},
		Facts: "发布虚假广告。", LegalBasis: "《中华人民共和国广告法》第五十五条"}); err != nil {
		t.Fatal(err)
	}

	deskAs(t, d, l, rev, reviewerID)
	q := d.Queue
	q.ShowReview(q.Items()[0])
	f := q.Form
	test(f.NoEvidence.Visible() && strings.Contains(f.NoEvidence.Text, "未列明证据"), "no warning of the missing evidence: %q", f.NoEvidence.Text)

	// Nothing answered, a PIN typed: every gap is marked, the PIN kept,
	// and no word of a wrong PIN.
	f.PIN.SetText("123456")
	f.Sign()
	for i, m := range f.Points {
		test(m.Visible() && strings.Contains(m.Text, "请选择"), "point %d not marked: %q", i+1, m.Text)
	}
	test(f.MissingOpinion.Visible(), "the opinion is not marked")
	test(f.PIN.Text == "123456", "the PIN was cleared: %q", f.PIN.Text)
	test(strings.Contains(f.Message.Text, "已在表中标出") && !strings.Contains(f.Message.Text, "不正确"), "message %q", f.Message.Text)

	// Answered, but returned without reasons: only the reasons are marked.
	answerAll(f, 1)
	f.Opinion.SetSelected("退回补充材料")
	f.Sign()
	for i, m := range f.Points {
		test(!m.Visible(), "point %d still marked once answered", i+1)
	}
	test(!f.MissingOpinion.Visible() && f.MissingReasons.Visible(), "reasons: opinion %v, reasons %v", f.MissingOpinion.Visible(), f.MissingReasons.Visible())
	test(f.PIN.Text == "123456", "the PIN was cleared: %q", f.PIN.Text)

	// A bad record number is marked at its point.
	f.Reasons.SetText("缺少广告费用的证据")
	f.Refs[2].SetText("99")
	f.Sign()
	test(f.Points[2].Visible() && strings.Contains(f.Points[2].Text, "记录编号有误"), "bad ref: %q", f.Points[2].Text)
	f.Refs[2].SetText("1")

	// The content whole and no PIN: the PIN is asked for, not called wrong.
	f.PIN.SetText("")
	f.Sign()
	test(f.MissingPIN.Visible() && !strings.Contains(f.Message.Text, "不正确"), "empty PIN: %v %q", f.MissingPIN.Visible(), f.Message.Text)

	// A wrong PIN is said to be the PIN, and cleared to type again.
	f.PIN.SetText("000001")
	f.Sign()
	test(strings.Contains(f.Message.Text, "PIN不正确") && f.PIN.Text == "", "wrong PIN: %q, PIN %q", f.Message.Text, f.PIN.Text)

	f.PIN.SetText(demo.PIN)
	f.Sign()
	test(q.Form == nil, "not signed: %q", f.Message.Text)
	cs, _ := l.Case(ctx, id)
	st := review.StateOf(cs)
	test(st.Opinion != nil && st.Opinion.Opinion == review.Return && len(st.Opinion.Points[2].Refs) == 1 && st.Opinion.Points[2].Refs[0] == cs.Records[0].Seq,
		"opinion %+v", st.Opinion)
}
