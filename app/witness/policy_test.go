package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"filippo.io/torchwood"
)

func testKey(t testing.TB, name string) string {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := torchwood.NewCosignatureSigner(name, k)
	if err != nil {
		t.Fatal(err)
	}
	return s.Verifier().String()
}

func TestParsePolicy(t *testing.T) {
	a, b := testKey(t, "a.test"), testKey(t, "b.test")
	for _, c := range []struct {
		name, text string
		quorum     int
		err        error
	}{
		{"two of two", fmt.Sprintf("# city\nwitness a.test %s http://a/\nwitness b.test %s http://b\nquorum 2\n", a, b), 2, nil},
		{"one of two", fmt.Sprintf("witness a.test %s http://a\nwitness b.test %s http://b\nquorum 1", a, b), 1, nil},
		{"no quorum", fmt.Sprintf("witness a.test %s http://a\n", a), 0, ErrPolicy},
		{"quorum too high", fmt.Sprintf("witness a.test %s http://a\nquorum 2\n", a), 0, ErrPolicy},
		{"quorum zero", fmt.Sprintf("witness a.test %s http://a\nquorum 0\n", a), 0, ErrPolicy},
		{"name not the key's", fmt.Sprintf("witness c.test %s http://a\nquorum 1\n", a), 0, ErrPolicy},
		{"named twice", fmt.Sprintf("witness a.test %s http://a\nwitness a.test %s http://b\nquorum 1\n", a, a), 0, ErrPolicy},
		{"not a cosignature key", "witness a.test a.test+01234567+AQID http://a\nquorum 1\n", 0, ErrPolicy},
		{"unknown line", fmt.Sprintf("witness a.test %s http://a\nquorum 1\nfoo bar\n", a), 0, ErrPolicy},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(c.text))
			if !errors.Is(err, c.err) || (err == nil && p.Quorum != c.quorum) {
				t.Fatalf("quorum %d, err %v; want %d, %v", p.Quorum, err, c.quorum, c.err)
			}
			if err == nil && p.Witnesses[0].URL != "http://a" {
				t.Fatalf("url %q", p.Witnesses[0].URL)
			}
		})
	}
}

func FuzzParsePolicy(f *testing.F) {
	a := testKey(f, "a.test")
	f.Add(fmt.Sprintf("witness a.test %s http://a\nquorum 1\n", a))
	f.Add("quorum 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy([]byte(s))
		if err == nil && (p.Quorum < 1 || p.Quorum > len(p.Witnesses)) {
			t.Fatalf("accepted quorum %d of %d", p.Quorum, len(p.Witnesses))
		}
	})
}
