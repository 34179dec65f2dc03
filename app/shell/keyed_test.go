package shell

import (
	"errors"
	"fmt"
	"testing"
)

type msg struct {
	key  string
	args map[string]any
}

func (m msg) Keyed() (string, map[string]any) { return m.key, m.args }

type keyedErr struct{ msg }

func (e keyedErr) Error() string { return "raw " + e.key }

// Keys nested in a message's values are translated too; a joined error
// reads one translated line for each Keyed error in it, and any other
// error as it is.
func TestKeyedMessagesAreTranslated(t *testing.T) {
	if _, err := SetLanguage(LangChinese); err != nil {
		t.Fatal(err)
	}
	step := msg{"sync.step_failed", map[string]any{"Step": msg{key: "sync.step.calendar"},
		"Why": msg{"sync.why_platform_error", map[string]any{"Status": 500}}}}
	if got, want := T(step), "更新工作日历未完成：平台暂时出错（500），请稍后再试；如持续出现请联系平台管理员"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	err := errors.Join(fmt.Errorf("wrapped: %w", keyedErr{msg{key: "sync.why_timeout"}}), errors.New("plain"))
	if got, want := ErrorText(err), L("sync.why_timeout")+"\nplain"; got != want {
		t.Errorf("ErrorText = %q, want %q", got, want)
	}
}
