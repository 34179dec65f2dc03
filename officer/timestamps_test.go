package officer

import (
	"context"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// The desk's sync dialog says the trusted time-stamps kept: a real
// platform and a real time-stamping authority on loopback, the officer's
// records pushed, the receipt stamped, the token kept by the next push.
func TestSyncDialogSaysTimestamps(t *testing.T) {
	ctx := context.Background()
	d, l := signedInWithCases(t)
	tsa := tsatest.Start(t)
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Timestamps: stamps.Config{URL: tsa.URL, Roots: tsa.CA.Roots(), Retry: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	code, err := s.NewEnrolCode(ctx, "officer")
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, h.URL, code, "laptop", "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(id)
	caseID, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1",
		ItemName: "检查", Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddNote(ctx, caseID, "990101000001", "现场情况"); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	d.SetSync(SyncFunc(func(ctx context.Context, progress func(client.Upload)) (client.Result, error) {
		defer close(done)
		var res client.Result
		kept := 0
		for range 2 { // the stamp is asked in the background: the second push brings it
			pr, err := c.Push(ctx, l)
			if err != nil {
				return res, err
			}
			if pr.Pushed > 0 {
				res.Done = append(res.Done, client.Message{Key: "cli.pushed", Args: map[string]any{"N": pr.Pushed, "Size": pr.Size}})
			}
			kept += pr.Timestamps
			if _, err := s.Stamps().Flush(ctx); err != nil {
				return res, err
			}
		}
		if kept > 0 {
			res.Done = append(res.Done, client.Message{Key: "cli.timestamped", Args: map[string]any{"N": kept}})
		}
		return res, nil
	}))
	w := test.NewTempWindow(t, d.Content())
	d.win = w
	w.Resize(fyne.NewSize(1100, 700))
	d.SyncNow()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the sync did not end")
	}
	// The sync holds d.syncing until its last step has set what the
	// dialog says: taking the lock waits for that, as autosync_test does
	// (the test driver runs fyne.Do on the caller's goroutine, so
	// fyne.DoAndWait here would not).
	d.syncing.Lock()
	text := d.LastSync
	d.syncing.Unlock()
	want := shell.L("cli.timestamped", map[string]any{"N": 1})
	if !strings.Contains(text, want) || !strings.Contains(want, "可信时间戳") {
		t.Fatalf("the dialog says %q, want %q", text, want)
	}
	if ts, err := l.Timestamps(ctx); err != nil || len(ts) != 1 {
		t.Fatalf("the ledger holds %d tokens, %v", len(ts), err)
	}
	// With SANXIANG_SHOTS set, the dialog is saved there to be looked at.
	if dir := os.Getenv("SANXIANG_SHOTS"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "stamp-sync-dialog.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
}
