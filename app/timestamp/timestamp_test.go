package timestamp_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
)

var data = []byte("sanxiang.example/device-1\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")

func token(t *testing.T) (*tsatest.TSA, []byte) {
	t.Helper()
	tsa := tsatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := timestamp.Request(ctx, &http.Client{Timeout: 10 * time.Second}, tsa.URL, data)
	if err != nil {
		t.Fatal(err)
	}
	return tsa, tok
}

// TestTimestampVerifies: a token from the loopback authority verifies over
// its data against the test root, and each kind of wrong is its own error.
func TestTimestampVerifies(t *testing.T) {
	tsa, tok := token(t)
	st, err := timestamp.Verify(tok, data, tsa.CA.Roots(), tsa.CA.Intermediates())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(st.Time); d < -time.Minute || d > time.Minute {
		t.Errorf("stamped at %s, now %s", st.Time, time.Now().UTC())
	}
	if !strings.Contains(st.TSA, "Sanxiang test TSA") || st.Serial == nil {
		t.Errorf("stamp %+v", st)
	}
	other, err := tsatest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		tok   []byte
		data  []byte
		roots *x509.CertPool
		want  error
	}{
		{"other data", tok, append([]byte("x"), data...), tsa.CA.Roots(), timestamp.ErrImprint},
		{"other root", tok, data, other.Roots(), timestamp.ErrUntrusted},
		{"no root", tok, data, nil, timestamp.ErrUntrusted},
		{"not a token", []byte("not DER"), data, tsa.CA.Roots(), timestamp.ErrBadToken},
		{"empty", nil, data, tsa.CA.Roots(), timestamp.ErrBadToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := timestamp.Verify(c.tok, c.data, c.roots, tsa.CA.Intermediates()); !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
	// The intermediate is needed: the token carries the TSA's certificate
	// and the authority's chain; without a pool given it still chains.
	if _, err := timestamp.Verify(tok, data, tsa.CA.Roots(), nil); err != nil {
		t.Errorf("without intermediates given: %v", err)
	}
}

// TestTimestampRequestRefused: an authority that is down or answers
// something else than a time-stamp response is an error, never a token.
func TestTimestampRequestRefused(t *testing.T) {
	tsa := tsatest.Start(t)
	ctx := context.Background()
	if _, err := timestamp.Request(ctx, nil, strings.TrimSuffix(tsa.URL, tsatest.PathTimestamp)+"/nothing-here", data); err == nil {
		t.Error("a 404 gave a token")
	}
	tsa.Stop()
	if _, err := timestamp.Request(ctx, nil, tsa.URL, data); err == nil {
		t.Error("a stopped authority gave a token")
	}
	tsa.Restart(t)
	if _, err := timestamp.Request(ctx, nil, tsa.URL, data); err != nil {
		t.Errorf("after restart: %v", err)
	}
	if _, err := timestamp.Token([]byte{0x30, 0x03, 0x30, 0x01, 0x02}); !errors.Is(err, timestamp.ErrResponse) {
		t.Errorf("Token(garbage) = %v", err)
	}
	// status 2, rejection
	if _, err := timestamp.Token([]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02}); !errors.Is(err, timestamp.ErrRefused) {
		t.Errorf("Token(rejection) = %v", err)
	}
}

// TestTimestampBitFlipsFail flips every bit of a token in turn: each
// flipped token fails Verify, and the test names the reason for each byte.
func TestTimestampBitFlipsFail(t *testing.T) {
	tsa, tok := token(t)
	roots, mids := tsa.CA.Roots(), tsa.CA.Intermediates()
	reasons := map[error]int{}
	kinds := []error{timestamp.ErrBadToken, timestamp.ErrSignature, timestamp.ErrUntrusted, timestamp.ErrImprint}
	for i := range tok {
		for bit := range 8 {
			bad := append([]byte(nil), tok...)
			bad[i] ^= 1 << bit
			_, err := timestamp.Verify(bad, data, roots, mids)
			if err == nil {
				t.Errorf("byte %d bit %d flipped: the token still verifies", i, bit)
				continue
			}
			known := false
			for _, k := range kinds {
				if errors.Is(err, k) {
					reasons[k]++
					known = true
				}
			}
			if !known {
				t.Errorf("byte %d bit %d: %v is none of the token errors", i, bit, err)
			}
		}
	}
	t.Logf("%d bits flipped in a %d-byte token: %v", 8*len(tok), len(tok), reasons)
	for _, k := range []error{timestamp.ErrBadToken, timestamp.ErrSignature} {
		if reasons[k] == 0 {
			t.Errorf("no flip gave %v", k)
		}
	}
}

// TestTimestampVerifiedByOpenSSL: an independent reader, openssl ts
// -verify, accepts the token over the data against the test CA, and
// refuses it over other data.
func TestTimestampVerifiedByOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("SANXIANG_REQUIRE_OPENSSL") == "" {
			t.Skip("openssl is not installed (set SANXIANG_REQUIRE_OPENSSL to require it)")
		}
		t.Fatal(err)
	}
	tsa, tok := token(t)
	dir := t.TempDir()
	root, chain := tsa.CA.WriteFiles(t, dir)
	tokPath, dataPath, otherPath := filepath.Join(dir, "token.tsr"), filepath.Join(dir, "data.txt"), filepath.Join(dir, "other.txt")
	for p, b := range map[string][]byte{tokPath: tok, dataPath: data, otherPath: append(data, '!')} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(d string) (string, error) {
		out, err := exec.Command(bin, "ts", "-verify", "-in", tokPath, "-token_in", "-data", d, "-CAfile", root, "-untrusted", chain).CombinedOutput()
		return string(out), err
	}
	out, err := verify(dataPath)
	if err != nil || !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	if out, err := verify(otherPath); err == nil || strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl accepted the token over other data:\n%s", out)
	}
}
