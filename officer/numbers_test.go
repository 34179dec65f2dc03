package officer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Two cases written in turns on one device: each case's timeline numbers
// its records 1..n (the log's own sequence, shared by the device's cases,
// shown small beside), a correction and a review's evidence name records
// by those numbers, and a note saved through the form is said saved and
// scrolled into view.
func TestRecordNumbersPerCase(t *testing.T) {
	d, l := signedInWithCases(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	open := func(party string) string {
		id, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "I1",
			ItemName: "检查", Party: casefile.Party{Kind: "org", Name: party}, Officers: []casefile.Officer{{CertNo: "990101000001"}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a, b := open("甲公司"), open("乙公司")
	for i := range 12 {
		id := a
		if i%3 == 2 {
			id = b
		}
		if _, err := l.AddNote(ctx, id, "990101000001", fmt.Sprintf("记录%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	c := d.Cases
	for _, id := range []string{a, b} {
		c.ShowCase(id)
		if len(c.Cards) != len(c.Open.Records) {
			t.Fatalf("%s: %d cards for %d records", id, len(c.Cards), len(c.Open.Records))
		}
		for i, card := range c.Cards {
			text := textOf(card)
			r := c.Open.Records[i]
			if !strings.HasPrefix(text, fmt.Sprintf("第%d条　", i+1)) || !strings.Contains(text, fmt.Sprintf("本机日志 #%d", r.Seq)) {
				t.Fatalf("%s record %d (seq %d) shows %q", id, i+1, r.Seq, text)
			}
		}
	}
	// Case b's records are not b's 1..n in the log: numbering is the case's.
	if c.Open.Records[1].Seq == 1 {
		t.Fatal("the test should interleave the cases")
	}

	// A note through the form: said saved, numbered next, in view.
	c.ShowCase(a)
	n := len(c.Open.Records) + 1
	test.Tap(findButton(t, c, "添加文字记录"))
	test.Type(c.Form.Note, "补充询问记录")
	c.Form.Submit()
	if !c.Notice.Visible() || !strings.Contains(c.Notice.Text, fmt.Sprintf("已保存第%d条记录", n)) {
		t.Fatalf("after saving: %q", c.Notice.Text)
	}
	card := c.Cards[n-1]
	y := c.Timeline.Position().Y + card.Position().Y
	if off, h := c.Scroll.Offset.Y, c.Scroll.Size().Height; y < off || y+card.Size().Height > off+h+1 || off == 0 {
		t.Fatalf("the new record at %v–%v is not in view %v–%v", y, y+card.Size().Height, off, off+h)
	}

	// A correction names the record by its number in the case.
	second := c.Open.Records[1]
	c.ShowCorrectionForm(second.Seq)
	if !hasText(d.win.Canvas().Overlays().Top(), "所更正的第2条记录") {
		t.Fatalf("correction dialog: %q", textOf(d.win.Canvas().Overlays().Top()))
	}
	test.Type(c.Form.HearingOn, "笔误")
	test.Type(c.Form.Note, "记录0（更正）")
	c.Form.Submit()
	if !strings.Contains(textOf(c.Cards[1]), "此记录已由第"+fmt.Sprint(n+1)+"条更正") || !strings.Contains(textOf(c.Cards[n]), "更正 第2条") {
		t.Fatalf("correction shown as %q / %q", textOf(c.Cards[1]), textOf(c.Cards[n]))
	}

	// Evidence is given by these numbers and kept as the records' sequence.
	cal, _ := calendar.Parse(assets.Calendar)
	pols, _ := demo.Policies()
	cls, _ := review.Checklists()
	c.rev = &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal}
	cs, _ := l.Case(ctx, a)
	if refs, err := parseRefs(cs, "1, 第3条、5"); err != nil || len(refs) != 3 || refs[0] != cs.Records[0].Seq || refs[1] != cs.Records[2].Seq || refs[2] != cs.Records[4].Seq {
		t.Fatalf("refs %v %v", refs, err)
	}
	if _, err := parseRefs(cs, fmt.Sprint(len(cs.Records)+1)); err == nil {
		t.Fatal("a number past the case's last record was taken")
	}
	if got := refsText(cs, []int64{cs.Records[2].Seq}); got != "第3条" {
		t.Fatalf("refs shown as %q", got)
	}
}
