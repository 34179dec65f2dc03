package ledger

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// platformReceipt signs a receipt of the log's newest tree as the
// platform does, at the time given.
func platformReceipt(t *testing.T, l *Log, skey string, at time.Time) string {
	t.Helper()
	cp, err := l.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: ReceiptText(l.Origin(), cp.Size, cp.Root, at)}, s)
	if err != nil {
		t.Fatal(err)
	}
	return string(msg)
}

// TestClockBehindRefused: on a real log file, a clock set back behind the
// newest record, or behind the platform's time in the newest receipt, is
// refused with ErrClockBehind, which says by how much; within the
// tolerance, and once the clock is right again, appends go on.
func TestClockBehindRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "device.db")
	l, err := Open(ctx, path, filepath.Join(dir, "media"), "clock-01", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l.SetClock(func() time.Time { return clock })
	add := func() error {
		return l.Append(ctx, &Record{Case: "C1", Kind: "note", Author: "990101000001"})
	}
	if err := add(); err != nil {
		t.Fatal(err)
	}

	// Behind the newest record by three hours.
	clock = clock.Add(-3 * time.Hour)
	err = add()
	var cb *ClockBehindError
	if !errors.Is(err, ErrClockBehind) || !errors.As(err, &cb) {
		t.Fatalf("append with the clock 3 h behind the last record: %v, want ErrClockBehind", err)
	}
	if cb.What != BehindRecord || cb.Behind() != 3*time.Hour {
		t.Fatalf("refusal says %s behind the %s, want 3h0m0s behind the record", cb.Behind(), cb.What)
	}
	// Within the tolerance: a clock a minute behind still appends.
	clock = time.Date(2026, 3, 2, 8, 59, 0, 0, time.UTC)
	if err := add(); err != nil {
		t.Fatalf("a minute behind (within the tolerance): %v", err)
	}

	// The platform's receipt says it received the log on 2 March at 12:00;
	// the device's clock then goes back to 10:00.
	skey, vkey := mustKey(t)
	platformTime := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	if _, err := l.KeepReceipt(ctx, platformReceipt(t, l, skey, platformTime), vkey); err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	err = add()
	if !errors.As(err, &cb) || cb.What != BehindReceipt || cb.Behind() != 2*time.Hour || !cb.Ref.Equal(platformTime) {
		t.Fatalf("append 2 h behind the receipt's platform time: %v, want ErrClockBehind of the receipt by 2h", err)
	}
	// The log is as it was: nothing was appended by the refusals.
	if cp, err := l.Latest(ctx); err != nil || cp.Size != 2 {
		t.Fatalf("log size after refusals: %d (%v), want 2", cp.Size, err)
	}
	// The clock put right: appends go on, and the record carries it.
	clock = platformTime.Add(time.Minute)
	r := &Record{Case: "C1", Kind: "note", Author: "990101000001"}
	if err := l.Append(ctx, r); err != nil {
		t.Fatalf("append with the clock put right: %v", err)
	}
	if !r.At.Equal(clock) {
		t.Fatalf("record at %s, want %s", r.At, clock)
	}
}

func mustKey(t *testing.T) (string, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "sanxiang-platform")
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

// TestReceiptTimeKept: the platform's time signed in a receipt is read
// and kept; a receipt whose time was changed after signing is refused as
// forged, and so is one signed by another key.
func TestReceiptTimeKept(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	skey, vkey := mustKey(t)
	at := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	msg := platformReceipt(t, f.log, skey, at)

	forged := strings.Replace(msg, "time 2026-11-27T08:30:00Z", "time 2026-12-27T08:30:00Z", 1)
	if forged == msg {
		t.Fatalf("the receipt carries no time line:\n%s", msg)
	}
	if _, err := f.log.KeepReceipt(ctx, forged, vkey); !errors.Is(err, ErrReceiptForged) || !errors.Is(err, ErrBadReceipt) {
		t.Fatalf("receipt with its time changed: %v, want ErrReceiptForged", err)
	}
	otherS, _ := mustKey(t)
	if _, err := f.log.KeepReceipt(ctx, platformReceipt(t, f.log, otherS, at), vkey); !errors.Is(err, ErrReceiptForged) {
		t.Fatalf("receipt signed by another key: %v, want ErrReceiptForged", err)
	}
	if n, err := f.log.KeepReceipt(ctx, msg, vkey); err != nil || n != 3 {
		t.Fatalf("keep receipt: %d, %v", n, err)
	}
	var kept string
	if err := f.log.DB().QueryRowContext(ctx, `SELECT platform_time FROM receipts WHERE size = 3`).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != "2026-11-27T08:30:00Z" {
		t.Fatalf("platform time kept %q", kept)
	}
	rc, err := ParseReceipt(msg, vkey)
	if err != nil || !rc.Time.Equal(at) || rc.Size != 3 {
		t.Fatalf("parse receipt: %+v, %v", rc, err)
	}
}
