package officer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
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
		Text: "当事人：王小明　证件号码：330104199202150022\n其女儿王丽丽在场。决定：罚款人民币500元。"})
	l.AddDocument(ctx, id, "990101000001", body)
	l.AddStage(ctx, id, "990101000001", casefile.StageBody{Stage: "decide"})
	c := d.Cases
	c.ShowCase(id)
	c.ShowPublishForm()
	f := c.publishForm
	if !strings.Contains(f.Original.Text, "王小明") || strings.Contains(f.Redacted.Text, "王小明") || !strings.Contains(f.Redacted.Text, "王丽丽") {
		t.Fatalf("side by side:\n%s\n%s", f.Original.Text, f.Redacted.Text)
	}
	f.Manual.SetText("王丽丽")
	if strings.Contains(f.Redacted.Text, "王丽丽") {
		t.Fatalf("masking by hand does not show: %s", f.Redacted.Text)
	}
	f.Publish()
	cs, _ := l.Case(ctx, id)
	st := publish.StateOf(cs, c.cal)
	if st.Published == nil || strings.Contains(st.Published.Redacted, "王丽丽") || !strings.Contains(st.Published.Original, "王丽丽") {
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
