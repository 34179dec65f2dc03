package shell

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// A sign-in refused by the vault (the folder on another machine, the
// keystore out of reach, no data key for the person yet) says so in
// Chinese first, on every desk's sign-in and unlock form, and never as a
// wrong PIN.
func TestSignInErrorSaysWhatTheVaultNeeds(t *testing.T) {
	if _, err := SetLanguage(LangChinese); err != nil {
		t.Fatal(err)
	}
	for err, want := range map[error]string{
		fmt.Errorf("sign in 1: %w: not here", vault.ErrOtherMachine):         "本机数据绑定在另一台电脑或另一个系统用户上：请在原电脑上登录，或用市级恢复密钥恢复",
		fmt.Errorf("sign in 1: %w", vault.ErrNoDataKey):                      "本机数据尚未向您开放：请本机已有人员登录一次",
		fmt.Errorf("sign in 1: machine secret: %w", keystore.ErrUnavailable): "无法使用本机系统密钥库",
	} {
		for _, got := range []string{SignInError(err, time.Time{}), PINError(err, time.Time{})} {
			if !strings.HasPrefix(got, want) {
				t.Errorf("%v: says %q", err, got)
			}
		}
	}
	if got := SignInError(fmt.Errorf("%w (1/5)", account.ErrWrongPIN), time.Time{}); strings.Contains(got, "另一台电脑") {
		t.Fatalf("a wrong PIN says %q", got)
	}
}
