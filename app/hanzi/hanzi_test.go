package hanzi

import (
	"slices"
	"strings"
	"testing"
)

// A syllable offers its common characters first: the words a citizen
// writes about a service are reachable in the first page of candidates.
func TestCandidatesOfASyllable(t *testing.T) {
	for _, c := range []struct {
		typed string
		want  rune
		page  int
	}{
		{"pai", '排', 8}, {"dui", '队', 8}, {"tai", '态', 8}, {"du", '度', 16},
		{"man", '慢', 8}, {"cai", '材', 8}, {"liao", '料', 16}, {"ban", '办', 16}, {"zhong", '中', 8},
		{"shi", '时', 40}, {"jian", '间', 40}, {"chang", '长', 16}, {"PAI", '排', 8},
	} {
		got := Candidates(c.typed, c.page)
		if !slices.Contains(got, c.want) {
			t.Errorf("%q: %c not among the first %d: %s", c.typed, c.want, c.page, string(got))
		}
	}
	// Exactly that reading first, then the longer ones; the common level
	// (GB2312 level 1) before the rare.
	zh := Candidates("zh", 0)
	if len(zh) < 300 || !strings.ContainsRune(string(zh), '中') {
		t.Errorf("zh offers %d characters, 中 not among them", len(zh))
	}
	rare := false
	for _, r := range zh {
		if !level1(r) {
			rare = true
		} else if rare {
			t.Fatalf("a common character (%c) after a rare one", r)
		}
	}
	if len(Candidates("", 0)) != 0 || len(Candidates("xq", 0)) != 0 || len(Candidates("1", 0)) != 0 {
		t.Error("candidates for nothing, or for what is no reading")
	}
	if got := Candidates("a", 3); len(got) != 3 {
		t.Errorf("limit 3 gave %d", len(got))
	}
}
