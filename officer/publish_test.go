package officer

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// The officer sees the decision as written beside it as published, masks a
// relative's name by hand, and publishes; the case shows it published;
// then withdraws it, which needs a cause and an explanation.
func TestOfficerPublishesADecision(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	l := casefiletest.Open(t, "PUB")
	deskAs(t, d, l, nil, "990101000001")
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1", ItemName: "处罚",
		Party:    casefile.Party{Kind: "person", Name: "王小明", IDNo: "330104199202150022"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(document.Doc{Template: "penalty_decision", Title: "行政处罚决定书", Inputs: map[string]string{"doc_no": "X〔2026〕1号"},
		Text: "当事人：王小明　证件号码：330104199202150022\n由李丽华经手。决定：罚款人民币500元。"})
	l.AddDocument(ctx, id, "990101000001", body)
	casefiletest.WalkTo(t, l, id, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide"}); err != nil {
		t.Fatal(err)
	}
	c := d.Cases
	c.ShowCase(id)
	c.ShowPublishForm()
	f := c.publishForm
	if !strings.Contains(f.Original.Text, "王小明") || strings.Contains(f.Redacted.String(), "王小明") || !strings.Contains(f.Redacted.String(), "李丽华") {
		t.Fatalf("side by side:\n%s\n%s", f.Original.Text, f.Redacted.String())
	}
	f.Manual.SetText("李丽华")
	if strings.Contains(f.Redacted.String(), "李丽华") {
		t.Fatalf("masking by hand does not show: %s", f.Redacted.String())
	}
	f.Publish()
	cs, _ := l.Case(ctx, id)
	st := publish.StateOf(cs, c.cal)
	if st.Published == nil || strings.Contains(st.Published.Redacted, "李丽华") || !strings.Contains(st.Published.Original, "李丽华") {
		t.Fatalf("published %+v", st.Published)
	}
	c.ShowPublishForm()
	f = c.publishForm
	f.Withdraw()
	if !strings.Contains(f.Message.Text, "法定理由") {
		t.Fatalf("withdraw without a cause: %q", f.Message.Text)
	}
	f.Cause.SetSelectedIndex(0)
	f.Withdraw()
	if !strings.Contains(f.Message.Text, "说明") {
		t.Fatalf("withdraw without an explanation: %q", f.Message.Text)
	}
	f.Note.SetText("经行政复议撤销")
	f.EffectiveOn.SetText("上周")
	f.Withdraw()
	if !strings.Contains(f.Message.Text, "撤销、变更或确认无效的日期") {
		t.Fatalf("withdraw without a day: %q", f.Message.Text)
	}
	f.EffectiveOn.SetText(c.now().Format(time.DateOnly))
	f.Withdraw()
	cs, _ = l.Case(ctx, id)
	if st := publish.StateOf(cs, c.cal); st.Withdrawn == nil || st.Withdrawn.Cause != "revoked" || st.WithdrawDue.IsZero() || st.WithdrawnLate() {
		t.Fatalf("withdrawal %+v", st.Withdrawn)
	}
}

// A clinic's decision names an unqualified technician after 技术人员, which
// the rules miss: the preview lists him as doubtful, with the clinic's
// registered address (public, but it looks like one); publishing waits;
// one tap masks the name, another confirms the address stays public; the
// published record lacks the name, lists it as masked by hand, and records
// the confirmation. Officers' names are never doubtful.
func TestPublicationPreviewMasksADoubtfulNameWithOneTap(t *testing.T) {
	d := newTestDesk(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	l := casefiletest.Open(t, "PUB")
	deskAs(t, d, l, nil, "990101000001")
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1", ItemName: "对非法行医的处罚",
		Party:    casefile.Party{Kind: "org", Name: "明湖区康乐口腔诊所"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "张伟"}, {CertNo: "990101000002", Name: "赵敏"}}})
	if err != nil {
		t.Fatal(err)
	}
	text := "明卫医罚〔2026〕15号\n当事人：明湖区康乐口腔诊所，住所：明湖区政和路88号，负责人：王建军。\n" +
		"经查，该诊所未取得医师资格的人员于2026年3月2日擅自为他人拔牙，由李明华经手收取费用300元。\n" +
		"依据《医疗机构管理条例》第四十八条，决定罚款人民币5000元。\n执法人员：张伟（执法证号990101000001）、赵敏（执法证号990101000002）。"
	body, _ := json.Marshal(document.Doc{Template: "penalty_decision", Title: "行政处罚决定书", Inputs: map[string]string{"doc_no": "明卫医罚〔2026〕15号"}, Text: text})
	l.AddDocument(ctx, id, "990101000001", body)
	casefiletest.WalkTo(t, l, id, "990101000001", []casefile.Officer{{CertNo: "990101000001"}, {CertNo: "990101000002"}}, "decide")
	if _, err := l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide"}); err != nil {
		t.Fatal(err)
	}
	c := d.Cases
	c.ShowCase(id)
	c.ShowPublishForm()
	f := c.publishForm
	row := func(v string) *SuspectRow {
		for _, r := range f.Suspects {
			if r.Text == v {
				return r
			}
		}
		return nil
	}
	var listed []string
	for _, r := range f.Suspects {
		listed = append(listed, r.Text)
	}
	name, addr := row("李明华"), row("政和路88号")
	if name == nil || name.Kind != redact.Name || addr == nil || addr.Kind != redact.Address || row("张伟") != nil || row("赵敏") != nil {
		t.Fatalf("doubtful listed: %q in %s", listed, f.Redacted.String())
	}
	// The masked name is highlighted as masked, the doubtful as doubtful.
	styled := func(st widget.RichTextStyle) []string {
		var out []string
		for _, s := range f.Redacted.Segments {
			if ts, ok := s.(*widget.TextSegment); ok && ts.Style == st {
				out = append(out, ts.Text)
			}
		}
		return out
	}
	if !slices.Contains(styled(maskedStyle), "王某某") || !slices.Contains(styled(doubtfulStyle), "李明华") {
		t.Fatalf("highlights: masked %q, doubtful %q", styled(maskedStyle), styled(doubtfulStyle))
	}
	if !f.Main.Disabled() || !f.Pending.Visible() || !strings.Contains(f.Pending.Text, "2 项") {
		t.Fatalf("publishing does not wait for the doubtful: disabled %v, %q", f.Main.Disabled(), f.Pending.Text)
	}
	f.Publish() // even called directly, it waits
	if cs, _ := l.Case(ctx, id); publish.StateOf(cs, c.cal).Published != nil || !strings.Contains(f.Message.Text, "存疑") {
		t.Fatalf("published with doubtful strings open: %q", f.Message.Text)
	}
	shelltest.Shot(t, d.win, "publish-preview-before")

	test.Tap(name.Mask)
	if strings.Contains(f.Redacted.String(), "李明华") || row("李明华") != nil || !strings.Contains(f.Manual.Text, "李明华") {
		t.Fatalf("one tap did not mask it: %s\nmanual %q", f.Redacted.String(), f.Manual.Text)
	}
	if !f.Main.Disabled() {
		t.Fatal("publishable with the address still open")
	}
	test.Tap(row("政和路88号").Confirm)
	if f.Main.Disabled() || f.Pending.Visible() || !strings.Contains(row("政和路88号").Label.Text, "已确认") {
		t.Fatalf("all handled, publishing still waits: %q", f.Pending.Text)
	}
	shelltest.Shot(t, d.win, "publish-preview-after")

	test.Tap(f.Main)
	cs, _ := l.Case(ctx, id)
	p := publish.StateOf(cs, c.cal).Published
	if p == nil || strings.Contains(p.Redacted, "李明华") || !slices.Contains(p.Manual, "李明华") ||
		!slices.Equal(p.Confirmed, []string{"政和路88号"}) || !strings.Contains(p.Redacted, "张伟") || !strings.Contains(p.Redacted, "政和路88号") {
		t.Fatalf("published %+v", p)
	}
}
