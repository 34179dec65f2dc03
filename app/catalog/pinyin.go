package catalog

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// surnameReadings are surnames whose reading as a name differs from the
// character's most common reading (曾 is zēng as a surname, céng otherwise).
var surnameReadings = map[rune]string{
	'曾': "zeng", '单': "shan", '解': "xie", '仇': "qiu", '朴': "piao", '查': "zha",
	'区': "ou", '盖': "ge", '乐': "yue", '覃': "qin", '尉': "yu", '繁': "po", '召': "shao",
}

// readings returns the full pinyin of each Han character of s, without tones;
// other characters stand for themselves, lower-cased.
func readings(s string) []string {
	args := pinyin.NewArgs()
	var out []string
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			p := pinyin.SinglePinyin(r, args)
			if len(p) > 0 {
				out = append(out, p[0])
				continue
			}
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, strings.ToLower(string(r)))
		}
	}
	return out
}

// SearchKey is what a query is matched against: the text itself, its full
// pinyin and its pinyin initials, so that "张三", "zhangsan" and "zs" all
// find 张三. A person's name is also keyed by its surname reading.
func SearchKey(text string, person bool) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(text))
	add := func(r []string) {
		b.WriteByte(' ')
		b.WriteString(strings.Join(r, ""))
		b.WriteByte(' ')
		for _, p := range r {
			b.WriteByte(p[0])
		}
	}
	r := readings(text)
	if len(r) == 0 {
		return b.String()
	}
	add(r)
	if person {
		first, _ := firstRune(text)
		if s, ok := surnameReadings[first]; ok && s != r[0] {
			alt := append([]string{s}, r[1:]...)
			add(alt)
		}
	}
	return b.String()
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

// NormalizeQuery folds what a person typed into the form SearchKey stores:
// lower case, no spaces or apostrophes (xi'an), full-width digits and letters
// made half-width, control characters dropped (SQLite ends a LIKE pattern at
// NUL, which would match everything).
func NormalizeQuery(q string) string {
	var b strings.Builder
	for _, r := range q {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\'' || r == '’' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
