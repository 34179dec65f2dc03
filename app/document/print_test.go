package document

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// filledInputs fills every field of a template with plausible text; the
// inquiry's questions and answers run long enough for a second page.
func filledInputs(t Template) map[string]string {
	in := map[string]string{
		"source": "群众举报", "approver": "张明远", "time": "2026年11月26日9时30分至10时45分", "present": "王某（店长）",
		"findings": "当事人经营场所门前悬挂横幅，内容为“全市最低价，假一赔十”，当事人未能提供价格比较依据；店内宣传单页标称产品“治疗失眠”，已拍照固定（照片3张）。",
		"person":   "王某，男，1985年3月生，身份证号码330104198503150011，系当事人店长",
		"facts":    "当事人于2026年10月1日至11月20日在其经营场所及微信公众号发布含有“国家级产品”“最高级”用语的广告。",
		"basis":    "《中华人民共和国广告法》第九条第三项", "proposed": "罚款人民币二万元",
		"decision": "罚款人民币二万元", "matter": "食品经营许可（新办）", "document": "行政处罚决定书（青市监罚〔2026〕12号）",
		"receiver": "青禾市某某广告有限公司", "amount": "人民币三千六百元",
		"handling": "立即在经营场所显著位置公示食品经营许可证。", "hearing_time": "2026年12月8日上午9时30分",
		"hearing_place": "青禾市市场监督管理局三楼听证室", "host": "孙立（法制科）", "clerk": "何静",
		"reason": "当事人涉嫌发布虚假广告，有关宣传单页可能被转移", "notice_no": "青市监保〔2026〕12号",
		"items":       "宣传单页｜A4彩印｜1500张｜店内柜台\n横幅｜3米×0.8米｜1条｜门前悬挂\n广告灯箱｜LED 60×90厘米｜1个｜电源已断开",
		"decision_no": "青市监强〔2026〕12号", "obligation": "缴纳罚款人民币二万元", "comply_by": "2026年12月20日",
		"method": "到指定银行或者通过电子支付系统缴纳", "manner": "划拨存款", "deadline": "2027年1月15日",
		"things": "宣传单页1500张、横幅1条", "pay_by": "2026年12月31日",
		"preserved_on": "2026年11月20日", "seized_on": "2026年11月21日", "reminded_on": "2026年11月22日",
	}
	if t.ID == "inquiry_record" {
		var qa []string
		qa = append(qa, "问：我们是青禾市市场监督管理局的执法人员，现依法向你了解有关情况，你应当如实回答。你听清楚了吗？", "答：听清楚了。")
		for i := 0; i < 14; i++ {
			qa = append(qa, "问：请你说明宣传单页的印制数量、发放时间和发放范围，以及单页上“治疗失眠”的说法从何而来？",
				"答：单页是2026年10月在明湖区政和路印刷店印制的，共印了2000份，在店门口发放，说法是厂家业务员提供的，我们没有核实。")
		}
		in["qa"] = strings.Join(qa, "\n")
	}
	out := map[string]string{}
	for _, f := range t.Fields {
		if v, ok := in[f.Key]; ok {
			out[f.Key] = v
		}
	}
	return out
}

func pdfPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page "))
}

// Every template prints as its model: the agency's name, the title, the 文号
// where the model has one, the table cells, signature lines and seal box,
// and "第 i 页 共 n 页" on every page; no line begins with closing
// punctuation. With SANXIANG_SHOTS set, each page is also written as PNG
// (pdftoppm -r 80 when installed, else the preview image) to be looked at.
func TestEveryTemplatePrintsAsItsModel(t *testing.T) {
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	l, id := testCase(t)
	c, _ := l.Case(context.Background(), id)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	shots := os.Getenv("SANXIANG_SHOTS")
	for _, tpl := range ts {
		d, err := Fill(tpl, c, "青禾市市场监督管理局", filledInputs(tpl), now)
		if err != nil {
			t.Fatalf("%s: %v", tpl.ID, err)
		}
		pdf, err := PDF(d)
		if err != nil {
			t.Fatalf("%s: %v", tpl.ID, err)
		}
		lines := Lines(d)
		if n := pdfPages(pdf); n != len(lines) || n < 1 {
			t.Errorf("%s: the PDF has %d pages, the layout %d", tpl.ID, n, len(lines))
		}
		if tpl.ID == "inquiry_record" && len(lines) < 2 {
			t.Errorf("a long inquiry record fits on %d page", len(lines))
		}
		all := strings.Join(lines[0], "\n")
		for _, want := range []string{"青禾市市场监督管理局", tpl.Title, "第 1 页　共"} {
			if !strings.Contains(all, want) {
				t.Errorf("%s: page 1 lacks %q:\n%s", tpl.ID, want, all)
			}
		}
		if tpl.Code != "" && (d.DocNo == "" || !strings.Contains(all, d.DocNo)) {
			t.Errorf("%s: no 文号 %q on page 1", tpl.ID, d.DocNo)
		}
		if len(tpl.Rows) > 0 && !strings.Contains(all, squeeze(tpl.Rows[0][0].Label)[:3]) {
			t.Errorf("%s: the table's first label is not printed", tpl.ID)
		}
		if tpl.Seal && !strings.Contains(strings.Join(lines[len(lines)-1], "\n"), "（印章）") {
			t.Errorf("%s: no seal box", tpl.ID)
		}
		for i, pg := range lines {
			for _, s := range pg {
				if isClosing(s) {
					t.Errorf("%s page %d: a line begins with closing punctuation: %q", tpl.ID, i+1, s)
				}
			}
			if tpl.PageSign != "" && !strings.Contains(strings.Join(pg, "\n"), tpl.PageSign) {
				t.Errorf("%s page %d: no %s", tpl.ID, i+1, tpl.PageSign)
			}
		}
		// The text in the PDF itself, where poppler is installed (./dev
		// test installs it and requires it).
		_, err = exec.LookPath("pdftotext")
		if err != nil && os.Getenv("SANXIANG_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
		}
		if err == nil {
			f := filepath.Join(t.TempDir(), "d.pdf")
			os.WriteFile(f, pdf, 0o644)
			out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := strings.ReplaceAll(string(out), " ", "")
			for _, want := range []string{tpl.Title, "青禾市市场监督管理局", "第1页"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the PDF's text lacks %q:\n%s", tpl.ID, want, out)
				}
			}
		}
		if shots != "" {
			writeShots(t, shots, tpl.ID, d, pdf)
		}
	}
}

func writeShots(t *testing.T, dir, name string, d Doc, pdf []byte) {
	os.MkdirAll(dir, 0o755)
	f := filepath.Join(dir, "doc_"+name+".pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil {
		if out, err := exec.Command("pdftoppm", "-png", "-r", "80", f, filepath.Join(dir, "doc_"+name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
	imgs, err := Images(d, 80)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range imgs {
		var b bytes.Buffer
		png.Encode(&b, img)
		os.WriteFile(filepath.Join(dir, "preview_"+name+"-"+string(rune('1'+i))+".png"), b.Bytes(), 0o644)
	}
}

// A line never begins with closing punctuation, nor ends with opening
// punctuation, whatever the width; numbers are not split.
func TestWrapKeepsPunctuationOffLineStarts(t *testing.T) {
	text := "以上事实违反了《中华人民共和国广告法》第二十八条的规定，当事人于2026-11-30发布广告（见照片）。”"
	for w := 30.0; w <= 160; w += 0.7 { // the date alone is 23 mm wide
		lines := wrap(text, w, sizeText, 0)
		if strings.Join(lines, "") != text {
			t.Fatalf("width %.1f: text changed: %q", w, lines)
		}
		for i, s := range lines {
			if isClosing(s) {
				t.Fatalf("width %.1f: line %d begins with closing punctuation: %q", w, i, lines)
			}
			if i < len(lines)-1 && isOpening(s) {
				t.Fatalf("width %.1f: line %d ends with opening punctuation: %q", w, i, lines)
			}
			if strings.HasSuffix(s, "2026-") || strings.HasPrefix(s, "11-30") {
				t.Fatalf("width %.1f: a date split: %q", w, lines)
			}
		}
	}
}

func TestDocNumbers(t *testing.T) {
	for _, tc := range [][2]string{
		{"青禾市市场监督管理局", "青市监"}, {"青禾市明湖区市场监督管理局", "青明市监"}, {"青禾市城市管理局", "青城管"},
		{"青禾市交通运输局", "青交执"}, {"青禾市自然资源和规划局", "青自然资"}, {"青禾市白沙县市场监督管理局", "青白市监"},
	} {
		if got := AgencyCode(tc[0]); got != tc[1] {
			t.Errorf("AgencyCode(%s) = %q, want %q", tc[0], got, tc[1])
		}
	}
	if got := AutoDocNo("青禾市市场监督管理局", "立", 2026, "DESK-1-20261205-0012"); got != "青市监立〔2026〕12号" {
		t.Errorf("AutoDocNo = %q", got)
	}
	if got := AutoDocNo("青禾市市场监督管理局", "", 2026, "DESK-1-20261205-0012"); got != "" {
		t.Errorf("a 笔录 got a 文号 %q", got)
	}
}
