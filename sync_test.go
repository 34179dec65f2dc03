package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/internal/demomode"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// A platform that fails one call still takes the officer's records and
// evidence: the sync does every step it can and names, in Chinese, the one
// that failed and why. With the platform gone it says so once.
func TestSyncDoesWhatItCanAndSaysWhatFailed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := demomode.SeedLists(dir, demo.Standard); err != nil {
		t.Fatal(err)
	}
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{AdminToken: "admin", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	// In front of the real platform: a calendar that fails.
	target, _ := url.Parse(h.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.PathCalendar {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(api.Problem{Code: "internal", Message: "平台内部错误"})
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PlatformURL = front.URL
	if err := config.Save(dir, cfg); err != nil {
		t.Fatal(err)
	}
	// Enrolled, its people activated through the platform (their keys
	// registered), its cases signed with their keys: as the demo seeds.
	if err := demomode.SeedOnline(ctx, s, dir, front.URL); err != nil {
		t.Fatal(err)
	}

	exit, out, errOut := runCLIAs(t, demo.PIN, "--data", dir, "sync", "--person", "990101000001")
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
	if exit == 0 {
		t.Fatal("a sync with a failed step exits 0")
	}
	for _, want := range []string{"已从平台更新公示清单", "已推送", "已上传音像文件"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !strings.Contains(errOut, "更新工作日历未完成：平台暂时出错（500）") || strings.Count(errOut, "未完成：") != 1 {
		t.Errorf("stderr does not name the calendar alone")
	}
	// The records and every evidence file are on the platform.
	l, err := casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), nil)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := l.MediaPending(ctx)
	l.Close()
	if err != nil || len(pending) != 0 {
		t.Errorf("%d evidence files still without a receipt (%v)", len(pending), err)
	}

	// A revoked device is told once, not once a step.
	id, err := client.LoadIdentity(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, id.DeviceID); err != nil {
		t.Fatal(err)
	}
	exit, out, errOut = runCLIAs(t, demo.PIN, "--data", dir, "sync", "--person", "990101000001")
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
	if exit == 0 || strings.Count(errOut, "不再接受本机的凭据") != 1 || !strings.Contains(out, "已从平台更新公示清单") {
		t.Errorf("revoked: exit %d, stderr %q", exit, errOut)
	}

	front.Close()
	exit, out, errOut = runCLIAs(t, demo.PIN, "--data", dir, "sync", "--person", "990101000001")
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
	if exit == 0 || strings.Count(errOut, "连不上平台") != 1 || !strings.Contains(errOut, "更新公示清单未完成") {
		t.Errorf("with the platform gone: exit %d, stderr %q", exit, errOut)
	}
}
