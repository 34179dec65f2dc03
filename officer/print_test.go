package officer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/app/shell/winui"
	"github.com/sanxiang-desk/sanxiang/internal/scantest"
)

// openPenaltyCase opens a penalty case on a desk whose window is the size
// of the officer's screen, and shows it.
func openPenaltyCase(t *testing.T) (*Desk, *casefile.Log, string) {
	t.Helper()
	d, l := signedInWithCases(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	id, err := l.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1",
		ItemName: "对虚假广告的处罚", Party: casefile.Party{Kind: "org", Name: "青禾市某某广告有限公司", IDNo: "91990102MA0000009K", Address: "明湖区政和路9号"},
		Place: "明湖区政和路9号", Summary: "群众举报当事人在店门口悬挂“全市最低价”横幅。",
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}, {CertNo: "990101000002", Name: "乙"}}})
	if err != nil {
		t.Fatal(err)
	}
	d.Cases.ShowCase(id)
	return d, l, id
}

// The 制作文书 preview shows the whole form as it prints from the moment
// the dialog opens, with blanks where fields are empty; no laid-out line
// begins with closing punctuation.
func TestDocumentPreviewShowsBlanks(t *testing.T) {
	d, _, _ := openPenaltyCase(t)
	c := d.Cases
	test.Tap(findButton(t, c, "制作文书"))
	f := c.Doc()
	if f.chosen == nil || len(f.Preview.Objects) == 0 {
		t.Fatalf("no preview when the dialog opens: %v, %d pages", f.chosen, len(f.Preview.Objects))
	}
	// 立案审批表: the table is there with its labels; the case is not
	// registered yet, so the approval box and the approver's line are
	// left for the head's hand, with no opinion printed for them.
	if f.Draft.Title != "立案审批表" || !strings.Contains(f.Draft.Text, "案件来源：群众举报") || strings.Contains(f.Draft.Text, "同意立案") {
		t.Fatalf("first draft: %q", f.Draft.Text)
	}
	approval := f.Draft.Rows[len(f.Draft.Rows)-2][0]
	if approval.Label != "审批意见" || approval.Value != "" || strings.Trim(approval.Sign, "　年月日") != "审批人（签名）：" {
		t.Fatalf("the approval box before registration: %+v", approval)
	}
	if f.Draft.DocNo == "" || !strings.HasPrefix(f.Draft.DocNo, "青市监立〔") {
		t.Fatalf("文号 %q", f.Draft.DocNo)
	}
	shelltest.Shot(t, d.win, "docform_empty_register")
	f.Template.SetSelected("行政处罚事先告知书")
	if !strings.Contains(f.Draft.Text, document.Blank) || strings.Contains(f.Draft.Text, "请填写全部项目") {
		t.Fatalf("empty notice is not shown with blanks: %q", f.Draft.Text)
	}
	for _, want := range []string{"青禾市某某广告有限公司：", "《中华人民共和国行政处罚法》第四十四条", "青禾市市场监督管理局"} {
		if !strings.Contains(f.Draft.Text, want) {
			t.Errorf("empty notice lacks %q", want)
		}
	}
	shelltest.Shot(t, d.win, "docform_empty_notice")
	f.Inputs["facts"].SetText("当事人于2026年10月1日起在店门口悬挂“全市最低价，假一赔十”横幅，不能提供价格比较依据。")
	f.Inputs["basis"].SetText("《中华人民共和国广告法》第二十八条")
	f.Inputs["proposed"].SetText("罚款人民币二万元")
	if strings.Contains(f.Draft.Text, document.Blank) || !strings.Contains(f.Draft.Text, "罚款人民币二万元") {
		t.Fatalf("filled notice: %q", f.Draft.Text)
	}
	for i, pg := range document.Lines(f.Draft) {
		for _, s := range pg {
			if s != "" && strings.ContainsRune("，。、；：？！）》」』】〕”’", []rune(s)[0]) {
				t.Errorf("page %d: a line begins with %q", i+1, s)
			}
		}
	}
	shelltest.Shot(t, d.win, "docform_filled_notice")

	// 法制审核意见书 prints a signed opinion: none yet, so it is refused in words.
	f.Template.SetSelected("法制审核意见书")
	f.Save()
	if !strings.Contains(f.Message.Text, "本案还没有签署的法制审核意见") {
		t.Fatalf("a review opinion without an opinion: %q", f.Message.Text)
	}
	shelltest.Shot(t, d.win, "docform_no_opinion")
}

// registerCase records the register stage of the open case as approved by
// the head, and shows the case again.
func registerCase(t *testing.T, d *Desk, l *casefile.Log, id string) {
	t.Helper()
	if _, err := l.AddStage(context.Background(), id, "990101000001", casefile.StageBody{Stage: "register", Approver: "张明远", Note: "准予立案，交执法一队调查。"}); err != nil {
		t.Fatal(err)
	}
	d.Cases.ShowCase(id)
}

// Printing a recorded document shows it as it prints, saves it into the
// folder chosen under the case number and the document's name, never over
// another file, and says where it saved; a folder that is not there is
// refused in words.
func TestPrintPreviewSavesAndConfirms(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	docs := filepath.Join(home, "文档")
	os.Mkdir(docs, 0o755)
	d, l, id := openPenaltyCase(t)
	c := d.Cases
	registerCase(t, d, l, id)
	test.Tap(findButton(t, c, "制作文书"))
	f := c.Doc()
	f.Save()
	recs, _ := l.Records(context.Background(), id)
	if len(recs) != 3 || recs[2].Kind != casefile.KindDocument {
		t.Fatalf("document not recorded: %q", f.Message.Text)
	}
	// The form prints the approval as the register record has it.
	if body := string(recs[2].Body); !strings.Contains(body, "准予立案，交执法一队调查。") || !strings.Contains(body, "审批人（签名）：张明远") {
		t.Fatalf("the recorded 立案审批表 does not carry the recorded approval: %s", body)
	}
	test.Tap(findButton(t, c, "打印（PDF）"))
	p := c.Printing()
	if p == nil || len(p.Pages) != 1 {
		t.Fatalf("no print preview: %+v", p)
	}
	if want := id + "_立案审批表.pdf"; p.Name.Text != want {
		t.Errorf("file name %q, want %q", p.Name.Text, want)
	}
	if p.Folder.Text != docs || !strings.HasPrefix(p.Places.Selected, "文档") {
		t.Errorf("folder %q (%q), want the documents folder %s", p.Folder.Text, p.Places.Selected, docs)
	}
	shelltest.Shot(t, d.win, "print_preview")
	// A folder that is not there.
	p.Folder.SetText(filepath.Join(home, "没有"))
	test.Tap(p.SaveButton)
	if p.Saved != "" || !strings.Contains(p.Message.Text, "找不到文件夹") {
		t.Fatalf("missing folder: saved %q, %q", p.Saved, p.Message.Text)
	}
	p.Places.SetSelected(p.Places.Options[0])
	test.Tap(p.SaveButton)
	want := filepath.Join(docs, id+"_立案审批表.pdf")
	if p.Saved != want {
		t.Fatalf("saved at %q, want %q (%q)", p.Saved, want, p.Message.Text)
	}
	pdf, err := os.ReadFile(want)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("saved file: %v", err)
	}
	if !strings.Contains(p.Confirmation, want) || !strings.Contains(p.Confirmation, "已保存") {
		t.Errorf("confirmation %q", p.Confirmation)
	}
	if !hasText(d.win.Canvas().Overlays().Top(), want) {
		t.Errorf("the confirmation on screen does not say where: %q", textOf(d.win.Canvas().Overlays().Top()))
	}
	shelltest.Shot(t, d.win, "print_saved")
	// Printing again never overwrites the first copy.
	test.Tap(findButton(t, c, "打印（PDF）"))
	p2 := c.Printing()
	test.Tap(p2.SaveButton)
	if p2.Saved != filepath.Join(docs, id+"_立案审批表（2）.pdf") {
		t.Fatalf("second copy at %q", p2.Saved)
	}
	if again, _ := os.ReadFile(want); !bytes.Equal(again, pdf) {
		t.Error("the first copy was overwritten")
	}
}

// Exporting the case uses the same Chinese save form and says where the
// bundle went.
func TestExportSavesWhereChosen(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	d, _, id := openPenaltyCase(t)
	c := d.Cases
	test.Tap(findButton(t, c, "导出案卷"))
	p := c.Printing()
	if p == nil || p.Folder.Text != home || p.Name.Text != id+"_案卷包.zip" {
		t.Fatalf("export form: %+v", p)
	}
	shelltest.Shot(t, d.win, "export_form")
	test.Tap(p.SaveButton)
	if p.Saved != filepath.Join(home, id+"_案卷包.zip") || !strings.Contains(p.Confirmation, p.Saved) {
		t.Fatalf("export saved %q: %q %q", p.Saved, p.Confirmation, p.Message.Text)
	}
	if st, err := os.Stat(p.Saved); err != nil || st.Size() == 0 {
		t.Fatalf("bundle file: %v", err)
	}
}

func TestFileNameRule(t *testing.T) {
	for _, tc := range [][4]string{
		{"DESK-1-20261205-0001", "立案审批表", ".pdf", "DESK-1-20261205-0001_立案审批表.pdf"},
		{"DESK-1-20261205-0001", "送达回证/副本", ".pdf", "DESK-1-20261205-0001_送达回证_副本.pdf"},
		{"", "询问笔录", ".pdf", "询问笔录.pdf"},
	} {
		if got := document.FileName(tc[0], tc[1], tc[2]); got != tc[3] {
			t.Errorf("FileName(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[3])
		}
	}
}

// On Windows the print preview has 打印… beside 保存: it hands the
// Windows print dialog the document's title and its pages drawn at the
// resolution asked; cancelling does nothing, a missing printer or a
// failure is said in Chinese on the form, and a job sent is confirmed.
// Elsewhere there is no such button.
func TestPrintButtonSendsTheDocumentToThePrinter(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	d, l, id := openPenaltyCase(t)
	c := d.Cases
	registerCase(t, d, l, id)
	test.Tap(findButton(t, c, "制作文书"))
	f := c.Doc()
	f.Save()
	recs, _ := l.Records(context.Background(), id)
	if len(recs) != 3 {
		t.Fatalf("document not recorded: %q", f.Message.Text)
	}
	chk, err := document.CheckOf(context.Background(), l, id, recs[2].Seq, d.cfg.PlatformURL)
	if err != nil {
		t.Fatal(err)
	}
	wantQR := chk.URL()
	if !strings.HasPrefix(wantQR, d.cfg.PlatformURL+"/v/") {
		t.Fatalf("check URL %q is not on the desk's platform %s", wantQR, d.cfg.PlatformURL)
	}
	test.Tap(findButton(t, c, "打印（PDF）"))
	if p := c.Printing(); p == nil || p.PrintButton != nil {
		t.Fatalf("a print button where there is no Windows print dialog: %+v", p)
	}
	c.Printing().dialog.Hide()

	defer func(can bool, pp func(string, func(int) ([]image.Image, error), fyne.Window) (bool, error)) {
		canPrint, printPages = can, pp
	}(canPrint, printPages)
	canPrint = true
	var asked []string
	answer := func(printed bool, err error) {
		printPages = func(title string, render func(int) ([]image.Image, error), parent fyne.Window) (bool, error) {
			pages, rerr := render(150)
			if rerr != nil {
				t.Fatal(rerr)
			}
			b := pages[0].Bounds()
			// The printer gets the record's 扫码验真 code, as the PDF has it.
			if got := readMark(t, pages[0]); got != wantQR {
				t.Errorf("the printed page's QR code opens %q, want %q", got, wantQR)
			}
			asked = append(asked, fmt.Sprintf("%s %d %dx%d %v", title, len(pages), b.Dx(), b.Dy(), parent == d.win))
			return printed, err
		}
	}
	test.Tap(findButton(t, c, "打印（PDF）"))
	p := c.Printing()
	if p.PrintButton == nil || p.PrintButton.Text != "打印…" {
		t.Fatalf("no 打印… button: %+v", p.PrintButton)
	}
	shelltest.Shot(t, d.win, "print_preview_windows")

	answer(false, nil) // cancelled
	test.Tap(p.PrintButton)
	if p.Printed || p.Message.Text != "" || p.Confirmation != "" {
		t.Fatalf("cancelling did something: %v %q %q", p.Printed, p.Message.Text, p.Confirmation)
	}
	// An A4 page at 150 dpi is 1240×1754 pixels, drawn for the printer.
	if len(asked) != 1 || asked[0] != "立案审批表 1 1240x1754 true" {
		t.Fatalf("the print dialog was given %q", asked)
	}

	answer(false, fmt.Errorf("print 立案审批表: PrintDlgW: %w", winui.ErrNoPrinter))
	test.Tap(p.PrintButton)
	if p.Printed || !strings.Contains(p.Message.Text, "还没有安装打印机") {
		t.Fatalf("no printer: %q", p.Message.Text)
	}
	answer(false, errors.New("print 立案审批表: StartDocW: access denied"))
	test.Tap(p.PrintButton)
	if p.Printed || !strings.HasPrefix(p.Message.Text, "未能打印：") {
		t.Fatalf("failure: %q", p.Message.Text)
	}

	answer(true, nil)
	test.Tap(p.PrintButton)
	if !p.Printed || p.Message.Text != "" || !strings.Contains(p.Confirmation, "《立案审批表》已送往打印机") {
		t.Fatalf("printed: %v %q %q", p.Printed, p.Message.Text, p.Confirmation)
	}
	if !hasText(d.win.Canvas().Overlays().Top(), "已送往打印机") {
		t.Errorf("no confirmation on screen: %q", textOf(d.win.Canvas().Overlays().Top()))
	}
	if c.Printing() != p {
		t.Error("the form printed from is forgotten")
	}
}

// readMark decodes the 扫码验真 code in a printed page's corner.
func readMark(t *testing.T, page image.Image) string {
	t.Helper()
	got, err := scantest.ReadQR(page, document.MarkBounds(page.Bounds()))
	if err != nil {
		t.Fatalf("the printed page's QR code does not decode: %v", err)
	}
	return got
}
