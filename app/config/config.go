// Package config finds the data folder and reads the device's settings from
// config.json in it. Settings a device does not name take their defaults.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Config is one device's settings.
type Config struct {
	// PlatformURL is the central platform's base URL; public pages and the
	// kiosk's QR codes are made from it.
	PlatformURL string `json:"platform_url"`
	// Lang is "zh", "en", or "" to follow the OS (Chinese when it names none).
	Lang string `json:"lang"`
	// KioskIdleSeconds is how long a kiosk waits before going back home.
	KioskIdleSeconds int `json:"kiosk_idle_seconds"`
	// OfficerLockMinutes is how long the officer desk waits untouched
	// before it locks and asks for the PIN again.
	OfficerLockMinutes int `json:"officer_lock_minutes"`
	// OfficerSyncMinutes is how often the officer desk syncs by itself
	// while it runs (records and evidence go up whenever a network is
	// there); 0 leaves syncing to the 同步 button.
	OfficerSyncMinutes int `json:"officer_sync_minutes"`
	// HallWindows is how many service windows the hall numbers.
	HallWindows int `json:"hall_windows"`
	// HallName is the hall's name, shown on the kiosk's home and idle
	// screens ("青禾市政务服务中心").
	HallName string `json:"hall_name,omitempty"`
	// HallEmblem is the city's emblem or the hall's logo the kiosk shows
	// beside the hall's name: a PNG, JPEG or SVG file, relative to the
	// data folder unless absolute. Empty shows the application's icon.
	HallEmblem string `json:"hall_emblem,omitempty"`
	// KioskTheme is the kiosk's colour scheme: "light" (the default, as
	// a public service's screens are) or "dark".
	KioskTheme string `json:"kiosk_theme,omitempty"`
	// Hall is the code of the service hall this device stands in, as the
	// platform configures halls: a window's desk offers that hall's windows
	// and each window's own guides and fees. "" with one hall configured
	// means that one.
	Hall string `json:"hall,omitempty"`
	// KioskAdminPINHash is the Argon2id hash of the PIN that lets an
	// administrator leave fullscreen or quit a kiosk ("sanxiang admin-pin"
	// sets it). Without one, a kiosk cannot be left from its screen.
	KioskAdminPINHash string `json:"kiosk_admin_pin_hash,omitempty"`
	// AudioRate is the sample rate of audio evidence (WAV PCM16 mono).
	AudioRate int `json:"audio_rate"`
	// ArchiveDir is the folder closed cases' bundles are archived to (归档),
	// "" for the data folder's ArchiveDir.
	ArchiveDir string `json:"archive_dir,omitempty"`
}

// Default is what a device uses before anyone configures it.
func Default() Config {
	return Config{PlatformURL: "http://127.0.0.1:8421", KioskIdleSeconds: 90, HallWindows: 20, OfficerLockMinutes: 5, OfficerSyncMinutes: 10, AudioRate: 48000}
}

// FileName is the settings file inside the data folder.
const FileName = "config.json"

// Load reads dir/config.json over the defaults. A missing file is no error;
// a malformed one is, so that a typo is never silently ignored.
func Load(dir string) (Config, error) {
	c := Default()
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read settings: %w", err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return Default(), fmt.Errorf("read settings %s: %w", filepath.Join(dir, FileName), err)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("read settings %s: %w", filepath.Join(dir, FileName), err)
	}
	return c, nil
}

// Save writes c as dir/config.json, replacing the file whole (written to a
// temporary file first, so a crash never leaves half a file).
func Save(dir string, c Config) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	tmp := filepath.Join(dir, FileName+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, FileName)); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	u, err := url.Parse(c.PlatformURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("platform_url %q: want an http:// or https:// address", c.PlatformURL)
	}
	if c.Lang != "" && c.Lang != "zh" && c.Lang != "en" {
		return fmt.Errorf("lang %q: want zh, en or empty", c.Lang)
	}
	if c.KioskIdleSeconds < 10 {
		return fmt.Errorf("kiosk_idle_seconds %d: want 10 or more", c.KioskIdleSeconds)
	}
	if c.OfficerLockMinutes < 1 || c.OfficerLockMinutes > 240 {
		return fmt.Errorf("officer_lock_minutes %d: want 1 to 240", c.OfficerLockMinutes)
	}
	if c.OfficerSyncMinutes < 0 || c.OfficerSyncMinutes > 1440 {
		return fmt.Errorf("officer_sync_minutes %d: want 0 (off) to 1440", c.OfficerSyncMinutes)
	}
	if c.HallWindows < 1 || c.HallWindows > 999 {
		return fmt.Errorf("hall_windows %d: want 1 to 999", c.HallWindows)
	}
	switch c.KioskTheme {
	case "", "light", "dark":
	default:
		return fmt.Errorf("kiosk_theme %q: want light or dark", c.KioskTheme)
	}
	if c.HallEmblem != "" {
		switch strings.ToLower(filepath.Ext(c.HallEmblem)) {
		case ".png", ".jpg", ".jpeg", ".svg":
		default:
			return fmt.Errorf("hall_emblem %q: want a .png, .jpg or .svg file", c.HallEmblem)
		}
	}
	if utf8.RuneCountInString(c.HallName) > 40 {
		return fmt.Errorf("hall_name %q: want at most 40 characters", c.HallName)
	}
	switch c.AudioRate {
	case 8000, 16000, 22050, 32000, 44100, 48000, 96000:
	default:
		return fmt.Errorf("audio_rate %d: want 8000, 16000, 22050, 32000, 44100, 48000 or 96000", c.AudioRate)
	}
	return nil
}

// DataDir is the per-user folder the application keeps its databases in,
// unless --data or SANXIANG_DATA names another: %LOCALAPPDATA%\SanxiangDesk
// on Windows, ~/Library/Application Support/SanxiangDesk on macOS,
// $XDG_DATA_HOME/sanxiang (~/.local/share/sanxiang) elsewhere.
func DataDir() (string, error) {
	if d := os.Getenv("SANXIANG_DATA"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "SanxiangDesk"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the data folder: %w (use --data)", err)
		}
		return filepath.Join(home, "Library", "Application Support", "SanxiangDesk"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "sanxiang"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data folder: %w (use --data)", err)
	}
	return filepath.Join(home, ".local", "share", "sanxiang"), nil
}

// Files in the data folder.
const (
	CatalogDB  = "catalog.db"
	DeviceDB   = "device.db"   // accounts and the sign-in log
	CasefileDB = "casefile.db" // the officer's record log
	MediaDir   = "media"       // evidence files by SHA-256
	ArchiveDir = "archive"     // archived cases' bundles, <case-id>.zip
	// IdentityFile is what enrolment gives the device (sync/client keeps
	// it): its platform, id, kind, pins and sealed token.
	IdentityFile = "sync.json"
	// PoliciesFile holds the agencies' major-decision lists as the platform
	// last sent them (review.Policies as JSON).
	PoliciesFile = "policies.json"
	// ReviewersFile is the platform's registry of legal reviewers, whose
	// opinions signed on other devices this device takes in.
	ReviewersFile = "reviewers.json"
	// AVFile holds the agencies' audio/video requirement lists as the
	// platform last sent them ([]casefile.AVRequirement as JSON).
	AVFile = "av.json"
	// CalendarFile is the working-day calendar as the platform last sent
	// it (assets/calendar/cn.json's form).
	CalendarFile = "calendar.json"
	// DeadlinesFile holds the agencies' own deadlines to publish decisions
	// as the platform last sent them (publish.Deadlines as JSON).
	DeadlinesFile = "deadlines.json"
	// ReviewQueueFile holds other devices' cases waiting for review, for a
	// reviewer's queue on this device.
	ReviewQueueFile = "review_queue.json"
	// PeopleFile is what the platform last said of the people who may
	// sign on this device: who is active, which keys are revoked.
	PeopleFile = "people.json"
)
