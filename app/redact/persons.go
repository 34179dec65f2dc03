package redact

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Natural persons are found four ways, each by context, never by the
// surname list alone: after a label and a colon (当事人：…), after a role word
// written straight before the name (患者…、员工…、驾驶员…), before an
// honorific (…先生、…女士), and after 、 that joins a second person to one
// already found. A name once found is then masked wherever else it occurs,
// except inside an organisation's name and where it is an officer's (a name
// before 执法证号 or after 执法人员): officers act in public. In doubt the
// rules mask: a word taken for a name costs a published word, a name taken
// for a word costs a person.

// roleWords are written straight before a person's name.
var roleWords = []string{
	"当事人", "负责人", "技术人员", "从业人员", "工作人员", "作业人员", "施工人员", "特种作业人员", "患者", "患儿", "病人", "伤者", "死者",
	"驾驶员", "驾驶人", "司机", "乘客", "旅客", "游客", "导游", "证人", "受害人", "被害人", "员工", "职工", "工人", "联系人",
	"监护人", "车间主任", "主任", "班组长", "安全员", "值班员", "网吧值班员", "网管", "收银员", "营业员", "店员", "保安", "邻居",
	"业主", "户主", "租户", "房东", "店主", "老板", "实际经营者", "实际经营人", "实际控制人", "股东", "会计", "出纳", "代理人",
	"委托代理人", "经营者", "被检查人", "车主", "司炉工", "操作工", "保洁员", "售票员", "学员", "申请人", "行为人", "违法行为人", "投诉人", "举报人", "消费者", "顾客", "学生",
	"未成年人", "其子", "其女", "儿子", "女儿", "之子", "之女", "妻子", "丈夫", "父亲", "母亲", "亲属", "厨师", "医师",
	"医生", "护士", "配送员", "骑手", "快递员", "电工", "焊工", "船员", "船长", "法定代表人", "纳税人", "经理", "店长",
	"租客", "承租人", "出租人", "管理人员", "技术员", "质检员", "仓管员", "押运员", "装卸员", "教练员", "教师", "讲解员",
	"就诊者", "雇员", "服务员", "安全管理人员", "班长", "组长", "厂长", "住户", "村民", "居民", "其妻", "其夫", "家属", "同事",
	"朋友", "同学", "室友", "亲戚", "表哥", "表姐", "表弟", "表妹", "堂兄", "堂姐", "堂弟", "堂妹", "哥哥", "姐姐", "弟弟", "妹妹",
	"祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "外公", "外婆", "孙子", "孙女", "侄子", "侄女", "外甥", "前妻", "前夫",
}

// nameLabels introduce a person with a colon, beyond personLabels.
var nameLabels = []string{"当事人姓名", "经营者姓名", "纳税人姓名", "纳税人名称", "负责人姓名", "患者姓名", "受害人", "被害人",
	"患者", "驾驶员", "员工", "乘客", "技术人员", "安全员", "值班员", "车间主任", "邻居", "法人代表", "股东", "见证人",
	"陪同人", "报案人", "违法行为人", "车主", "承租人", "出租人", "实际控制人", "现场负责人", "主要负责人"}

// partyNameLabels make the person they name the party.
var partyNameLabels = []string{"当事人姓名", "经营者姓名", "纳税人姓名", "纳税人名称", "违法行为人"}

// givenStop never is the first character after a surname in a name
// written in running text: particles, and words that follow a role.
const givenStop = nameStop + "本局该其此之年月日号元条款项第们个次把了着过以并或但即又应已未无不"

// softStop, as the last of three characters, more likely begins the verb
// after a two-character name (员工张三驾驶… is 张三, not 张三驾).
const softStop = givenStop + "驾驶未擅拒违私无受持担负使用作进现仍说表交收带来去开出入到办"

// notNames are words that begin with a surname and follow a role word.
var notNames = []string{"安全", "安排", "安装", "方式", "方面", "方法", "和其", "和员", "应当", "应该", "全部", "全体",
	"成年", "成员", "文件", "时间", "时候", "明确", "明显", "商品", "车辆", "车间", "高温", "路段", "万元", "单位",
	"解除", "向其", "于是", "从事", "从业", "关于", "关系", "管理", "经营", "金额", "石材", "信息", "江边", "黄色",
	"白色", "红色", "沙发", "房屋", "房间", "宁可", "司机", "华为", "田间", "钱款", "时段", "余额", "余款", "段落",
	"程序", "任务", "任职", "章程", "常用", "常住", "康复", "平时", "平均", "马路", "陆续", "谢谢", "施工", "冯某",
	"费用", "包括", "包装", "卫生", "卫星", "米饭", "史上", "向本", "于当", "于本", "连续", "连同", "邱某", "柴油",
	"汤料", "毛巾", "包间", "齐全", "项目", "查验", "查看", "查处", "查明", "查实", "伍某", "严重", "严格", "党员",
	"上述", "计算", "计量", "计费", "宫颈", "师傅", "师父", "司法", "边境", "边防", "鲁莽", "苗木", "蓝色", "蒙受", "陈述", "陈列", "申辩", "申请", "申报", "孔径", "方可", "方能", "于其", "从其",
}

// surnameLen is how many characters of rs are a surname: 2 for a compound
// one, 1 for a common single one, 0 if rs starts with none.
func surnameLen(rs []rune) int {
	if len(rs) >= 2 && slices.Contains(compound, string(rs[:2])) {
		return 2
	}
	if len(rs) >= 1 && strings.ContainsRune(surnames, rs[0]) {
		return 1
	}
	return 0
}

// nameAt is the person's name that starts at byte at of s, read in running
// text: a surname and one or two characters of a given name. "" when there
// is none (an anonymous 张某, a word like 安全, a particle after a surname).
func nameAt(s string, at int) string {
	rs := []rune(s[at:min(len(s), at+24)])
	n := surnameLen(rs)
	if n == 0 {
		return ""
	}
	k := n
	for k < n+2 && k < len(rs) && unicode.Is(unicode.Han, rs[k]) {
		stop := givenStop
		if k > n {
			stop = softStop
		}
		if strings.ContainsRune(stop, rs[k]) {
			break
		}
		k++
	}
	if k == n {
		return ""
	}
	v := string(rs[:k])
	if strings.Contains(v, "某") || slices.ContainsFunc(notNames, func(w string) bool { return strings.HasPrefix(v, w) }) {
		return ""
	}
	return v
}

// nameBefore is the name that ends at byte end of s: two or three
// characters back, the longer when it starts with a surname that is not a
// particle.
func nameBefore(s string, end int) string {
	start := end
	var rs []rune
	for len(rs) < 4 && start > 0 {
		c, n := utf8.DecodeLastRuneInString(s[:start])
		if !unicode.Is(unicode.Han, c) {
			break
		}
		rs = append([]rune{c}, rs...)
		start -= n
	}
	for _, k := range []int{4, 3, 2} {
		if len(rs) < k {
			continue
		}
		c := rs[len(rs)-k:]
		sl := surnameLen(c)
		if sl == 0 || sl == 1 && k == 4 || sl == 2 && k == 2 || strings.ContainsRune(givenStop, c[0]) && (k == 2 || surnameLen(c[1:]) == 1) {
			continue
		}
		if strings.Contains(string(c), "某") {
			return ""
		}
		return string(c)
	}
	return ""
}

var honorific = regexp.MustCompile(`先生|女士|同志|老师|医师|医生|大夫|师傅`)

// joins are what join a second person to one found: 张三、李四, 张三与李四.
var joins = []string{"、", "以及", "和", "与", "及", "同"}

// joinAt is the join written at s[i:], or "".
func joinAt(s string, i int) string {
	for _, j := range joins {
		if strings.HasPrefix(s[i:], j) {
			return j
		}
	}
	return ""
}

// officers are the names written before a certificate number or after
// 执法人员: they stay public.
func (r *redactor) officers() map[string]bool {
	out := map[string]bool{}
	for _, mark := range []string{"（执法证", "(执法证", "，执法证", "执法证号", "（证号", "（执法证件号", "（工作证号"} {
		for _, at := range indexAll(r.s, mark) {
			if v := nameBefore(r.s, at); v != "" {
				out[v] = true
			}
		}
	}
	for _, l := range []string{"执法人员", "监督员", "稽查人员", "检查人员", "执法队员"} {
		for _, at := range indexAll(r.s, l) {
			p := at + len(l)
			if strings.HasPrefix(r.s[p:], "：") {
				p += len("：")
			}
			for {
				v := nameAt(r.s, p)
				if v == "" {
					break
				}
				out[v] = true
				p += len(v)
				if !strings.HasPrefix(r.s[p:], "、") {
					break
				}
				p += len("、")
			}
		}
	}
	return out
}

// names masks each person found, then every other occurrence of the name
// outside organisations' names.
func (r *redactor) names(o Options) {
	keep := r.officers()
	for _, k := range o.Keep {
		keep[strings.TrimSpace(k)] = true
	}
	seen := map[string]bool{}
	found := func(v string, end int) {
		if keep[v] || r.insideOrg(end-len(v), end) {
			return
		}
		seen[v] = true
		// A second person joined by 、 (or 和、与、及): 当事人张三、李四,
		// also after what is said of the first in brackets: 业主张三（住…）、李四.
		for {
			if c, _ := utf8.DecodeRuneInString(r.s[end:]); c == '（' || c == '(' {
				if k := strings.IndexAny(r.s[end:], "）)"); k > 0 && k < 200 {
					_, n := utf8.DecodeRuneInString(r.s[end+k:])
					end += k + n
				}
			}
			j := joinAt(r.s, end)
			if j == "" {
				return
			}
			w := nameAt(r.s, end+len(j))
			if w == "" || keep[w] {
				return
			}
			end += len(j) + len(w)
			if r.insideOrg(end-len(w), end) {
				return
			}
			seen[w] = true
		}
	}
	for _, m := range labelled(r.s, append(slices.Clone(personLabels), nameLabels...)) {
		v := r.s[m[1]:m[2]]
		n := utf8.RuneCountInString(v)
		long := strings.Contains(v, "·")
		if n < 2 || n > 4 && !(long && n <= 12) || !allHan(v) || isOrg(v) || strings.HasSuffix(v, "某") || strings.Contains(v, "某某") {
			continue
		}
		if surnameLen([]rune(v)) == 0 && !long {
			// A label's value that starts with no surname is still a
			// person's when the label names only persons.
			if l := labelAt(r.s, m[0]); l == "名称" || l == "纳税人名称" || l == "当事人" || l == "申请人" {
				continue
			}
		}
		l := labelAt(r.s, m[0])
		for _, pl := range nameLabels {
			if strings.HasPrefix(r.s[m[0]:], pl) && len(pl) > len(l) {
				l = pl
			}
		}
		if slices.Contains(partyLabels, l) || slices.Contains(partyNameLabels, l) {
			r.person = true
		}
		found(v, m[2])
	}
	for _, w := range roleWords {
		for _, at := range indexAll(r.s, w) {
			p := at + len(w)
			if v := nameAt(r.s, p); v != "" && !r.insideOrg(at, p) {
				found(r.shortest(v, p), p+len(r.shortest(v, p)))
			}
		}
	}
	for _, m := range honorific.FindAllStringIndex(r.s, -1) {
		if v := nameBefore(r.s, m[0]); v != "" && utf8.RuneCountInString(v) > surnameLen([]rune(v)) {
			found(v, m[0])
		}
	}
	// Longer names first, so 欧阳明月 is masked whole before 欧阳明.
	list := make([]string, 0, len(seen))
	for v := range seen {
		list = append(list, v)
	}
	slices.SortFunc(list, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	for _, v := range list {
		for _, at := range indexAll(r.s, v) {
			if !r.insideOrg(at, at+len(v)) {
				r.add(at, at+len(v), Name, maskName(v))
				r.nameAt = append(r.nameAt, at)
			}
		}
	}
}

// shortest chooses between a three-character name read in running text
// and its first two characters: the two when they occur elsewhere in the
// document followed by something else (员工张三受伤…张三住院 names 张三).
func (r *redactor) shortest(v string, at int) string {
	rs := []rune(v)
	if len(rs) != 3 || surnameLen(rs) == 2 {
		return v
	}
	two := string(rs[:2])
	for _, i := range indexAll(r.s, two) {
		if i == at {
			continue
		}
		if !strings.HasPrefix(r.s[i+len(two):], string(rs[2])) && !r.insideOrg(i, i+len(two)) {
			return two
		}
	}
	return v
}
