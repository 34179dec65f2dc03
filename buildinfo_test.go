package main

import (
	"os"
	"testing"
)

// The release build's version and build come from FyneApp.toml; this
// reads the real file, as the release build embeds it.
func TestFromFyneApp(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	v, b := fromFyneApp(string(data))
	if v != version || b == "" {
		t.Fatalf("FyneApp.toml says %q (%q); main.version is %q", v, b, version)
	}
	if v, b := fromFyneApp("[Details]\n  Version = \"2.3.4\"\n  Build = 17\n"); v != "2.3.4" || b != "17" {
		t.Fatalf("read %q %q", v, b)
	}
}
