package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// originsFlag is --cors-origin: web origins, the flag repeated or
// comma-separated, each checked and put in the form browsers send.
type originsFlag []string

func (f *originsFlag) String() string { return strings.Join(*f, ",") }

func (f *originsFlag) Set(s string) error {
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		p, err := web.ParseOrigin(o)
		if err != nil {
			return err
		}
		*f = append(*f, p)
	}
	return nil
}

var corsOrigins originsFlag

func init() {
	flag.Var(&corsOrigins, "cors-origin", "a web origin (https://app.example.gov.cn) whose pages may call the device and administrator API "+
		"from a browser with a bearer token; repeat the flag or separate origins with commas (or $SANXIANG_CORS_ORIGINS). "+
		"The public pages and reads are open to every origin, the console to none")
}

// corsOriginList is --cors-origin, or $SANXIANG_CORS_ORIGINS when the flag
// is not given.
func corsOriginList() ([]string, error) {
	if len(corsOrigins) > 0 {
		return corsOrigins, nil
	}
	var f originsFlag
	if err := f.Set(os.Getenv("SANXIANG_CORS_ORIGINS")); err != nil {
		return nil, fmt.Errorf("$SANXIANG_CORS_ORIGINS: %w", err)
	}
	return f, nil
}
