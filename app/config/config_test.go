package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(dir)
	if err != nil || c != Default() {
		t.Fatalf("no file: %+v, %v; want defaults", c, err)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"platform_url":"https://zf.example.cn","lang":"en"}`), 0o600)
	c, err = Load(dir)
	if err != nil || c.PlatformURL != "https://zf.example.cn" || c.Lang != "en" || c.KioskIdleSeconds != 90 {
		t.Fatalf("partial file: %+v, %v", c, err)
	}
	for _, bad := range []string{`{"platform_url":"ftp://x"}`, `{"lang":"fr"}`, `{"kiosk_idle_seconds":1}`, `{"audio_rate":44000}`, `{not json`} {
		os.WriteFile(filepath.Join(dir, FileName), []byte(bad), 0o600)
		if _, err := Load(dir); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestDataDirOverride(t *testing.T) {
	t.Setenv("SANXIANG_DATA", "/tmp/x")
	if d, _ := DataDir(); d != "/tmp/x" {
		t.Fatalf("DataDir = %q", d)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := Default()
	c.Lang, c.KioskAdminPINHash = "en", "$argon2id$x"
	if err := Save(dir, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got != c {
		t.Fatalf("Load after Save = %+v, %v; want %+v", got, err, c)
	}
	bad := c
	bad.HallWindows = 0
	if err := Save(dir, bad); err == nil {
		t.Fatal("saved an invalid config")
	}
}
