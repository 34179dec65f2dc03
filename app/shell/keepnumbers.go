package shell

import (
	"strings"
	"unicode"
)

// KeepNumbers sets each number of s (a date, a time, an amount, a phone
// or certificate number: digits with - : . / inside) apart with a space
// where it touches other text, so that a wrapping label breaks beside it,
// never inside it. Fyne wraps at spaces and, in a run of Chinese text
// with none, anywhere: "2026-11-30" came out as "2026-" and "11-30".
func KeepNumbers(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i := 0; i < len(r); {
		if !unicode.IsDigit(r[i]) {
			b.WriteRune(r[i])
			i++
			continue
		}
		j := i
		for j < len(r) && (unicode.IsDigit(r[j]) || j+1 < len(r) && strings.ContainsRune("-:./", r[j]) && unicode.IsDigit(r[j+1])) {
			j++
		}
		// Only runs with separators are kept apart ("第3条" stays whole).
		if run := string(r[i:j]); strings.ContainsAny(run, "-:./") {
			if i > 0 && !unicode.IsSpace(r[i-1]) && !isOpening(r[i-1]) {
				b.WriteByte(' ')
			}
			b.WriteString(run)
			if j < len(r) && !unicode.IsSpace(r[j]) && !unicode.IsPunct(r[j]) {
				b.WriteByte(' ')
			}
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

func isOpening(r rune) bool { return strings.ContainsRune("（(《“‘[【", r) }
