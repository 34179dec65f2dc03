package words

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/assets"
)

func TestLooksUpAndFills(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	if got := L("platform.internal"); got != "平台内部错误" {
		t.Errorf("platform.internal = %q", got)
	}
	if got := L("platform.period_too_long", map[string]any{"N": 5}); got != "统计期间最长 5 年" {
		t.Errorf("platform.period_too_long = %q", got)
	}
	// The texts that were literals in Go read as they did.
	err := fmt.Errorf("boom")
	if got, want := L("platform.alert.arrival", map[string]any{"First": 3, "Last": 7, "Err": err}),
		fmt.Sprintf("第 %d–%d 条记录的后续处理（法制审核跟踪、决定公开）未完成，平台将自动重试：%v", 3, 7, err); got != want {
		t.Errorf("platform.alert.arrival = %q, want %q", got, want)
	}
	if got := L("no.such_key"); got != "no.such_key" {
		t.Errorf("a missing key reads %q", got)
	}
}

// Every platform.* key the zh-Hans file has, the English file has too:
// the platform's texts are translated as the device's are.
func TestPlatformKeysInEveryLanguage(t *testing.T) {
	read := func(name string) map[string]string {
		data, err := assets.Translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	zh, en := read("zh-Hans.json"), read("en.json")
	n := 0
	for k := range zh {
		if strings.HasPrefix(k, "platform.") {
			n++
			if en[k] == "" {
				t.Errorf("en.json lacks %s", k)
			}
		}
	}
	if n == 0 {
		t.Fatal("no platform.* keys")
	}
}
