package shell

import "testing"

func TestKeepNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"自立案之日起90日内作出决定（行政处罚法第六十条）：2027-03-05　进行中": "自立案之日起90日内作出决定（行政处罚法第六十条）： 2027-03-05　进行中",
		"审核期限至2026-11-30。": "审核期限至 2026-11-30。",
		"（2026-11-30）":     "（2026-11-30）",
		"第3条":              "第3条",
		"电话0999-87110001转": "电话 0999-87110001 转",
	} {
		if got := KeepNumbers(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
