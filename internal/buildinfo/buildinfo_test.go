package buildinfo

import (
	"os"
	"testing"
)

// The repository's own FyneApp.toml reads, as the release build embeds it.
func TestFromFyneApp(t *testing.T) {
	data, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if v, b := FromFyneApp(string(data)); v == "" || b == "" {
		t.Fatalf("FyneApp.toml reads as %q (%q)", v, b)
	}
	if v, b := FromFyneApp("[Details]\n  Version = \"2.3.4\"\n  Build = 17\n"); v != "2.3.4" || b != "17" {
		t.Fatalf("read %q %q", v, b)
	}
}
