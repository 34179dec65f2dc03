package device

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/config"
)

// A device archives closed cases into its data folder's archive/ unless
// its settings name another folder (a relative one inside the data folder).
func TestDeviceArchiveFolder(t *testing.T) {
	ctx := context.Background()
	for _, x := range []struct{ setting, want string }{
		{"", "archive"},
		{"案卷/2026", filepath.Join("案卷", "2026")},
		{filepath.Join(t.TempDir(), "share"), ""},
	} {
		dir := t.TempDir()
		cfg := config.Default()
		cfg.ArchiveDir = x.setting
		if err := config.Save(dir, cfg); err != nil {
			t.Fatal(err)
		}
		d, err := Open(ctx, dir, Ledger)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(dir, x.want)
		if x.want == "" {
			want = x.setting
		}
		if got := d.Log.ArchiveDir(); got != want || d.ArchiveDir() != want {
			t.Errorf("archive_dir %q: the log archives to %q, want %q", x.setting, got, want)
		}
		d.Close()
	}
}
