package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/witness"
)

var (
	witnessPolicyFile = flag.String("witness-policy", os.Getenv("SANXIANG_WITNESS_POLICY"),
		"the witness policy file (or $SANXIANG_WITNESS_POLICY): lines \"witness NAME VKEY URL\" and \"quorum N\"; every device checkpoint the platform accepts is sent to these witnesses to cosign; empty: none")
	witnessRetry = flag.Duration("witness-retry", 30*time.Second, "how often witnesses that lag (down, or behind) are asked again")
)

// witnessPolicy is the policy the file names (nil with no file): the same
// file an auditor gives sanxiang-verify, so both read it with
// witness.ParsePolicy. A policy that cannot be read stops the platform at
// start rather than leave checkpoints unwitnessed unnoticed.
func witnessPolicy(path string) (*witness.Policy, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--witness-policy: %w", err)
	}
	p, err := witness.ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("--witness-policy %s: %w", path, err)
	}
	return &p, nil
}
