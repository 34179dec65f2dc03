package demomode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/witness"
)

// The demo's witnesses: two bodies outside the agencies, as a city would
// name them, each with its own key and state in the demo folder, served on
// loopback beside the demo's platform, so that the desk shows 最近见证 and
// a printed document's 扫码验真 page says 真实. Their policy is written to
// the folder as WitnessPolicyFile for sanxiang-verify.
var demoWitnessNames = []string{"legal-affairs.demo.qinghe", "procuratorate.demo.qinghe"}

// WitnessPolicyFile is the demo's witness policy, in the demo folder.
const WitnessPolicyFile = "witnesses.txt"

// startWitnesses starts the demo's witnesses and writes their policy (both
// must cosign); stop closes them.
func startWitnesses(ctx context.Context, dir string) (p witness.Policy, stop func(), err error) {
	var stops []func()
	stop = func() {
		for _, f := range stops {
			f()
		}
	}
	var policy strings.Builder
	for _, name := range demoWitnessNames {
		slug := strings.SplitN(name, ".", 2)[0]
		key, err := witness.KeyFile(filepath.Join(dir, "witness-"+slug+".key"))
		if err != nil {
			stop()
			return p, nil, fmt.Errorf("demo witness %s: %w", name, err)
		}
		ws, err := witness.Open(ctx, filepath.Join(dir, "witness-"+slug+".db"), witness.Options{Name: name, Key: key, Learn: "sanxiang/device/"})
		if err != nil {
			stop()
			return p, nil, fmt.Errorf("demo witness %s: %w", name, err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ws.Close()
			stop()
			return p, nil, fmt.Errorf("demo witness %s: %w", name, err)
		}
		srv := &http.Server{Handler: ws, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(os.Stderr, "demo witness %s: %v\n", name, err)
			}
		}()
		stops = append(stops, func() { srv.Close(); ws.Close() })
		fmt.Fprintf(&policy, "witness %s %s http://%s\n", name, ws.VerifierKey(), ln.Addr())
	}
	fmt.Fprintf(&policy, "quorum %d\n", len(demoWitnessNames))
	if p, err = witness.ParsePolicy([]byte(policy.String())); err != nil {
		stop()
		return p, nil, fmt.Errorf("demo witnesses: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, WitnessPolicyFile), []byte(policy.String()), 0o644); err != nil {
		stop()
		return p, nil, fmt.Errorf("demo witnesses: %w", err)
	}
	return p, stop, nil
}
