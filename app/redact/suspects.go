package redact

// Suspects: what the rules left in a redacted text that still looks like a
// person's — a name after a role word, a home address, a long number, a
// plate — for an officer to mask or confirm by hand before publishing.
// It reads only the redacted text (and names no identifiers of redact.go's
// rules, which change on their own).

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mail is a suspect e-mail address (only Suspects reports it).
const Mail Kind = "email"

// Suspects finds what in an already redacted text still looks like a
// natural person's data: a name (2–4 Han characters starting with a common
// surname, introduced by a role word, a label, an honorific or the 、 after
// another name, and not part of an organisation's name), an address (…路…号,
// …村…号, …栋…室), a phone-, identity- or bank-card-like number, a permit
// number, an e-mail address, or a licence plate. Strings in keep (officers'
// names and certificate numbers, public on purpose) are never suspects.
// Spans are byte offsets in redacted, in order, not overlapping; Masked is
// empty. In doubt it reports: an officer confirms with one tap.
func Suspects(redacted string, keep []string) []Span {
	s := &suspects{s: redacted}
	for _, k := range keep {
		if k = strings.TrimSpace(k); k != "" {
			for _, at := range indexAll(redacted, k) {
				s.keep = append(s.keep, [2]int{at, at + len(k)})
			}
		}
	}
	s.plates()
	s.emails()
	s.numbers()
	s.addresses()
	s.names()
	slices.SortFunc(s.out, func(a, b Span) int { return a.Start - b.Start })
	return s.out
}

type suspects struct {
	s    string
	keep [][2]int
	out  []Span
}

// add records a suspect unless it touches text kept on purpose or one
// already found.
func (s *suspects) add(start, end int, k Kind) bool {
	if start >= end {
		return false
	}
	for _, r := range s.keep {
		if start < r[1] && end > r[0] {
			return false
		}
	}
	for _, o := range s.out {
		if start < o.End && end > o.Start {
			return false
		}
	}
	s.out = append(s.out, Span{Start: start, End: end, Kind: k, Original: s.s[start:end]})
	return true
}

func suspectDigit(c rune) bool { return c >= '0' && c <= '9' || c >= '０' && c <= '９' }

// nearMask says whether the run at [start,end) touches a mask (*) — a
// number the rules already masked in part.
func (s *suspects) nearMask(start, end int) bool {
	return strings.HasSuffix(s.s[:start], "*") || strings.HasPrefix(s.s[end:], "*")
}

var suspectPlate = regexp.MustCompile(`[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·•]?[A-Z0-9]{5,6}`)

func (s *suspects) plates() {
	for _, m := range suspectPlate.FindAllStringIndex(s.s, -1) {
		if !s.nearMask(m[0], m[1]) {
			s.add(m[0], m[1], Plate)
		}
	}
}

var suspectEmail = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

func (s *suspects) emails() {
	for _, m := range suspectEmail.FindAllStringIndex(s.s, -1) {
		s.add(m[0], m[1], Mail)
	}
}

var (
	// A fixed line with its area code, a number in groups (a bank card),
	// a permit or passport number (a letter and 8 or 9 digits), and any
	// other run of digits, an identity number's X included.
	suspectLandline = regexp.MustCompile(`0\d{2,3}[-－—]\d{7,8}`)
	suspectGrouped  = regexp.MustCompile(`\d{4}(?:[ -]\d{3,4}){3,4}`)
	suspectPermit   = regexp.MustCompile(`\b[A-Z]{1,2}\d{8,9}\b`)
	suspectDigits   = regexp.MustCompile(`[0-9０-９]{7,}[Xx]?`)
)

// notNumberAfter are the units and counters after an amount, a count or a
// date, not a person's number.
var notNumberAfter = []string{"元", "万", "亿", "年", "月", "日", "号", "件", "次", "个", "人", "平方", "米", "吨", "千克", "公斤", "克", "升", "%", "％", "份", "条", "页", "台", "辆", "户", "股"}

func (s *suspects) numbers() {
	for _, m := range suspectLandline.FindAllStringIndex(s.s, -1) {
		if !s.nearMask(m[0], m[1]) {
			s.add(m[0], m[1], Phone)
		}
	}
	for _, m := range suspectGrouped.FindAllStringIndex(s.s, -1) {
		if !s.nearMask(m[0], m[1]) {
			s.add(m[0], m[1], Bank)
		}
	}
	for _, m := range suspectPermit.FindAllStringIndex(s.s, -1) {
		s.add(m[0], m[1], IDCard)
	}
	for _, m := range suspectDigits.FindAllStringIndex(s.s, -1) {
		v := s.s[m[0]:m[1]]
		n := utf8.RuneCountInString(strings.TrimRight(v, "Xx"))
		if s.nearMask(m[0], m[1]) || len(v) == 18 && USCCValid(strings.ToUpper(v)) && !IDValid(v) {
			continue
		}
		// Letters after: part of a code (a unified social credit code).
		if m[1] < len(s.s) && (s.s[m[1]] >= 'A' && s.s[m[1]] <= 'Z' || s.s[m[1]] >= 'a' && s.s[m[1]] <= 'z') {
			continue
		}
		// A letter or a digit before: part of a code (a permit, a USCC).
		if c, _ := utf8.DecodeLastRuneInString(s.s[:m[0]]); c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			continue
		}
		if slices.ContainsFunc(notNumberAfter, func(u string) bool { return strings.HasPrefix(s.s[m[1]:], u) }) {
			continue
		}
		k := Phone
		switch {
		case n == 15 || n == 18:
			k = IDCard
		case n >= 16:
			k = Bank
		case n > 11 || n == 9 || n == 10:
			k = IDCard // some other personal number: in doubt, ask
		}
		s.add(m[0], m[1], k)
	}
}

// An address: a place word and a number (…路12号, …村3组5号, 3栋502室). The
// suspect starts after the county, town or township, which stay public.
var (
	suspectAddrTail = regexp.MustCompile(`(?:[0-9０-９一二三四五六七八九十]+(?:号楼|号|栋|幢|单元|室|楼|层|组|弄)[-－之]?)+`)
	addrPlaceWords  = []string{"路", "街", "巷", "弄", "道", "村", "组", "社区", "小区", "苑", "园", "大厦", "公寓", "花园", "新村", "胡同", "里"}
	addrAdminEnds   = "省市区县旗镇乡"
)

func (s *suspects) addresses() {
	for _, m := range suspectAddrTail.FindAllStringIndex(s.s, -1) {
		tail := s.s[m[0]:m[1]]
		// The Han run before the number: where the address is.
		start := m[0]
		for start > 0 {
			c, n := utf8.DecodeLastRuneInString(s.s[:start])
			if !unicode.Is(unicode.Han, c) && !suspectDigit(c) {
				break
			}
			start -= n
		}
		prefix := s.s[start:m[0]]
		place := slices.ContainsFunc(addrPlaceWords, func(w string) bool { return strings.Contains(prefix, w) })
		room := strings.Contains(tail, "室") || strings.Contains(tail, "栋") && strings.Contains(tail, "幢")
		if !place && !room {
			continue // 〔2026〕12号, 第3号: a document's number
		}
		if strings.Contains(tail, "号") && !place && !room {
			continue
		}
		// Keep the county, town or township: start after the last of them.
		if i := strings.LastIndexAny(prefix, addrAdminEnds); i >= 0 {
			_, n := utf8.DecodeRuneInString(prefix[i:])
			start += i + n
		}
		// A run ending in a label's word (住址、地址) is not the address.
		for _, l := range []string{"住址", "地址", "住所", "居住", "户籍"} {
			if j := strings.LastIndex(s.s[start:m[0]], l); j >= 0 {
				start += j + len(l)
			}
		}
		s.add(start, m[1], Address)
	}
}

// suspectRoles introduce natural persons in running text.
// They are the engine's role words (roleWords) and the labels that name one.
var suspectRoles = append([]string{"姓名", "纳税人名称"}, roleWords...)

// suspectLeads come before a name that no role word introduces.
var suspectLeads = []string{"，", "。", "；", "：", "\n", "由", "经", "向", "据", "同", "和", "与", "及", "、", "让", "请", "叫", "将", "对"}

// suspectHonorifics follow a name.
var suspectHonorifics = []string{"先生", "女士", "同志", "老师", "医师", "师傅"}

const suspectSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈" +
	"姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢" +
	"安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"

var suspectCompound = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
	"夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门", "独孤", "百里", "呼延", "澹台", "申屠"}

// suspectNameEnd may follow a name: a verb or particle that starts the
// rest of the sentence.
const suspectNameEnd = "在称系于从的等和与对向因为是及被将已曾均亦也就所到自证未无持擅前来去说作担任负经现即私"

// suspectNotNames are words that start with a surname's character but are no one.
var suspectNotNames = append([]string{"安全", "管理", "时间", "应当", "全部", "单位", "关于", "明确", "高度", "文件", "方面", "方式", "成立",
	"商品", "解释", "向其", "于是", "任何", "常住", "全体", "同时", "明知", "和解", "严重", "金额", "车辆", "房屋", "师傅",
	"陈述", "申辩", "向本", "向我", "于本", "成为", "和其", "时任", "明显", "经营", "高于", "严格", "常年", "全面", "方可", "余款", "车间", "房间", "单独", "向执法", "于当日", "于次日"}, notNames...)

// nameAt reads a name at i: a surname and one or two more Han characters,
// ending where the text allows a name to end (a mark, a particle, the end).
// The longest that ends well wins; after a role word or label (strong),
// the longest there is when none ends well (患者陈秀英拔牙: over-masking is
// preferred); else "".
func (s *suspects) nameAt(i int, strong bool) string {
	rs := []rune(s.s[i:min(len(s.s), i+96)])
	if len(rs) < 2 {
		return ""
	}
	head := 1
	if slices.ContainsFunc(suspectCompound, func(c string) bool { return strings.HasPrefix(string(rs), c) }) {
		head = 2
	} else if !strings.ContainsRune(suspectSurnames, rs[0]) {
		return ""
	}
	longest := ""
	for n := min(head+2, len(rs)); n > head; n-- {
		cand := rs[:n]
		if slices.ContainsFunc(cand[head:], func(c rune) bool { return !unicode.Is(unicode.Han, c) || c == '某' }) {
			continue
		}
		if strings.ContainsRune(suspectNameEnd, cand[n-1]) {
			continue
		}
		if n < len(rs) {
			next := rs[n]
			rest := string(rs[n:])
			ends := !unicode.Is(unicode.Han, next) || strings.ContainsRune(suspectNameEnd, next) ||
				slices.ContainsFunc(suspectHonorifics, func(h string) bool { return strings.HasPrefix(rest, h) })
			if !ends {
				if longest == "" {
					longest = string(cand)
				}
				continue
			}
		}
		name := string(cand)
		if slices.ContainsFunc(suspectNotNames, func(w string) bool { return strings.HasPrefix(name, w) }) {
			return ""
		}
		return name
	}
	if !strong || slices.ContainsFunc(suspectNotNames, func(w string) bool { return strings.HasPrefix(longest, w) }) || inOrgName(rs) {
		return ""
	}
	return longest
}

// suspectOrgEnds end organisations' names.
var suspectOrgEnds = []string{"公司", "诊所", "医院", "中心", "商行", "超市", "饭店", "酒店", "餐厅", "餐馆", "合作社", "事务所",
	"学校", "幼儿园", "工作室", "经营部", "厂", "店", "馆", "网吧", "药房", "门诊部", "卫生室", "协会", "集团"}

// inOrgName says whether the run of Han characters at the start of rs is
// an organisation's name (明湖精工机械有限公司), not a person's.
func inOrgName(rs []rune) bool {
	n := 0
	for n < len(rs) && unicode.Is(unicode.Han, rs[n]) {
		n++
	}
	run := string(rs[:n])
	return slices.ContainsFunc(suspectOrgEnds, func(e string) bool { return strings.HasSuffix(run, e) })
}

// names finds names after role words, labels and the 、和与及 that join a
// second person to one found; before honorifics; and then every other
// occurrence of a name found, outside organisations' names.
func (s *suspects) names() {
	found := map[string]bool{}
	try := func(at int) (string, int) {
		// A colon or a space may come between a label and its name.
		for _, p := range []string{"：", ":", " ", "　"} {
			if strings.HasPrefix(s.s[at:], p) {
				at += len(p)
			}
		}
		v := s.nameAt(at, true)
		if v == "" {
			return "", at
		}
		if s.add(at, at+len(v), Name) {
			found[v] = true
		}
		return v, at
	}
	for _, role := range suspectRoles {
		for _, at := range indexAll(s.s, role) {
			v, start := try(at + len(role))
			// The second and later of persons joined by 、和与及.
			for v != "" {
				next := start + len(v)
				c, n := utf8.DecodeRuneInString(s.s[next:])
				if !strings.ContainsRune("、和与及", c) {
					break
				}
				v, start = try(next + n)
			}
		}
	}
	for _, h := range suspectHonorifics {
		for _, at := range indexAll(s.s, h) {
			for back := 3; back >= 2; back-- {
				rs := []rune(s.s[:at])
				if len(rs) < back {
					continue
				}
				start := len(string(rs[:len(rs)-back]))
				if v := s.nameAt(start, false); v != "" && start+len(v) == at {
					if s.add(start, at, Name) {
						found[v] = true
					}
					break
				}
			}
		}
	}
	// A name with no role word before it: three characters after a clause
	// mark or a word that leads to a person (由李明华经手, 经查，李明华未…),
	// ending where a name may end. Weaker than the rules above, so shorter
	// runs are left alone: they are mostly words.
	for _, lead := range suspectLeads {
		for _, at := range indexAll(s.s, lead) {
			p := at + len(lead)
			v := s.nameAt(p, false)
			next, _ := utf8.DecodeRuneInString(s.s[p+len(v):])
			if utf8.RuneCountInString(v) >= 3 && !found[v] && strings.ContainsRune(suspectNameEnd, next) {
				if s.add(p, p+len(v), Name) {
					found[v] = true
				}
			}
		}
	}
	// A name once found is doubtful wherever it is, unless inside a longer
	// run of Han characters (an organisation's name, a word).
	for v := range found {
		for _, at := range indexAll(s.s, v) {
			next, _ := utf8.DecodeRuneInString(s.s[at+len(v):])
			if unicode.Is(unicode.Han, next) && !strings.ContainsRune(suspectNameEnd, next) {
				continue
			}
			s.add(at, at+len(v), Name)
		}
	}
}
