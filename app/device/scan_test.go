package device_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// needle is something a lost laptop must not give away, with the name a
// failure reports.
type needle struct {
	name string
	b    []byte
}

// needlesOf are the ways a secret or a party's string can sit in a file:
// as it is, JSON-escaped (\uXXXX for every non-ASCII rune, as Go's and
// SQLite's JSON may write it), and a binary secret in base64 (standard
// and raw) and hex.
func textNeedles(name, s string) []needle {
	out := []needle{{name, []byte(s)}}
	ascii, _ := json.Marshal(s)
	if !bytes.Equal(bytes.Trim(ascii, `"`), []byte(s)) {
		out = append(out, needle{name + " (JSON)", bytes.Trim(ascii, `"`)})
	}
	var u bytes.Buffer
	for _, r := range s {
		if r < 0x80 {
			u.WriteRune(r)
		} else if r <= 0xFFFF {
			u.WriteString(`\u` + hex.EncodeToString([]byte{byte(r >> 8), byte(r)}))
		}
	}
	if u.String() != s {
		out = append(out, needle{name + ` (\u-escaped)`, u.Bytes()})
	}
	return out
}

func binaryNeedles(name string, b []byte) []needle {
	return []needle{
		{name, b},
		{name + " (base64)", []byte(base64.StdEncoding.EncodeToString(b))},
		{name + " (raw base64)", []byte(base64.RawStdEncoding.EncodeToString(b))},
		{name + " (hex)", []byte(hex.EncodeToString(b))},
	}
}

// pcmNeedles are 64-byte runs taken across the PCM a source emitted.
func pcmNeedles(pcm []byte, n int) []needle {
	var out []needle
	if len(pcm) < 64 {
		return nil
	}
	step := (len(pcm) - 64) / n
	if step < 2 {
		step = 2
	}
	for off := 0; off+64 <= len(pcm) && len(out) < n; off += step {
		out = append(out, needle{"64 bytes of the recorded PCM at " + itoa(off), pcm[off : off+64]})
	}
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// scan reads every file under the roots and returns, for each needle
// found, the file it was found in.
func scan(t *testing.T, needles []needle, roots ...string) map[string]string {
	t.Helper()
	found := map[string]string{}
	files := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for _, n := range needles {
				if _, ok := found[n.name]; !ok && len(n.b) > 0 && bytes.Contains(data, n.b) {
					found[n.name] = path
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("scan %s: %v", root, err)
		}
	}
	if files == 0 {
		t.Fatal("the scan read no file")
	}
	return found
}
