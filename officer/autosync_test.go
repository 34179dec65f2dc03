package officer

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// The desk syncs by itself against a real platform, without a dialog: the
// top bar says when; with the platform gone it says the sync did not
// finish and keeps why; while another sync runs it does not start one.
func TestDeskSyncsByItself(t *testing.T) {
	ctx := context.Background()
	d, l := signedInWithCases(t)
	ui := uiQueue(d)
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
	var calls atomic.Int32
	d.SetSync(SyncFunc(func(ctx context.Context, progress func(client.Upload)) (client.Result, error) {
		calls.Add(1)
		_, err := c.Push(ctx, l)
		return client.Result{Done: []client.Message{{Key: "pushed"}}}, err
	}))
	caseID, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1",
		ItemName: "检查", Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddNote(ctx, caseID, "990101000001", "现场情况"); err != nil {
		t.Fatal(err)
	}
	d.SetClock(func() time.Time { return time.Date(2026, 11, 27, 9, 41, 0, 0, time.Local) })

	d.AutoSync()
	ui.drain()
	if d.LastSyncAt.Text != "上次同步 09:41" || d.LastSync != "pushed" {
		t.Fatalf("after a sync: %q %q", d.LastSyncAt.Text, d.LastSync)
	}
	held, err := s.LogRecords(ctx, id.DeviceID)
	cp, _ := l.Latest(ctx)
	if err != nil || len(held) != int(cp.Size) || cp.Size < 2 {
		t.Fatalf("the platform holds %d records of %d (%v)", len(held), cp.Size, err)
	}

	// A sync under way (the officer's): none started beside it.
	d.syncing.Lock()
	d.AutoSync()
	d.syncing.Unlock()
	if calls.Load() != 1 {
		t.Fatalf("%d syncs, want 1", calls.Load())
	}

	h.Close()
	if _, err := l.AddNote(ctx, caseID, "990101000001", "离线时记下"); err != nil {
		t.Fatal(err)
	}
	d.AutoSync()
	ui.drain()
	if !strings.Contains(d.LastSyncAt.Text, "自动同步未完成") || !strings.Contains(d.LastSyncError, "unreachable") {
		t.Fatalf("with the platform gone: %q, %q", d.LastSyncAt.Text, d.LastSyncError)
	}
}
