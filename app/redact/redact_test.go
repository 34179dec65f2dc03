package redact

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the corpus's .redacted.txt files from the current rules")

// The corpus of sample decisions in assets/redaction: each NN-name.txt
// redacts to NN-name.redacted.txt (read by a person before it was kept).
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../assets/redaction/*.txt")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".redacted.txt") {
			continue
		}
		n++
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got := Text(string(in))
		want := strings.TrimSuffix(f, ".txt") + ".redacted.txt"
		if *update {
			os.WriteFile(want, []byte(got), 0o644)
			continue
		}
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(w) {
			t.Errorf("%s:\n%s", filepath.Base(f), diff(string(w), got))
		}
		if leak := idLeft(got); leak != "" {
			t.Errorf("%s: identity number %s left", filepath.Base(f), leak)
		}
	}
	if n < 5 {
		t.Fatalf("only %d sample decisions", n)
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "- "+a, "+ "+b)
		}
	}
	return strings.Join(out, "\n")
}

func TestRules(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ID ending in X", "身份证号码：33010619780312451X。", "身份证号码：330106************。"},
		{"ID ending in lower-case x", "身份证33010619780312451x号", "身份证330106************号"},
		{"ID inside text without a label", "其身份证为330104199202150022的人员", "其身份证为330104************的人员"},
		{"full-width ID", "证号３３０１０４１９９２０２１５００２２", "证号３３０１０４************"},
		{"an ID with a wrong check digit is still masked", "号码330104199202150023，", "号码330104************，"},
		{"old 15-digit ID", "身份证号码：330104920215002", "身份证号码：330104*********"},
		{"USCC with letters stays", "统一社会信用代码：91330106MA2H3K7Q2J", "统一社会信用代码：91330106MA2H3K7Q2J"},
		{"all-digit USCC that is not an ID stays", "代码：91330100123456789K", "代码：91330100123456789K"},
		{"mobile", "手机13857124567", "手机138****4567"},
		{"numbers inside text: amounts, dates, case numbers stay", "罚款人民币100000元，2026年5月8日，青市监处罚〔2026〕12号，货值20260508元",
			"罚款人民币100000元，2026年5月8日，青市监处罚〔2026〕12号，货值20260508元"},
		{"short hotlines stay", "投诉举报电话：12315", "投诉举报电话：12315"},
		{"bank account", "账号：6222021202041234567", "账号：***************4567"},
		{"grouped bank card", "卡号 6217 0012 3456 7890 123", "卡号 **** **** **** ***0 123"},
		{"person: surname stays, everywhere", "当事人：张建国，男。张建国承认。", "当事人：张某某，男。张某某承认。"},
		{"compound surname", "法定代表人：欧阳明月，", "法定代表人：欧阳某某，"},
		{"two-character name", "当事人：李明，男", "当事人：李某，男"},
		{"a name that is also a word is masked as a name only",
			"当事人：李文明，女。李文明违法停放，影响文明城市创建。", "当事人：李某某，女。李某某违法停放，影响文明城市创建。"},
		{"a person's name inside an organisation's name stays in it",
			"当事人：高明，男。投诉人：青禾市高明电器销售有限公司。高明系店主。",
			"当事人：高某，男。投诉人：青禾市高明电器销售有限公司。高某系店主。"},
		{"organisation party stays", "当事人：青禾市东方化工有限公司，", "当事人：青禾市东方化工有限公司，"},
		{"officers' names and certificate numbers stay", "执法人员：王立新（执法证号990101000001）", "执法人员：王立新（执法证号990101000001）"},
		{"an already anonymous name stays", "法定代表人：周某，", "法定代表人：周某，"},
		{"a witness without a colon", "证人刘二狗称，刘二狗在此工作", "证人刘某某称，刘某某在此工作"},
		{"home address keeps the county", "当事人：张三，男，住址：浙江省青禾市明湖区翠苑街道文三路88号3幢。",
			"当事人：张某，男，住址：浙江省青禾市明湖区********。"},
		{"an organisation's registered address stays", "当事人：青禾市某某有限公司，住所：浙江省青禾市明湖区学院路56号",
			"当事人：青禾市某某有限公司，住所：浙江省青禾市明湖区学院路56号"},
		{"a person's plate", "当事人：李四，男，驾驶浙A·3K5E7号小型汽车", "当事人：李某，男，驾驶浙A*****7号小型汽车"},
		{"a company's plate stays", "当事人：青禾市运输有限公司，车辆浙B·88K21", "当事人：青禾市运输有限公司，车辆浙B·88K21"},
		{"a person's landline", "当事人：张三，男，电话：0571-8765432", "当事人：张某，男，电话：0571-***5432"},
		{"a telephone-like piece of a longer number does not save an identity number in it",
			"当事人：张三 00000-0000330104199202150022", "当事人：张某 00000-******************0022"},
		{"a landline with a country code", "当事人：张三，电话：+860571-87654321", "当事人：张某，电话：+860571-****4321"},
		{"a landline with a digit after it", "当事人：张三，电话0571-876543210", "当事人：张某，电话0571-****43210"},
		{"a full-width telephone after its label", "当事人：张三，电话：１２３４５６７", "当事人：张某，电话：***４５６７"},
		{"the agency's landline in a company's decision stays", "当事人：青禾市某某有限公司。联系电话：0571-86001234",
			"当事人：青禾市某某有限公司。联系电话：0571-86001234"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("\n in  %s\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestMaskByHand(t *testing.T) {
	r := Redact("当事人：张三，男，其子小虎在场。", Options{Extra: []string{"小虎", " "}})
	if r.Text != "当事人：张某，男，其子**在场。" {
		t.Fatalf("got %s", r.Text)
	}
	kinds := map[Kind]int{}
	for _, s := range r.Spans {
		kinds[s.Kind]++
	}
	if kinds[Name] != 1 || kinds[Manual] != 1 {
		t.Fatalf("spans %+v", r.Spans)
	}
}

// idLeft returns an identity number still in s, if any.
var idShape = regexp.MustCompile(`[0-9]{17}[0-9Xx]`)

func idLeft(s string) string {
	for _, m := range idShape.FindAllString(s, -1) {
		if IDValid(m) {
			return m
		}
	}
	// A valid ID may also overlap other matches: look at every offset.
	for i := 0; i+18 <= len(s); i++ {
		if IDValid(s[i : i+18]) {
			return s[i : i+18]
		}
	}
	return ""
}

// Redaction never panics and never leaves a valid 18-digit identity
// number behind, whatever the text.
func FuzzRedact(f *testing.F) {
	files, _ := filepath.Glob("../../assets/redaction/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, a := range readCorpus(f) {
		f.Add(a.original)
	}
	f.Add("33010619780312451X")
	f.Add("a330104199202150022b")
	f.Add("当事人：张三，身份证330104199202150022330104199202150022")
	f.Add("91330100123456789K330104199202150022")
	f.Fuzz(func(t *testing.T, s string) {
		got := Redact(s, Options{Extra: []string{"张"}})
		if leak := idLeft(got.Text); leak != "" {
			t.Fatalf("identity number %s left in %q (from %q)", leak, got.Text, s)
		}
	})
}

// Where rules overlap, a character any of them masks stays masked: the
// first rule keeping digits does not drop what the second masks.
func TestOverlapsMaskTheUnion(t *testing.T) {
	r := &redactor{s: "电话0000330104199202150022止"}
	at := len("电话")
	r.add(at, at+12, Phone, "0000****0419")
	r.add(at+4, at+22, IDCard, "330104************")
	r.add(0, len("电话"), Manual, "**")
	got := r.result()
	if want := "**0000****04************止"; got.Text != want {
		t.Fatalf("got  %s\nwant %s", got.Text, want)
	}
	if len(got.Spans) != 2 || got.Spans[1].Kind != Phone || got.Spans[1].Original != "0000330104199202150022" {
		t.Fatalf("spans %+v", got.Spans)
	}
	// A telephone in full-width digits after its label, with part of it
	// also marked by hand: both masks hold.
	if got := Redact("当事人：张三，电话：１２３4567", Options{Extra: []string{"4567"}}).Text; got != "当事人：张某，电话：*******" {
		t.Fatalf("full-width telephone marked by hand: %q", got)
	}
	// Text marked by hand that is not UTF-8 is ignored, not a panic.
	if got := Redact("当事人：张三", Options{Extra: []string{"\xad"}}).Text; got != "当事人：张某" {
		t.Fatalf("invalid mark: %q", got)
	}
	// An address found twice (住址 inside 现住址) keeps its own mask.
	r = &redactor{s: "江北区文三路88号"}
	r.add(len("江北区"), len(r.s), Address, "****")
	r.add(len("江北区"), len(r.s), Address, "****")
	if got := r.result().Text; got != "江北区****" {
		t.Fatalf("address: %s", got)
	}
}
