package redact

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// lineOf is where the line holding byte at starts.
func (r *redactor) lineStart(at int) int {
	return strings.LastIndexByte(r.s[:at], '\n') + 1
}

// personNear says whose a telephone, address or plate at byte at is: the
// person's when the nearest name or organisation before it on its line is
// a person's; the party's when there is none on the line.
func (r *redactor) personNear(at int) bool {
	from := r.lineStart(at)
	person, org := -1, -1
	for _, p := range r.nameAt {
		if p >= from && p < at {
			person = max(person, p)
		}
	}
	for _, o := range r.orgAt {
		if o[0] >= from && o[0] < at {
			org = max(org, o[0])
		}
	}
	if person < 0 && org < 0 {
		return r.person
	}
	return person > org
}

// agencyLine says whether a line gives the agency's own contacts.
func (r *redactor) agencyLine(at int) bool {
	end := strings.IndexByte(r.s[at:], '\n')
	if end < 0 {
		end = len(r.s) - at
	}
	line := r.s[r.lineStart(at) : at+end]
	return slices.ContainsFunc([]string{"本局", "本机关", "本委", "本队", "举报电话", "投诉电话", "咨询电话", "监督电话", "12345", "12315"},
		func(w string) bool { return strings.Contains(line, w) })
}

// landlines masks a person's fixed telephone numbers (0571-87654321,
// (0571)87654321) and the numbers after a telephone label: the last four
// digits stay. An organisation's and the agency's numbers are public.
var landlineParen = regexp.MustCompile(`([（(]0\d{2,3}[）)])(\d{7,8})`)

func (r *redactor) landlines() {
	for _, re := range []*regexp.Regexp{landline, landlineParen} {
		for _, m := range re.FindAllStringSubmatchIndex(r.s, -1) {
			if !r.personNear(m[0]) || r.agencyLine(m[0]) && !r.namedOnLine(m[0]) {
				continue
			}
			local := r.s[m[4]:m[5]]
			r.add(m[0], m[1], Phone, r.s[m[2]:m[3]]+strings.Repeat("*", len(local)-4)+local[len(local)-4:])
		}
	}
	for _, m := range labelled(r.s, []string{"电话", "联系电话", "手机", "联系方式", "手机号码", "固定电话", "座机", "家庭电话"}) {
		if !r.personNear(m[0]) || r.agencyLine(m[0]) && !r.namedOnLine(m[0]) {
			continue
		}
		v := r.s[m[1]:m[2]]
		d := strings.TrimFunc(v, func(c rune) bool { return !isDigit(c) })
		if ds := []rune(d); (len(ds) == 7 || len(ds) == 8 || len(ds) >= 10 && len(ds) <= 12 && digitValue(ds[0]) == 0) && allDigits(d) {
			at := m[1] + strings.Index(v, d)
			r.add(at, at+len(d), Phone, strings.Repeat("*", len(ds)-4)+string(ds[len(ds)-4:]))
		}
	}
}

// namedOnLine says whether a person's name was found on the line before at.
func (r *redactor) namedOnLine(at int) bool {
	from := r.lineStart(at)
	return slices.ContainsFunc(r.nameAt, func(p int) bool { return p >= from && p < at })
}

// addressLabels introduce a home address; ambiguousAddress ones are a
// person's or an organisation's, by whose line they are on; publicAddress
// ones are an organisation's or a business's and stay.
var (
	addressLabels    = []string{"住址", "家庭住址", "家庭地址", "现住址", "现住", "居住地", "居住地址", "现居住地", "户籍地", "户籍所在地", "户籍地址", "暂住地", "身份证住址", "家住", "住在", "居住于", "居住在", "暂住于", "现居"}
	ambiguousAddress = []string{"住所地", "住所", "地址", "联系地址", "通讯地址", "送达地址"}
	publicAddress    = []string{"经营场所", "经营地址", "注册地址", "执业地点", "营业场所", "办公地址", "生产经营场所", "经营地点", "营业地址"}
)

// noSepAddress are followed by the address itself (家住青禾市…).
var noSepAddress = []string{"家住", "住在", "居住于", "居住在", "暂住于", "现居", "现住"}

// addressValues finds each value after a label, a colon or 为/在/于/是, up
// to the next clause mark.
func addressValues(s string, labels []string) [][3]int {
	var out [][3]int
	for _, l := range labels {
		for _, at := range indexAll(s, l) {
			v := at + len(l)
			sep := false
			for _, p := range []string{"：", ":", "为", "在", "于", "是"} {
				if strings.HasPrefix(s[v:], p) {
					v += len(p)
					sep = true
					break
				}
			}
			c, _ := utf8.DecodeRuneInString(s[v:])
			if !sep && (!slices.Contains(noSepAddress, l) || strings.ContainsRune("址地所处", c)) {
				continue
			}
			end := clauseEndFrom(s, v)
			if end > v {
				out = append(out, [3]int{at, v, end})
			}
		}
	}
	return out
}

// homeShapes are addresses that are homes wherever they are written: a
// village's group and number, a building's unit and flat.
var homeShapes = regexp.MustCompile(`村[^\s，,。；;：:、（()）]{0,8}?[0-9一二三四五六七八九十]+(?:组|队|社)(?:[0-9]+号)?|[0-9]+(?:栋|幢|号楼|座)(?:[0-9]+单元)?[0-9]+(?:室|号)`)

func (r *redactor) addresses() {
	var public [][2]int
	mask := func(from, to int) {
		v := r.s[from:to]
		keep := countyEnd(v)
		if keep < len(v) {
			r.add(from+keep, to, Address, strings.Repeat("*", min(8, utf8.RuneCountInString(v[keep:]))))
		}
	}
	for _, m := range addressValues(r.s, addressLabels) {
		mask(m[1], m[2])
	}
	for _, m := range labelled(r.s, publicAddress) {
		public = append(public, [2]int{m[1], m[2]})
	}
	for _, m := range labelled(r.s, ambiguousAddress) {
		if slices.ContainsFunc(public, func(p [2]int) bool { return m[1] == p[0] }) {
			continue // 地址 of 经营地址
		}
		if r.personNear(m[0]) {
			mask(m[1], m[2])
		} else {
			public = append(public, [2]int{m[1], m[2]})
		}
	}
	for _, m := range homeShapes.FindAllStringIndex(r.s, -1) {
		if slices.ContainsFunc(public, func(p [2]int) bool { return m[0] >= p[0] && m[1] <= p[1] }) {
			continue
		}
		start := m[0]
		for start > 0 {
			c, n := utf8.DecodeLastRuneInString(r.s[:start])
			if strings.ContainsRune(clauseEnd+"住在于为是至到的其", c) {
				break
			}
			start -= n
		}
		mask(start, m[1])
	}
}

// plates masks licence plates when a natural person is the party or is
// named on the plate's line before it (a driver); an organisation's
// vehicles are its own business.
func (r *redactor) plates() {
	masked := map[string]bool{}
	for _, m := range plate.FindAllStringIndex(r.s, -1) {
		if r.person || r.namedOnLine(m[0]) {
			masked[r.s[m[0]:m[1]]] = true
		}
	}
	// A plate once a person's is masked wherever it occurs.
	for _, m := range plate.FindAllStringIndex(r.s, -1) {
		v := r.s[m[0]:m[1]]
		if !masked[v] {
			continue
		}
		head := v[:len("浙")+1]
		r.add(m[0], m[1], Plate, head+strings.Repeat("*", utf8.RuneCountInString(v[len(head):])-1)+v[len(v)-1:])
	}
}
