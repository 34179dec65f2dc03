package flowchart_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/flowchart"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// zh is the device's and the platform's Chinese words, read from the
// same file both read.
var zh = func() flowchart.Words {
	data, err := assets.Translations.ReadFile("translations/zh-Hans.json")
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		panic(err)
	}
	return func(key string, d map[string]any) string {
		v, ok := m[key]
		if !ok {
			return key
		}
		for k, x := range d {
			b, _ := json.Marshal(x)
			v = strings.ReplaceAll(v, "{{."+k+"}}", strings.Trim(string(b), `"`))
		}
		return v
	}
}()

func penalty(t *testing.T) casefile.Procedure {
	t.Helper()
	p, ok := casefile.National().Get("", "penalty")
	if !ok {
		t.Fatal("no national penalty procedure")
	}
	return p
}

// texts are the words an SVG shows, in document order.
func texts(t *testing.T, svg []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	in := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			in = v.Name.Local == "text"
		case xml.EndElement:
			in = false
		case xml.CharData:
			if in {
				out = append(out, string(v))
			}
		}
	}
}

func TestChangedProcedureChangesChart(t *testing.T) {
	p := penalty(t)
	c, err := flowchart.Procedure(p, "", zh)
	if err != nil {
		t.Fatal(err)
	}
	before := c.SVG()
	again, err := flowchart.Procedure(p, "", zh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, again.SVG()) {
		t.Fatal("the same procedure gave two different SVGs")
	}
	words := texts(t, before)
	for _, want := range []string{"立案", "调查取证", "告知", "听证", "法制审核", "决定", "送达", "结案",
		"须负责人批准", "全程音像记录", "《行政处罚决定书》", "90日", "5个工作日"} {
		if !slices.Contains(words, want) && !slices.ContainsFunc(words, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("the penalty chart lacks %q; it shows %q", want, words)
		}
	}
	if slices.Contains(words, "延长期限") {
		t.Fatal("the national penalty chart shows an extension stage it does not have")
	}

	// An agency adds a stage (an extension, approved by the head) and
	// shortens the decision's clock to 60 days.
	q := p
	q.Agency, q.Version = "01", 2
	q.Stages = append(slices.Clone(p.Stages[:len(p.Stages)-1]),
		casefile.Stage{Key: "extend", Approval: true, Optional: true, Requires: []string{"register"}, Documents: []string{"extension_approval"}},
		p.Stages[len(p.Stages)-1])
	q.Clocks = slices.Clone(p.Clocks)
	q.Clocks[0].Days = 60
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	c2, err := flowchart.Procedure(q, "市场监管局", zh)
	if err != nil {
		t.Fatal(err)
	}
	after := c2.SVG()
	words2 := texts(t, after)
	has := func(ws []string, s string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(w, s) })
	}
	if !has(words2, "延长期限") || !has(words2, "《延长行政许可期限审批表》") {
		t.Errorf("the changed chart lacks the added stage and its document: %q", words2)
	}
	if !has(words2, "60日") || has(words2, "90日") || !has(words2, "自立案起至决定（作出处罚决定）") {
		t.Errorf("the changed clock shows wrongly: %q", words2)
	}
	if !has(words2, "市场监管局自定程序（第2版）") {
		t.Errorf("the agency's version is not named: %q", words2)
	}
	if bytes.Equal(before, after) {
		t.Fatal("a changed procedure gave the same chart")
	}
	// Requirements in a circle cannot be ranked: refused, not looped on.
	r := p
	r.Stages = slices.Clone(p.Stages)
	r.Stages[0] = casefile.Stage{Key: "register", Requires: []string{"close"}, Approval: true}
	if _, err := flowchart.Procedure(r, "", zh); !errors.Is(err, flowchart.ErrCycle) {
		t.Fatalf("a cycle of prerequisites: %v, want ErrCycle", err)
	}
}

// Every bundled procedure charts, its boxes do not overlap, and every
// arrow starts and ends on a box.
func TestEveryNationalProcedureCharts(t *testing.T) {
	list, err := casefile.ParseProcedures(assets.Procedures)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		c, err := flowchart.Procedure(p, "", zh)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		for i, a := range c.Nodes {
			for _, b := range c.Nodes[i+1:] {
				if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
					t.Errorf("%s: boxes %s and %s overlap", p.ID, a.ID, b.ID)
				}
			}
			if a.X < 0 || a.Y < 0 || a.X+a.W > c.W || a.Y+a.H > c.H {
				t.Errorf("%s: box %s is outside the drawing", p.ID, a.ID)
			}
		}
		if len(c.Nodes) != len(p.Stages) {
			t.Errorf("%s: %d boxes for %d stages", p.ID, len(c.Nodes), len(p.Stages))
		}
		words := texts(t, c.SVG())
		for _, s := range p.Stages {
			if name := zh("stage."+s.Key, nil); !slices.Contains(words, name) {
				t.Errorf("%s: the chart lacks stage %s (%s)", p.ID, s.Key, name)
			}
		}
		if dir := os.Getenv("SANXIANG_FLOW_SVG"); dir != "" {
			os.WriteFile(filepath.Join(dir, p.ID+".svg"), c.SVG(), 0o644)
		}
	}
}

// The legal review's chart follows the agency's policy: its checklist's
// points, its list of major decisions, its working days.
func TestReviewChartFollowsPolicy(t *testing.T) {
	cls, err := review.Checklists()
	if err != nil {
		t.Fatal(err)
	}
	c, err := flowchart.Review(review.Policy{}, cls, "", zh)
	if err != nil {
		t.Fatal(err)
	}
	words := texts(t, c.SVG())
	for _, want := range []string{"重大执法决定法制审核流程图", "提交法制审核", "法制审核机构逐项审核", "同意", "退回补充材料", "不同意",
		"记录协调决策", "决定", "5个工作日", "1. 行政执法主体是否合法"} {
		if !slices.ContainsFunc(words, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("the review chart lacks %q: %q", want, words)
		}
	}
	pol := review.Policy{Agency: "01", ReviewDays: 7, Checklist: "national8",
		ExtraPoints: []review.Point{{Key: "x", Text: "是否听取当事人陈述申辩"}},
		Rules:       []review.Rule{{ID: "r1", Text: "对个人罚款一万元以上", FinePerson: 10000}}}
	c2, err := flowchart.Review(pol, cls, "市场监管局", zh)
	if err != nil {
		t.Fatal(err)
	}
	words2 := texts(t, c2.SVG())
	for _, want := range []string{"7个工作日", "对个人罚款一万元以上", "9. 是否听取当事人陈述申辩", "共9项"} {
		if !slices.ContainsFunc(words2, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("the agency's review chart lacks %q: %q", want, words2)
		}
	}
	if dir := os.Getenv("SANXIANG_FLOW_SVG"); dir != "" {
		os.WriteFile(filepath.Join(dir, "review.svg"), c2.SVG(), 0o644)
	}
}

// The printed chart reads back with its stages and clocks (pdftotext,
// from poppler-utils, as the documents' print test reads them).
func TestChartPDFReadsBack(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
	}
	c, err := flowchart.Procedure(penalty(t), "", zh)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := c.PDF("本图依据本部门执法程序生成")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "penalty.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{"行政处罚（普通程序）", "立案", "调查取证", "法制审核", "听证", "送达", "结案", "须负责人批准", "《行政处罚决定书》", "90日", "本图依据本部门执法程序生成"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed chart lacks %q:\n%s", want, out)
		}
	}
}

// Any procedure the rules accept charts without panicking: an error for
// prerequisites in a circle, else a well-formed SVG whose boxes lie inside
// the drawing. Seeded with the bundled procedures.
func FuzzProcedureChart(f *testing.F) {
	list, err := casefile.ParseProcedures(assets.Procedures)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range list {
		data, _ := json.Marshal(p)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p casefile.Procedure
		if json.Unmarshal(data, &p) != nil || p.Validate() != nil || len(p.Stages) > 60 {
			return
		}
		c, err := flowchart.Procedure(p, "", zh)
		if err != nil {
			if !errors.Is(err, flowchart.ErrCycle) {
				t.Fatalf("a valid procedure did not chart: %v", err)
			}
			return
		}
		texts(t, c.SVG())
		for _, n := range c.Nodes {
			if n.X < 0 || n.Y < 0 || n.X+n.W > c.W || n.Y+n.H > c.H {
				t.Fatalf("box %s lies outside the drawing", n.ID)
			}
		}
	})
}
