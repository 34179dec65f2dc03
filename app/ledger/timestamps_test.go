package ledger

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// TestKeepTimestampOnlyOfThisTree: a token is kept only with bytes that
// state this log's own tree: another log's origin, another size, a size
// past the log, or another root is ErrTimestampOther; what is kept is
// append-only and goes into the bundle, which still verifies.
func TestKeepTimestampOnlyOfThisTree(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6)
	l := f.log
	skey, _, err := note.GenerateKey(rand.Reader, "platform.test")
	if err != nil {
		t.Fatal(err)
	}
	good := platformReceipt(t, l, skey, time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	cp, err := l.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	token := []byte("a token, checked by the caller")
	for _, c := range []struct {
		name string
		size int64
		data string
	}{
		{"another log", cp.Size, strings.Replace(good, l.Origin(), "test-02", 1)},
		{"another size", cp.Size - 1, strings.Replace(good, "\n6\n", "\n5\n", 1)},
		{"past the log", cp.Size + 1, strings.Replace(good, "\n6\n", "\n7\n", 1)},
		{"another root", cp.Size, strings.Replace(good, base64.StdEncoding.EncodeToString(cp.Root[:]), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1)},
		{"short", cp.Size, l.Origin() + "\n6\n"},
	} {
		if err := l.KeepTimestamp(ctx, Timestamp{Seq: 1, Size: c.size, Data: []byte(c.data), Token: token}); !errors.Is(err, ErrTimestampOther) {
			t.Errorf("%s: %v, want ErrTimestampOther", c.name, err)
		}
	}
	if err := l.KeepTimestamp(ctx, Timestamp{Seq: 7, Size: cp.Size, Data: []byte(good), Token: token}); err != nil {
		t.Fatal(err)
	}
	if err := l.KeepTimestamp(ctx, Timestamp{Seq: 7, Size: cp.Size, Data: []byte(good), Token: token}); err != nil {
		t.Fatalf("kept again: %v", err)
	}
	if n, err := l.TimestampsHeld(ctx); err != nil || n != 7 {
		t.Fatalf("held %d, %v", n, err)
	}
	for _, q := range []string{`UPDATE timestamps SET token = x'00'`, `DELETE FROM timestamps`} {
		if _, err := l.db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}
