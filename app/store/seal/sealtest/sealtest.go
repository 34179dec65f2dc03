// Package sealtest gives tests a random data key.
package sealtest

import (
	"crypto/rand"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// Keys is a fresh random data key for one test.
func Keys(t testing.TB) seal.Static {
	t.Helper()
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		t.Fatal(err)
	}
	return seal.Static{DK: dk}
}
