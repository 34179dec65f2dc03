package officer

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// selectTab shows the tab titled title of the desk's tabs.
func selectTab(t *testing.T, d *Desk, title string) {
	t.Helper()
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *container.AppTabs:
			for i, it := range v.Items {
				if it.Text == title {
					v.SelectIndex(i)
					return true
				}
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	if !walk(d.Content()) {
		t.Fatalf("no tab %q", title)
	}
}

// The desk's screens at 1280×800, for SANXIANG_SHOTS: the case list, a
// case's timeline, the recorder, the reviewer's form with errors and the
// certificate an officer shows.
func TestDeskScreens(t *testing.T) {
	d := newTestDesk(t)
	w := d.win
	w.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	l, rev := reviewLog(t, d, "SH")
	officerID, reviewerID := "990101000001", "990101000003"
	deskAs(t, d, l, rev, officerID)
	d.SetCapture(&Capture{OpenAudio: func() (*capture.Audio, error) { return capture.OpenAudio(true) }})
	id, err := l.OpenCase(ctx, officerID, casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "person", Name: "林小青", IDNo: "990102198805060012"},
		Place: "明湖区政和路1号", Summary: "群众举报其在店门口张贴虚假广告。",
		Officers: []casefile.Officer{{CertNo: officerID, Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddStage(ctx, id, officerID, casefile.StageBody{Stage: "register", Note: "立案", Approver: "李局长"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"询问当事人，当事人承认张贴广告。", "调取广告底稿一份。", "当事人提交书面陈述。"} {
		if _, err := l.AddNote(ctx, id, officerID, n); err != nil {
			t.Fatal(err)
		}
	}
	c := d.Cases
	c.ShowList()
	shelltest.Shot(t, w, "case-list")
	c.ShowCase(id)
	shelltest.Shot(t, w, "case-timeline")
	test.Tap(findButton(t, c, "添加文字记录"))
	test.Type(c.Form.Note, "补充：当事人提交营业执照复印件一份。")
	c.Form.Submit()
	if !c.Notice.Visible() {
		t.Fatalf("no notice after saving: %q", c.Form.Message.Text)
	}
	shelltest.Shot(t, w, "case-saved")
	c.ShowRecorder(true)
	shelltest.Shot(t, w, "recorder-video")
	c.recorder.dialog.Hide()
	c.ShowRecorder(false)
	shelltest.Shot(t, w, "recorder-audio")
	c.recorder.dialog.Hide()
	selectTab(t, d, "我的执法证")
	shelltest.Shot(t, w, "certificate")

	if _, err := rev.Submit(ctx, id, officerID, review.Submission{Proposal: review.Proposal{Fine: 200000, Text: "罚款人民币二十万元"},
		Facts: "发布虚假广告。", LegalBasis: "《中华人民共和国广告法》第五十五条"}); err != nil {
		t.Fatal(err)
	}
	deskAs(t, d, l, rev, reviewerID)
	q := d.Queue
	q.ShowReview(q.Items()[0])
	test.Type(q.Form.PIN, "123456")
	q.Form.Sign()
	shelltest.Shot(t, w, "review-errors")
}
