package sealtest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secret is something a sealed folder must not give away, with the name
// a failure reports.
type Secret struct {
	Name  string
	Bytes []byte
}

// Text are the ways a string can sit in a file: as written, JSON-escaped
// as Go writes it, and \u-escaped as other JSON writers do.
func Text(name, s string) []Secret {
	out := []Secret{{name, []byte(s)}}
	j, _ := json.Marshal(s)
	if j = bytes.Trim(j, `"`); !bytes.Equal(j, []byte(s)) {
		out = append(out, Secret{name + " (JSON)", j})
	}
	var u strings.Builder
	for _, r := range s {
		if r < 0x80 {
			u.WriteRune(r)
		} else {
			fmt.Fprintf(&u, `\u%04x`, r)
		}
	}
	if u.String() != s {
		out = append(out, Secret{name + ` (\u)`, []byte(u.String())})
	}
	return out
}

// Binary are a key raw, in base64 (standard and raw) and in hex.
func Binary(name string, b []byte) []Secret {
	return []Secret{{name, b},
		{name + " (base64)", []byte(base64.StdEncoding.EncodeToString(b))},
		{name + " (raw base64)", []byte(base64.RawStdEncoding.EncodeToString(b))},
		{name + " (hex)", []byte(hex.EncodeToString(b))}}
}

// SignerKey are a note signer key ("PRIVATE+KEY+name+hash+key") and its
// key part (base64, which may hold '+' itself).
func SignerKey(name, key string) []Secret {
	out := []Secret{{name, []byte(key)}}
	if parts := strings.SplitN(key, "+", 5); len(parts) == 5 {
		out = append(out, Secret{name + " (its key part)", []byte(parts[4])})
	}
	return out
}

// Scan reads every file under the roots and names each secret found with
// the file it is in.
func Scan(t testing.TB, secrets []Secret, roots ...string) map[string]string {
	t.Helper()
	found := map[string]string{}
	files := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for _, s := range secrets {
				if _, ok := found[s.Name]; !ok && len(s.Bytes) > 0 && bytes.Contains(data, s.Bytes) {
					found[s.Name] = strings.TrimPrefix(path, root)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("scan %s: %v", root, err)
		}
	}
	if files < 3 {
		t.Fatalf("the scan read only %d files", files)
	}
	return found
}

// CheckScanner shows the scan finds every secret where it is in
// plaintext, so that finding none in a sealed folder means something.
func CheckScanner(t testing.TB, secrets []Secret) {
	t.Helper()
	dir := t.TempDir()
	for i, s := range secrets {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), append([]byte("x"), s.Bytes...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if found := Scan(t, secrets, dir); len(found) != len(secrets) {
		t.Fatalf("the scanner found %d of %d secrets in plaintext", len(found), len(secrets))
	}
}
