package officer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
)

// buttonsIn lists every button under o.
func buttonsIn(o fyne.CanvasObject) []*widget.Button {
	var out []*widget.Button
	shelltest.Walk(o, func(x fyne.CanvasObject) bool {
		if b, ok := x.(*widget.Button); ok {
			out = append(out, b)
			return false
		}
		return true
	})
	return out
}

// An officer archives a closed case from its page: no 归档 button before
// the case is closed; after 结案 the button opens a dialog that shows the
// default retention period (an inspection: 10 years) and why; confirmed,
// the bundle with the printed case file is in the archive folder and
// verifies, the page says 已归档 with the period, and every button that
// would write a record is disabled (or not there: corrections); export
// still works. Another case archived with a period the officer chose
// keeps it; an archive that cannot be written says so and leaves nothing.
func TestOfficerArchivesAClosedCase(t *testing.T) {
	d, l := signedInWithCases(t)
	w := d.win
	w.Resize(fyne.NewSize(1280, 800))
	ctx := context.Background()
	archive := filepath.Join(t.TempDir(), "archive")
	l.SetArchiveDir(archive)
	c := d.Cases
	me := d.Me.ID
	pair := []casefile.Officer{{CertNo: me, Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}
	open := func(party string) string {
		id, err := l.OpenCase(ctx, me, casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1", ItemName: "日常检查",
			Party: casefile.Party{Kind: "org", Name: party, IDNo: "91990101MA0000001X"}, Place: "明湖区政和路1号",
			Summary: "年度例行检查。", Officers: pair})
		if err != nil {
			t.Fatal(err)
		}
		casefiletest.WalkTo(t, l, id, me, pair, "close")
		return id
	}
	id := open("青禾市某某有限公司")
	c.ShowCase(id)
	if findButtonIn(c.root, "归档") != nil {
		t.Fatal("an open case offers 归档")
	}
	if _, err := l.AddStage(ctx, id, me, casefile.StageBody{Stage: "close", Note: "整改到位，结案"}); err != nil {
		t.Fatal(err)
	}
	c.ShowCase(id)
	shelltest.Shot(t, w, "archive-closed")
	test.Tap(findButton(t, c, "归档"))
	f := c.Archive
	if f == nil {
		t.Fatal("no archive dialog")
	}
	if f.Retention.Selected != "10年" || !f.Why.Visible() || !strings.Contains(f.Why.Text, "日常行政检查") {
		t.Fatalf("retention shown %q, why %q", f.Retention.Selected, f.Why.Text)
	}
	shelltest.Shot(t, w, "archive-confirm")
	test.Tap(f.OK)
	if f.Message.Text != "" {
		t.Fatalf("archive refused: %q", f.Message.Text)
	}

	// The bundle is there and verifies; the record names it.
	path := filepath.Join(archive, id+".zip")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, m, err := casefile.VerifyBundle(fh, st.Size(), l.Verifier); err != nil || len(m.Extra) != 1 || m.Extra[0] != bundle.CaseFileName {
		t.Fatalf("archived bundle: %v, extra %v", err, m.Extra)
	}
	cs, _ := l.Case(ctx, id)
	a, _, ok := casefile.ArchiveOf(cs)
	if !ok || a.Retention != casefile.Retention10 || a.File != id+".zip" {
		t.Fatalf("archive record %+v %v", a, ok)
	}

	// The page: archived, read-only.
	if !c.Notice.Visible() || !strings.Contains(c.Notice.Text, "已归档") {
		t.Fatalf("notice %q", c.Notice.Text)
	}
	if !hasText(c.root, "已归档") || !hasText(c.root, "保管期限：10年") {
		t.Fatal("the page does not say 已归档 with the retention period")
	}
	shelltest.Shot(t, w, "archive-done")
	writers := map[string]bool{"记录办理环节": true, "添加文字记录": true, "制作文书": true, "录音": true, "录像": true, "导入照片": true}
	seen := map[string]bool{}
	for _, b := range buttonsIn(c.root) {
		switch {
		case b.Text == "归档" || b.Text == "更正" || b.Text == "移交":
			t.Errorf("an archived case offers %q", b.Text)
		case writers[b.Text]:
			seen[b.Text] = true
			if !b.Disabled() {
				t.Errorf("%q is enabled on an archived case", b.Text)
			}
		}
	}
	for _, b := range []string{"记录办理环节", "添加文字记录", "制作文书"} {
		if !seen[b] {
			t.Errorf("no disabled %q on the archived case (seen %v)", b, seen)
		}
	}
	if b := findButton(t, c, "导出案卷"); b.Disabled() {
		t.Error("export is disabled on an archived case")
	}
	if _, err := l.AddNote(ctx, id, me, "归档后补记"); casefile.ErrorCode(err) != "archived" {
		t.Fatalf("a note after archiving: %v", err)
	}

	// Another case, kept permanently by the officer's choice.
	id2 := open("青禾市另一公司")
	if _, err := l.AddStage(ctx, id2, me, casefile.StageBody{Stage: "close"}); err != nil {
		t.Fatal(err)
	}
	c.ShowCase(id2)
	test.Tap(findButton(t, c, "归档"))
	c.Archive.Retention.SetSelected("永久")
	// First the folder cannot be written: said, and nothing left.
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, []byte("x"), 0o600)
	l.SetArchiveDir(filepath.Join(blocked, "archive"))
	test.Tap(c.Archive.OK)
	if !strings.Contains(c.Archive.Message.Text, "归档未完成") {
		t.Fatalf("a failed archive says %q", c.Archive.Message.Text)
	}
	if cs, _ := l.Case(ctx, id2); archivedCase(cs) {
		t.Fatal("a failed archive left a record")
	}
	l.SetArchiveDir(archive)
	test.Tap(c.Archive.OK)
	cs2, _ := l.Case(ctx, id2)
	var body casefile.Archive
	json.Unmarshal(cs2.Records[len(cs2.Records)-1].Body, &body)
	if body.Retention != casefile.RetentionPermanent {
		t.Fatalf("chosen permanent, archived %q", body.Retention)
	}
	if es, _ := os.ReadDir(archive); len(es) != 2 {
		t.Fatalf("archive folder holds %d files, want 2", len(es))
	}
}
