package officer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// The top bar says when the witnesses last cosigned the desk's log: not
// yet before a sync, the cosignature's time after one against a real
// platform with a real witness on loopback. (SANXIANG_SHOTS:
// witness-desk-last-witnessed.png)
func TestDeskShowsLastWitnessed(t *testing.T) {
	ctx := context.Background()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	ws, err := witness.Open(ctx, filepath.Join(t.TempDir(), "w.db"), witness.Options{Name: "procuratorate.test", Key: key, Learn: "sanxiang/device/"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	wh := httptest.NewServer(ws)
	defer wh.Close()
	policy, err := witness.ParsePolicy(fmt.Appendf(nil, "witness procuratorate.test %s %s\nquorum 1\n", ws.VerifierKey(), wh.URL))
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Witnesses: &policy, WitnessRetry: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()

	d := newTestDesk(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	dir := t.TempDir()
	l, err := casefile.Open(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "W1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	code, err := s.NewEnrolCode(ctx, "officer")
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, h.URL, code, "laptop", "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(id)
	d.SetSync(SyncFunc(func(ctx context.Context, progress func(client.Upload)) (client.Result, error) {
		if _, err := c.SendCheckpoint(ctx, l); err != nil {
			return client.Result{}, err
		}
		_, err := c.Push(ctx, l)
		return client.Result{Done: []client.Message{{Key: "pushed"}}}, err
	}))
	cal, _ := calendar.Parse(assets.Calendar)
	av, _ := demo.AVList()
	d.SetCaseFile(l, cal, av)
	test.Type(d.ID, "990101000001")
	test.Type(d.PIN, demo.PIN)
	test.Tap(d.SignIn)
	if d.LastWitnessed == nil || d.LastWitnessed.Text != "尚未见证" {
		t.Fatalf("before any sync: %v", d.LastWitnessed)
	}
	caseID, err := l.OpenCase(ctx, "990101000001", casefile.Opening{Act: catalog.ActInspection, Agency: "01", ItemID: "E1",
		ItemName: "检查", Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司"},
		Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddNote(ctx, caseID, "990101000001", "现场情况"); err != nil {
		t.Fatal(err)
	}
	ui := uiQueue(d)
	d.AutoSync() // the checkpoint goes out; the witness is asked after
	ui.drain()
	if err := s.WitnessRound(ctx); err != nil {
		t.Fatal(err)
	}
	d.AutoSync() // brings the cosigned checkpoint
	ui.drain()
	_, note, _, err := l.Cosigned(ctx)
	if err != nil || note == nil {
		t.Fatalf("the device keeps no cosigned checkpoint: %v", err)
	}
	at, ok := witness.ClaimedTime(note, l.Verifier)
	want := "最近见证 " + at.Local().Format("01-02 15:04")
	if !ok || d.LastWitnessed.Text != want {
		t.Fatalf("after witnessing: %q, want %q", d.LastWitnessed.Text, want)
	}
	if !strings.HasPrefix(d.LastSyncAt.Text, "上次同步") {
		t.Fatalf("last sync: %q", d.LastSyncAt.Text)
	}
	d.Cases.ShowList()
	shelltest.Shot(t, d.win, "witness-desk-last-witnessed")
}
