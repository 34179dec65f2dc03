package officer

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// A handover (移交) on the desks of two devices, against the real platform
// on loopback: the officer in charge hands the case to a colleague through
// the form (its mistakes explained), after which the case shows who it
// waits for and offers no way to add a record; the colleague's device
// hears of it at its next sync, lists it above their cases, and taking it
// over opens it with the first device's records marked as such, to go on
// with.
func TestHandOverAndTakeOverOnTheDesk(t *testing.T) {
	ctx := context.Background()
	const first, second = "990101000001", "990101000002"
	dA, devA, dB, devB, s := deskPair(t, first, second)
	item, err := devA.Catalog.Search(ctx, catalog.Query{Kind: catalog.KindItem, Agency: "01", Act: catalog.ActInspection, Limit: 1})
	if err != nil || len(item) == 0 {
		t.Fatalf("no inspection item: %v", err)
	}
	id, err := devA.Log.OpenCase(ctx, first, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: item[0].Key(),
		ItemName: item[0].Title(), Party: casefile.Party{Kind: "org", Name: "青禾市某某食品有限公司"}, Place: "青禾市明湖区政和路1号",
		Summary: "群众举报后厨卫生问题", Officers: []casefile.Officer{{CertNo: first}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := devA.Log.AddNote(ctx, id, first, "已调取后厨监控录像"); err != nil {
		t.Fatal(err)
	}

	a := dA.Cases
	a.ShowCase(id)
	test.Tap(findButton(t, a, "移交"))
	f := a.Handover
	f.Submit()
	if !strings.Contains(f.Message.Text, "请选择接收人") {
		t.Fatalf("no one chosen: %q", f.Message.Text)
	}
	pickOfficer(t, f.To, second)
	f.Submit()
	if !strings.Contains(f.Message.Text, "请填写移交理由") {
		t.Fatalf("no reason: %q", f.Message.Text)
	}
	test.Type(f.Reason, "承办人调岗，由蒋燕继续办理")
	shelltest.Shot(t, dA.win, "handover-form")
	f.Submit()
	if a.Open == nil || a.Open.Pending == nil || a.Open.Pending.To != second {
		t.Fatalf("after the handover: %+v", a.Open)
	}
	for _, label := range []string{"添加文字记录", "记录办理环节", "移交"} {
		if findButtonIn(a.root, label) != nil {
			t.Fatalf("a case handed over still offers %q", label)
		}
	}
	if !strings.Contains(textOf(a.root), "此案已移交给") {
		t.Fatal("the case does not say it was handed over")
	}
	shelltest.Shot(t, dA.win, "handover-pending")
	if _, err := client.Round(ctx, devA, nil); err != nil {
		t.Fatal(err)
	}

	b := dB.Cases
	b.ShowList()
	if strings.Contains(textOf(b.root), "移交给您的案件") {
		t.Fatal("a handover listed before the sync")
	}
	if _, err := client.Round(ctx, devB, nil); err != nil {
		t.Fatal(err)
	}
	b.ShowList()
	if !strings.Contains(textOf(b.root), "移交给您的案件（1 件）") || !strings.Contains(textOf(b.root), "承办人调岗") {
		t.Fatalf("the list does not offer the handover: %s", textOf(b.root))
	}
	shelltest.Shot(t, dB.win, "handover-incoming")
	test.Tap(findButton(t, b, "签名接收"))
	if b.Open == nil || b.Open.ID != id || b.Open.Holder != second || b.Open.Pending != nil {
		t.Fatalf("after taking over: %+v", b.Open)
	}
	if !strings.Contains(textOf(b.root), "DESK-K #1") || findButtonIn(b.root, "添加文字记录") == nil {
		t.Fatalf("the case taken over: %s", textOf(b.root))
	}
	shelltest.Shot(t, dB.win, "handover-taken")
	if _, err := devB.Log.AddNote(ctx, id, second, "继续调查"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Round(ctx, devB, nil); err != nil {
		t.Fatal(err)
	}
	if holder, _, err := s.HeldCase(ctx, id); err != nil || holder != "DESK-L" {
		t.Fatalf("the platform has the case on %q: %v", holder, err)
	}
	b.ShowList()
	if strings.Contains(textOf(b.root), "移交给您的案件") {
		t.Fatal("the handover is still offered after the takeover")
	}
}
