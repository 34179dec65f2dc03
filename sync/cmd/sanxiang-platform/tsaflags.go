package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

var (
	tsaURL   = flag.String("tsa-url", os.Getenv("SANXIANG_TSA_URL"), "the RFC 3161 time-stamping authority every receipt is stamped by (or $SANXIANG_TSA_URL); empty: none")
	tsaRoots = flag.String("tsa-roots", os.Getenv("SANXIANG_TSA_ROOTS"), "a PEM file of the root certificates the authority's tokens must chain to (or $SANXIANG_TSA_ROOTS); needed with --tsa-url")
	tsaChain = flag.String("tsa-chain", os.Getenv("SANXIANG_TSA_CHAIN"), "a PEM file of intermediate certificates of the authority, where its tokens do not carry them (or $SANXIANG_TSA_CHAIN)")
)

// errTSARoots is --tsa-url without roots: a token the platform cannot
// check is not evidence, so it is refused at start.
var errTSARoots = errors.New("--tsa-url needs --tsa-roots: the roots the authority's tokens are checked against")

// timestampConfig is the time-stamping authority the flags name.
func timestampConfig(url, roots, chain string) (stamps.Config, error) {
	if url == "" {
		return stamps.Config{}, nil
	}
	if roots == "" {
		return stamps.Config{}, errTSARoots
	}
	c := stamps.Config{URL: url}
	var err error
	if c.Roots, err = certPool(roots); err != nil {
		return c, fmt.Errorf("--tsa-roots: %w", err)
	}
	if chain != "" {
		if c.Intermediates, err = certPool(chain); err != nil {
			return c, fmt.Errorf("--tsa-chain: %w", err)
		}
	}
	return c, nil
}

// certPool reads every certificate of a PEM file; a file with none, or
// with anything else, is refused.
func certPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%s: a %s block, not a certificate", path, blk.Type)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return pool, nil
}
