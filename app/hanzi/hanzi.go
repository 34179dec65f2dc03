// Package hanzi turns pinyin typed on the kiosk's own keyboard into
// Chinese characters, one syllable at a time: a citizen who writes a few
// words of why (好差评) types "pai", taps 排, types "dui", taps 队 — the
// hall's screens have no input method. The characters offered are those
// of GB2312 (the bundled font's set), the 3755 common ones of its first
// level before the rest, each level in its own order (by reading), with
// readings from go-pinyin, which the lists' search already uses.
package hanzi

import (
	"slices"
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// bySyllable maps each toneless syllable to its characters in order.
var bySyllable = sync.OnceValue(func() map[string][]rune {
	primary, other := map[string][]rune{}, map[string][]rune{}
	args := pinyin.NewArgs()
	args.Heteronym = true
	dec := simplifiedchinese.GBK.NewDecoder()
	// GB2312's characters: rows 0xB0–0xD7 (level 1, common) then
	// 0xD8–0xF7 (level 2), columns 0xA1–0xFE.
	for hi := 0xB0; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			r := []rune(string(s))
			if len(r) != 1 || r[0] == '\uFFFD' {
				continue
			}
			for i, py := range pinyin.SinglePinyin(r[0], args) {
				if i == 0 {
					primary[py] = append(primary[py], r[0])
				} else if !slices.Contains(other[py], r[0]) {
					other[py] = append(other[py], r[0])
				}
			}
		}
	}
	// A character under its usual reading before one read so only at
	// times (大 is dà before it is dài or tài).
	out := map[string][]rune{}
	for py, rs := range primary {
		out[py] = rs
	}
	for py, rs := range other {
		for _, r := range rs {
			if !slices.Contains(out[py], r) {
				out[py] = append(out[py], r)
			}
		}
	}
	// Common before rare, whichever reading: 长 (zhǎng first) is a
	// common cháng before 伥 is a rare one.
	for py, rs := range out {
		slices.SortStableFunc(rs, func(a, b rune) int { return rank(a) - rank(b) })
		out[py] = rs
	}
	return out
})

// rank is 0 for a common character (GB2312 level 1), 1 for a rare one.
func rank(r rune) int {
	if level1(r) {
		return 0
	}
	return 1
}

// Candidates are the characters typed lowercase pinyin letters may stand
// for: those read exactly so first, then those whose reading begins so
// ("zh" offers 这, 中, …), each in GB2312's order. At most limit (all, if
// limit is 0).
func Candidates(typed string, limit int) []rune {
	typed = strings.ToLower(strings.TrimSpace(typed))
	if typed == "" {
		return nil
	}
	dict := bySyllable()
	out := slices.Clone(dict[typed])
	seen := map[rune]bool{}
	for _, r := range out {
		seen[r] = true
	}
	var longer []string
	for py := range dict {
		if py != typed && strings.HasPrefix(py, typed) {
			longer = append(longer, py)
		}
	}
	// Common characters of every longer reading before any rare one.
	var common, rare []rune
	for _, py := range longer {
		for _, r := range dict[py] {
			if seen[r] {
				continue
			}
			seen[r] = true
			if level1(r) {
				common = append(common, r)
			} else {
				rare = append(rare, r)
			}
		}
	}
	byCode := func(a, b rune) int { return gbCode(a) - gbCode(b) }
	slices.SortFunc(common, byCode)
	slices.SortFunc(rare, byCode)
	// An exact reading's own rare characters still come before the
	// longer readings' common ones: the citizen typed that syllable whole.
	out = append(out, common...)
	out = append(out, rare...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

var enc = simplifiedchinese.GBK.NewEncoder()

// gbCode is r's GB2312 code (0 for none).
func gbCode(r rune) int {
	b, err := enc.Bytes([]byte(string(r)))
	if err != nil || len(b) != 2 {
		return 0
	}
	return int(b[0])<<8 | int(b[1])
}

// level1 says whether r is one of GB2312's 3755 common characters.
func level1(r rune) bool {
	c := gbCode(r)
	return c >= 0xB0A1 && c < 0xD800
}
