package main

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// TestTimestampFlags: --tsa-url takes its roots (and chain) from PEM
// files; a URL without roots, a missing file, a file of no certificates
// or of a key are refused at start, each saying which.
func TestTimestampFlags(t *testing.T) {
	ca, err := tsatest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root, chain := ca.WriteFiles(t, dir)
	empty, key := filepath.Join(dir, "empty.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(empty, []byte("nothing here\n"), 0o644)
	os.WriteFile(key, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o644)

	if c, err := timestampConfig("", "", ""); err != nil || c.URL != "" {
		t.Fatalf("no TSA: %+v %v", c, err)
	}
	c, err := timestampConfig("http://tsa.example/ts", root, chain)
	if err != nil || c.Roots == nil || c.Intermediates == nil {
		t.Fatalf("with roots and chain: %+v %v", c, err)
	}
	if _, err := ca.Leaf.Verify(x509Opts(c)); err != nil {
		t.Fatalf("the TSA certificate does not chain through the flags' pools: %v", err)
	}
	if _, err := timestampConfig("http://tsa.example/ts", "", ""); !errors.Is(err, errTSARoots) {
		t.Errorf("no roots: %v", err)
	}
	for _, bad := range []struct{ roots, chain, want string }{
		{filepath.Join(dir, "missing.pem"), "", "--tsa-roots"},
		{empty, "", "no PEM certificate"},
		{key, "", "not a certificate"},
		{root, empty, "--tsa-chain"},
	} {
		if _, err := timestampConfig("http://tsa.example/ts", bad.roots, bad.chain); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("roots %s chain %s: %v, want %q", bad.roots, bad.chain, err, bad.want)
		}
	}
}

func x509Opts(c stamps.Config) x509.VerifyOptions {
	return x509.VerifyOptions{Roots: c.Roots, Intermediates: c.Intermediates, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}
}
