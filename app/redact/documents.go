package redact

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// email is an e-mail address; a government one (…gov.cn) is an agency's
// and public.
var email = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

// travelDoc is a passport (E/G, or E and a letter, and digits) or a Hong
// Kong, Macao or Taiwan permit (C…, H/M and 8 or 10 digits, L/T and 8
// digits), standing alone between non-alphanumerics.
var travelDoc = regexp.MustCompile(`[A-Za-z0-9]*(?:[EGDSP][A-Z]?\d{7,8}|C[A-Z0-9]\d{7,8}|[HM]\d{8}(?:\d{2})?|[LT]\d{8})[A-Za-z0-9]*`)

// docLabels introduce the number of a personal document of any shape.
var docLabels = []string{"护照号码", "护照号", "护照", "通行证号码", "通行证号", "港澳通行证", "往来港澳通行证", "台胞证",
	"台湾居民来往大陆通行证", "回乡证", "港澳居民来往内地通行证", "证件号码", "居住证号码", "驾驶证号", "驾驶证号码", "社会保障号码", "银行卡号", "银行账号"}

// documents masks e-mail addresses (the name before @), passports and
// permits (the first letter stays), and mobile numbers written in groups.
func (r *redactor) documents() {
	for _, m := range email.FindAllStringIndex(r.s, -1) {
		v := r.s[m[0]:m[1]]
		at := strings.IndexByte(v, '@')
		if strings.HasSuffix(strings.ToLower(v), "gov.cn") {
			continue
		}
		r.add(m[0], m[0]+at, Email, strings.Repeat("*", at))
	}
	for _, m := range travelDoc.FindAllStringIndex(r.s, -1) {
		v := r.s[m[0]:m[1]]
		if len(v) != len(strings.TrimLeft(v, "0123456789")) && len(v) == 18 || len(v) > 12 || len(v) < 8 {
			continue // a credit code or something longer is not a permit
		}
		k := Permit
		if strings.ContainsAny(v[:1], "EGDSP") {
			k = Passport
		}
		r.add(m[0]+1, m[1], k, strings.Repeat("*", len(v)-1))
	}
	for _, m := range labelled(r.s, docLabels) {
		v := r.s[m[1]:m[2]]
		if utf8.RuneCountInString(v) < 6 || !isAlnum(v) {
			continue
		}
		k := Permit
		if strings.HasPrefix(r.s[m[0]:], "护照") {
			k = Passport
		}
		if allDigits(v) {
			r.add(m[1], m[2], k, strings.Repeat("*", len(v)))
			continue
		}
		r.add(m[1]+1, m[2], k, strings.Repeat("*", len(v)-1))
	}
	for _, m := range groupedMobile.FindAllStringIndex(r.s, -1) {
		v := []byte(r.s[m[0]:m[1]])
		d := 0
		for i, c := range v {
			if c >= '0' && c <= '9' {
				if d >= 3 && d < 7 {
					v[i] = '*'
				}
				d++
			}
		}
		r.add(m[0], m[1], Phone, string(v))
	}
}

var groupedMobile = regexp.MustCompile(`\b1[3-9]\d[- ]\d{4}[- ]\d{4}\b`)

func isAlnum(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
