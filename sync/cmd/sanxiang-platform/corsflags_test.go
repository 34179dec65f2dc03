package main

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// --cors-origin is repeated or comma-separated, each origin put in the form
// browsers send; $SANXIANG_CORS_ORIGINS stands in when the flag is not
// given; a malformed origin stops the command with its reason.
func TestCORSOriginFlag(t *testing.T) {
	parse := func(args ...string) (originsFlag, error) {
		var f originsFlag
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Var(&f, "cors-origin", "")
		return f, fs.Parse(args)
	}
	got, err := parse("--cors-origin", "https://a.example.gov.cn, HTTPS://B.example.gov.cn:443", "--cors-origin=http://127.0.0.1:9000")
	if want := (originsFlag{"https://a.example.gov.cn", "https://b.example.gov.cn", "http://127.0.0.1:9000"}); err != nil || !slices.Equal(got, want) {
		t.Errorf("flags: %v %v, want %v", got, err, want)
	}
	// The flag package keeps only the error's text.
	if _, err := parse("--cors-origin", "https://a.example.gov.cn,*"); err == nil || !strings.Contains(err.Error(), web.ErrBadOrigin.Error()) {
		t.Errorf("--cors-origin '*': %v", err)
	}

	t.Setenv("SANXIANG_CORS_ORIGINS", "https://env.example.gov.cn,http://localhost:3000")
	corsOrigins = nil
	t.Cleanup(func() { corsOrigins = nil })
	if got, err := corsOriginList(); err != nil || !slices.Equal(got, []string{"https://env.example.gov.cn", "http://localhost:3000"}) {
		t.Errorf("from the environment: %v %v", got, err)
	}
	corsOrigins = originsFlag{"https://flag.example.gov.cn"}
	if got, err := corsOriginList(); err != nil || !slices.Equal(got, []string{"https://flag.example.gov.cn"}) {
		t.Errorf("the flag wins over the environment: %v %v", got, err)
	}
	corsOrigins = nil
	t.Setenv("SANXIANG_CORS_ORIGINS", "https://env.example.gov.cn/app")
	if _, err := corsOriginList(); !errors.Is(err, web.ErrBadOrigin) {
		t.Errorf("a malformed origin in the environment: %v", err)
	}
}
