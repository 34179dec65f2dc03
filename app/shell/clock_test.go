package shell

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// A refusal for a clock behind the log says by how much and behind what,
// in Chinese first; any other error is not its to word.
func TestClockErrorSaysHowFarBehind(t *testing.T) {
	if _, err := SetLanguage(LangChinese); err != nil {
		t.Fatal(err)
	}
	err := fmt.Errorf("sign in: %w", &ledger.ClockBehindError{Clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		Ref: time.Date(2026, 3, 3, 11, 30, 0, 0, time.UTC), What: ledger.BehindReceipt})
	msg := ClockError(err)
	if !strings.Contains(msg, "本机时钟比平台上次签收回执的时间慢了2天2小时") || !strings.Contains(msg, "校正") {
		t.Fatalf("ClockError: %q", msg)
	}
	if SignInError(err, time.Time{}) != msg {
		t.Fatalf("a sign-in refused for the clock says %q", SignInError(err, time.Time{}))
	}
	if ClockError(errors.New("other")) != "" {
		t.Fatal("ClockError worded another error")
	}
	if got := Span(90 * time.Second); got != "2分钟" {
		t.Fatalf("Span(90s) = %q", got)
	}
}
