package kiosk

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// homeTile is the home screen's tile named name.
func homeTile(t *testing.T, k *Kiosk, name string) *widget.Button {
	t.Helper()
	for _, tile := range k.Tiles {
		if tile.Name == name {
			return tile.Button
		}
	}
	t.Fatalf("the home screen has no %q tile", name)
	return nil
}

// 执法流程 from home: the list of charts, the penalty chart drawn with
// its stages, zoomed and dragged by touch, then back; a guide's detail
// opens its act's chart.
func TestKioskFlowchartFromHome(t *testing.T) {
	k := newTestKiosk(t)
	w := test.NewTempWindow(t, k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	k.ShowHome()
	test.Tap(homeTile(t, k, "执法流程"))
	if len(k.FlowList) < 9 || k.FlowList[0].Title != "行政处罚（普通程序）" || k.FlowList[len(k.FlowList)-1].Title != "重大执法决定法制审核流程图" {
		t.Fatalf("the charts listed: %+v", k.FlowList)
	}
	shelltest.Shot(t, w, "flow-kiosk-list")
	test.Tap(k.FlowList[0].Button)
	v := k.Flow
	if v == nil || k.Title.Text != "行政处罚（普通程序）" {
		t.Fatalf("the penalty chart is not shown: %q", k.Title.Text)
	}
	words := v.Texts()
	for _, want := range []string{"立案", "调查取证", "告知", "陈述申辩", "听证", "法制审核", "决定", "送达", "结案", "须负责人批准", "《行政处罚决定书》"} {
		if !slices.Contains(words, want) {
			t.Errorf("the kiosk's chart lacks %q", want)
		}
	}
	shelltest.RequireBundledGlyphs(t, w.Canvas())
	shelltest.Shot(t, w, "flow-kiosk-chart")

	// Zoom: the drawing grows, within limits; a drag pans it.
	before := v.sheet.MinSize()
	test.Tap(v.ZoomIn)
	if v.Zoom != zoomStep || v.sheet.MinSize().Width <= before.Width {
		t.Fatalf("zoom in: zoom %v, size %v → %v", v.Zoom, before, v.sheet.MinSize())
	}
	for range 20 {
		test.Tap(v.ZoomIn)
	}
	if v.Zoom != zoomMax {
		t.Errorf("zoom went to %v, past %v", v.Zoom, zoomMax)
	}
	shelltest.Shot(t, w, "flow-kiosk-zoomed")
	at := v.Scroll.Offset
	test.Drag(w.Canvas(), fyne.NewPos(600, 400), -150, -200)
	if moved := v.Scroll.Offset; moved.X <= at.X || moved.Y <= at.Y {
		t.Errorf("a drag left and up did not pan the chart right and down: %v → %v", at, moved)
	}
	test.Drag(w.Canvas(), fyne.NewPos(600, 400), 100000, 100000)
	if v.Scroll.Offset != (fyne.Position{}) {
		t.Errorf("a long drag right and down passed the chart's corner: %v", v.Scroll.Offset)
	}
	test.Tap(v.Fit)
	if got := v.sheet.MinSize().Width; got > v.Scroll.Size().Width+1 || got < v.Scroll.Size().Width-1 {
		t.Errorf("fit width: the chart is %v wide in a view of %v", got, v.Scroll.Size().Width)
	}
	shelltest.Shot(t, w, "flow-kiosk-fit")

	// Back to the list, and the legal review's chart.
	test.Tap(k.Back)
	if k.Flow != nil || len(k.FlowList) == 0 {
		t.Fatal("back does not return to the list of charts")
	}
	test.Tap(k.FlowList[len(k.FlowList)-1].Button)
	if words := k.Flow.Texts(); !slices.Contains(words, "退回补充材料") || !slices.Contains(words, "提交法制审核") {
		t.Errorf("the review chart reads %q", words)
	}
	shelltest.Shot(t, w, "flow-kiosk-review")

	// A service guide's detail opens its act's chart.
	k.ShowList(catalog.KindGuide)
	k.List.Results.Select(0)
	g, ok := k.Detail.(*catalog.ServiceGuide)
	if !ok || k.GuideFlow == nil {
		t.Fatalf("the guide's detail has no chart button (%T)", k.Detail)
	}
	shelltest.Shot(t, w, "flow-kiosk-guide")
	test.Tap(k.GuideFlow)
	if k.Flow == nil || k.Flow.Chart.ID != string(g.Act) {
		t.Fatalf("the guide's button opened %v, want the chart of %s", k.Flow, g.Act)
	}
	test.Tap(k.Back)
	if k.Detail == nil || k.Detail.Key() != g.ID {
		t.Error("back from the guide's chart does not return to the guide")
	}
	if k.Flow != nil || k.FlowList != nil {
		t.Error("a chart is still named as in view on the guide's page")
	}
}
