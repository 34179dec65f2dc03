// Command sanxiang-witness is a C2SP tlog-witness that an independent body
// (a legal-affairs office's supervision unit, a procuratorate) runs beside
// the platform: it cosigns each device log's checkpoint that extends the
// one it cosigned before and refuses any other (a split view). Its key is
// made on first run into --key; its vkey is printed at start and served at
// GET /vkey, for the platform's witness policy. Logs under --learn are
// learned on first sight with the key the platform forwards (trust on
// first use: devices enrol at the platform every day, and a keeper adding
// each by hand would leave them unwitnessed for days; a key once learned
// is pinned, so a device key swapped later is refused). cgo-free.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/witness"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sanxiang-witness:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:7380", "address to listen on")
	db := flag.String("db", "witness.db", "the witness's SQLite state")
	keyFile := flag.String("key", "witness.key", "the witness's Ed25519 key (made on first run)")
	name := flag.String("name", "", "the witness's key name, e.g. procuratorate.example.gov.cn")
	learn := flag.String("learn", "sanxiang/device/", "origin prefix of logs learned on first sight (empty: none)")
	flag.Parse()
	if *name == "" {
		return errors.New("--name is required")
	}
	key, err := witness.KeyFile(*keyFile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := witness.Open(ctx, *db, witness.Options{Name: *name, Key: key, Learn: *learn})
	if err != nil {
		return err
	}
	defer w.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	// The first two lines are for whoever starts it (and the tests): the
	// vkey for the policy, and where it listens.
	fmt.Println("vkey", w.VerifierKey())
	fmt.Println("listening", "http://"+ln.Addr().String())
	srv := &http.Server{Handler: w, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	slog.Info("witness stopped")
	return nil
}
