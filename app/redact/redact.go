// Package redact does the technical processing (技术处理) a decision needs
// before it is published: it masks the personal data of natural persons —
// names (the surname stays), identity card numbers, mobile and fixed
// telephone numbers, home addresses (down to the county), bank accounts,
// and licence plates when the party is a person — and leaves what is
// public: organisations' names and unified social credit codes, officers'
// names and certificate numbers, amounts, dates and document numbers.
//
// All rules live here. Names are found by the labels decisions put before
// them (当事人、法定代表人…), then masked wherever else they occur, except
// inside an organisation's name. It never imports Fyne.
package redact

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a masked span was.
type Kind string

// The kinds of personal data masked.
const (
	Name    Kind = "name"
	IDCard  Kind = "id_card"
	Phone   Kind = "phone"
	Address Kind = "address"
	Bank    Kind = "bank_account"
	Plate   Kind = "plate"
	Email   Kind = "email"
	// Permit is a Hong Kong, Macao or Taiwan travel permit (往来港澳通行证、
	// 回乡证、台胞证…).
	Permit   Kind = "permit"
	Passport Kind = "passport"
	Manual   Kind = "manual" // masked by hand
)

// Span is one masked piece of the original text (byte offsets).
type Span struct {
	Start, End int
	Kind       Kind
	Original   string
	Masked     string
}

// Result is a redacted text and what was masked in it.
type Result struct {
	Text  string
	Spans []Span
}

// Options add to the rules.
type Options struct {
	// Extra are further strings to mask wherever they occur (what a person
	// marked by hand after reading the automatic result).
	Extra []string
	// Keep are names never masked (an officer or a public figure the
	// rules took for a party).
	Keep []string
}

// Text redacts a decision with the rules alone.
func Text(s string) string { return Redact(s, Options{}).Text }

// Redact masks the personal data in s.
func Redact(s string, o Options) Result {
	r := &redactor{s: s}
	r.orgs()
	r.names(o)
	r.numbers()
	r.groupedAccounts()
	r.documents()
	r.addresses()
	r.plates()
	for _, e := range o.Extra {
		// Text a person marked is text of s: anything else (not UTF-8)
		// could cut a character in two.
		if e = strings.TrimSpace(e); e != "" && utf8.ValidString(e) {
			for _, at := range indexAll(s, e) {
				r.add(at, at+len(e), Manual, strings.Repeat("*", utf8.RuneCountInString(e)))
			}
		}
	}
	return r.result()
}

type redactor struct {
	s     string
	spans []Span
	orgAt [][2]int // organisations' names: never masked
	// person: a natural person is the party (当事人、经营者、车主…), so
	// plates, fixed telephones and 住所地 in the decision are theirs.
	person bool
	nameAt []int // where names were masked
}

func (r *redactor) add(start, end int, k Kind, masked string) {
	r.spans = append(r.spans, Span{Start: start, End: end, Kind: k, Original: r.s[start:end], Masked: masked})
}

func (r *redactor) insideOrg(start, end int) bool {
	for _, o := range r.orgAt {
		if start >= o[0] && end <= o[1] {
			return true
		}
	}
	return false
}

// result applies the spans. Spans that overlap are merged into one over
// their union, in which a character is masked if any of them masks it: a
// rule that keeps a digit (a telephone number read out of the middle of an
// identity number) never brings back a digit another rule masks. The
// merged span takes the kind of the earliest, longest one.
func (r *redactor) result() Result {
	slices.SortFunc(r.spans, func(a, b Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	var b strings.Builder
	var kept []Span
	pos := 0
	for i := 0; i < len(r.spans); {
		j, end := i+1, r.spans[i].End
		for ; j < len(r.spans) && r.spans[j].Start < end; j++ {
			end = max(end, r.spans[j].End)
		}
		sp := r.merge(r.spans[i:j], end)
		i = j
		b.WriteString(r.s[pos:sp.Start])
		b.WriteString(sp.Masked)
		pos = sp.End
		kept = append(kept, sp)
	}
	b.WriteString(r.s[pos:])
	return Result{Text: b.String(), Spans: kept}
}

// merge makes one span of spans that overlap, ending at end. A mask of
// only * that is not one character for one (an address's, which hides the
// length) stands for the group when it covers all of it (住址 inside 现住址
// finds the same address twice): it hides every character already.
// Otherwise such a mask makes each of its characters *.
func (r *redactor) merge(group []Span, end int) Span {
	start := group[0].Start
	for _, sp := range group {
		allStars := strings.Trim(sp.Masked, "*") == ""
		if len(group) == 1 || sp.Start == start && sp.End == end && allStars && utf8.RuneCountInString(sp.Masked) != utf8.RuneCountInString(sp.Original) {
			return sp
		}
	}
	orig := []rune(r.s[start:end])
	out := slices.Clone(orig)
	offset := func(at int) int { return utf8.RuneCountInString(r.s[start:at]) }
	for _, sp := range group {
		from := offset(sp.Start)
		o, m := []rune(sp.Original), []rune(sp.Masked)
		for k := range o {
			c := '*'
			if len(m) == len(o) {
				c = m[k]
			}
			if c != o[k] {
				out[from+k] = c
			}
		}
	}
	return Span{Start: start, End: end, Kind: group[0].Kind, Original: r.s[start:end], Masked: string(out)}
}

func indexAll(s, sub string) []int {
	var out []int
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return out
		}
		out = append(out, i+j)
		i += j + len(sub)
	}
}

// orgSuffixes end organisations' names.
var orgSuffixes = []string{"有限责任公司", "股份有限公司", "有限公司", "分公司", "公司", "合作社", "事务所", "医院", "诊所",
	"学校", "幼儿园", "中心", "集团", "工作室", "经营部", "商行", "超市", "饭店", "酒店", "餐厅", "餐馆", "厂", "店", "馆",
	"部", "社", "所", "院", "局", "委员会", "协会", "站", "场", "行", "铺", "坊", "园"}

func isOrg(name string) bool {
	if utf8.RuneCountInString(name) < 4 {
		return false
	}
	for _, suf := range orgSuffixes {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// party is what a label introduces: up to the next clause mark.
var clauseEnd = "，,。；;：:、（(）)\n\r\t 　"

// labelled finds each value after one of labels and a colon.
func labelled(s string, labels []string) [][3]int {
	var out [][3]int // label start, value start, value end
	for _, l := range labels {
		for _, at := range indexAll(s, l) {
			v := at + len(l)
			rest := s[v:]
			c, n := utf8.DecodeRuneInString(rest)
			if c != '：' && c != ':' {
				continue
			}
			v += n
			for strings.HasPrefix(s[v:], " ") || strings.HasPrefix(s[v:], "　") {
				_, n := utf8.DecodeRuneInString(s[v:])
				v += n
			}
			end := clauseEndFrom(s, v)
			if end > v {
				out = append(out, [3]int{at, v, end})
			}
		}
	}
	return out
}

// labelAt is the person label that starts at i.
func labelAt(s string, i int) string {
	best := ""
	for _, l := range personLabels {
		if strings.HasPrefix(s[i:], l) && len(l) > len(best) {
			best = l
		}
	}
	return best
}

// orgs records organisations' names wherever they occur, from the labels
// that introduce parties and units, and any run ending in 有限公司 etc.
func (r *redactor) orgs() {
	var names []string
	for _, m := range labelled(r.s, []string{"当事人", "申请人", "名称", "单位", "被检查单位", "经营者", "被处罚单位", "商号"}) {
		if v := r.s[m[1]:m[2]]; isOrg(v) {
			names = append(names, v)
		}
	}
	names = append(names, orgRun.FindAllString(r.s, -1)...)
	for _, n := range names {
		for _, at := range indexAll(r.s, n) {
			r.orgAt = append(r.orgAt, [2]int{at, at + len(n)})
		}
	}
}

var orgRun = regexp.MustCompile(`\p{Han}{2,30}(?:有限责任公司|股份有限公司|有限公司)`)

// personLabels introduce natural persons. Officers (执法人员) are public and
// not among them.
var personLabels = []string{"当事人", "申请人", "姓名", "法定代表人", "负责人", "经营者", "委托代理人", "代理人", "投诉人",
	"举报人", "证人", "户主", "驾驶人", "车主", "监护人", "联系人", "被检查人", "实际经营人", "业主"}

// compound surnames keep both characters.
var compound = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
	"夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门", "独孤", "百里", "呼延", "澹台", "申屠"}

func maskName(name string) string {
	rs := []rune(name)
	keep := 1
	for _, c := range compound {
		if strings.HasPrefix(name, c) && len(rs) > 2 {
			keep = 2
		}
	}
	return string(rs[:keep]) + strings.Repeat("某", len(rs)-keep)
}

func allHan(s string) bool {
	for _, c := range s {
		if !unicode.Is(unicode.Han, c) && c != '·' {
			return false
		}
	}
	return s != ""
}

// partyLabels name the party itself among personLabels.
var partyLabels = []string{"当事人", "申请人", "经营者", "车主", "驾驶人", "实际经营人", "业主", "被检查人"}

// surnames are the common single-character surnames, for names written
// after a label without a colon (证人刘某某称…).
const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈" +
	"姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢" +
	"安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"

// nameStop ends a name written without a following mark.
const nameStop = "在称系于从的等和与对向因为是及被将已曾均亦也就所到自证"

func isDigit(c rune) bool { return c >= '0' && c <= '9' || c >= '０' && c <= '９' }

func digitValue(c rune) int {
	if c >= '０' {
		return int(c - '０')
	}
	return int(c - '0')
}

// IDValid says whether s is an 18-character resident identity card number
// with a correct check character (GB 11643, ISO 7064 MOD 11-2).
func IDValid(s string) bool {
	rs := []rune(s)
	if len(rs) != 18 {
		return false
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if !isDigit(rs[i]) {
			return false
		}
		sum += digitValue(rs[i]) * weights[i]
	}
	want := "10X98765432"[sum%11]
	last := rs[17]
	if last == 'x' || last == 'ｘ' || last == 'Ｘ' {
		last = 'X'
	}
	if isDigit(last) {
		last = rune('0' + digitValue(last))
	}
	return last == rune(want)
}

// USCCValid says whether s is a unified social credit code with a correct
// check character (GB 32100).
func USCCValid(s string) bool {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(s) != 18 {
		return false
	}
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, s[i])
		if v < 0 {
			return false
		}
		sum += v * weights[i]
	}
	c := (31 - sum%31) % 31
	return s[17] == alphabet[c]
}

// numbers masks identity card numbers, bank accounts and telephone numbers:
// every run of digits (ASCII or full width; an identity number may end in
// X) is looked at as a whole.
func (r *redactor) numbers() {
	s := r.s
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		if !isDigit(c) {
			i += n
			continue
		}
		start := i
		var digits []rune
		for i < len(s) {
			c, n := utf8.DecodeRuneInString(s[i:])
			if !isDigit(c) {
				break
			}
			digits = append(digits, c)
			i += n
		}
		end := i
		// An identity number's last character may be X.
		if len(digits) == 17 && end < len(s) {
			if c, n := utf8.DecodeRuneInString(s[end:]); c == 'X' || c == 'x' || c == 'Ｘ' || c == 'ｘ' {
				digits = append(digits, 'X')
				end += n
			}
		}
		// 17 digits and a letter may be a unified social credit code.
		if len(digits) == 17 && end < len(s) && s[end] >= 'A' && s[end] <= 'Z' && USCCValid(s[start:end+1]) {
			continue
		}
		// What follows the run, for the USCC check: an X after 18 digits can
		// end an identity number that starts one digit in.
		next := ""
		if end < len(s) {
			next = s[end : end+1]
		}
		r.number(start, end, digits, next)
	}
	r.landlines()
}

// number masks one run of digits by its length: 15 or 18 an identity card
// (the region code stays), 16 to 19 or more a bank account (the last four
// stay), 11 from 1 a mobile number (the first three and last four stay).
// An 18-character run that is a valid unified social credit code and not a
// valid identity number is public and stays; no identity number ever does.
func (r *redactor) number(start, end int, digits []rune, next string) {
	n := len(digits)
	text := string(digits)
	switch {
	case n == 18 && USCCValid(strings.ToUpper(r.s[start:end])) && !IDValid(text) && !IDValid(string(digits[1:])+strings.ToUpper(next)):
	case n == 15 || n == 18:
		r.add(start, end, IDCard, string(digits[:6])+strings.Repeat("*", n-6))
	case n >= 16:
		r.add(start, end, Bank, strings.Repeat("*", n-4)+string(digits[n-4:]))
	case n == 11 && digitValue(digits[0]) == 1:
		r.add(start, end, Phone, string(digits[:3])+"****"+string(digits[7:]))
	}
}

// groupedAccount is a bank card or account written in groups of digits.
var groupedAccount = regexp.MustCompile(`\d{4}(?:[ -]\d{3,4}){3,4}`)

// groupedAccounts masks bank accounts written in groups (6217 0012 …): all
// but the last four digits.
func (r *redactor) groupedAccounts() {
	for _, m := range groupedAccount.FindAllStringIndex(r.s, -1) {
		v := []byte(r.s[m[0]:m[1]])
		digits := 0
		for _, c := range v {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits < 15 {
			continue
		}
		seen := 0
		for i, c := range v {
			if c >= '0' && c <= '9' {
				if seen < digits-4 {
					v[i] = '*'
				}
				seen++
			}
		}
		r.add(m[0], m[1], Bank, string(v))
	}
}

// landlines masks fixed telephone numbers written with an area code
// (0571-87654321) and the numbers after a telephone label: the last four
// digits stay.
var landline = regexp.MustCompile(`(0\d{2,3}[-－—])(\d{7,8})`)

func allDigits(s string) bool {
	for _, c := range s {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// addresses masks a person's home address after the county (区、县、旗、
// 县级市); an organisation's registered address (住所、经营场所) is public.

// countyEnd is where the county-level part of an address ends: after the
// first 区、县 or 旗 that follows a province, city or prefecture; else after
// the city; else nothing of it is kept.
func countyEnd(v string) int {
	for i, c := range v {
		if (c == '区' || c == '县' || c == '旗') && strings.ContainsAny(v[:i], "省市州盟") {
			return i + utf8.RuneLen(c)
		}
	}
	if i := strings.LastIndex(v, "市"); i >= 0 {
		return i + len("市")
	}
	return 0
}

// plates masks licence plates when a natural person is a party (an
// organisation's vehicles are its own business).
var plate = regexp.MustCompile(`[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·•]?[A-Z0-9]{5,6}`)

// clauseEndFrom is where the clause running from v ends: at the first mark
// of clauseEnd, or the end of s.
func clauseEndFrom(s string, v int) int {
	end := v
	for end < len(s) {
		c, n := utf8.DecodeRuneInString(s[end:])
		if strings.ContainsRune(clauseEnd, c) {
			break
		}
		end += n
	}
	return end
}
