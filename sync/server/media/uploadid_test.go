package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// TestStoresRefuseForeignIDs: behind the router's guard, each store on its
// own refuses an upload ID the platform did not make, before it touches a
// file or key: a climb out of incoming/ in the folder store finds nothing
// and changes nothing, and the S3 store (when SANXIANG_TEST_S3 names one)
// refuses the same.
func TestStoresRefuseForeignIDs(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "media")
	stores := map[string]mediaStore{}
	st, err := openMediaStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	stores["folder"] = st
	if s3 := os.Getenv("SANXIANG_TEST_S3"); s3 != "" {
		st, err := openMediaStore(ctx, strings.TrimSuffix(s3, "/")+"/sanxiang-ids-"+newUploadID()[:8])
		if err != nil {
			t.Fatal(err)
		}
		stores["s3"] = st
	}
	info := `{"ID":"decoy","Size":31337,"Storage":{"Type":"filestore","Path":"decoy"}}`
	for _, d := range []string{root, dir} {
		os.WriteFile(filepath.Join(d, "decoy"), []byte("DECOY"), 0o600)
		os.WriteFile(filepath.Join(d, "decoy.info"), []byte(info), 0o600)
	}
	bad := []string{"../decoy", "../../decoy", `..\..\decoy`, "..%2F..%2Fdecoy", filepath.Join(root, "decoy"),
		"/etc/passwd", "", ".", "..", strings.Repeat("a", 31), strings.Repeat("a", 33), strings.Repeat("A", 32),
		strings.Repeat("a", 30) + "/.", strings.Repeat("a", 31) + "\x00"}
	for name, st := range stores {
		composer := tusd.NewStoreComposer()
		st.useIn(composer)
		for _, id := range bad {
			if _, err := composer.Core.GetUpload(ctx, id); !errors.Is(err, tusd.ErrNotFound) {
				t.Errorf("%s: GetUpload(%q) = %v, want not found", name, id, err)
			}
			if _, err := composer.Core.NewUpload(ctx, tusd.FileInfo{ID: id, Size: 4}); !errors.Is(err, tusd.ErrNotFound) {
				t.Errorf("%s: NewUpload(%q) = %v, want refused", name, id, err)
			}
			if err := st.remove(ctx, id); !errors.Is(err, tusd.ErrNotFound) {
				t.Errorf("%s: remove(%q) = %v, want refused", name, id, err)
			}
		}
	}
	for _, d := range []string{root, dir} {
		for file, want := range map[string]string{"decoy": "DECOY", "decoy.info": info} {
			if b, err := os.ReadFile(filepath.Join(d, file)); err != nil || string(b) != want {
				t.Errorf("%s/%s changed: %q %v", d, file, b, err)
			}
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "incoming")); len(entries) != 0 {
		t.Errorf("incoming/ holds %d files after refused IDs", len(entries))
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"2GiB": 2 << 30, "500MiB": 500 << 20, "1.5G": 3 << 29, "4096": 4096, " 8 GiB ": 8 << 30, "1KB": 1024, "0": 0} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "-1GiB", "2 parsecs", "1e30"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}
