package demo

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

type law struct {
	Title    string   `json:"title"`
	Articles int      `json:"articles"`
	Agencies []string `json:"agencies"`
}

func lawTable(t *testing.T) map[string]law {
	t.Helper()
	data, err := assets.Demo.ReadFile("demo/laws.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Laws []law }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("laws.json: %v", err)
	}
	out := map[string]law{}
	for _, l := range f.Laws {
		out[l.Title] = l
	}
	return out
}

// cnNumber reads an article number written in Chinese numerals (一百二十四)
// or in digits; -1 when it is neither.
func cnNumber(s string) int {
	digits := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	units := map[rune]int{'十': 10, '百': 100, '千': 1000}
	n, cur, arabic := 0, 0, 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			arabic = arabic*10 + int(c-'0')
			if i == len(s)-1 {
				return arabic
			}
		case digits[c] > 0 || c == '零' || c == '〇':
			cur = digits[c]
		case units[c] > 0:
			if cur == 0 {
				cur = 1 // 十二 is 12
			}
			n += cur * units[c]
			cur = 0
		default:
			return -1
		}
	}
	if arabic > 0 {
		return arabic
	}
	return n + cur
}

var (
	// A citation: 《title》 and the articles that follow it, as in
	// 《城市道路管理条例》第二十七条、第四十二条 or 《…》第一百二十四条第一款.
	citation = regexp.MustCompile(`《([^《》]+)》((?:(?:第[零〇一二三四五六七八九十百千0-9]+[条款项])+[、和及至]?)*)`)
	article  = regexp.MustCompile(`第([零〇一二三四五六七八九十百千0-9]+)条`)
)

type cited struct {
	title    string
	articles []int
	in       string // where: the text around it
}

func citations(text string) []cited {
	var out []cited
	for _, m := range citation.FindAllStringSubmatch(text, -1) {
		c := cited{title: "《" + m[1] + "》", in: m[0]}
		for _, a := range article.FindAllStringSubmatch(m[2], -1) {
			c.articles = append(c.articles, cnNumber(a[1]))
		}
		out = append(out, c)
	}
	return out
}

func TestCNNumber(t *testing.T) {
	for s, want := range map[string]int{"十一": 11, "二十七": 27, "一百一十": 110, "一百二十四": 124, "二百二十三": 223, "八十四": 84, "九": 9, "一千二百六十": 1260, "75": 75, "一百零一": 101} {
		if got := cnNumber(s); got != want {
			t.Errorf("%s: %d, want %d", s, got, want)
		}
	}
	if got := citations("依据《城市道路管理条例》第二十七条、第四十二条和《中华人民共和国食品安全法》的规定"); len(got) != 2 || len(got[0].articles) != 2 || got[0].articles[1] != 42 || len(got[1].articles) != 0 {
		t.Errorf("citations: %+v", got)
	}
}

// seedDemo writes the demo's cases into a real case log the way a device
// holds one: every record signed by its people (the demo's accounts, with
// keys of their own), the legal review's gate installed and counting an
// opinion only under its reviewer's registered key.
func seedDemo(t *testing.T, ds *catalog.Dataset) (*casefile.Log, *review.Service) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	l, err := casefile.Open(ctx, filepath.Join(dir, "c.db"), filepath.Join(dir, "m"), "DEMO1", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	pols, err := Policies()
	if err != nil {
		t.Fatal(err)
	}
	cls, err := review.Checklists()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Parse(assets.Calendar)
	if err != nil {
		t.Fatal(err)
	}
	accounts := Accounts(ds)
	var people []string
	for _, a := range accounts {
		people = append(people, a.ID)
	}
	keys := casefiletest.SignAs(t, l, people...)
	var reviewers []review.Reviewer
	for _, a := range accounts {
		if a.Role == account.RoleReviewer {
			pub := base64.StdEncoding.EncodeToString(keys[a.ID].Public().(ed25519.PublicKey))
			reviewers = append(reviewers, review.Reviewer{ID: a.ID, Name: a.Name, Qualification: a.Qualification, Agency: a.Agency, Keys: []string{pub}})
		}
	}
	rev := &review.Service{Log: l, Policies: pols, Checklists: cls, Calendar: cal, Reviewers: review.NewRegistry(reviewers), Signatures: true}
	l.SetGate(rev.Gate())
	if err := Cases(ctx, l, ds, accounts, demoToday, rev); err != nil {
		t.Fatal(err)
	}
	return l, rev
}

// demoToday is the day the tests seed the demo on.
var demoToday = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// demoCaseText is everything the demo's case files say: cases written by
// Cases into a real case log, with the first one sent to legal review.
// The procedures they follow are national data, not the demo's words.
func demoCaseText(t *testing.T, ds *catalog.Dataset) string {
	t.Helper()
	ctx := context.Background()
	l, _ := seedDemo(t, ds)
	ids, err := l.CaseIDs(ctx)
	if err != nil || len(ids) == 0 {
		t.Fatalf("demo cases: %v, %v", ids, err)
	}
	var b strings.Builder
	for _, id := range ids {
		c, err := l.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c.Proc = nil
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// TestDemoCitationsExist: every law the demo cites — in items, guides,
// fees, inspections, decisions and case files — is in laws.json, every
// article it cites is within the law's article count, and a law cited
// with an article has a known count.
func TestDemoCitationsExist(t *testing.T) {
	laws := lawTable(t)
	ds, err := Dataset(Standard)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data) + demoCaseText(t, ds)
	all := citations(text)
	if len(all) < 100 {
		t.Fatalf("only %d citations found in the demo", len(all))
	}
	// A bundled document's printed text names other documents in 《》
	// (依据《查封（扣押）决定书》): a document, not a law.
	ts, err := document.Templates()
	if err != nil {
		t.Fatal(err)
	}
	documents := map[string]bool{}
	for _, tm := range ts {
		documents["《"+tm.Title+"》"] = true
	}
	withArticles := 0
	for _, c := range all {
		if documents[c.title] && len(c.articles) == 0 {
			continue
		}
		l, ok := laws[c.title]
		if !ok {
			t.Errorf("%s: %s is not in laws.json", c.in, c.title)
			continue
		}
		for _, a := range c.articles {
			withArticles++
			switch {
			case a < 1:
				t.Errorf("%s: unreadable article number", c.in)
			case l.Articles == 0:
				t.Errorf("%s: %s is cited by article, but laws.json has no article count for it", c.in, c.title)
			case a > l.Articles:
				t.Errorf("%s: article %d, but %s has %d", c.in, a, c.title, l.Articles)
			}
		}
	}
	if withArticles < 20 {
		t.Errorf("only %d article citations: the check checks little", withArticles)
	}
	// The defects of issue 17 stay gone.
	for _, bad := range []string{"第75条", "第七十五条", "每项145元"} {
		if strings.Contains(text, "《城市道路管理条例》"+bad) || (bad == "每项145元" && strings.Contains(text, bad)) {
			t.Errorf("demo still says %s", bad)
		}
	}
}

// domain says which laws may govern an item, by what its name says: the
// first rule whose word the name holds decides.
var domain = []struct {
	word string
	laws []string
}{
	{"户外广告", []string{"城市市容和环境卫生管理条例"}},
	{"广告", []string{"广告法"}},
	{"食品", []string{"食品安全法"}},
	{"特种设备", []string{"特种设备安全法"}},
	{"药品", []string{"药品管理法"}},
	{"医疗器械", []string{"医疗器械监督管理条例"}},
	{"计量", []string{"计量法"}},
	{"价格", []string{"价格法"}},
	{"营业执照", []string{"市场主体登记管理条例"}},
	{"登记档案", []string{"市场主体登记管理条例"}},
	{"企业设立", []string{"市场主体登记管理条例"}},
	{"个体工商户", []string{"市场主体登记管理条例"}},
	{"年度报告", []string{"企业信息公示暂行条例"}},
	{"城市道路", []string{"城市道路管理条例"}},
	{"建筑垃圾", []string{"城市建筑垃圾管理规定"}},
	{"生活垃圾", []string{"固体废物污染环境防治法"}},
	{"绿地", []string{"城市绿化条例"}},
	{"绿化", []string{"城市绿化条例"}},
	{"树木", []string{"城市绿化条例"}},
	{"排水", []string{"城镇排水与污水处理条例"}},
	{"污水", []string{"城镇排水与污水处理条例"}},
	{"油烟", []string{"大气污染防治法"}},
	{"大气", []string{"大气污染防治法"}},
	{"规划许可", []string{"城乡规划法"}},
	{"违法建", []string{"城乡规划法"}},
	{"环境影响", []string{"环境影响评价法"}},
	{"未批先建", []string{"环境影响评价法"}},
	{"排污", []string{"排污许可管理条例", "环境保护法"}},
	{"污染物", []string{"环境保护法"}},
	{"危险废物", []string{"固体废物污染环境防治法"}},
	{"放射性废物", []string{"放射性废物安全管理条例"}},
	{"放射诊疗", []string{"放射诊疗管理规定"}},
	{"辐射", []string{"放射性同位素与射线装置安全和防护条例"}},
	{"噪声", []string{"噪声污染防治法"}},
	{"网约车", []string{"网络预约出租汽车经营服务管理暂行办法"}},
	{"网络预约", []string{"网络预约出租汽车经营服务管理暂行办法"}},
	{"出租汽车", []string{"巡游出租汽车经营服务管理规定"}},
	{"道路运输", []string{"道路运输条例"}},
	{"道路旅客", []string{"道路运输条例"}},
	{"道路货物", []string{"道路运输条例"}},
	{"客运", []string{"道路运输条例"}},
	{"驾驶员培训", []string{"道路运输条例"}},
	{"超限", []string{"公路安全保护条例"}},
	{"路产", []string{"公路安全保护条例", "公路法"}},
	{"公路", []string{"公路法", "公路安全保护条例"}},
	{"涉路", []string{"公路法", "公路安全保护条例"}},
	{"通行费", []string{"公路法"}},
	{"港口", []string{"港口法"}},
	{"医疗机构", []string{"医疗机构管理条例", "基本医疗卫生与健康促进法"}},
	{"医疗废物", []string{"医疗废物管理条例"}},
	{"医疗事故", []string{"医疗事故处理条例"}},
	{"医师", []string{"医师法"}},
	{"护士", []string{"护士条例"}},
	{"公共场所", []string{"公共场所卫生管理条例"}},
	{"传染病", []string{"传染病防治法"}},
	{"供水", []string{"生活饮用水卫生监督管理办法"}},
	{"母婴", []string{"母婴保健法"}},
	{"消毒", []string{"消毒管理办法"}},
	{"疫苗", []string{"疫苗管理法"}},
	{"不动产", []string{"不动产登记暂行条例", "民法典"}},
	{"矿", []string{"矿产资源法"}},
	{"耕地", []string{"土地管理法"}},
	{"土地", []string{"土地管理法"}},
}

func fits(t *testing.T, laws map[string]law, agency, name, basis string) {
	t.Helper()
	cs := citations(basis)
	if len(cs) == 0 {
		t.Errorf("%s %s: no law cited (%q)", agency, name, basis)
		return
	}
	for _, c := range cs {
		l := laws[c.title]
		ok := false
		for _, a := range l.Agencies {
			ok = ok || a == "*" || a == agency
		}
		if !ok {
			t.Errorf("%s %s cites %s, which is not a law of agency %s", agency, name, c.title, agency)
		}
	}
	for _, d := range domain {
		if !strings.Contains(name, d.word) {
			continue
		}
		for _, c := range cs {
			for _, l := range d.laws {
				if strings.Contains(c.title, l) {
					return
				}
			}
		}
		t.Errorf("%s %s cites %s: an item of %q is governed by %v", agency, name, basis, d.word, d.laws)
		return
	}
}

// TestDemoCitationsFitDomain: each item cites a law of its agency's field,
// and the law that governs what its name says.
func TestDemoCitationsFitDomain(t *testing.T) {
	laws := lawTable(t)
	ds, err := Dataset(Standard)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ds.Items {
		fits(t, laws, it.AgencyCode, it.Name, it.LegalBasis)
	}
	for _, g := range ds.Guides {
		fits(t, laws, g.AgencyCode, g.Name, g.LegalBasis)
		if !strings.Contains(g.Conditions, LawOf(g.LegalBasis)) {
			t.Errorf("guide %s: conditions name another law than its basis: %s", g.Name, g.Conditions)
		}
	}
	for _, in := range ds.Inspections {
		fits(t, laws, in.AgencyCode, in.Name, in.Basis)
	}
	for _, d := range ds.Decisions {
		fits(t, laws, d.AgencyCode, d.Facts, d.Basis)
		if l := LawOf(d.Facts); l != "" && l != LawOf(d.Basis) {
			t.Errorf("decision %s: facts and basis name different laws: %s / %s", d.ID, d.Facts, d.Basis)
		}
	}
	// Materials fit the item: a registration of property asks for no
	// equipment list.
	for _, g := range ds.Guides {
		if strings.Contains(g.Name, "不动产") && strings.Contains(g.Materials, "设备") {
			t.Errorf("guide %s asks for equipment: %s", g.Name, g.Materials)
		}
		if strings.Contains(g.Name, "不动产首次登记") && !strings.Contains(g.Materials, "权属来源") {
			t.Errorf("guide %s asks for no proof of title: %s", g.Name, g.Materials)
		}
	}
}

// TestDemoRanksFitStaffing: staff of 事业编制 hold no civil-service rank
// (科员, 主任科员, 科长 …), and civil servants hold no 事业 grade (职员).
func TestDemoRanksFitStaffing(t *testing.T) {
	ds, err := Dataset(Standard)
	if err != nil {
		t.Fatal(err)
	}
	civil := func(p string) bool { return strings.Contains(p, "科员") || strings.HasSuffix(p, "科长") }
	inst := 0
	for _, o := range ds.Officers {
		switch o.Staffing {
		case Institution:
			inst++
			if civil(o.Position) {
				t.Errorf("%s %s: %s with the civil-service rank %s", o.CertNo, o.Name, o.Staffing, o.Position)
			}
		case "行政编制", "参照公务员法管理事业编制":
			if strings.HasSuffix(o.Position, "职员") {
				t.Errorf("%s %s: %s with the 事业 grade %s", o.CertNo, o.Name, o.Staffing, o.Position)
			}
		default:
			t.Errorf("%s %s: unknown 编制 %q", o.CertNo, o.Name, o.Staffing)
		}
	}
	if inst == 0 {
		t.Error("no officer of 事业编制: the rule was not tried")
	}
}

// TestDemoWindowsWithinHall: every guide sends citizens to a window the
// hall has (config's hall_windows), and to its own agency's windows.
func TestDemoWindowsWithinHall(t *testing.T) {
	p, err := loadPools()
	if err != nil {
		t.Fatal(err)
	}
	hall := config.Default().HallWindows
	if p.HallWindows != hall {
		t.Errorf("city.json hall_windows %d, config default %d", p.HallWindows, hall)
	}
	ds, err := Dataset(Size{Officers: Standard.Officers, Guides: 2000})
	if err != nil {
		t.Fatal(err)
	}
	win := regexp.MustCompile(`(\d+)号窗口`)
	for _, g := range ds.Guides {
		m := win.FindStringSubmatch(g.Location)
		if m == nil {
			t.Fatalf("guide %s: no window in %q", g.ID, g.Location)
		}
		n := cnNumber(m[1])
		if n < 1 || n > hall {
			t.Errorf("guide %s: window %d in a hall of %d", g.ID, n, hall)
		}
		for _, a := range p.Agencies {
			if a.Code == g.AgencyCode && (n < a.Windows[0] || n > a.Windows[1]) {
				t.Errorf("guide %s: window %d, agency %s serves at %d–%d", g.ID, n, a.Code, a.Windows[0], a.Windows[1])
			}
		}
	}
}

// TestDemoFeeUnits: a fee's standard states its unit, and the unit fits the
// fee: "每项" (per test item) only for testing fees; a levy on mining rights
// by its rate or assessment, never a flat price; registration per case (件).
func TestDemoFeeUnits(t *testing.T) {
	ds, err := Dataset(Standard)
	if err != nil {
		t.Fatal(err)
	}
	amount := regexp.MustCompile(`[0-9.]+万?元`)
	for _, f := range ds.Fees {
		s := f.Standard
		if amount.MatchString(s) && !strings.Contains(s, "每") {
			t.Errorf("fee %s: an amount without a unit: %s", f.Name, s)
		}
		if strings.Contains(s, "每项") && !strings.Contains(f.Name, "检") && !strings.Contains(f.Name, "计量标准") {
			t.Errorf("fee %s: charged per test item: %s", f.Name, s)
		}
		if strings.Contains(f.Name, "出让收益") && (amount.MatchString(s) || !strings.Contains(s, "收益率")) {
			t.Errorf("fee %s: a mining-rights levy as a flat price: %s", f.Name, s)
		}
		if strings.Contains(f.Name, "不动产登记") && !strings.Contains(s, "每件") {
			t.Errorf("fee %s: not per registration: %s", f.Name, s)
		}
		if f.Payer == "" {
			t.Errorf("fee %s: no payer", f.Name)
		}
	}
	// Decisions' fines lie within the range their law sets.
	p, err := loadPools()
	if err != nil {
		t.Fatal(err)
	}
	fine := regexp.MustCompile(`罚款人民币(\d+)元`)
	for _, d := range ds.Decisions {
		m := fine.FindStringSubmatch(d.Content)
		if m == nil {
			t.Errorf("decision %s: no fine in %q", d.ID, d.Content)
			continue
		}
		n := cnNumber(m[1])
		found := false
		for _, a := range p.Agencies {
			for _, pe := range a.Penalties {
				if a.Code == d.AgencyCode && pe.Basis == d.Basis && strings.Contains(d.Facts, strings.TrimSuffix(strings.TrimPrefix(pe.Name, "对"), "的处罚")) {
					found = true
					if n < pe.Fine[0] || n > pe.Fine[1] {
						t.Errorf("decision %s: fine %d outside %v for %s", d.ID, n, pe.Fine, pe.Name)
					}
				}
			}
		}
		if !found {
			t.Errorf("decision %s: no penalty item matches %s / %s", d.ID, d.Facts, d.Basis)
		}
	}
}
