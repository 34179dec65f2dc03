package officer

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// With the computer's clock set back behind the case file's last record,
// the officer's record is refused and the form says why, in Chinese
// first: by how much the clock is behind, and to set it right. Once the
// clock is right, the same form saves. (SANXIANG_SHOTS: clock-behind.png)
func TestClockBehindShownOnScreen(t *testing.T) {
	d, l := signedInWithCases(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.Local)
	l.SetClock(func() time.Time { return clock })
	id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1",
		ItemName: "食品经营许可事项检查", Party: casefile.Party{Kind: "org", Name: "青禾市某某餐饮有限公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001"}}})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := l.Records(ctx, id)

	// The clock goes back 3 hours 10 minutes (a dead CMOS battery, a
	// wrong time zone, or on purpose).
	clock = clock.Add(-(3*time.Hour + 10*time.Minute))
	c := d.Cases
	c.ShowCase(id)
	test.Tap(findButton(t, c, "添加文字记录"))
	test.Type(c.Form.Note, "现场检查：后厨地面有积水，已责令整改。")
	c.Form.Submit()
	msg := c.Form.Message.Text
	for _, want := range []string{"本机时钟比本设备最后一条记录的时间慢了3小时10分钟", "校正"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("the form says %q, want it to say %q", msg, want)
		}
	}
	relayout(d.win.Canvas().Overlays().Top())
	shelltest.Shot(t, d.win, "clock-behind")
	if after, _ := l.Records(ctx, id); len(after) != len(before) {
		t.Fatalf("a record was appended with the clock behind: %d → %d", len(before), len(after))
	}

	// The clock put right, the same form saves.
	clock = time.Date(2026, 3, 2, 10, 5, 0, 0, time.Local)
	c.Form.Submit()
	if after, _ := l.Records(ctx, id); len(after) != len(before)+1 {
		t.Fatalf("with the clock right the note was not saved: %q", c.Form.Message.Text)
	}
}

// relayout lays a dialog out again for its contents' new sizes, as the
// desktop driver does every frame (EnsureMinSize) and the test canvas
// does not: a wrapped message taller than the one before takes its room.
func relayout(o fyne.CanvasObject) {
	if w, ok := o.(fyne.Widget); ok {
		for _, c := range test.WidgetRenderer(w).Objects() {
			relayout(c)
		}
	}
	if c, ok := o.(*fyne.Container); ok {
		c.Refresh()
		for _, x := range c.Objects {
			relayout(x)
		}
	}
}
