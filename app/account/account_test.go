package account

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckPIN(t *testing.T) {
	for pin, ok := range map[string]bool{
		"147258": true, "902113": true,
		"123456": false, "987654": false, "111111": false, "12345": false, "1234567": false, "12a456": false, "": false,
	} {
		if err := CheckPIN(pin); (err == nil) != ok {
			t.Errorf("CheckPIN(%q) = %v, want ok=%v", pin, err, ok)
		}
	}
}

func openBook(t *testing.T) (*Book, *time.Time) {
	t.Helper()
	b, err := Open(context.Background(), filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	b.SetKDF(Quick)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	b.SetClock(func() time.Time { return now })
	return b, &now
}

func TestSignInAndLockout(t *testing.T) {
	b, now := openBook(t)
	ctx := context.Background()
	a := Account{ID: "990101000001", Name: "张三", Agency: "01", Unit: "青禾市市场监督管理局", Role: RoleStaff}
	if err := b.Enrol(ctx, a, "123456"); !errors.Is(err, ErrWeakPIN) {
		t.Fatalf("weak PIN enrolled: %v", err)
	}
	if err := b.Enrol(ctx, a, "147258"); err != nil {
		t.Fatal(err)
	}
	got, _, err := b.SignIn(ctx, " 990101000001 ", "147258", "3")
	if err != nil || got.Name != "张三" || got.Role != RoleStaff {
		t.Fatalf("SignIn = %+v, %v", got, err)
	}
	if _, _, err := b.SignIn(ctx, "nobody", "147258", "3"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("unknown: %v", err)
	}
	for i := 1; i < MaxFailures; i++ {
		if _, _, err := b.SignIn(ctx, a.ID, "000001", "3"); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
	}
	_, until, err := b.SignIn(ctx, a.ID, "000001", "3")
	if !errors.Is(err, ErrLocked) || !until.Equal(now.Add(LockFor)) {
		t.Fatalf("fifth wrong PIN: %v until %v", err, until)
	}
	// Locked: even the right PIN is refused until the time has passed.
	if _, _, err := b.SignIn(ctx, a.ID, "147258", "3"); !errors.Is(err, ErrLocked) {
		t.Fatalf("right PIN while locked: %v", err)
	}
	*now = now.Add(LockFor + time.Second)
	if _, _, err := b.SignIn(ctx, a.ID, "147258", "3"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if err := b.Log(ctx, a.ID, "signout", "3"); err != nil {
		t.Fatal(err)
	}
	ev, err := b.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); got != "signin failed failed failed failed locked signin signout" {
		t.Errorf("log = %s", got)
	}
}

func TestSignLogIsAppendOnly(t *testing.T) {
	b, _ := openBook(t)
	ctx := context.Background()
	b.Log(ctx, "x", "signin", "1")
	for _, q := range []string{`UPDATE sign_log SET account = 'y'`, `DELETE FROM sign_log`} {
		if _, err := b.db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestHashIsSaltedAndVerifies(t *testing.T) {
	h1, _ := Hash("147258")
	h2, _ := Hash("147258")
	if h1 == h2 {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h1)
	}
	if !VerifyPIN("147258", h1) || VerifyPIN("147259", h1) || VerifyPIN("147258", "garbage") {
		t.Fatal("verify is wrong")
	}
}

// A lock that cannot be read stays a lock: a damaged locked_until must not
// let a PIN guesser start again from zero. Enrolling again clears it.
func TestUnreadableLockStaysLocked(t *testing.T) {
	b, _ := openBook(t)
	ctx := context.Background()
	a := Account{ID: "990101000001", Name: "张三", Agency: "01", Role: RoleStaff}
	if err := b.Enrol(ctx, a, "147258"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.ExecContext(ctx, `UPDATE accounts SET locked_until = 'garbled' WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.SignIn(ctx, a.ID, "147258", "3"); !errors.Is(err, ErrLocked) {
		t.Fatalf("right PIN with an unreadable lock: %v", err)
	}
	if err := b.Enrol(ctx, a, "147258"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.SignIn(ctx, a.ID, "147258", "3"); err != nil {
		t.Fatalf("after enrolling again: %v", err)
	}
}
